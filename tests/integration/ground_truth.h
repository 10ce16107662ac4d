// The ground truth of the generated camera-VLAN capture (`camwatch-testgen demo`, the bytes of
// demo/camera-vlan-demo.pcap) under tests/integration/configs/ground-truth.yaml: the alerts a
// person worked out from the scenario (tests/support/scenarios/demo.cc) and the config, written
// down once for every test that checks them (replay, live).
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace camwatch::integration {

// "kind camera -> destination rule status xN", the parts of an alert a test pins.
inline std::string describe(const nlohmann::json& alert) {
  const nlohmann::json& destination = alert.at("destination");
  std::string where =
      destination.at("ip").is_null() ? "-" : destination.at("ip").get<std::string>();
  if (destination.at("ip").is_null() && !destination.at("hostname").get<std::string>().empty()) {
    where = "dns:" + destination.at("hostname").get<std::string>();
  }
  // A DNS flow: the resolver, and the question asked of it.
  if (destination.contains("dns_query") &&
      !destination.at("dns_query").get<std::string>().empty()) {
    where += " dns:" + destination.at("dns_query").get<std::string>();
  }
  return alert.at("kind").get<std::string>() + " " +
         alert.at("camera").at("ip").get<std::string>() + " -> " + where + " " +
         alert.at("rule").get<std::string>() + " " + alert.at("severity").get<std::string>() + " " +
         alert.at("status").get<std::string>() + " x" +
         std::to_string(alert.at("repeat_count").get<int>() + 1);
}

// What the ground-truth config must raise on the generated capture, in time order. Allowed
// traffic raises nothing: RTSP to the NVR and DNS to the gateway are local, NTP is allowed.
// cam-dock (.31) asks Quad9 instead of the gateway (external_resolver, naming the question) and
// goes to the Dahua cloud it was told; cam-stairs (.32) speaks DoH to dns.google, cam-roof (.33)
// DoT to 1.1.1.1 (encrypted_dns, one alert each for a flow of several lookups).
// An alert about a flow is raised when its verdict is final (after the ClientHello) and sent
// again, the same alert, when the flow ends, with the whole flow as evidence (the "update" lines;
// docs/alerts.md, "Evidence that grows"): the TLS flows go on after their ClientHello. The STUN
// request and the DNS queries are the last packets their camera sends on those flows, so there is
// nothing to add. The second check-ins (330 s, 360 s) and STUN lookup (390 s) fold into the first
// ones silently (suppression window), and so do their ends.
inline const std::vector<std::string> kGroundTruthAlerts = {
    "vendor_cloud 192.168.10.21 -> 52.5.124.127 catalog:HikConnect warning firing x1",
    // cam-mast (.34) calls Hik-Connect every 30 s from 32 s: 19 raises, one episode, notified once
    // (the 1 h suppression window) and updated once, when its first flow ends (10 s after its
    // FIN); its evidence has one contact then, so no beacon yet.
    "vendor_cloud 192.168.10.34 -> 52.5.124.127 catalog:HikConnect warning firing x1",
    "vendor_cloud 192.168.10.34 -> 52.5.124.127 catalog:HikConnect warning firing x1",  // update
    "vendor_cloud 192.168.10.21 -> 52.5.124.127 catalog:HikConnect warning firing x1",  // update
    "vendor_cloud 192.168.10.23 -> 47.88.29.110 catalog:Dahua_Imou warning firing x1",
    "vendor_cloud 192.168.10.23 -> 47.88.29.110 catalog:Dahua_Imou warning firing x1",  // update
    "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com external_resolver "
    "warning firing x1",
    "vendor_cloud 192.168.10.31 -> 47.254.130.17 catalog:Dahua_Imou warning firing x1",
    "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
    "vendor_cloud 192.168.10.31 -> 47.254.130.17 catalog:Dahua_Imou warning firing x1",  // update
    "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
    // The STUN exchange (90 s) is judged when its flow idles out, 60 s later.
    "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
    // The DoH and DoT sessions end (their last lookups at 165 s and 170 s).
    "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",  // update
    "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",  // update
    "hardcoded_address 192.168.10.24 -> 47.254.33.45 hardcoded_address warning firing x1",
    "egress_volume 192.168.10.24 -> - budget:default warning firing x1",
    // update: the 30 MB upload ended (kUploadPackets, kUploadBytes)
    "hardcoded_address 192.168.10.24 -> 47.254.33.45 hardcoded_address warning firing x1",
    "unknown_camera 192.168.10.57 -> - inventory warning firing x1",
    "dns_lookup_blocked 192.168.10.57 -> 192.168.10.1 dns:www.example.com rule:no-example "
    "critical firing x1",
    "disallowed_destination 192.168.10.57 -> 93.184.215.14 rule:no-example critical firing x1",
    "disallowed_destination 192.168.10.57 -> 93.184.215.14 rule:no-example critical firing x1",
};

// The alerts above as Alertmanager holds them: one per identity (labels), updates included.
inline std::size_t groundTruthAlertIdentities() {
  return std::set<std::string>(kGroundTruthAlerts.begin(), kGroundTruthAlerts.end()).size();
}

// The upload of cam-yard (192.168.10.24:51877 -> 47.254.33.45:443, demoUpload in
// tests/support/scenarios/demo.cc), camera to server, on the wire. Every frame has 58 bytes of
// headers (Ethernet 14, 802.1Q 4, IPv4 20, TCP 20), padded to 60: the SYN (70, with MSS, SACK
// and window scale options), the handshake's ACK (60), the ClientHello (289): 419 bytes, what
// the flow was judged by. Then 30,000,000 bytes of TLS records in 20548 segments of at most
// 1460 bytes, 58 bytes of headers each; the ACK of the server's last record, the FIN and the
// last ACK (60 each).
inline constexpr std::uint64_t kUploadPackets = 3 + 20548 + 3;
inline constexpr std::uint64_t kUploadBytes = 70 + 60 + 289 + 30'000'000 + 20548 * 58 + 3 * 60;

}  // namespace camwatch::integration
