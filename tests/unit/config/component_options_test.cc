// config/component_options.h: each component's part, cut from a loaded config. Every field the
// engine, the alert side and the judgement loader take is checked against the YAML that set it,
// so a field taken from the wrong section (or left at its default) fails here.
#include "config/component_options.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

class ComponentOptionsTest : public ::testing::Test {
 protected:
  ComponentOptionsTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("camwatch-options-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "camwatch.yaml") << R"(
sensor: {name: gate-3}
geoip: {cache_size: 4096}
inventory:
  alert_unknown_devices: true
  unknown_device_severity: critical
  max_cameras: 77
groups:
  default: {egress_budget: 1GiB, budget_window: 1d}
  entrance: {networks: [192.168.20.0/24], egress_budget: 500MB, budget_window: 30m}
  yard: {networks: [192.168.30.0/24]}
learning: {mode: enforce, period: 2d, state_file: baseline.json}
alerts:
  suppression_window: 10m
  renotify_interval: 4h
  resolve_after: 20m
  max_active_per_camera: 12
  max_active: 345
  spool_dir: spool
  batch_size: 7
policy:
  entrance: {default_action: allow}
)";
    auto loaded = loadConfig((dir_ / "camwatch.yaml").string());
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (loaded) config_ = std::move(*loaded);
  }
  ~ComponentOptionsTest() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  Config config_ = defaultConfig();
};

constexpr Timestamp kMinute = 60 * kNanosPerSecond;

TEST_F(ComponentOptionsTest, TheEngineGetsLifecycleLearningLimitsAndBudgetsInFileOrder) {
  const AlertEngineOptions engine = alertEngineOptions(config_);
  EXPECT_EQ(engine.sensor_name, "gate-3");
  EXPECT_EQ(engine.learning, LearningMode::kEnforce);
  EXPECT_EQ(engine.learning_period, 2 * 24 * 60 * kMinute);
  EXPECT_EQ(engine.lifecycle.suppression_window, 10 * kMinute);
  EXPECT_EQ(engine.lifecycle.renotify_interval, 4 * 60 * kMinute);
  EXPECT_EQ(engine.lifecycle.resolve_after, 20 * kMinute);
  EXPECT_EQ(engine.lifecycle.max_active_per_camera, 12U);
  EXPECT_EQ(engine.lifecycle.max_active, 345U);
  EXPECT_EQ(engine.max_cameras, 77U);
  EXPECT_TRUE(engine.alert_unknown_devices);
  EXPECT_EQ(engine.unknown_device_severity, Severity::kCritical);
  ASSERT_EQ(engine.group_budgets.size(), 2U);
  EXPECT_EQ(engine.group_budgets[0].group, "entrance");
  EXPECT_EQ(engine.group_budgets[0].budget.bytes, 500'000'000U);
  EXPECT_EQ(engine.group_budgets[0].budget.window, 30 * kMinute);
  EXPECT_EQ(engine.group_budgets[1].group, "yard");
  EXPECT_EQ(engine.group_budgets[1].budget.bytes, 0U);  // no budget of its own
  EXPECT_EQ(engine.default_egress_budget.bytes, 1ULL << 30U);
  EXPECT_EQ(engine.default_egress_budget.window, 24 * 60 * kMinute);
}

TEST_F(ComponentOptionsTest, TheAlertSideGetsTheSpoolAndTheBaselineFile) {
  const AlertSideConfig side = alertSideConfig(config_);
  EXPECT_EQ(side.engine.lifecycle.max_active, 345U);
  EXPECT_EQ(side.alerts.spool_dir, (dir_ / "spool").string());
  EXPECT_EQ(side.alerts.batch_size, 7U);
  EXPECT_EQ(side.learning.mode, LearningMode::kEnforce);
  EXPECT_EQ(side.learning.state_file, (dir_ / "baseline.json").string());
}

TEST_F(ComponentOptionsTest, TheJudgementGetsPolicyInventoryAndGeoAndNamesTheFile) {
  const JudgementConfig judgement = judgementConfig(config_);
  EXPECT_EQ(judgement.source, (dir_ / "camwatch.yaml").string());
  EXPECT_EQ(judgement.sensor_name, "gate-3");
  EXPECT_TRUE(judgement.report_default_allows);  // learning is on
  EXPECT_EQ(judgement.geo_cache_size, 4096U);
  ASSERT_EQ(judgement.policy_groups.size(), 1U);
  EXPECT_EQ(judgement.policy_groups[0].name, "entrance");
  ASSERT_EQ(judgement.inventory.groups.size(), 2U);
  EXPECT_EQ(judgement.inventory.groups[0].name, "entrance");

  Config off = config_;
  off.learning.mode = LearningMode::kOff;
  EXPECT_FALSE(judgementConfig(off).report_default_allows);
}

}  // namespace
}  // namespace camwatch
