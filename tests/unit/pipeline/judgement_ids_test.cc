// Group and rule ids (GroupId, RuleId) across a reload: a worker's records and events hold ids of
// the judgement that made them, handed over with that judgement's snapshot, so they are named
// right after the worker took another one whose ids mean other groups and rules. A flow open
// across the reload and judged again afterwards is the new judgement's, wholly.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/inventory.h>
#include <camwatch/policy.h>

#include "alert/alert_factory.h"
#include "config/config.h"
#include "mocks/fake_classifier.h"
#include "pipeline/flow_worker.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using mocks::FakeClassifier;
using mocks::FakeOutcome;
using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;
constexpr Timestamp kSecond = kNanosPerSecond;

CameraGroupSpec group(const char* name, const char* network) {
  CameraGroupSpec spec;
  spec.name = name;
  spec.networks.push_back(*IpPrefix::parse(network));
  return spec;
}

PolicyRule denyTo(const char* name, const char* cidr) {
  PolicyRule rule;
  rule.name = name;
  rule.cidrs = {cidr};
  return rule;
}

// Cameras of 10.1/16 are group "zeta" in both judgements. A knows only zeta, and denies
// 1.2.3.0/24 by "a-rule"; B lists "alpha" first (so zeta's id in A is alpha's in B) and denies
// by "b-rule", after another rule (so the ids of the labels differ too).
FlowJudgement judgement(bool b) {
  InventoryConfig inventory;
  if (b) inventory.groups.push_back(group("alpha", "10.2.0.0/16"));
  inventory.groups.push_back(group("zeta", "10.1.0.0/16"));
  GroupPolicy zeta;
  zeta.name = "zeta";
  if (b) zeta.rules.push_back(denyTo("b-first", "9.9.9.0/24"));
  zeta.rules.push_back(denyTo(b ? "b-rule" : "a-rule", "1.2.3.0/24"));
  auto created = CameraInventory::create(inventory, nullptr);
  auto policy = PolicyEngine::create({zeta});
  EXPECT_TRUE(created.has_value());
  EXPECT_TRUE(policy.has_value());
  FlowJudgement out;
  out.inventory = std::make_shared<const CameraInventory>(std::move(*created));
  out.policy = std::make_shared<const PolicyEngine>(std::move(*policy));
  out.sensor_name = b ? "B" : "A";
  return out;
}

class Worker {
 public:
  explicit Worker(FakeOutcome outcome) : dns_(config_.dns) {
    FlowWorkerOptions options;
    options.flows = config_.flows;
    options.judgement = judgement(false);
    options.keep_flows = true;
    worker_ =
        std::make_unique<FlowWorker>(options, std::make_unique<FakeClassifier>(outcome), dns_);
  }

  // One UDP packet from the camera 10.1.0.1 to `server`.
  void send(const char* server, Timestamp ts) {
    const std::vector<std::uint8_t> bytes =
        Frame().ipv4("10.1.0.1", server).udp(40000, 40001).payload(64).build();
    const RawPacket raw = testkit::rawIpPacket(bytes, ts);
    DecodedPacket packet;
    ASSERT_TRUE(decodePacket(raw, packet));
    bool src_is_a = true;
    const FlowKey key = makeFlowKey(packet, src_is_a);
    worker_->onPacket(packet, key, src_is_a, hashFlowKey(key), raw.data);
  }

  std::vector<const FlowJudged*> judged() const {
    std::vector<const FlowJudged*> out;
    for (const CameraEvent& event : worker_->events()) {
      if (const auto* flow = std::get_if<FlowJudged>(&event.what)) out.push_back(flow);
    }
    return out;
  }

  FlowWorker& operator*() { return *worker_; }
  FlowWorker* operator->() { return worker_.get(); }

 private:
  Config config_ = defaultConfig();
  DnsCache dns_;
  std::unique_ptr<FlowWorker> worker_;
};

// Server address -> the record that went there.
const EndedFlow& recordTo(const std::vector<EndedFlow>& flows, const char* server) {
  for (const EndedFlow& flow : flows) {
    if (flow.record.serverIp().toString() == server) return flow;
  }
  ADD_FAILURE() << "no record to " << server;
  return flows.front();
}

TEST(JudgementIdsTest, ARecordIsNamedByTheJudgementThatMadeItAfterAReload) {
  Worker worker(FakeOutcome{1, 0, 0, 0});  // final at the first packet: judged at once
  worker.send("1.2.3.4", kStart);          // judged under A
  worker->setJudgement(judgement(true), kStart + kSecond);
  worker.send("1.2.3.5", kStart + 2 * kSecond);  // judged under B
  worker->finish(kStart + 3 * kSecond);

  ASSERT_EQ(worker->flows().size(), 2U);
  const EndedFlow& under_a = recordTo(worker->flows(), "1.2.3.4");
  const EndedFlow& under_b = recordTo(worker->flows(), "1.2.3.5");
  EXPECT_EQ(under_a.naming->sensor_name, "A");
  EXPECT_EQ(under_b.naming->sensor_name, "B");
  EXPECT_EQ(under_a.naming->groupName(under_a.record.camera_group), "zeta");
  EXPECT_EQ(under_a.naming->ruleLabel(under_a.record.verdict.rule), "rule:a-rule");
  EXPECT_EQ(under_b.naming->groupName(under_b.record.camera_group), "zeta");
  EXPECT_EQ(under_b.naming->ruleLabel(under_b.record.verdict.rule), "rule:b-rule");
  // The same ids mean other things to the other snapshot: naming with it would be wrong.
  EXPECT_NE(under_a.record.camera_group, under_b.record.camera_group);
  EXPECT_NE(under_b.naming->groupName(under_a.record.camera_group), "zeta");
  EXPECT_NE(under_b.naming->ruleLabel(under_a.record.verdict.rule), "rule:a-rule");

  // The events too: each named by its own snapshot.
  const std::vector<const FlowJudged*> judged = worker.judged();
  ASSERT_EQ(judged.size(), 2U);
  EXPECT_EQ(AlertFactory().flowAlert(*judged[0]).rule, "rule:a-rule");
  EXPECT_EQ(AlertFactory().flowAlert(*judged[1]).rule, "rule:b-rule");
  EXPECT_EQ(AlertFactory().flowAlert(*judged[1]).camera.group, "zeta");
}

TEST(JudgementIdsTest, AFlowOpenAcrossAReloadIsJudgedAndNamedByTheNewOne) {
  Worker worker(FakeOutcome{});  // never final: judged only at its end
  worker.send("1.2.3.4", kStart);
  worker->setJudgement(judgement(true), kStart + kSecond);
  worker.send("1.2.3.4", kStart + 2 * kSecond);
  worker->finish(kStart + 3 * kSecond);

  ASSERT_EQ(worker->flows().size(), 1U);
  const EndedFlow& flow = worker->flows().front();
  EXPECT_EQ(flow.naming->sensor_name, "B");
  // B's policy judged it under the group's name; its group id is B's now.
  EXPECT_EQ(flow.naming->groupName(flow.record.camera_group), "zeta");
  EXPECT_EQ(flow.naming->ruleLabel(flow.record.verdict.rule), "rule:b-rule");
  const std::vector<const FlowJudged*> judged = worker.judged();
  ASSERT_EQ(judged.size(), 1U);
  EXPECT_EQ(AlertFactory().flowAlert(*judged[0]).rule, "rule:b-rule");
}

}  // namespace
}  // namespace camwatch
