// The load scenarios, streamed to the writer: bench (a large realistic mix), flood (one camera to
// very many destinations), spoof (very many camera sources) and concurrent (very many short flows
// open at once).
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "support/app_payloads.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit::scenario {

namespace {

// --- bench -------------------------------------------------------------------------------------

// Streams a large capture: a fixed number of concurrent "slots", each playing one flow; every
// step picks a slot at random and emits its next frame. Short flows are generated whole (a few
// frames), long flows in chunks, so memory stays small whatever the packet count.
class BenchGenerator {
 public:
  BenchGenerator(const ScenarioOptions& options, PacketWriter& writer)
      : options_(options), writer_(writer), rng_(options.seed * 0x9e3779b97f4a7c15ULL + 17) {
    // Packets left after the long flows (~8% of all) must be spread over `flows` short flows.
    double per_flow = static_cast<double>(options.packets) * 0.92 /
                      static_cast<double>(std::max<std::uint64_t>(options.flows, 1)) * 0.95;
    // Mix: 15% one-packet UDP, DNS-like pairs (2) and short TCP (9) share the rest.
    double dns_share = (0.15 + 0.85 * 9.0 - per_flow) / 7.0;
    dns_share = std::clamp(dns_share, 0.0, 0.85);
    dns_permille_ = static_cast<std::uint64_t>(dns_share * 1000.0);
  }

  void run() {
    slots_.resize(kSlots);
    for (std::size_t i = 0; i < kSlots; ++i) startFlow(i);
    Timestamp now = kScenarioEpoch;
    while (written_ < options_.packets) {
      std::size_t slot = rng_.uniform(0, kSlots - 1);
      Slot& s = slots_[slot];
      if (s.next == s.frames.size() && !refill(slot)) startFlow(slot);
      Slot& current = slots_[slot];
      const Bytes& frame = current.frames[current.next++];
      writer_.write(now, frame);
      ++written_;
      bytes_ += frame.size();
      now += static_cast<Timestamp>(rng_.uniform(20, 300)) * kMicros;
    }
    std::fprintf(stderr, "bench: %llu packets, %llu bytes, %llu flows started\n",
                 static_cast<unsigned long long>(written_), static_cast<unsigned long long>(bytes_),
                 static_cast<unsigned long long>(flows_started_));
  }

 private:
  static constexpr std::size_t kSlots = 256;
  static constexpr std::size_t kLongSlots = 20;
  static constexpr std::size_t kLongChunkSegments = 32;
  static constexpr std::size_t kLongChunks = 64;

  struct Slot {
    std::vector<Bytes> frames;
    std::size_t next = 0;
    // Long flows only: the session being continued and how many chunks remain.
    std::unique_ptr<TcpSessionSpec> long_flow;
    std::size_t chunks_left = 0;
  };

  LinkSpec randomLink() {
    LinkSpec link;
    if (!rng_.chance(10)) link.vlans = {static_cast<std::uint16_t>(10 * rng_.uniform(1, 8))};
    return link;
  }

  // Client addresses and ports come from the flow number so that five-tuples never repeat.
  std::pair<Host, std::uint16_t> clientFor(std::uint64_t n, bool v6) {
    std::uint64_t host = n % 16384;
    auto port = static_cast<std::uint16_t>(10000 + (n / 16384) % 55000);
    char text[64];
    if (v6) {
      std::snprintf(text, sizeof(text), "2001:db8:c::%llx:%llx",
                    static_cast<unsigned long long>(host >> 8),
                    static_cast<unsigned long long>(host & 0xff));
    } else {
      std::snprintf(text, sizeof(text), "10.%llu.%llu.%llu",
                    static_cast<unsigned long long>(host >> 12),
                    static_cast<unsigned long long>((host >> 4) & 0xff),
                    static_cast<unsigned long long>(16 * (host & 0xf) + 1));
    }
    return {Host{localMac(static_cast<std::uint32_t>(host)), text}, port};
  }

  Host serverFor(bool v6) {
    // 198.18.0.0/15 is reserved for benchmarking (RFC 2544).
    std::uint64_t n = rng_.uniform(0, 20000);
    char text[64];
    if (v6) {
      std::snprintf(text, sizeof(text), "2001:db8:5::%llx", static_cast<unsigned long long>(n));
    } else {
      std::snprintf(text, sizeof(text), "198.%llu.%llu.%llu",
                    static_cast<unsigned long long>(18 + n / 65536),
                    static_cast<unsigned long long>((n / 256) % 256),
                    static_cast<unsigned long long>(n % 256));
    }
    return {localMac(0xfe0001), text};
  }

  static std::vector<Bytes> framesOf(std::vector<TimedFrame> timed) {
    std::vector<Bytes> frames;
    frames.reserve(timed.size());
    for (TimedFrame& frame : timed) frames.push_back(std::move(frame.bytes));
    return frames;
  }

  void startFlow(std::size_t index) {
    Slot& slot = slots_[index];
    slot.next = 0;
    slot.long_flow.reset();
    std::uint64_t n = flows_started_++;
    bool v6 = rng_.chance(10);
    LinkSpec link = randomLink();
    auto [client, client_port] = clientFor(n, v6);
    Host server = serverFor(v6);
    if (index < kLongSlots) {
      auto spec =
          std::make_unique<TcpSessionSpec>(tcpSpec(link, client, client_port, server, 443, 0));
      randomise(*spec, rng_);
      slot.long_flow = std::move(spec);
      slot.chunks_left = kLongChunks;
      slot.frames.clear();
      refill(index);
      return;
    }
    std::uint64_t pick = rng_.uniform(0, 999);
    std::string name = "host" + std::to_string(n % 5000) + ".example.com";
    if (pick < 150) {
      UdpExchangeSpec spec = udpSpec(link, client, client_port, server, 514, 0);
      std::string line =
          "<134>Jan 15 09:00:00 " + name + " camwatch-bench: event " + std::to_string(n) + " ";
      line.resize(rng_.uniform(line.size(), 400), 'x');
      spec.datagrams = {udpDatagram(true, toBytes(line))};
      slot.frames = framesOf(udpExchange(spec));
    } else if (pick < 150 + dns_permille_) {
      UdpExchangeSpec spec = udpSpec(link, client, client_port, server, 53, 0);
      auto id = rng_.u16();
      spec.datagrams = {udpDatagram(true, dnsQuery(id, name)),
                        udpDatagram(false, dnsResponse(id, name, kDnsTypeA,
                                                       {{name, kDnsTypeA, "192.0.2.1", 60}}))};
      slot.frames = framesOf(udpExchange(spec));
    } else {
      TcpSessionSpec spec = tcpSpec(link, client, client_port, server, 443, 0);
      randomise(spec, rng_);
      ClientHelloOptions hello;
      hello.sni = name;
      hello.seed = n;
      Bytes answer = tlsServerHello(true, n);
      putBytes(answer, tlsApplicationData(rng_.uniform(100, 1200), n));
      spec.messages = {tcpMessage(true, tlsClientHello(hello)),
                       tcpMessage(false, std::move(answer))};
      slot.frames = framesOf(tcpSession(spec));
    }
  }

  // Generates the next chunk of a long flow; false when the slot has nothing more to play.
  bool refill(std::size_t index) {
    Slot& slot = slots_[index];
    if (!slot.long_flow || slot.chunks_left == 0) return false;
    TcpSessionSpec& spec = *slot.long_flow;
    bool first = slot.chunks_left == kLongChunks;
    bool last = slot.chunks_left == 1;
    spec.handshake = first;
    spec.close = last;
    // A TLS upload: whole application data records per chunk, after a ClientHello.
    spec.messages.clear();
    std::size_t data_len = kLongChunkSegments * spec.mss;
    std::size_t hello_len = 0;
    std::size_t answer_len = 0;
    if (first) {
      ClientHelloOptions hello;
      hello.sni = "upload.example.com";
      spec.messages.push_back(tcpMessage(true, tlsClientHello(hello)));
      spec.messages.push_back(tcpMessage(false, tlsServerHello(true, rng_.next())));
      hello_len = spec.messages[0].data.size();
      answer_len = spec.messages[1].data.size();
    }
    spec.messages.push_back(tcpMessage(true, tlsApplicationData(data_len, rng_.next())));
    std::vector<TimedFrame> timed = tcpSession(spec);
    // Continue the sequence numbers and IP ids where this chunk stopped.
    auto client_advance = static_cast<std::uint32_t>(hello_len + data_len + (first ? 1 : 0));
    auto server_advance = static_cast<std::uint32_t>(answer_len + (first ? 1 : 0));
    std::size_t client_frames = 0;
    for (const TimedFrame& frame : timed) client_frames += frame.to_server ? 1 : 0;
    spec.client_isn += client_advance;
    spec.server_isn += server_advance;
    spec.client_ip_id = static_cast<std::uint16_t>(spec.client_ip_id + client_frames);
    spec.server_ip_id =
        static_cast<std::uint16_t>(spec.server_ip_id + timed.size() - client_frames);
    slot.frames = framesOf(std::move(timed));
    slot.next = 0;
    --slot.chunks_left;
    return true;
  }

  const ScenarioOptions& options_;
  PacketWriter& writer_;
  Rng rng_;
  std::vector<Slot> slots_;
  std::uint64_t dns_permille_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t flows_started_ = 0;
};
}  // namespace

void writeBench(const ScenarioOptions& options, PacketWriter& writer) {
  BenchGenerator generator(options, writer);
  generator.run();
}

// --- flood -------------------------------------------------------------------------------------

// One camera (192.168.10.21, VLAN 10) sends one small UDP datagram to each of --flows public
// addresses counted up from 45.0.0.1, a microsecond apart: that many distinct 5-tuples and
// destinations in about a second of capture, far more than a flow table, the DNS and GeoIP caches
// or the alert state may hold (issue 8: bounded resources).
std::uint64_t writeFlood(PacketWriter& writer, std::uint64_t flows) {
  const Mac camera_mac = localMac(0x0a0015);
  const Mac gateway_mac = localMac(0x0a0001);
  for (std::uint64_t n = 0; n < flows; ++n) {
    const std::uint32_t destination = 0x2d000001U + static_cast<std::uint32_t>(n);  // 45.0.0.1 + n
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", destination >> 24, (destination >> 16) & 255,
                  (destination >> 8) & 255, destination & 255);
    const auto port = static_cast<std::uint16_t>(20000 + n % 40000);
    Frame frame;
    frame.eth(camera_mac, gateway_mac).vlan(10).ipv4("192.168.10.21", text).udp(port, 9999);
    frame.payload(std::size_t{16});
    writer.write(kScenarioEpoch + static_cast<Timestamp>(n) * kMicros, frame.build());
  }
  return flows;
}

// --- concurrent ----------------------------------------------------------------------------------

// --flows short UDP exchanges that are all still open when the capture ends: a DNS query and its
// answer or an NTP request and its reply (alternately), two packets 2 us apart, one exchange every
// 4 us (a million take 4 s of capture, well inside the UDP idle timeout). nDPI names both kinds
// from these two packets and needs no more, so every flow is classified and tracked at the end:
// what bench/memory_bench.sh measures the memory per tracked flow with. 4096 clients on camera
// VLAN 10 (10.1.0.0/20), servers in 198.18.0.0/15 (reserved for benchmarking, so not egress).
std::uint64_t writeConcurrent(PacketWriter& writer, std::uint64_t flows) {
  constexpr std::uint64_t kClients = 4096;
  const Mac gateway_mac = localMac(0x0a0001);
  for (std::uint64_t n = 0; n < flows; ++n) {
    const std::uint64_t host = n % kClients;
    char client[32];
    std::snprintf(client, sizeof(client), "10.1.%u.%u", static_cast<unsigned>(host >> 8),
                  static_cast<unsigned>(host & 255));
    const auto port = static_cast<std::uint16_t>(10000 + (n / kClients) % 55000);
    const Mac client_mac = localMac(0x200000 + static_cast<std::uint32_t>(host));
    const Timestamp ts = kScenarioEpoch + static_cast<Timestamp>(n) * 4 * kMicros;
    const bool dns = n % 2 == 0;
    const char* server = dns ? "198.18.0.53" : "198.18.0.123";
    const std::uint16_t server_port = dns ? 53 : 123;
    Bytes ask;
    Bytes answer;
    if (dns) {
      const std::string name = "host" + std::to_string(n % 5000) + ".example.com";
      const auto id = static_cast<std::uint16_t>(n);
      ask = dnsQuery(id, name);
      answer = dnsResponse(id, name, kDnsTypeA, {{name, kDnsTypeA, "192.0.2.1", 60}});
    } else {
      ask = ntpRequest(ts);
      answer = ntpReply(ts, ts + 2 * kMicros);
    }
    Frame request;
    request.eth(client_mac, gateway_mac).vlan(10).ipv4(client, server).udp(port, server_port);
    request.payload(ask);
    writer.write(ts, request.build());
    Frame reply;
    reply.eth(gateway_mac, client_mac).vlan(10).ipv4(server, client).udp(server_port, port);
    reply.payload(answer);
    writer.write(ts + 2 * kMicros, reply.build());
  }
  return 2 * flows;
}

// --- spoof -------------------------------------------------------------------------------------

// --flows distinct camera addresses counted up from 10.0.0.1 (spoofed sources on camera VLAN 10,
// private, so the default config takes each for a camera) each send one small UDP datagram to
// 45.0.0.1:9999, a microsecond apart: far more cameras than per-camera state may hold (issue 8:
// bounded resources, inventory.max_cameras and alerts.max_active).
std::uint64_t writeSpoof(PacketWriter& writer, std::uint64_t sources) {
  const Mac gateway_mac = localMac(0x0a0001);
  for (std::uint64_t n = 0; n < sources; ++n) {
    const std::uint32_t source = 0x0a000001U + static_cast<std::uint32_t>(n);  // 10.0.0.1 + n
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", source >> 24, (source >> 16) & 255,
                  (source >> 8) & 255, source & 255);
    Frame frame;
    frame.eth(localMac(0x100000 + static_cast<std::uint32_t>(n % 0xfffff)), gateway_mac)
        .vlan(10)
        .ipv4(text, "45.0.0.1")
        .udp(40000, 9999);
    frame.payload(std::size_t{16});
    writer.write(kScenarioEpoch + static_cast<Timestamp>(n) * kMicros, frame.build());
  }
  return sources;
}

}  // namespace camwatch::testkit::scenario
