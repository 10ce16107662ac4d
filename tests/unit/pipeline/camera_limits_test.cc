// inventory.max_cameras: a flood of camera addresses (spoofed sources on a camera VLAN) must not
// grow the per-camera state of a FlowWorker or the AlertEngine past the cap, while every flow is
// still judged and every deny still raises its alert.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>

#include "alert/alert_engine.h"
#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;

std::string cameraAddress(int i) {
  return "10.1." + std::to_string(i / 200) + "." + std::to_string(1 + i % 200);
}

struct WorkerRun {
  std::vector<CameraEvent> events;
  std::uint64_t untracked = 0;
  std::size_t tracked = 0;
  std::size_t egress_counters = 0;
};

// One UDP packet from each of `cameras` camera addresses to a public host, through one
// FlowWorker capped at `max_cameras`, then the end of the input.
WorkerRun runWorker(int cameras, std::size_t max_cameras) {
  Config config = defaultConfig();
  auto loaded = loadJudgement(judgementConfig(config));
  EXPECT_TRUE(loaded.has_value());
  auto classifier = NdpiClassifier::create(config.dpi);
  EXPECT_TRUE(classifier.has_value());
  FlowWorkerOptions options;
  options.flows = config.flows;
  options.judgement = loaded->judgement;
  options.max_cameras = max_cameras;
  DnsCache dns(config.dns);
  FlowWorker worker(options, std::move(*classifier), dns);
  PacketStage stage(nullptr);
  Timestamp now = kStart;
  for (int i = 0; i < cameras; ++i) {
    const std::vector<std::uint8_t> bytes =
        Frame().ipv4(cameraAddress(i), "1.2.3.4").udp(40000, 40001).payload(64).build();
    const RawPacket raw = testkit::rawIpPacket(bytes, now);
    StagedPacket staged;
    EXPECT_TRUE(stage.stage(raw, staged));
    worker.onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, raw.data);
    now += 1'000'000;
  }
  worker.finish(now);
  WorkerRun run;
  run.events = std::move(worker.events());
  run.untracked = worker.camerasUntracked();
  run.tracked = worker.camerasTracked();
  run.egress_counters = worker.egressCounters();
  WorkerCounters counters;
  worker.publish(counters);
  EXPECT_EQ(counters.cameras_untracked.load(), run.untracked);
  return run;
}

template <typename T>
std::size_t countOf(const std::vector<CameraEvent>& events) {
  std::size_t n = 0;
  for (const CameraEvent& event : events) n += std::holds_alternative<T>(event.what) ? 1U : 0U;
  return n;
}

TEST(CameraLimitsTest, AWorkerTracksAtMostMaxCamerasButJudgesEveryFlow) {
  const WorkerRun run = runWorker(40, 10);
  EXPECT_EQ(run.tracked, 10U);
  EXPECT_EQ(run.egress_counters, 10U);
  EXPECT_EQ(run.untracked, 30U);
  EXPECT_EQ(countOf<DeviceSeen>(run.events), 10U);
  EXPECT_EQ(countOf<EgressSample>(run.events), 10U);
  // Every flow was judged and denied, tracked or not: 40 alerts to raise.
  std::set<IpAddress> denied;
  for (const CameraEvent& event : run.events) {
    if (const auto* judged = std::get_if<FlowJudged>(&event.what); judged && judged->deny) {
      denied.insert(judged->camera.ip);
    }
  }
  EXPECT_EQ(denied.size(), 40U);
}

TEST(CameraLimitsTest, BelowTheCapAWorkerTracksEveryCamera) {
  const WorkerRun run = runWorker(40, 40);
  EXPECT_EQ(run.tracked, 40U);
  EXPECT_EQ(run.egress_counters, 40U);
  EXPECT_EQ(run.untracked, 0U);
  EXPECT_EQ(countOf<DeviceSeen>(run.events), 40U);
}

FlowJudged denyFacts(const IpAddress& camera, Timestamp time) {
  FlowJudged judged;
  judged.time = time;
  judged.kind = AlertKind::kDisallowedDestination;
  judged.severity = Severity::kWarning;
  judged.camera.ip = camera;
  judged.server = testkit::ipAddress("1.2.3.4");
  judged.port = 443;
  judged.rule = kDefaultRule;
  judged.first_seen = time;
  judged.last_seen = time;
  judged.deny = true;
  return judged;
}

TEST(CameraLimitsTest, TheEngineListsAtMostMaxCamerasAndStillAlertsForEveryOne) {
  Config config = defaultConfig();
  config.max_cameras = 5;
  config.alert_unknown_devices = true;
  config.default_egress_budget.bytes = 1000;
  config.default_egress_budget.window = 3600 * kNanosPerSecond;
  AlertEngine engine(alertEngineOptions(config), LearnedBaseline());
  constexpr int kCameras = 20;
  Timestamp now = kStart;
  for (int i = 0; i < kCameras; ++i) {
    const IpAddress ip = testkit::ipAddress(cameraAddress(i));
    DeviceSeen seen;
    seen.camera.ip = ip;
    engine.onEvent(CameraEvent{now, seen});
    engine.onEvent(CameraEvent{now, denyFacts(ip, now)});
    engine.onEvent(CameraEvent{now, EgressSample{ip, kDefaultGroup, 5000, nullptr}});
    now += kNanosPerSecond;
  }
  engine.finish(now);
  EXPECT_EQ(engine.cameraCount(), 5U);
  // 15 sightings and 15 byte samples of cameras beyond the cap (the monitor also holds 5).
  EXPECT_EQ(engine.camerasUntracked(), 30U);
  std::set<IpAddress> denied;
  std::set<IpAddress> unknown;
  std::set<IpAddress> over_budget;
  for (const Alert& alert : engine.takeNotifications()) {
    if (alert.kind == AlertKind::kDisallowedDestination) denied.insert(alert.camera.ip);
    if (alert.kind == AlertKind::kUnknownCamera) unknown.insert(alert.camera.ip);
    if (alert.kind == AlertKind::kEgressVolume) over_budget.insert(alert.camera.ip);
  }
  EXPECT_EQ(denied.size(), 20U);   // every deny, tracked or not
  EXPECT_EQ(unknown.size(), 20U);  // every new camera reported, listed or not
  EXPECT_EQ(over_budget.size(), 5U);
}

TEST(CameraLimitsTest, BelowTheCapTheEngineListsEveryCamera) {
  Config config = defaultConfig();
  config.max_cameras = 20;
  AlertEngine engine(alertEngineOptions(config), LearnedBaseline());
  for (int i = 0; i < 20; ++i) {
    DeviceSeen seen;
    seen.camera.ip = testkit::ipAddress(cameraAddress(i));
    engine.onEvent(CameraEvent{kStart + i, seen});
  }
  EXPECT_EQ(engine.cameraCount(), 20U);
  EXPECT_EQ(engine.camerasUntracked(), 0U);
}

}  // namespace
}  // namespace camwatch
