// sortCameraEvents: the order every worker count agrees on. Flows tied on time, kind and camera
// go by dedup key, then start, then rule text (named by the event's snapshot, not the rule id's
// order), whatever order the workers handed them in.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "alert/camera_event.h"

namespace camwatch {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// A policy with rules z, b, a in that order: their ids go z < b < a, their texts the other way.
NamingSnapshotPtr namingWithRules() {
  GroupPolicy group;
  group.name = "cams";
  for (const char* name : {"z", "b", "a"}) {
    PolicyRule rule;
    rule.name = name;
    rule.ports = {"443"};
    group.rules.push_back(rule);
  }
  auto policy = PolicyEngine::create({group});
  EXPECT_TRUE(policy.has_value());
  return std::make_shared<const NamingSnapshot>(NamingSnapshot{
      nullptr, nullptr, nullptr, std::make_shared<const PolicyEngine>(std::move(*policy)), "hq"});
}

RuleId ruleCalled(const NamingSnapshot& naming, std::string_view name) {
  const std::string label = "rule:" + std::string(name);
  for (std::uint16_t id = 0; id < 64; ++id) {
    if (naming.ruleLabel(RuleId{id}) == label) return RuleId{id};
  }
  ADD_FAILURE() << "no rule " << name;
  return kNoRule;
}

CameraEvent flowEvent(const NamingSnapshotPtr& naming, Timestamp time, const char* camera,
                      const char* server, Timestamp start, std::string_view rule) {
  FlowJudged flow;
  flow.naming = naming;
  flow.time = time;
  flow.camera.ip = ip(camera);
  flow.server = ip(server);
  flow.first_seen = start;
  flow.rule = ruleCalled(*naming, rule);
  return CameraEvent{time, flow};
}

std::vector<std::string> order(const std::vector<CameraEvent>& events) {
  std::vector<std::string> out;
  for (const CameraEvent& event : events) {
    const auto& flow = std::get<FlowJudged>(event.what);
    out.push_back(flow.camera.ip.toString() + ">" + flow.server.toString() + "@" +
                  std::to_string(flow.first_seen) + ":" +
                  std::string(flow.naming->ruleLabel(flow.rule)).substr(5));
  }
  return out;
}

TEST(CameraEventSortTest, TiedFlowsGoByDedupKeyThenStartThenRule) {
  const NamingSnapshotPtr n = namingWithRules();
  ASSERT_LT(ruleCalled(*n, "b").index, ruleCalled(*n, "a").index);  // ids against the text
  std::vector<CameraEvent> events;
  events.push_back(flowEvent(n, 20, "10.0.0.1", "9.9.9.9", 1, "b"));
  events.push_back(flowEvent(n, 10, "10.0.0.2", "1.1.1.1", 1, "a"));
  events.push_back(flowEvent(n, 20, "10.0.0.1", "10.9.9.9", 1, "a"));  // "10." < "9." as text
  events.push_back(flowEvent(n, 20, "10.0.0.1", "9.9.9.9", 1, "a"));
  events.push_back(flowEvent(n, 20, "10.0.0.1", "9.9.9.9", 0, "z"));
  events.push_back(flowEvent(n, 20, "10.0.0.0", "9.9.9.9", 5, "a"));
  sortCameraEvents(events);
  EXPECT_EQ(order(events), (std::vector<std::string>{
                               "10.0.0.2>1.1.1.1@1:a",   // earlier
                               "10.0.0.0>9.9.9.9@5:a",   // lower camera
                               "10.0.0.1>10.9.9.9@1:a",  // dedup key "...|10.9.9.9"
                               "10.0.0.1>9.9.9.9@0:z",   // same key, earlier start
                               "10.0.0.1>9.9.9.9@1:a",   // same start, rule a
                               "10.0.0.1>9.9.9.9@1:b",
                           }));
}

TEST(CameraEventSortTest, SamplesOfOneCameraAtOneInstantFoldIntoOne) {
  std::vector<CameraEvent> events;
  events.push_back(CameraEvent{5, EgressSample{ip("10.0.0.1"), kDefaultGroup, 100, nullptr}});
  events.push_back(CameraEvent{5, EgressSample{ip("10.0.0.2"), kDefaultGroup, 7, nullptr}});
  events.push_back(CameraEvent{5, EgressSample{ip("10.0.0.1"), kDefaultGroup, 20, nullptr}});
  sortCameraEvents(events);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(std::get<EgressSample>(events[0].what).bytes, 120U);
  EXPECT_EQ(std::get<EgressSample>(events[1].what).bytes, 7U);
}

}  // namespace
}  // namespace camwatch
