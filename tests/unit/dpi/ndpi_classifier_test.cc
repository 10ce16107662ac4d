// NdpiClassifier with the real nDPI 4.2, fed the way a replay worker feeds it (FlowTable, then
// the classifier for each packet, finish() when the flow ends): TLS, HTTP and DNS flows from the
// test kit get the protocol names and host names ndpiReader gives for the same packets (checked
// by writing them to a pcap and running `ndpiReader -i`), unknown flows give up at the packet
// limit or at their end, and the nDPI flow states all go back to the pool.
#include "dpi/ndpi_classifier.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <ndpi/ndpi_api.h>

#include <camwatch/decode.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>

#include "support/app_payloads.h"
#include "support/packet_builder.h"
#include "support/traffic.h"

namespace camwatch {
namespace {

using testkit::Bytes;
using testkit::ClientHelloOptions;
using testkit::Frame;
using testkit::Host;
using testkit::kSeconds;
using testkit::parseMac;
using testkit::TcpSessionSpec;
using testkit::TimedFrame;
using testkit::UdpExchangeSpec;

const std::string kProtosPath = std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-clouds.protos";

const Host kCamera{parseMac("44:19:b6:3a:51:21"), "192.168.10.21"};
// A documentation address: no nDPI IP list knows it, so only the packets decide.
const Host kServer{parseMac("02:00:0a:0a:00:01"), "203.0.113.45"};
constexpr Timestamp kStart = 1000 * kSeconds;

std::unique_ptr<NdpiClassifier> makeClassifier(const DpiConfig& config = {}) {
  auto classifier = NdpiClassifier::create(config);
  if (!classifier) {
    ADD_FAILURE() << classifier.error().message;
    return nullptr;
  }
  return std::move(*classifier);
}

DpiConfig withCameraClouds() {
  DpiConfig config;
  config.protocols_file = kProtosPath;
  return config;
}

// One worker's share of the pipeline (daemon/pipeline/flow_worker.cc): a flow table, the
// classifier's state of each open flow by the table's slot, and the ended flows, finished by the
// classifier and kept.
class Worker : public FlowEndHandler {
 public:
  explicit Worker(NdpiClassifier& classifier)
      : classifier_(classifier), table_({}, *this), states_(table_.capacity()) {}

  // camwatch::FlowEndHandler
  void onFlowEnd(FlowRecord& flow, std::uint32_t slot) override {
    classifier_.finish(flow.dpi, states_[slot]);
    ended.push_back(flow);
    ended_states.push_back(states_[slot]);
  }

  /// Decodes one Ethernet frame and feeds it; returns its flow (valid until the next call).
  FlowRecord* feed(Timestamp ts, std::span<const std::uint8_t> frame) {
    RawPacket raw;
    raw.ts = ts;
    raw.wire_len = static_cast<std::uint32_t>(frame.size());
    raw.link = LinkType::kEthernet;
    raw.data = frame;
    DecodedPacket packet;
    if (!decodePacket(raw, packet)) {
      ADD_FAILURE() << "test frame does not decode: " << anomalyName(packet.anomaly);
      return nullptr;
    }
    bool src_is_a = false;
    const FlowKey key = makeFlowKey(packet, src_is_a);
    const FlowUpdate update = table_.onPacket(packet, key, src_is_a, hashFlowKey(key));
    FlowRecord& flow = *update.flow;
    if (update.created) states_[update.slot] = ClassifierState{};
    last_slot_ = update.slot;
    if (!flow.dpi.final) {
      classifier_.onPacket(flow.dpi, states_[update.slot], flow.packets[0] + flow.packets[1],
                           packet, frame);
    }
    return &flow;
  }

  FlowRecord* feedAll(const std::vector<TimedFrame>& frames) {
    FlowRecord* flow = nullptr;
    for (const TimedFrame& frame : frames) flow = feed(frame.ts, frame.bytes);
    return flow;
  }

  /// The classifier's state of the flow the last packet went to.
  ClassifierState lastState() const { return states_[last_slot_]; }

  void endAll(Timestamp now) { table_.flushAll(now); }
  std::size_t openFlows() const { return table_.size(); }

  std::vector<FlowRecord> ended;
  std::vector<ClassifierState> ended_states;  ///< as the end left them

 private:
  NdpiClassifier& classifier_;
  FlowTable table_;
  std::vector<ClassifierState> states_;
  std::uint32_t last_slot_ = 0;
};

std::vector<TimedFrame> tlsSession(std::string_view sni, std::uint16_t port = 443) {
  TcpSessionSpec spec;
  spec.client = kCamera;
  spec.server = kServer;
  spec.server_port = port;
  spec.start = kStart;
  spec.close = false;
  ClientHelloOptions hello;
  hello.sni = std::string(sni);
  spec.messages.push_back({true, testkit::tlsClientHello(hello), 0});
  return testkit::tcpSession(spec);  // SYN, SYN-ACK, ACK, ClientHello, ACK
}

std::vector<TimedFrame> httpSession(std::string_view host) {
  TcpSessionSpec spec;
  spec.client = kCamera;
  spec.server = kServer;
  spec.server_port = 80;
  spec.start = kStart;
  spec.close = false;
  spec.messages.push_back({true, testkit::httpGet(host), 0});
  return testkit::tcpSession(spec);  // SYN, SYN-ACK, ACK, GET, ACK
}

std::vector<TimedFrame> dnsLookup(std::string_view name) {
  UdpExchangeSpec spec;
  spec.client = kCamera;
  spec.server = kServer;
  spec.server_port = 53;
  spec.start = kStart;
  spec.datagrams.push_back({true, testkit::dnsQuery(7, name), 0});
  spec.datagrams.push_back(
      {false,
       testkit::dnsResponse(7, name, testkit::kDnsTypeA,
                            {{std::string(name), testkit::kDnsTypeA, "203.0.113.45", 300}}),
       0});
  return testkit::udpExchange(spec);
}

// A UDP datagram between two unassigned high ports whose payload nDPI cannot place: 40 bytes
// counting up in steps of 7 from `seed` (0x00, 0x07, 0x0e, ...).
Bytes unknownUdpFrame(bool from_client, std::uint8_t seed) {
  Bytes payload(40);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<std::uint8_t>(i * 7 + seed);
  }
  const Host& src = from_client ? kCamera : kServer;
  const Host& dst = from_client ? kServer : kCamera;
  return Frame()
      .eth(src.mac, dst.mac)
      .ipv4(src.ip, dst.ip)
      .udp(from_client ? 51234 : 47123, from_client ? 47123 : 51234)
      .payload(payload)
      .build();
}

TEST(NdpiClassifierTest, TlsClientHelloIsNamedBySni) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  const FlowRecord* flow = worker.feedAll(tlsSession("www.example.org"));
  ASSERT_NE(flow, nullptr);
  // ndpiReader keeps dissecting TLS for the server certificate: not final before the end.
  EXPECT_FALSE(flow->dpi.final);
  EXPECT_FALSE(worker.lastState().empty());
  EXPECT_EQ(classifier->statesInUse(), 1U);
  worker.endAll(kStart + 10 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  const FlowClassification& dpi = worker.ended[0].dpi;
  EXPECT_TRUE(dpi.final);
  EXPECT_TRUE(worker.ended_states[0].empty());
  // ndpiReader -i on the same packets: "[proto: 91/TLS] ... [Hostname/SNI: www.example.org]
  // [Risk: ** TLS (probably) Not Carrying HTTPS **]".
  // nDPI 4.2 reports plain TLS as the application with no master protocol (ndpiReader's "91").
  EXPECT_EQ(classifier->protocolName(dpi), "TLS");
  EXPECT_EQ(dpi.master_protocol, NDPI_PROTOCOL_UNKNOWN);
  EXPECT_EQ(dpi.app_protocol, NDPI_PROTOCOL_TLS);
  EXPECT_STREQ(dpi.hostname.data(), "www.example.org");
  EXPECT_EQ(dpi.hostname_source, HostnameSource::kSni);
  EXPECT_EQ(hostnameSourceName(dpi.hostname_source), "sni");
  EXPECT_FALSE(dpi.guessed);
  EXPECT_EQ(classifier->categoryName(dpi), "Web");
  EXPECT_EQ(riskNames(dpi.risk), std::vector<std::string>{"TLS (probably) Not Carrying HTTPS"});
  EXPECT_EQ(classifier->statesInUse(), 0U);
}

TEST(NdpiClassifierTest, TlsOnANonStandardPortCarriesThatRisk) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  worker.feedAll(tlsSession("www.example.org", 9000));
  worker.endAll(kStart + 10 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  const FlowClassification& dpi = worker.ended[0].dpi;
  // ndpiReader: "[proto: 91/TLS] ... [Risk: ** Known Protocol on Non Standard Port **** TLS
  // (probably) Not Carrying HTTPS **]".
  EXPECT_EQ(classifier->protocolName(dpi), "TLS");
  EXPECT_STREQ(dpi.hostname.data(), "www.example.org");
  const std::vector<std::string> expected = {"Known Protocol on Non Standard Port",
                                             "TLS (probably) Not Carrying HTTPS"};
  EXPECT_EQ(riskNames(dpi.risk), expected);
}

TEST(NdpiClassifierTest, HttpGetIsNamedByHost) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  worker.feedAll(httpSession("cam.example.net"));
  worker.endAll(kStart + 10 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  const FlowClassification& dpi = worker.ended[0].dpi;
  // ndpiReader: "[proto: 7/HTTP] ... [Hostname/SNI: cam.example.net]".
  EXPECT_TRUE(dpi.final);
  EXPECT_EQ(classifier->protocolName(dpi), "HTTP");
  EXPECT_STREQ(dpi.hostname.data(), "cam.example.net");
  EXPECT_EQ(dpi.hostname_source, HostnameSource::kHttpHost);
  EXPECT_EQ(classifier->statesInUse(), 0U);
}

TEST(NdpiClassifierTest, DnsQueryForACameraCloudGetsItsCustomProtocol) {
  auto classifier = makeClassifier(withCameraClouds());
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  worker.feedAll(dnsLookup("litedev.hik-connect.com"));
  worker.endAll(kStart + 10 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  const FlowClassification& dpi = worker.ended[0].dpi;
  // ndpiReader -p config/camera-clouds.protos: "[proto: 5.282/DNS.HikConnect]".
  EXPECT_TRUE(dpi.final);
  EXPECT_EQ(classifier->protocolName(dpi), "DNS.HikConnect");
  EXPECT_EQ(dpi.master_protocol, NDPI_PROTOCOL_DNS);
  EXPECT_EQ(classifier->protocolIdName(dpi.app_protocol), "HikConnect");
  EXPECT_STREQ(dpi.hostname.data(), "litedev.hik-connect.com");
  EXPECT_EQ(dpi.hostname_source, HostnameSource::kDnsQuery);
  EXPECT_EQ(classifier->statesInUse(), 0U);

  // Another classifier from the same config names the record the same way.
  auto other = makeClassifier(withCameraClouds());
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->protocolName(dpi), "DNS.HikConnect");
}

TEST(NdpiClassifierTest, DnsQueryWithoutTheProtosFileIsPlainDns) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  worker.feedAll(dnsLookup("litedev.hik-connect.com"));
  worker.endAll(kStart + 10 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  // ndpiReader without -p: "[proto: 5/DNS]".
  EXPECT_EQ(classifier->protocolName(worker.ended[0].dpi), "DNS");
  EXPECT_EQ(worker.ended[0].dpi.hostname_source, HostnameSource::kDnsQuery);
}

TEST(NdpiClassifierTest, UnidentifiedFlowGivesUpAtFinish) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  const Bytes request = unknownUdpFrame(true, 1);
  const Bytes reply = unknownUdpFrame(false, 2);
  worker.feed(kStart, request);
  const FlowRecord* flow = worker.feed(kStart + kSeconds / 100, reply);
  ASSERT_NE(flow, nullptr);
  EXPECT_FALSE(flow->dpi.final);
  EXPECT_FALSE(worker.lastState().empty());
  EXPECT_EQ(flow->dpi.packets_inspected, 2U);
  EXPECT_EQ(classifier->statesInUse(), 1U);
  worker.endAll(kStart + kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  const FlowRecord& ended = worker.ended[0];
  EXPECT_TRUE(ended.dpi.final);
  EXPECT_TRUE(worker.ended_states[0].empty());
  EXPECT_EQ(classifier->protocolName(ended.dpi), "Unknown");
  EXPECT_EQ(ended.dpi.hostname_source, HostnameSource::kNone);
  EXPECT_EQ(classifier->statesInUse(), 0U);
}

TEST(NdpiClassifierTest, UdpFlowBecomesFinalPastThePacketLimit) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  const std::uint16_t limit = DpiConfig{}.max_udp_packets;
  ASSERT_EQ(limit, 24U);
  Worker worker(*classifier);
  for (std::uint16_t i = 0; i < limit; ++i) {
    const Bytes frame = unknownUdpFrame(i % 2 == 0, static_cast<std::uint8_t>(i));
    const FlowRecord* flow = worker.feed(kStart + i * kSeconds / 100, frame);
    ASSERT_NE(flow, nullptr);
    ASSERT_FALSE(flow->dpi.final) << "packet " << i + 1;
  }
  // Packet limit + 1: nDPI gives up during onPacket, not only at finish().
  const Bytes one_more = unknownUdpFrame(true, 99);
  const FlowRecord* flow = worker.feed(kStart + kSeconds, one_more);
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(flow->dpi.final);
  EXPECT_TRUE(worker.lastState().empty());
  EXPECT_EQ(flow->dpi.packets_inspected, limit + 1U);
  EXPECT_EQ(classifier->protocolName(flow->dpi), "Unknown");
  EXPECT_EQ(classifier->statesInUse(), 0U);
  // Later packets are not inspected; the flow stays open in the table.
  const Bytes later = unknownUdpFrame(false, 100);
  flow = worker.feed(kStart + 2 * kSeconds, later);
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(flow->dpi.packets_inspected, limit + 1U);
  EXPECT_EQ(flow->packets[kToServer] + flow->packets[kToClient], limit + 2U);
  EXPECT_EQ(worker.openFlows(), 1U);
  worker.endAll(kStart + 3 * kSeconds);
  ASSERT_EQ(worker.ended.size(), 1U);
  EXPECT_TRUE(worker.ended[0].dpi.final);
  EXPECT_EQ(classifier->statesInUse(), 0U);
}

TEST(NdpiClassifierTest, ConfiguredUdpLimitIsUsed) {
  DpiConfig config;
  config.max_udp_packets = 3;
  auto classifier = makeClassifier(config);
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  const FlowRecord* flow = nullptr;
  for (std::uint8_t i = 0; i < 4; ++i) {
    const Bytes frame = unknownUdpFrame(i % 2 == 0, i);
    flow = worker.feed(kStart + i * kSeconds / 100, frame);
    ASSERT_NE(flow, nullptr);
    EXPECT_EQ(flow->dpi.final, i == 3) << "packet " << i + 1;
  }
  worker.endAll(kStart + kSeconds);
}

TEST(NdpiClassifierTest, DisabledClassifierMarksFlowsFinalAtOnce) {
  DpiConfig config;
  config.enabled = false;
  auto classifier = makeClassifier(config);
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  const FlowRecord* flow = worker.feedAll(httpSession("cam.example.net"));
  ASSERT_NE(flow, nullptr);
  EXPECT_TRUE(flow->dpi.final);
  EXPECT_EQ(flow->dpi.packets_inspected, 0U);
  EXPECT_EQ(classifier->protocolName(flow->dpi), "Unknown");
  EXPECT_EQ(classifier->statesInUse(), 0U);
  worker.endAll(kStart + 10 * kSeconds);
}

TEST(NdpiClassifierTest, StatesGoBackToThePoolWhenAllFlowsEnd) {
  auto classifier = makeClassifier(withCameraClouds());
  ASSERT_NE(classifier, nullptr);
  Worker worker(*classifier);
  // 300 flows open at once (more than one pool block of 256), of four kinds.
  for (std::uint16_t i = 0; i < 300; ++i) {
    const auto port = static_cast<std::uint16_t>(40000 + i);
    switch (i % 4) {
      case 0: {
        TcpSessionSpec spec;
        spec.client = kCamera;
        spec.server = kServer;
        spec.client_port = port;
        spec.server_port = 443;
        spec.start = kStart;
        spec.close = false;
        ClientHelloOptions hello;
        hello.sni = "www.example.org";
        spec.messages.push_back({true, testkit::tlsClientHello(hello), 0});
        worker.feedAll(testkit::tcpSession(spec));
        break;
      }
      case 1: {
        TcpSessionSpec spec;
        spec.client = kCamera;
        spec.server = kServer;
        spec.client_port = port;
        spec.start = kStart;
        spec.close = false;
        worker.feedAll(testkit::tcpSession(spec));  // handshake only
        break;
      }
      case 2: {
        UdpExchangeSpec spec;
        spec.client = kCamera;
        spec.server = kServer;
        spec.client_port = port;
        spec.start = kStart;
        spec.datagrams.push_back({true, testkit::dnsQuery(i, "litedev.hik-connect.com"), 0});
        worker.feedAll(testkit::udpExchange(spec));
        break;
      }
      default: {
        const Bytes frame = Frame()
                                .eth(kCamera.mac, kServer.mac)
                                .ipv4(kCamera.ip, kServer.ip)
                                .udp(port, 47123)
                                .payload(std::size_t{40})
                                .build();
        worker.feed(kStart, frame);
        break;
      }
    }
  }
  EXPECT_EQ(worker.openFlows(), 300U);
  EXPECT_GT(classifier->statesInUse(), 0U);
  EXPECT_LE(classifier->statesInUse(), 300U);
  EXPECT_GT(NdpiClassifier::memoryInUse(), 0U);
  EXPECT_GE(NdpiClassifier::peakMemory(), NdpiClassifier::memoryInUse());
  worker.endAll(kStart + 10 * kSeconds);
  EXPECT_EQ(worker.ended.size(), 300U);
  EXPECT_EQ(classifier->statesInUse(), 0U);
  for (const FlowRecord& flow : worker.ended) EXPECT_TRUE(flow.dpi.final);
  for (const ClassifierState state : worker.ended_states) EXPECT_TRUE(state.empty());
}

// nDPI allocates on every worker thread and each thread counts in a cell of its own: the total
// must still add all of them up, keep counting what a thread allocated after it exited, and come
// back down when another thread frees it.
TEST(NdpiClassifierTest, MemoryAllocatedOnTwoThreadsIsSummed) {
  // The first module may set up nDPI's process-wide state: make it here, keep it.
  auto first = makeClassifier();
  ASSERT_NE(first, nullptr);
  const std::uint64_t before_one = NdpiClassifier::memoryInUse();
  auto one_here = makeClassifier();
  ASSERT_NE(one_here, nullptr);
  const std::uint64_t module_bytes = NdpiClassifier::memoryInUse() - before_one;
  ASSERT_GT(module_bytes, 0U);
  one_here.reset();
  ASSERT_EQ(NdpiClassifier::memoryInUse(), before_one);

  // Two threads make one module each, one after the other (nDPI modules are not made at once).
  std::unique_ptr<NdpiClassifier> made[2];
  for (auto& slot : made) {
    std::thread([&slot] { slot = makeClassifier(); }).join();
    ASSERT_NE(slot, nullptr);
  }
  EXPECT_EQ(NdpiClassifier::memoryInUse(), before_one + 2 * module_bytes);
  EXPECT_GE(NdpiClassifier::peakMemory(), before_one + 2 * module_bytes);

  // Freed on this thread: the count falls back although the allocating threads are gone.
  made[0].reset();
  made[1].reset();
  EXPECT_EQ(NdpiClassifier::memoryInUse(), before_one);
}

TEST(NdpiClassifierTest, FinishIsHarmlessTwiceAndOnAFlowWithoutPackets) {
  auto classifier = makeClassifier();
  ASSERT_NE(classifier, nullptr);
  FlowClassification dpi;
  ClassifierState state;
  classifier->finish(dpi, state);  // never fed: named as nDPI names an empty flow
  EXPECT_TRUE(dpi.final);
  EXPECT_TRUE(state.empty());
  EXPECT_EQ(classifier->protocolName(dpi), "Unknown");
  classifier->finish(dpi, state);
  EXPECT_TRUE(dpi.final);
  EXPECT_EQ(classifier->statesInUse(), 0U);
}

TEST(NdpiClassifierTest, MissingProtocolsFileFailsNamingTheFile) {
  DpiConfig config;
  config.protocols_file = std::string(CAMWATCH_SOURCE_DIR) + "/config/no-such-file.protos";
  auto classifier = NdpiClassifier::create(config);
  ASSERT_FALSE(classifier);
  EXPECT_NE(classifier.error().message.find(config.protocols_file), std::string::npos)
      << classifier.error().message;
}

TEST(NdpiClassifierTest, RiskNamesAreThoseOfTheSetBits) {
  EXPECT_TRUE(riskNames(0).empty());
  const std::uint64_t risk = (std::uint64_t{1} << NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT) |
                             (std::uint64_t{1} << NDPI_TLS_NOT_CARRYING_HTTPS);
  const std::vector<std::string> names = riskNames(risk);
  ASSERT_EQ(names.size(), 2U);
  // In bit order; the texts are nDPI 4.2's ndpi_risk2str.
  EXPECT_EQ(names[0], "Known Protocol on Non Standard Port");
  EXPECT_EQ(names[1], "TLS (probably) Not Carrying HTTPS");
  const std::vector<std::string> one =
      riskNames(std::uint64_t{1} << NDPI_HTTP_SUSPICIOUS_USER_AGENT);
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0], "HTTP Suspicious User-Agent");
}

}  // namespace
}  // namespace camwatch
