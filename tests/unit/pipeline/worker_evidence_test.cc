// Issue 18 point 7: a flow judged while open reports its whole evidence when it ends (a compact
// FlowEvidence), and the engine sends it as an update of the alert the flow raised; flows that
// raised nothing, or were judged at their end, report nothing more.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/dns.h>
#include <camwatch/dpi.h>

#include "alert/alert_engine.h"
#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"
#include "support/app_payloads.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;

class WorkerEvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadJudgement(judgementConfig(config_));  // no rules: the default denies
    ASSERT_TRUE(loaded.has_value());
    auto classifier = NdpiClassifier::create(config_.dpi);
    ASSERT_TRUE(classifier.has_value());
    FlowWorkerOptions options;
    options.flows = config_.flows;
    options.judgement = loaded->judgement;
    worker_ = std::make_unique<FlowWorker>(options, std::move(*classifier), dns_);
  }

  // One IPv4/UDP packet; returns its length on the wire.
  std::size_t send(const std::string& from, std::uint16_t from_port, const std::string& to,
                   std::uint16_t to_port, std::span<const std::uint8_t> payload, Timestamp at) {
    const std::vector<std::uint8_t> bytes =
        Frame().ipv4(from, to).udp(from_port, to_port).payload(payload).build();
    const RawPacket raw = testkit::rawIpPacket(bytes, at);
    StagedPacket staged;
    EXPECT_TRUE(stage_.stage(raw, staged));
    worker_->onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, raw.data);
    return bytes.size();
  }

  template <typename T>
  std::vector<T> eventsOf(const std::vector<CameraEvent>& events) {
    std::vector<T> out;
    for (const CameraEvent& event : events) {
      if (const T* what = std::get_if<T>(&event.what)) out.push_back(*what);
    }
    return out;
  }

  Config config_ = defaultConfig();
  DnsCache dns_{config_.dns};
  PacketStage stage_{nullptr};
  std::unique_ptr<FlowWorker> worker_;
};

TEST_F(WorkerEvidenceTest, AFlowJudgedWhileOpenReportsItsWholeEvidenceAndItsAlertGrows) {
  // A camera asks a public resolver five times on one flow: DNS is known once the first answer
  // is in, so the flow is judged while open (external_resolver: the group allows only the site's
  // own resolvers), with one packet of evidence.
  const std::string name = "p2p.example-cloud.com";
  const testkit::Bytes query = testkit::dnsQuery(0x1234, name);
  const testkit::Bytes answer = testkit::dnsResponse(0x1234, name, testkit::kDnsTypeA,
                                                     testkit::dnsCnameChain(name, {}, {"1.2.3.9"}));
  std::uint64_t wire = 0;
  for (int i = 0; i < 5; ++i) {
    const Timestamp at = kStart + i * kNanosPerSecond;
    wire += send("10.1.0.1", 40000, "9.9.9.9", 53, query, at);
    send("9.9.9.9", 53, "10.1.0.1", 40000, answer, at + 20'000'000);
  }
  // Local traffic, and a flow judged only at its end (two packets nDPI cannot name): neither
  // reports anything more when it ends.
  const std::vector<std::uint8_t> noise(40, 0x5a);
  send("10.1.0.1", 40100, "10.1.0.9", 9000, noise, kStart);
  send("10.1.0.2", 40200, "1.2.3.7", 40001, noise, kStart);
  send("10.1.0.2", 40200, "1.2.3.7", 40001, noise, kStart + kNanosPerSecond);
  const Timestamp end = kStart + 90 * kNanosPerSecond;
  worker_->finish(end);
  std::vector<CameraEvent> events = std::move(worker_->events());

  const auto judged = eventsOf<FlowJudged>(events);
  ASSERT_EQ(judged.size(), 2U);
  const FlowJudged& dns = judged[0].server == *IpAddress::parse("9.9.9.9") ? judged[0] : judged[1];
  const FlowJudged& late = &dns == &judged[0] ? judged[1] : judged[0];
  EXPECT_TRUE(dns.flow_open);
  EXPECT_EQ(dns.packets, 1U);
  EXPECT_EQ(dns.client_port, 40000);
  EXPECT_FALSE(late.flow_open) << "judged at its end: its evidence is already whole";
  const auto ends = eventsOf<FlowEvidence>(events);
  ASSERT_EQ(ends.size(), 1U) << "one end, for the flow judged while open";
  EXPECT_EQ(ends[0].flow, flowRef(dns));
  EXPECT_EQ(ends[0].packets, 5U);
  EXPECT_EQ(ends[0].bytes, wire);
  EXPECT_EQ(ends[0].last_seen, kStart + 4 * kNanosPerSecond + 20'000'000);
  // It ended 60 s (udp_idle_timeout) after its last packet, before the end of the input noticed.
  const Timestamp ended_at = ends[0].last_seen + config_.flows.udp_idle_timeout;
  for (const CameraEvent& event : events) {
    if (std::holds_alternative<FlowEvidence>(event.what)) {
      EXPECT_EQ(event.time, ended_at) << "sent at the instant the flow ended";
    }
  }

  AlertEngine engine(alertEngineOptions(config_), LearnedBaseline());
  sortCameraEvents(events);
  for (CameraEvent& event : events) engine.onEvent(std::move(event));
  EXPECT_EQ(engine.openAlertedFlows(), 0U);
  engine.finish(end);
  std::vector<Alert> resolver;
  for (const Alert& alert : engine.takeNotifications()) {
    if (alert.dedup_key == "10.1.0.1|external_resolver|9.9.9.9") resolver.push_back(alert);
  }
  ASSERT_EQ(resolver.size(), 2U) << "the raise, then its update at the flow's end";
  EXPECT_EQ(resolver[0].evidence.packets, 1U);
  EXPECT_EQ(resolver[1].evidence.packets, 5U);
  EXPECT_EQ(resolver[1].evidence.bytes, wire);
  EXPECT_EQ(resolver[1].time, ended_at);
  EXPECT_EQ(resolver[1].repeat_count, 0U);
  EXPECT_EQ(engine.evidenceUpdates(), 1U);
}

TEST(CameraEventSortTest, AFlowsEndComesAfterItsJudgingAtTheSameInstant) {
  FlowJudged judged;
  judged.camera.ip = *IpAddress::parse("10.1.0.1");
  judged.server = *IpAddress::parse("9.9.9.9");
  judged.port = 53;
  judged.client_port = 40000;
  judged.first_seen = kStart;
  FlowEvidence ended;
  ended.flow = flowRef(judged);
  FlowEvidence other = ended;
  other.flow.client_port = 39000;
  std::vector<CameraEvent> events = {CameraEvent{kStart, ended}, CameraEvent{kStart, judged},
                                     CameraEvent{kStart, other}};
  sortCameraEvents(events);
  ASSERT_EQ(events.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<FlowJudged>(events[0].what));
  EXPECT_EQ(std::get<FlowEvidence>(events[1].what).flow.client_port, 39000)
      << "ends of one instant and camera go by flow";
  EXPECT_EQ(std::get<FlowEvidence>(events[2].what).flow.client_port, 40000);
}

}  // namespace
}  // namespace camwatch
