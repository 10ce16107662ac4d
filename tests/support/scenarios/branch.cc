// The branch scenario: a second, smaller site beside the demo's, for the tests of many sensors
// (tests/integration/two_sensors_test.cc). Five cameras on VLAN 20 (192.168.20.0/24) for five
// minutes, with other vendors, addresses and traffic than the demo, so two sensors fed the two
// captures give different answers: an Axis camera called cam-gate (the demo's site has a cam-gate
// too, as two real sites would), two Hikvision and one Dahua camera checking in with their clouds,
// one camera of no known vendor posting telemetry over plain HTTP, every camera syncing its clock,
// and the NVR pulling RTSP from each.
//
// Addresses (tests/integration/configs/branch.yaml lists the cameras): gateway and resolver
// 192.168.20.1, NVR 192.168.20.200, cameras 192.168.20.11-.15.
#include <string>
#include <utility>
#include <vector>

#include "support/app_payloads.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit::scenario {
namespace {

struct BranchSite {
  LinkSpec vlan = ethernet({20});
  Host gateway{parseMac("02:00:0a:14:00:01"), "192.168.20.1"};
  Host nvr{parseMac("00:40:8c:20:00:c8"), "192.168.20.200"};  // Axis OUI
  std::vector<Host> cameras = {
      {parseMac("00:40:8c:5e:20:11"), "192.168.20.11"},  // Axis: cam-gate
      {parseMac("44:19:b6:6b:20:12"), "192.168.20.12"},  // Hikvision: cam-entrance
      {parseMac("3c:ef:8c:6b:20:13"), "192.168.20.13"},  // Dahua: cam-hall
      {parseMac("44:19:b6:6b:20:14"), "192.168.20.14"},  // Hikvision: cam-pool
      {parseMac("02:5a:11:6b:20:15"), "192.168.20.15"},  // no known vendor: cam-reception
  };
  Host remote(const std::string& ip) const { return {gateway.mac, ip}; }
};

std::uint16_t ephemeralPort(Rng& rng) {
  return static_cast<std::uint16_t>(rng.uniform(32768, 60999));
}

// The NVR's RTSP session with camera `index`, open to the end: a DESCRIBE and a PLAY, then a
// burst of RTP every 20 s.
void branchRtsp(TrafficMix& mix, const BranchSite& site, std::size_t index, Timestamp start,
                Timestamp end, Rng& rng) {
  const Host& camera = site.cameras[index];
  const std::string url = "rtsp://" + camera.ip + ":554/axis-media/media.amp";
  TcpSessionSpec spec =
      tcpSpec(site.vlan, site.nvr, static_cast<std::uint16_t>(40554 + index), camera, 554, start);
  randomise(spec, rng);
  spec.mss = 1400;
  spec.gap = 3 * kMillis;
  spec.close = false;
  spec.messages = {
      tcpMessage(true, rtspRequest("DESCRIBE", url, 1, "Accept: application/sdp\r\n")),
      tcpMessage(false, rtspResponse(1, "Content-Type: application/sdp\r\n",
                                     "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n")),
      tcpMessage(true, rtspRequest("PLAY", url, 2, "Range: npt=0.000-\r\n")),
      tcpMessage(false, rtspResponse(2, "Session: b7" + std::to_string(index) + "\r\n")),
  };
  RtpBursts video;
  video.ssrc = static_cast<std::uint32_t>(0x2b0a0000 + index);
  video.first = start + 20 * kSeconds;
  video.end = end;
  video.period = 20 * kSeconds;
  video.pause = 20 * kSeconds - 12 * kMillis;
  video.per_burst = 3;
  video.packet_len = 1400;
  video.clock_step = 3000;
  addRtpBursts(spec, video, rng);
  mix.addFlow(flowFacts(spec), tcpSession(spec));
}

// A lookup through the gateway, then TLS to the answer: `up` and `down` bytes of application
// data after the handshake.
void branchCheckIn(TrafficMix& mix, const BranchSite& site, const Host& camera,
                   const std::string& name, const std::string& address, std::size_t up,
                   std::size_t down, Timestamp start, Rng& rng) {
  UdpExchangeSpec dns = udpSpec(site.vlan, camera, ephemeralPort(rng), site.gateway, 53, start);
  randomise(dns, rng);
  dns.gap = 9 * kMillis;
  const auto id = static_cast<std::uint16_t>(rng.u16());
  dns.datagrams = {
      udpDatagram(true, dnsQuery(id, name)),
      udpDatagram(false, dnsResponse(id, name, kDnsTypeA, {{name, kDnsTypeA, address, 300}}))};
  mix.addFlow(flowFacts(dns), udpExchange(dns));

  TcpSessionSpec tls = tcpSpec(site.vlan, camera, ephemeralPort(rng), site.remote(address), 443,
                               start + 50 * kMillis);
  randomise(tls, rng);
  tls.gap = 30 * kMillis;
  tls.server_ttl = 52;
  ClientHelloOptions hello;
  hello.sni = name;
  hello.seed = rng.next();
  tls.messages = {tcpMessage(true, tlsClientHello(hello)),
                  tcpMessage(false, tlsServerHello(true, rng.next())),
                  tcpMessage(true, tlsApplicationData(up, rng.next())),
                  tcpMessage(false, tlsApplicationData(down, rng.next()))};
  mix.addFlow(flowFacts(tls), tcpSession(tls));
}

void branchNtp(TrafficMix& mix, const BranchSite& site, const Host& camera, Timestamp start,
               Rng& rng) {
  UdpExchangeSpec ntp =
      udpSpec(site.vlan, camera, ephemeralPort(rng), site.remote("185.125.190.58"), 123, start);
  randomise(ntp, rng);
  ntp.gap = 24 * kMillis;
  ntp.datagrams = {udpDatagram(true, ntpRequest(start)),
                   udpDatagram(false, ntpReply(start, start + 20 * kMillis))};
  mix.addFlow(flowFacts(ntp), udpExchange(ntp));
}

void branchStun(TrafficMix& mix, const BranchSite& site, const Host& camera, Timestamp start,
                std::uint64_t transaction) {
  UdpExchangeSpec stun =
      udpSpec(site.vlan, camera, 51234, site.remote("47.89.12.200"), 3478, start);
  stun.gap = 38 * kMillis;
  stun.datagrams = {udpDatagram(true, stunBindingRequest(transaction)),
                    udpDatagram(false, stunBindingResponse(transaction, "198.51.100.20", 51234))};
  mix.addFlow(flowFacts(stun), udpExchange(stun));
}

// Telemetry over plain HTTP to a bare address: a GET with the camera's state in its query.
void branchTelemetry(TrafficMix& mix, const BranchSite& site, const Host& camera, Timestamp start,
                     int n, Rng& rng) {
  TcpSessionSpec http =
      tcpSpec(site.vlan, camera, ephemeralPort(rng), site.remote("121.40.17.9"), 80, start);
  randomise(http, rng);
  http.gap = 40 * kMillis;
  http.messages = {
      tcpMessage(true, httpGet("121.40.17.9", "/report?dev=5a116b2015&seq=" + std::to_string(n))),
      tcpMessage(false, httpResponse(200, "application/json", 48))};
  mix.addFlow(flowFacts(http), tcpSession(http));
}

}  // namespace

void buildBranch(TrafficMix& mix) {
  const Timestamp t0 = kScenarioEpoch;
  const Timestamp end = t0 + 300 * kSeconds;
  const BranchSite site;
  Rng rng(0xb4a2c4);

  for (std::size_t i = 0; i < site.cameras.size(); ++i) {
    const Timestamp at = t0 + 100 * kMillis + static_cast<Timestamp>(i) * 200 * kMillis;
    arpResolve(mix, site.vlan, at, site.nvr, site.cameras[i]);
    branchRtsp(mix, site, i, t0 + 1500 * kMillis + static_cast<Timestamp>(i) * 300 * kMillis, end,
               rng);
  }
  for (std::size_t i = 0; i < site.cameras.size(); ++i) {
    branchNtp(mix, site, site.cameras[i], t0 + 8 * kSeconds + static_cast<Timestamp>(i) * kSeconds,
              rng);
  }
  // Check-ins every minute, of different sizes per vendor.
  for (int minute = 0; minute < 4; ++minute) {
    const Timestamp base = t0 + 20 * kSeconds + minute * 60 * kSeconds;
    branchCheckIn(mix, site, site.cameras[0], "dispatchse1-st.axis.com", "52.5.200.11", 700, 420,
                  base, rng);
    branchCheckIn(mix, site, site.cameras[1], "litedev.hik-connect.com", "52.5.124.101", 1200, 300,
                  base + 5 * kSeconds, rng);
    if (minute % 2 == 0) {
      branchCheckIn(mix, site, site.cameras[2], "www.easy4ipcloud.com", "47.88.29.104", 2200, 650,
                    base + 10 * kSeconds, rng);
      branchTelemetry(mix, site, site.cameras[4], base + 15 * kSeconds, minute, rng);
    }
  }
  branchCheckIn(mix, site, site.cameras[3], "litedev.hik-connect.com", "52.5.124.101", 900, 260,
                t0 + 150 * kSeconds, rng);
  branchStun(mix, site, site.cameras[2], t0 + 95 * kSeconds, 0xb57a1);
}

}  // namespace camwatch::testkit::scenario
