// Shared by the alert tests: a fully filled sample alert, a raise of it at a given time, a
// temporary directory (support/scratch_dir.h), and reading back what a sink wrote.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include <camwatch/alert.h>

#include "support/scratch_dir.h"

namespace camwatch::testing {

/// Every field set, so round trips and sinks see them all. `n` varies camera and destination.
inline Alert sampleAlert(int n = 1) {
  Alert alert;
  alert.time = 1'768'467'600'123'456'789LL + n * kNanosPerSecond;  // 2026-01-15T09:00:00Z + n s
  alert.severity = Severity::kCritical;
  alert.kind = AlertKind::kVendorCloud;
  alert.camera.ip = *IpAddress::parse("192.168.10." + std::to_string(20 + n));
  alert.camera.mac = "44:19:b6:00:00:01";
  alert.camera.name = "lobby-" + std::to_string(n);
  alert.camera.vendor = "Hikvision";
  alert.camera.group = "lobby";
  alert.destination.ip = *IpAddress::parse("203.0.113." + std::to_string(n));
  alert.destination.port = 443;
  alert.destination.hostname = "p2p.example-cloud.com";
  alert.destination.hostname_source = "sni";
  alert.destination.country = "DE";
  alert.destination.asn = 64500;
  alert.destination.org = "Example Cloud GmbH";
  alert.protocol.l4 = "tcp";
  alert.protocol.app = "Hikvision";
  alert.protocol.master = "TLS";
  alert.protocol.category = "IoT-Scada";
  alert.protocol.risks = {"known_proto_on_non_std_port", "self_signed_cert"};
  alert.evidence.first_seen = alert.time - 5 * kNanosPerSecond;
  alert.evidence.last_seen = alert.time;
  alert.evidence.packets = 12;
  alert.evidence.bytes = 3456;
  alert.rule = "deny-vendor-cloud";
  alert.sensor = "sensor-1";
  alert.dedup_key = dedupKey(alert);
  alert.repeat_count = 2;
  return alert;
}

using testkit::ScratchDir;

/// A raise of sampleAlert(n) (camera 192.168.10.(20+n) to 203.0.113.n) at `t0 + at`, carrying
/// `packets` packets of 100 bytes seen over the second before it, never raised before: what the
/// lifecycle tests feed in.
inline Alert raisedAt(Timestamp t0, int n, Timestamp at, std::uint64_t packets = 10) {
  Alert alert = sampleAlert(n);
  alert.time = t0 + at;
  alert.evidence.first_seen = alert.time - kNanosPerSecond;
  alert.evidence.last_seen = alert.time;
  alert.evidence.packets = packets;
  alert.evidence.bytes = packets * 100;
  alert.repeat_count = 0;
  return alert;
}

/// The lines of the text file at `path`, without their '\n'; empty when it cannot be read.
inline std::vector<std::string> readLines(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

}  // namespace camwatch::testing
