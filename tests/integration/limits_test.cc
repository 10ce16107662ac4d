// Bounded per-camera state end to end (issue 8): a capture of many spoofed camera source
// addresses (`camwatch-testgen spoof`) replayed with small inventory.max_cameras and
// alerts.max_active. The summary lists only max_cameras cameras, every flow is still judged (one
// alert per camera up to max_active, the rest folded into one sensor-wide overflow alert), the
// counters say how many were left out, and the output does not depend on the worker count.
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/metrics_text.h"
#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;

TEST(LimitsTest, SpoofedCameraSourcesAreJudgedButPerCameraStateStaysAtTheCaps) {
  TempDir dir;
  const std::string capture = dir.path("spoof.pcap");
  ASSERT_EQ(runCommand(kTestgen + " spoof " + shellQuote(capture) + " --flows 300").exit_code, 0);
  const std::string config = dir.path("caps.yaml");
  std::ofstream(config) << "sensor:\n  name: caps\ninventory:\n  max_cameras: 50\n"
                           "alerts:\n  max_active: 100\n";
  std::string first_alerts;
  std::string first_cameras;
  for (const char* workers : {"1", "3"}) {
    const CommandResult run =
        runCommand(kCamwatch + " replay --workers " + workers + " -c " + shellQuote(config) +
                   " --alerts " + shellQuote(dir.path("alerts.jsonl")) + " --summary " +
                   shellQuote(dir.path("summary.json")) + " --metrics " +
                   shellQuote(dir.path("metrics.prom")) + " " + shellQuote(capture));
    ASSERT_EQ(run.exit_code, 0) << run.err;

    const json summary = json::parse(readFile(dir.path("summary.json")));
    EXPECT_EQ(summary.at("cameras").size(), 50U) << workers << " workers";
    EXPECT_EQ(summary.at("alerts").at("raised"), 300) << workers << " workers";
    // The 200 raises beyond alerts.max_active are named in the summary too.
    EXPECT_EQ(summary.at("alerts").at("overflowed_sensor_wide"), 200) << workers << " workers";

    const json alerts = readJsonLines(dir.path("alerts.jsonl"));
    ASSERT_EQ(alerts.size(), 101U) << workers << " workers";
    std::set<std::string> cameras;
    for (std::size_t i = 0; i < 100; ++i) {
      cameras.insert(alerts.at(i).at("camera").at("ip").get<std::string>());
      EXPECT_EQ(alerts.at(i).at("destination").at("ip"), "45.0.0.1");
    }
    EXPECT_EQ(cameras.size(), 100U);
    const json& overflow = alerts.at(100);
    EXPECT_EQ(overflow.at("rule"), "cap:max_active");
    EXPECT_EQ(overflow.at("dedup_key"),
              "*|" + overflow.at("kind").get<std::string>() + "|overflow");
    EXPECT_EQ(overflow.at("status"), "firing");

    const std::string metrics = readFile(dir.path("metrics.prom"));
    // Each worker keeps at most 50 cameras; every other flow counts once.
    const double untracked = metricSum(metrics, "camwatch_cameras_untracked_total");
    if (std::string(workers) == "1") {
      EXPECT_EQ(untracked, 250) << metrics;
    } else {
      EXPECT_GE(untracked, 150) << metrics;
      EXPECT_LT(untracked, 250) << metrics;
    }

    EXPECT_EQ(metricSum(metrics, "camwatch_alert_max_active_overflow_total"), 200) << metrics;
    // The engine lists 50 of the cameras the workers reported (1 worker: exactly 50).
    const double engine_untracked = metricSum(metrics, "camwatch_alert_cameras_untracked_total");
    if (std::string(workers) == "1") {
      EXPECT_EQ(engine_untracked, 0) << metrics;
    } else {
      EXPECT_GT(engine_untracked, 0) << metrics;
    }

    if (first_alerts.empty()) {
      first_alerts = readFile(dir.path("alerts.jsonl"));
      first_cameras = summary.at("cameras").dump();
    } else {
      EXPECT_EQ(readFile(dir.path("alerts.jsonl")), first_alerts)
          << "alerts differ between 1 and 3 workers";
      EXPECT_EQ(summary.at("cameras").dump(), first_cameras)
          << "cameras differ between 1 and 3 workers";
    }
  }
}

}  // namespace
}  // namespace camwatch::integration
