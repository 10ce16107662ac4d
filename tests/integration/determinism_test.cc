// Determinism of `camwatch replay` (issue 7): the same input and config give byte-identical
// outputs, whatever --workers says and however often it runs. The input is made to exercise the
// parts where order could leak in: two files merged by time (one gzip-compressed), DNS names
// learned on the reader thread and used by every worker, GeoIP caches per worker, alerts with
// deduplication and budgets, cameras from the inventory and unknown ones.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;

// Every file output replay writes, by the option that asks for it; the metrics file is left out
// on purpose: it has per-worker series (docs/metrics.md), so it depends on --workers by design.
const std::vector<std::pair<std::string, std::string>> kOutputs = {
    {"--flows", "flows.jsonl"},    {"--alerts", "alerts.jsonl"},
    {"--summary", "summary.json"}, {"--destinations", "destinations.csv"},
    {"--report", "report.html"},
};

TEST(Determinism, EveryOutputIsByteIdenticalForAnyWorkerCountAndAnyRun) {
  TempDir dir;
  const std::string config = writeGroundTruthConfigWithGeo(dir);

  // The demo capture gzip-compressed, merged with a generated one that overlaps it in time
  // (testgen's `basic` scenario starts at the same instant as the demo).
  const std::string demo_gz = dir.path("demo.pcap.gz");
  ASSERT_EQ(runCommand("gzip -c " + shellQuote(kSourceDir + "/demo/camera-vlan-demo.pcap") + " > " +
                       shellQuote(demo_gz))
                .exit_code,
            0);
  const std::string basic = dir.path("basic.pcap");
  const CommandResult gen = runCommand(kTestgen + " basic " + shellQuote(basic));
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  std::map<std::string, std::string> first;  // output file name -> bytes of the first run
  for (const char* workers : {"1", "2", "3", "5", "5"}) {
    std::string command = kCamwatch + " replay -c " + shellQuote(config) + " --workers " + workers;
    for (const auto& [option, file] : kOutputs) command += " " + option + " " + dir.path(file);
    const CommandResult run = runCommand(command + " " + demo_gz + " " + basic);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const auto& [option, file] : kOutputs) {
      const std::string bytes = readFile(dir.path(file));
      ASSERT_FALSE(bytes.empty()) << file << " is empty with --workers " << workers;
      const auto [it, inserted] = first.emplace(file, bytes);
      EXPECT_TRUE(inserted || it->second == bytes)
          << file << " differs with --workers " << workers << " from --workers 1";
    }
  }
  // The input had what the comparison is about: both files, alerts, countries.
  const json summary = json::parse(first.at("summary.json"));
  EXPECT_EQ(summary.at("files").size(), 2U) << summary.dump(2);
  EXPECT_GE(readJsonLines(dir.path("alerts.jsonl")).size(), 8U);
  EXPECT_NE(first.at("flows.jsonl").find("\"dst_country\":\"US\""), std::string::npos);
}

}  // namespace
}  // namespace camwatch::integration
