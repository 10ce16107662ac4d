// The worker shell (pipeline/worker_shell.h, FlowWorker) on a FakeClassifier (tests/mocks): what
// the classifier decides is what the flow records say, a flow the classifier never decides is
// finished when it ends, egress flows are judged once their classification is final (not
// before), and every per-flow classifier state goes back, evicted flows' too. The fake also
// checks that the worker hands each state handle back with its own flow.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>

#include "config/component_options.h"
#include "config/config.h"
#include "mocks/fake_classifier.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"
#include "pipeline/worker_shell.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using mocks::FakeClassifier;
using mocks::FakeOutcome;
using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;
constexpr Timestamp kMilli = 1'000'000;

// One worker with the default configuration: 10.0.0.0/8 hosts are cameras and a camera's flow
// to a public address is egress, denied by the group's default.
class FakeClassifiedWorker {
 public:
  explicit FakeClassifiedWorker(FakeOutcome outcome, std::uint32_t max_flows = 0)
      : dns_(config_.dns) {
    auto loaded = loadJudgement(judgementConfig(config_));
    EXPECT_TRUE(loaded.has_value());
    FlowWorkerOptions options;
    options.flows = config_.flows;
    if (max_flows != 0) options.flows.max_flows = max_flows;
    options.judgement = loaded->judgement;
    options.keep_flows = true;
    auto classifier = std::make_unique<FakeClassifier>(outcome);
    fake_ = classifier.get();
    shell_ = std::make_unique<WorkerShell>(options, std::move(classifier), dns_);
  }

  // One UDP packet from the camera 10.1.0.1 to the public server 1.2.3.(10 + n).
  void send(int n, Timestamp ts) {
    const std::vector<std::uint8_t> bytes = Frame()
                                                .ipv4("10.1.0.1", "1.2.3." + std::to_string(10 + n))
                                                .udp(40000, 40001)
                                                .payload(64)
                                                .build();
    const RawPacket raw = testkit::rawIpPacket(bytes, ts);
    StagedPacket staged;
    ASSERT_TRUE(stage_.stage(raw, staged));
    shell_->onPacket(staged, raw.data);
  }

  // The flow verdicts reported so far, with their times.
  std::vector<CameraEvent> judged() const {
    std::vector<CameraEvent> out;
    for (const CameraEvent& event : shell_->flow().events()) {
      if (std::holds_alternative<FlowJudged>(event.what)) out.push_back(event);
    }
    return out;
  }

  // What the worker publishes as the classifier's states in use (the dpi_flow_states gauge).
  std::uint64_t publishedStates() {
    shell_->publish();
    return shell_->counters().dpi_flow_states.load();
  }

  void finish(Timestamp now) { shell_->finish(now); }
  std::vector<FlowRecord> records() {
    std::vector<FlowRecord> out;
    for (const EndedFlow& flow : shell_->flow().flows()) out.push_back(flow.record);
    return out;
  }
  const FakeClassifier& fake() const { return *fake_; }

 private:
  Config config_ = defaultConfig();
  DnsCache dns_;
  PacketStage stage_{nullptr};
  FakeClassifier* fake_ = nullptr;  // owned by the worker
  std::unique_ptr<WorkerShell> shell_;
};

TEST(WorkerClassifierTest, RecordsCarryTheIdsTheClassifierGave) {
  FakeClassifiedWorker worker(FakeOutcome{2, 3, 7, 5});
  for (int i = 0; i < 4; ++i) worker.send(0, kStart + i * kMilli);
  worker.finish(kStart + kNanosPerSecond);

  ASSERT_EQ(worker.records().size(), 1U);
  const FlowClassification dpi = worker.records()[0].dpi;
  EXPECT_TRUE(dpi.final);
  EXPECT_FALSE(dpi.guessed);
  EXPECT_EQ(dpi.master_protocol, 3U);
  EXPECT_EQ(dpi.app_protocol, 7U);
  EXPECT_EQ(dpi.category, 5U);
  // Fed until final, not after.
  EXPECT_EQ(dpi.packets_inspected, 2U);
  EXPECT_EQ(worker.fake().packetsFed(), 2U);
  EXPECT_EQ(worker.records()[0].packets[kToServer], 4U);
  // The verdict names the protocol with the classifier's own names.
  const std::vector<CameraEvent> judged = worker.judged();
  ASSERT_EQ(judged.size(), 1U);
  const FlowJudged& flow = std::get<FlowJudged>(judged[0].what);
  EXPECT_EQ(ProtocolText::view(flow.protocol.name), "M3.A7");
  EXPECT_EQ(ProtocolText::view(flow.protocol.master), "P3");
  EXPECT_EQ(ProtocolText::view(flow.protocol.app), "P7");
  EXPECT_EQ(ProtocolText::view(flow.protocol.category), "C5");
  EXPECT_EQ(worker.fake().finishedUndecided(), 0U);
  EXPECT_EQ(worker.fake().misuse(), 0U);
}

TEST(WorkerClassifierTest, AFlowNeverDecidedIsFinishedWhenItEnds) {
  FakeClassifiedWorker worker(FakeOutcome{});
  for (int i = 0; i < 30; ++i) worker.send(0, kStart + i * kMilli);
  EXPECT_EQ(worker.fake().packetsFed(), 30U);  // every packet, since none made it final
  EXPECT_TRUE(worker.judged().empty());        // no verdict while undecided
  EXPECT_EQ(worker.publishedStates(), 1U);

  worker.finish(kStart + kNanosPerSecond);
  ASSERT_EQ(worker.records().size(), 1U);
  const FlowClassification dpi = worker.records()[0].dpi;
  EXPECT_TRUE(dpi.final);
  EXPECT_TRUE(dpi.guessed);
  EXPECT_EQ(dpi.packets_inspected, 30U);
  EXPECT_EQ(worker.fake().finishedUndecided(), 1U);
  // Judged at its end, as of its last packet.
  const std::vector<CameraEvent> judged = worker.judged();
  ASSERT_EQ(judged.size(), 1U);
  EXPECT_EQ(judged[0].time, kStart + 29 * kMilli);
  EXPECT_EQ(ProtocolText::view(std::get<FlowJudged>(judged[0].what).protocol.name), "Unknown");
  EXPECT_EQ(worker.publishedStates(), 0U);
  EXPECT_EQ(worker.fake().misuse(), 0U);
}

TEST(WorkerClassifierTest, AnEgressFlowIsJudgedOnceItsClassificationIsFinal) {
  FakeClassifiedWorker worker(FakeOutcome{3, 0, 7, 0});
  worker.send(0, kStart);
  worker.send(0, kStart + kMilli);
  EXPECT_TRUE(worker.judged().empty());
  worker.send(0, kStart + 2 * kMilli);  // the third packet: final
  std::vector<CameraEvent> judged = worker.judged();
  ASSERT_EQ(judged.size(), 1U);
  EXPECT_EQ(judged[0].time, kStart + 2 * kMilli);
  const FlowJudged& flow = std::get<FlowJudged>(judged[0].what);
  EXPECT_TRUE(flow.deny);
  EXPECT_TRUE(flow.by_default);
  EXPECT_EQ(ProtocolText::view(flow.protocol.name), "A7");
  // Reported once: later packets and the flow's end add nothing.
  worker.send(0, kStart + 3 * kMilli);
  worker.finish(kStart + kNanosPerSecond);
  EXPECT_EQ(worker.judged().size(), 1U);
  EXPECT_EQ(worker.fake().misuse(), 0U);
}

TEST(WorkerClassifierTest, EveryStateGoesBackEvictedFlowsToo) {
  // A table of 4 flows and 10 undecided flows: 6 are evicted, each handing its state back.
  FakeClassifiedWorker worker(FakeOutcome{}, 4);
  for (int n = 0; n < 10; ++n) worker.send(n, kStart + n * kMilli);
  EXPECT_EQ(worker.records().size(), 6U);
  EXPECT_EQ(worker.fake().statesInUse(), 4U);
  EXPECT_EQ(worker.publishedStates(), 4U);
  // A packet of each open flow (6..9) reaches the state the flow was given, not another's.
  for (int n = 6; n < 10; ++n) worker.send(n, kStart + (20 + n) * kMilli);
  worker.finish(kStart + kNanosPerSecond);
  EXPECT_EQ(worker.records().size(), 10U);
  EXPECT_EQ(worker.fake().finishedUndecided(), 10U);
  EXPECT_EQ(worker.fake().statesInUse(), 0U);
  EXPECT_EQ(worker.publishedStates(), 0U);
  for (const FlowRecord& record : worker.records()) {
    EXPECT_TRUE(record.dpi.final);
    EXPECT_EQ(record.dpi.packets_inspected, record.packets[kToServer]);
  }
  EXPECT_EQ(worker.fake().misuse(), 0U);
}

TEST(WorkerClassifierTest, DecidedFlowsGiveTheirStateBackAtOnce) {
  FakeClassifiedWorker worker(FakeOutcome{3, 1, 2, 0});
  // Flows 0, 2, 4 get three packets (final), 1, 3, 5 one (still being classified).
  for (int n = 0; n < 6; ++n) {
    const int packets = n % 2 == 0 ? 3 : 1;
    for (int i = 0; i < packets; ++i) worker.send(n, kStart + (10 * n + i) * kMilli);
  }
  EXPECT_EQ(worker.fake().statesInUse(), 3U);
  EXPECT_EQ(worker.judged().size(), 3U);
  worker.finish(kStart + kNanosPerSecond);
  EXPECT_EQ(worker.fake().statesInUse(), 0U);
  EXPECT_EQ(worker.fake().finishedUndecided(), 3U);
  EXPECT_EQ(worker.judged().size(), 6U);
  EXPECT_EQ(worker.fake().misuse(), 0U);
}

}  // namespace
}  // namespace camwatch
