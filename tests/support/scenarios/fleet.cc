// The fleet scenario: a camera VLAN of --cameras cameras (default 200) making --flows flows over
// ten minutes, streamed to the writer, for the report's scale bench (bench/report_bench.sh): many
// cameras of a few vendors, most of them checking in with their vendor cloud, a fifth with local
// traffic only, some using STUN towards very many peers (thousands of destinations each), one
// uploading 30 MB to a bare address, and one device the inventory does not list.
//
// Addresses (bench/report_bench.sh writes the matching inventory): camera i is
// 10.20.<i / 200>.<i % 200 + 10>, MAC <vendor OUI>:00:<i / 256>:<i % 256>; vendor by i % 10:
// 0-3 Hikvision (44:19:b6), 4-6 Dahua (3c:ef:8c), 7-8 Axis (00:40:8c), 9 a local MAC (no vendor).
// Gateway and resolver 10.20.255.1, NVR 10.20.255.200, the unlisted device 10.20.254.57. Public
// servers sit in the ranges tests/support/make_test_mmdb.pl's demo-geo.mmdb names. Cameras with
// i % 5 == 3 have local traffic only; the vendorless ones (i % 10 == 9) send telemetry to
// hosts no rule allows.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "support/app_payloads.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit::scenario {
namespace {

enum class Vendor : std::uint8_t { kHikvision, kDahua, kAxis, kOther };

Vendor vendorOf(std::uint64_t camera) {
  const std::uint64_t slot = camera % 10;
  if (slot < 4) return Vendor::kHikvision;
  if (slot < 7) return Vendor::kDahua;
  if (slot < 9) return Vendor::kAxis;
  return Vendor::kOther;
}

// "prefix" + a + "." + b: an address or a name with numbers in it.
std::string numbered(const std::string& prefix, std::uint64_t a) {
  return prefix + std::to_string(a);
}
std::string numbered(const std::string& prefix, std::uint64_t a, std::uint64_t b) {
  return prefix + std::to_string(a) + "." + std::to_string(b);
}

class FleetGenerator {
 public:
  FleetGenerator(const ScenarioOptions& options, PacketWriter& writer)
      : options_(options),
        writer_(writer),
        rng_(options.seed * 0x2545f4914f6cdd1dULL + 29),
        cameras_(std::max<std::uint64_t>(options.cameras, 1)) {
    const std::uint64_t flows = std::max<std::uint64_t>(options.flows, 1);
    step_ = std::max<Timestamp>(kSpan / static_cast<Timestamp>(flows), 2 * kMicros);
    gap_ = std::clamp<Timestamp>(step_ / 24, kMicros / 2, kMillis);
  }

  void run() {
    now_ = kScenarioEpoch;
    for (std::uint64_t n = 0; n < 40 && n < options_.flows; ++n) unknownDevice(n);
    for (std::uint64_t n = 0; n < options_.flows; ++n) {
      if (n == options_.flows / 2) upload();
      const std::uint64_t camera = rng_.uniform(0, cameras_ - 1);
      oneFlow(camera, n);
    }
    std::fprintf(stderr, "fleet: %llu cameras, %llu flows, %llu packets\n",
                 static_cast<unsigned long long>(cameras_),
                 static_cast<unsigned long long>(options_.flows),
                 static_cast<unsigned long long>(writer_.packetsWritten()));
  }

 private:
  static constexpr Timestamp kSpan = 600 * kSeconds;

  Host camera(std::uint64_t i) const {
    static constexpr std::uint8_t kOui[4][3] = {
        {0x44, 0x19, 0xb6}, {0x3c, 0xef, 0x8c}, {0x00, 0x40, 0x8c}, {0x02, 0x00, 0x14}};
    const auto* oui = kOui[static_cast<int>(vendorOf(i))];
    const Mac mac = {oui[0],
                     oui[1],
                     oui[2],
                     0x00,
                     static_cast<std::uint8_t>(i >> 8),
                     static_cast<std::uint8_t>(i & 255)};
    return {mac, numbered("10.20.", i / 200, i % 200 + 10)};
  }
  Host remote(const std::string& ip) const { return {gateway_.mac, ip}; }
  // A fifth of the cameras never leave the site; a tenth of the Dahua ones use STUN a lot.
  static bool quiet(std::uint64_t i) { return i % 5 == 3; }
  static bool stunHeavy(std::uint64_t i) { return vendorOf(i) == Vendor::kDahua && i % 20 == 5; }

  void emit(const std::vector<TimedFrame>& frames) {
    Timestamp last = now_;
    for (const TimedFrame& frame : frames) {
      writer_.write(frame.ts, frame.bytes);
      last = std::max(last, frame.ts);
    }
    now_ = std::max(now_ + step_, last + gap_);
  }

  std::uint16_t port() { return static_cast<std::uint16_t>(rng_.uniform(32768, 60999)); }

  void dns(const Host& client, const std::string& name, const std::string& address) {
    UdpExchangeSpec spec = udpSpec(vlan_, client, port(), gateway_, 53, now_);
    randomise(spec, rng_);
    spec.gap = gap_;
    const auto id = rng_.u16();
    spec.datagrams = {
        udpDatagram(true, dnsQuery(id, name)),
        udpDatagram(false, dnsResponse(id, name, kDnsTypeA, {{name, kDnsTypeA, address, 600}}))};
    emit(udpExchange(spec));
  }

  void udp(const Host& client, const Host& server, std::uint16_t server_port, Bytes ask,
           Bytes answer) {
    UdpExchangeSpec spec = udpSpec(vlan_, client, port(), server, server_port, now_);
    randomise(spec, rng_);
    spec.gap = gap_;
    spec.datagrams = {udpDatagram(true, std::move(ask)), udpDatagram(false, std::move(answer))};
    emit(udpExchange(spec));
  }

  void tls(const Host& client, const Host& server, const std::string& sni, std::size_t up,
           std::size_t down) {
    TcpSessionSpec spec = tcpSpec(vlan_, client, port(), server, 443, now_);
    randomise(spec, rng_);
    spec.gap = gap_;
    ClientHelloOptions hello;
    hello.sni = sni;
    hello.seed = rng_.next();
    spec.messages = {tcpMessage(true, tlsClientHello(hello)),
                     tcpMessage(false, tlsServerHello(true, rng_.next())),
                     tcpMessage(true, tlsApplicationData(up, rng_.next())),
                     tcpMessage(false, tlsApplicationData(down, rng_.next()))};
    emit(tcpSession(spec));
  }

  void rtsp(const Host& cam) {
    TcpSessionSpec spec = tcpSpec(vlan_, nvr_, port(), cam, 554, now_);
    randomise(spec, rng_);
    spec.gap = gap_;
    const std::string url = "rtsp://" + cam.ip + ":554/stream1";
    spec.messages = {tcpMessage(true, rtspRequest("OPTIONS", url, 1)),
                     tcpMessage(false, rtspResponse(1, "Public: OPTIONS, DESCRIBE, PLAY\r\n"))};
    emit(tcpSession(spec));
  }

  void oneFlow(std::uint64_t i, std::uint64_t n) {
    const Host cam = camera(i);
    const std::uint64_t pick = rng_.uniform(0, 99);
    if (quiet(i)) {
      if (pick < 60) {
        dns(cam, "nvr.site.internal", "10.20.255.200");
      } else {
        rtsp(cam);
      }
      return;
    }
    if (stunHeavy(i) && pick < 30) {
      // A STUN binding to a peer anywhere in a /16: one new destination almost every time.
      const std::string peer = numbered("43.130.", rng_.uniform(0, 255), rng_.uniform(1, 254));
      const std::uint64_t transaction = rng_.next();
      udp(cam, remote(peer), 3478, stunBindingRequest(transaction),
          stunBindingResponse(transaction, "203.0.113.77", 50012));
      return;
    }
    const Vendor vendor = vendorOf(i);
    std::string cloud_name;
    std::string cloud_address;
    switch (vendor) {
      case Vendor::kHikvision:
        cloud_name = "litedev.hik-connect.com";
        cloud_address = numbered("52.5.124.", 100 + n % 8);
        break;
      case Vendor::kDahua:
        cloud_name = "www.easy4ipcloud.com";
        cloud_address = numbered("47.88.29.", 100 + n % 8);
        break;
      case Vendor::kAxis:
        cloud_name = "dispatchse1-st.axis.com";
        cloud_address = numbered("52.5.200.", 10 + n % 4);
        break;
      case Vendor::kOther:
        cloud_name = "t" + std::to_string(n % 40) + ".telemetry-cdn.example.net";
        cloud_address = numbered("93.184.215.", 20 + n % 40);
        break;
    }
    if (pick < 40) {
      dns(cam, cloud_name, cloud_address);
    } else if (pick < 55) {
      const std::string server = numbered("162.159.200.", 1 + n % 4);
      udp(cam, remote(server), 123, ntpRequest(now_), ntpReply(now_, now_ + gap_));
    } else if (pick < 75) {
      rtsp(cam);
    } else {
      tls(cam, remote(cloud_address), cloud_name, rng_.uniform(300, 1500), rng_.uniform(200, 900));
    }
  }

  // The odd one: camera 37 (a Hikvision) sends 30 MB to a bare address.
  void upload() {
    TcpSessionSpec spec =
        tcpSpec(vlan_, camera(37 % cameras_), 51877, remote("47.254.33.45"), 443, now_);
    randomise(spec, rng_);
    spec.gap = std::max<Timestamp>(gap_ / 4, kMicros / 4);
    ClientHelloOptions hello;  // no SNI
    hello.seed = rng_.next();
    spec.messages = {tcpMessage(true, tlsClientHello(hello)),
                     tcpMessage(false, tlsServerHello(true, rng_.next())),
                     tcpMessage(true, tlsApplicationData(30'000'000, rng_.next())),
                     tcpMessage(false, tlsApplicationData(240, rng_.next()))};
    emit(tcpSession(spec));
  }

  // A laptop on the camera VLAN looks up and browses a web site.
  void unknownDevice(std::uint64_t n) {
    const Host laptop{parseMac("16:7a:2e:91:c4:03"), "10.20.254.57"};
    if (n % 2 == 0) {
      dns(laptop, "www.example.com", "93.184.215.14");
    } else {
      tls(laptop, remote("93.184.215.14"), "www.example.com", 600, 4000);
    }
  }

  const ScenarioOptions& options_;
  PacketWriter& writer_;
  Rng rng_;
  std::uint64_t cameras_;
  Timestamp step_ = kMillis;
  Timestamp gap_ = kMillis;
  Timestamp now_ = 0;
  LinkSpec vlan_ = ethernet({20});
  Host gateway_{parseMac("02:00:0a:14:ff:01"), "10.20.255.1"};
  Host nvr_{parseMac("c0:56:e3:20:01:c8"), "10.20.255.200"};
};

}  // namespace

void writeFleet(const ScenarioOptions& options, PacketWriter& writer) {
  FleetGenerator generator(options, writer);
  generator.run();
}

}  // namespace camwatch::testkit::scenario
