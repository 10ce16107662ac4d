// Microbenchmarks of camwatch's per-packet hot path, one step at a time:
//   decodePacket/...         decoding typical camera-VLAN frames (VLAN+IPv4+TCP with payload,
//                            IPv6+UDP, QinQ+IPv4+UDP)
//   flowKey/...              makeFlowKey + hashFlowKey, half the packets in each direction
//   flowTable/lookup/N       FlowTable::onPacket for flows already in a table of N flows, visited
//                            in random order (every lookup a cache miss once N is large)
//   flowTable/churn/N        FlowTable::onPacket for a new flow at a full table of N flows: evict
//                            the least recently seen flow, insert the new one (includes building
//                            and hashing the new key)
//   dns/learnDnsResponse     a decoded DNS response (one question, two A answers) read into the
//                            shared DnsCache, as the replay reader and every live worker do
// The frames are built here (FrameBuilder below), not taken from tests/, so the benchmarks do not
// need the test tree.
//
// Run: camwatch_microbench [--benchmark_min_time=0.1] [--benchmark_filter=REGEX]
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

#include "pipeline/flow_worker.h"

namespace {

using camwatch::DecodedPacket;
using camwatch::FlowKey;

// 2024-01-01T00:00:00Z: any fixed packet time will do.
constexpr camwatch::Timestamp kStartTs = 1'704'067'200 * camwatch::kNanosPerSecond;

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kTpidVlan = 0x8100;
constexpr std::uint16_t kTpidQinQ = 0x88a8;

struct VlanTag {
  std::uint16_t tpid = kTpidVlan;
  std::uint16_t id = 0;
};

// What one test frame carries. For IPv4 only the first four address bytes are used.
struct FrameSpec {
  std::vector<VlanTag> vlans;  // outermost first
  bool ipv6 = false;
  std::array<std::uint8_t, 16> src_ip{};
  std::array<std::uint8_t, 16> dst_ip{};
  std::uint8_t ip_proto = camwatch::kIpProtoTcp;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t tcp_flags = camwatch::kTcpAck | camwatch::kTcpPsh;
  std::size_t payload_len = 0;
  std::vector<std::uint8_t>
      payload;  ///< when set, the payload instead of payload_len counting bytes
};

// Appends big-endian fields to a byte vector.
class FrameBuilder {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(value); }
  void u16(std::uint16_t value) {
    u8(static_cast<std::uint8_t>(value >> 8U));
    u8(static_cast<std::uint8_t>(value & 0xffU));
  }
  void u32(std::uint32_t value) {
    u16(static_cast<std::uint16_t>(value >> 16U));
    u16(static_cast<std::uint16_t>(value & 0xffffU));
  }
  void append(std::span<const std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  }
  std::vector<std::uint8_t> take() { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Ethernet II frame for `spec`. Checksums are left zero: the decoder does not check them.
std::vector<std::uint8_t> buildFrame(const FrameSpec& spec) {
  static constexpr std::array<std::uint8_t, 6> kGatewayMac = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};
  static constexpr std::array<std::uint8_t, 6> kCameraMac = {0xbc, 0x32, 0x5f, 0x10, 0x20, 0x30};
  const bool tcp = spec.ip_proto == camwatch::kIpProtoTcp;
  const std::size_t payload_len = spec.payload.empty() ? spec.payload_len : spec.payload.size();
  const auto l4_len = static_cast<std::uint16_t>((tcp ? 20U : 8U) + payload_len);

  FrameBuilder frame;
  frame.append(kGatewayMac);  // destination
  frame.append(kCameraMac);   // source
  for (const VlanTag& tag : spec.vlans) {
    frame.u16(tag.tpid);
    frame.u16(tag.id);  // PCP 0, DEI 0, VLAN id
  }
  if (spec.ipv6) {
    frame.u16(kEtherTypeIpv6);
    frame.u32(0x6000'0000U);  // version 6, traffic class 0, flow label 0
    frame.u16(l4_len);        // payload length
    frame.u8(spec.ip_proto);  // next header
    frame.u8(64);             // hop limit
    frame.append(spec.src_ip);
    frame.append(spec.dst_ip);
  } else {
    frame.u16(kEtherTypeIpv4);
    frame.u8(0x45);  // version 4, header length 5 words
    frame.u8(0);     // DSCP, ECN
    frame.u16(static_cast<std::uint16_t>(20U + l4_len));
    frame.u16(0x1234);  // identification
    frame.u16(0x4000);  // don't fragment, offset 0
    frame.u8(64);       // TTL
    frame.u8(spec.ip_proto);
    frame.u16(0);  // header checksum
    frame.append(std::span(spec.src_ip).first(4));
    frame.append(std::span(spec.dst_ip).first(4));
  }
  frame.u16(spec.src_port);
  frame.u16(spec.dst_port);
  if (tcp) {
    frame.u32(1'000'000);  // sequence number
    frame.u32(2'000'000);  // acknowledgement number
    frame.u8(0x50);        // data offset 5 words
    frame.u8(spec.tcp_flags);
    frame.u16(65'535);  // window
    frame.u16(0);       // checksum
    frame.u16(0);       // urgent pointer
  } else {
    frame.u16(l4_len);  // UDP length
    frame.u16(0);       // checksum
  }
  if (!spec.payload.empty()) {
    frame.append(spec.payload);
  } else {
    for (std::size_t i = 0; i < spec.payload_len; ++i) frame.u8(static_cast<std::uint8_t>(i));
  }
  return frame.take();
}

// Camera 10.20.0.15:49152 on VLAN 20 -> 203.0.113.10:443, TCP ACK|PSH, 512 bytes of payload.
FrameSpec vlanIpv4Tcp() {
  FrameSpec spec;
  spec.vlans = {{kTpidVlan, 20}};
  spec.src_ip = {10, 20, 0, 15};
  spec.dst_ip = {203, 0, 113, 10};
  spec.src_port = 49'152;
  spec.dst_port = 443;
  spec.payload_len = 512;
  return spec;
}

// Untagged 2001:db8:20::15:50000 -> 2001:db8:ff::10:5004, UDP, 160 bytes (one RTP audio frame).
FrameSpec ipv6Udp() {
  FrameSpec spec;
  spec.ipv6 = true;
  spec.src_ip = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x15};
  spec.dst_ip = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10};
  spec.ip_proto = camwatch::kIpProtoUdp;
  spec.src_port = 50'000;
  spec.dst_port = 5004;
  spec.payload_len = 160;
  return spec;
}

// QinQ: 802.1ad outer tag 100, 802.1Q inner tag 20, then 10.20.0.15:50000 -> 10.0.0.1:514 UDP.
FrameSpec qinqIpv4Udp() {
  FrameSpec spec;
  spec.vlans = {{kTpidQinQ, 100}, {kTpidVlan, 20}};
  spec.src_ip = {10, 20, 0, 15};
  spec.dst_ip = {10, 0, 0, 1};
  spec.ip_proto = camwatch::kIpProtoUdp;
  spec.src_port = 50'000;
  spec.dst_port = 514;
  spec.payload_len = 200;
  return spec;
}

void benchDecode(benchmark::State& state, const FrameSpec& spec) {
  const std::vector<std::uint8_t> frame = buildFrame(spec);
  camwatch::RawPacket raw;
  raw.ts = kStartTs;
  raw.wire_len = static_cast<std::uint32_t>(frame.size());
  raw.link = camwatch::LinkType::kEthernet;
  raw.data = frame;
  DecodedPacket out;
  if (!camwatch::decodePacket(raw, out) || !out.has_l4) {
    state.SkipWithError("the test frame does not decode");
    return;
  }
  for ([[maybe_unused]] auto iteration : state) {
    benchmark::DoNotOptimize(raw);
    const bool counted = camwatch::decodePacket(raw, out);
    benchmark::DoNotOptimize(counted);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  // No bytes/s: the decoder reads headers only, so per-byte rates would mean nothing.
  state.counters["frame_bytes"] = static_cast<double>(frame.size());
}

// Flow `n` of a synthetic camera network: 10.a.b.c:port -> 203.0.113.10:443 over TCP on VLAN
// 20, where a.b.c is the low 24 bits of n and the port grows with the bits above them, so every
// n < 2^24 * 64512 is a different flow. Only the fields FlowTable and makeFlowKey read are set.
void setFlow(DecodedPacket& packet, std::uint64_t n) {
  const std::array<std::uint8_t, 4> src = {10, static_cast<std::uint8_t>(n >> 16U),
                                           static_cast<std::uint8_t>(n >> 8U),
                                           static_cast<std::uint8_t>(n)};
  packet.src_ip = camwatch::IpAddress::fromV4(src.data());
  packet.src_port = static_cast<std::uint16_t>(1024U + (n >> 24U));
}

DecodedPacket flowPacket(std::uint64_t n) {
  static constexpr std::array<std::uint8_t, 4> kServer = {203, 0, 113, 10};
  DecodedPacket packet;
  packet.ts = kStartTs;
  packet.wire_len = 600;
  packet.cap_len = 600;
  packet.has_mac = true;
  packet.vlan_count = 1;
  packet.vlan_outer = 20;
  packet.ethertype = kEtherTypeIpv4;
  packet.network = camwatch::NetworkLayer::kIpv4;
  packet.dst_ip = camwatch::IpAddress::fromV4(kServer.data());
  packet.ip_proto = camwatch::kIpProtoTcp;
  packet.ip_ttl = 64;
  packet.has_l4 = true;
  packet.dst_port = 443;
  packet.tcp_flags = camwatch::kTcpAck;
  setFlow(packet, n);
  return packet;
}

void benchFlowKey(benchmark::State& state) {
  std::vector<DecodedPacket> packets;
  constexpr std::size_t kPackets = 4096;  // a power of two: the loop wraps with a mask
  for (std::size_t i = 0; i < kPackets; ++i) {
    DecodedPacket packet = flowPacket(i);
    if (i % 2 == 1) {  // server -> camera, so both branches of the canonical ordering run
      std::swap(packet.src_ip, packet.dst_ip);
      std::swap(packet.src_port, packet.dst_port);
    }
    packets.push_back(packet);
  }
  std::size_t i = 0;
  for ([[maybe_unused]] auto iteration : state) {
    bool src_is_a = false;
    const FlowKey key = camwatch::makeFlowKey(packets[i], src_is_a);
    const std::uint64_t hash = camwatch::hashFlowKey(key);
    benchmark::DoNotOptimize(src_is_a);
    benchmark::DoNotOptimize(hash);
    i = (i + 1) & (kPackets - 1);
  }
  state.SetItemsProcessed(state.iterations());
}

class CountingHandler : public camwatch::FlowEndHandler {
 public:
  // camwatch::FlowEndHandler
  void onFlowEnd(camwatch::FlowRecord& flow, std::uint32_t /*slot*/) override {
    ++ended;
    ended_packets += flow.packets[0] + flow.packets[1];
  }
  std::uint64_t ended = 0;
  std::uint64_t ended_packets = 0;
};

struct PreparedFlow {
  FlowKey key;
  std::uint64_t hash = 0;
  bool src_is_a = false;
};

camwatch::FlowTableConfig tableConfig(std::uint32_t max_flows) {
  camwatch::FlowTableConfig config;
  config.max_flows = max_flows;
  return config;
}

// A FlowTable filled to capacity with flows 0..size-1 (one packet each), and those flows' keys in
// a fixed random order. Benchmark runs reuse it (building a 1M-flow table takes a while); packet
// time moves on by 1 ns per packet, so nothing ever times out.
class FilledTable {
 public:
  explicit FilledTable(std::uint32_t size) : table_(tableConfig(size), handler_) {
    order_.reserve(size);
    for (std::uint32_t n = 0; n < size; ++n) {
      DecodedPacket packet = flowPacket(n);
      packet.ts = ++now_;
      PreparedFlow flow;
      flow.key = camwatch::makeFlowKey(packet, flow.src_is_a);
      flow.hash = camwatch::hashFlowKey(flow.key);
      table_.onPacket(packet, flow.key, flow.src_is_a, flow.hash);
      order_.push_back(flow);
    }
    std::mt19937_64 shuffle_rng(20'240'101);
    std::shuffle(order_.begin(), order_.end(), shuffle_rng);
    template_ = flowPacket(0);
    next_new_flow_ = size;
  }

  // The next packet of an existing flow, in the shuffled order.
  camwatch::FlowUpdate packetOfExistingFlow() {
    const PreparedFlow& flow = order_[cursor_];
    if (++cursor_ == order_.size()) cursor_ = 0;
    template_.ts = ++now_;
    return table_.onPacket(template_, flow.key, flow.src_is_a, flow.hash);
  }

  // A packet of a flow never seen before: at a full table it evicts the oldest flow.
  camwatch::FlowUpdate packetOfNewFlow() {
    setFlow(template_, next_new_flow_++);
    template_.ts = ++now_;
    bool src_is_a = false;
    const FlowKey key = camwatch::makeFlowKey(template_, src_is_a);
    return table_.onPacket(template_, key, src_is_a, camwatch::hashFlowKey(key));
  }

  const camwatch::FlowTable& table() const { return table_; }

 private:
  CountingHandler handler_;
  camwatch::FlowTable table_;
  std::vector<PreparedFlow> order_;
  std::size_t cursor_ = 0;
  DecodedPacket template_;  // FlowTable reads only ts, wire_len, ip_proto, tcp_flags, fragments
  camwatch::Timestamp now_ = kStartTs;
  std::uint64_t next_new_flow_ = 0;
};

// One table per size and use, built on first use and kept for later runs.
FilledTable& filledTable(std::map<std::uint32_t, std::unique_ptr<FilledTable>>& cache,
                         std::uint32_t size) {
  std::unique_ptr<FilledTable>& table = cache[size];
  if (!table) table = std::make_unique<FilledTable>(size);
  return *table;
}

void setTableCounters(benchmark::State& state, const camwatch::FlowTable& table) {
  state.SetItemsProcessed(state.iterations());
  state.counters["flows"] = static_cast<double>(table.size());
  state.counters["table_MiB"] = static_cast<double>(table.reservedBytes()) / (1024.0 * 1024.0);
}

void benchFlowTableLookup(benchmark::State& state) {
  static std::map<std::uint32_t, std::unique_ptr<FilledTable>> cache;
  FilledTable& fixture = filledTable(cache, static_cast<std::uint32_t>(state.range(0)));
  const std::uint64_t created_before = fixture.table().stats().created;
  for ([[maybe_unused]] auto iteration : state) {
    const camwatch::FlowUpdate update = fixture.packetOfExistingFlow();
    benchmark::DoNotOptimize(update.flow);
  }
  if (fixture.table().stats().created != created_before) {
    state.SkipWithError("a lookup of an existing flow created a flow");
    return;
  }
  setTableCounters(state, fixture.table());
}

void benchFlowTableChurn(benchmark::State& state) {
  static std::map<std::uint32_t, std::unique_ptr<FilledTable>> cache;
  FilledTable& fixture = filledTable(cache, static_cast<std::uint32_t>(state.range(0)));
  const std::uint64_t evicted_before = fixture.table().stats().evicted;
  for ([[maybe_unused]] auto iteration : state) {
    const camwatch::FlowUpdate update = fixture.packetOfNewFlow();
    benchmark::DoNotOptimize(update.flow);
  }
  const auto evicted = fixture.table().stats().evicted - evicted_before;
  if (evicted != static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("a new flow at a full table did not evict exactly one flow");
    return;
  }
  setTableCounters(state, fixture.table());
}

// Resolver 10.0.0.53:53 -> camera 10.20.0.15:40000 on VLAN 20, UDP: the answer to
// "cam.example.com A" with two A records (203.0.113.10 and .11, TTL 300), names compressed.
FrameSpec dnsResponse() {
  FrameSpec spec;
  spec.vlans = {{kTpidVlan, 20}};
  spec.src_ip = {10, 0, 0, 53};
  spec.dst_ip = {10, 20, 0, 15};
  spec.ip_proto = camwatch::kIpProtoUdp;
  spec.src_port = 53;
  spec.dst_port = 40'000;
  FrameBuilder dns;
  dns.u16(0x1234);  // id
  dns.u16(0x8180);  // response, recursion desired and available, no error
  dns.u16(1);       // questions
  dns.u16(2);       // answers
  dns.u16(0);       // authority
  dns.u16(0);       // additional
  for (const std::string_view label : {"cam", "example", "com"}) {
    dns.u8(static_cast<std::uint8_t>(label.size()));
    for (const char c : label) dns.u8(static_cast<std::uint8_t>(c));
  }
  dns.u8(0);
  dns.u16(1);  // type A
  dns.u16(1);  // class IN
  for (const std::uint8_t last : {std::uint8_t{10}, std::uint8_t{11}}) {
    dns.u16(0xc00c);  // pointer to the question's name
    dns.u16(1);       // type A
    dns.u16(1);       // class IN
    dns.u32(300);     // TTL
    dns.u16(4);       // rdlength
    for (const std::uint8_t byte : {std::uint8_t{203}, std::uint8_t{0}, std::uint8_t{113}, last}) {
      dns.u8(byte);
    }
  }
  spec.payload = dns.take();
  return spec;
}

void benchDnsLearn(benchmark::State& state) {
  const std::vector<std::uint8_t> frame = buildFrame(dnsResponse());
  camwatch::RawPacket raw;
  raw.ts = kStartTs;
  raw.wire_len = static_cast<std::uint32_t>(frame.size());
  raw.link = camwatch::LinkType::kEthernet;
  raw.data = frame;
  DecodedPacket packet;
  if (!camwatch::decodePacket(raw, packet) || !packet.has_l4) {
    state.SkipWithError("the DNS frame does not decode");
    return;
  }
  camwatch::DnsCache cache;
  camwatch::DnsLearnCounts counts;
  for ([[maybe_unused]] auto iteration : state) {
    camwatch::learnDnsResponse(packet, frame, kStartTs, cache, counts);
  }
  if (counts.responses != static_cast<std::uint64_t>(state.iterations()) ||
      counts.answers != 2 * counts.responses) {
    state.SkipWithError("the DNS response was not read as one response with two answers");
    return;
  }
  state.SetItemsProcessed(state.iterations());
}

// 1Ki, 64Ki and 1Mi flows: a small site, a large one, and the cap of a big sensor.
constexpr std::array<std::int64_t, 3> kTableSizes = {1'024, 65'536, 1'048'576};

void registerBenchmarks() {
  benchmark::RegisterBenchmark("decodePacket/eth_vlan_ipv4_tcp_512B", benchDecode, vlanIpv4Tcp());
  benchmark::RegisterBenchmark("decodePacket/eth_ipv6_udp_160B", benchDecode, ipv6Udp());
  benchmark::RegisterBenchmark("decodePacket/eth_qinq_ipv4_udp_200B", benchDecode, qinqIpv4Udp());
  benchmark::RegisterBenchmark("flowKey/makeFlowKey+hashFlowKey", benchFlowKey);
  for (const std::int64_t size : kTableSizes) {
    benchmark::RegisterBenchmark("flowTable/lookup", benchFlowTableLookup)->Arg(size);
  }
  for (const std::int64_t size : kTableSizes) {
    benchmark::RegisterBenchmark("flowTable/churn", benchFlowTableChurn)->Arg(size);
  }
  benchmark::RegisterBenchmark("dns/learnDnsResponse", benchDnsLearn);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  registerBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
