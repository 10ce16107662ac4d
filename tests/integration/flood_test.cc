// Issue 8, bounded resources: one camera floods a million distinct destinations (a million
// distinct 5-tuples, `camwatch-testgen flood`). The real camwatch binary replays it with the
// ground-truth config and small limits; every flow must be counted, each limit hit must show in
// the summary, the alerts must fold into the camera's overflow alert, and the process's peak
// memory (VmHWM from /proc/self/status, which the replay prints on its first line) must stay
// under the budget of those limits (when the replay still kept every record and event until the
// end, the same flood took 3.0 GiB).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;

// Sanitizers add shadow memory and a quarantine of freed blocks by design: the memory budget
// is checked in the plain builds; everything else is checked in all of them. CMake says which
// (CAMWATCH_SANITIZED), since GCC and clang mark a sanitized build differently.
constexpr bool kSanitized = CAMWATCH_SANITIZED != 0;

constexpr std::uint64_t kFlows = 1'000'000;
constexpr std::uint64_t kMaxRows = 20'000;
// The budget for flows.max_flows 32768 and the replay limits below: measured 209 MiB with two
// workers (the demo capture alone takes 68 MiB: nDPI modules, rings); the table is ~1.2 KiB a
// flow, the digest at its limits ~70 MiB.
constexpr double kMemoryBudgetMiB = 320;

// "peak memory 209.2 MiB" on the summary's first line, in MiB; -1 when absent.
double peakMemoryMiB(const std::string& text) {
  const std::string marker = "peak memory ";
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return -1;
  char* end = nullptr;
  const double value = std::strtod(text.c_str() + at + marker.size(), &end);
  const std::string unit(end, std::min<std::size_t>(4, std::strlen(end)));
  if (unit == " GiB") return value * 1024;
  if (unit == " MiB") return value;
  if (unit == " KiB") return value / 1024;
  return -1;
}

TEST(FloodTest, AMillionFlowsOfOneCameraReplayInBoundedMemoryAndEveryFlowIsCounted) {
  TempDir dir;
  const std::string capture = dir.path("flood.pcap");
  const CommandResult made =
      runCommand(kTestgen + " flood " + shellQuote(capture) + " --flows " + std::to_string(kFlows));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string config = writeGroundTruthConfigWithGeo(
      dir, "flows:\n  max_flows: 32768\nreplay:\n  max_hosts: 20000\n  max_destination_rows: " +
               std::to_string(kMaxRows) + "\n  max_timelines: 100\n");
  const std::string summary = dir.path("summary.json");
  const std::string destinations = dir.path("destinations.csv");
  const CommandResult run = runCommand(
      kCamwatch + " replay " + shellQuote(capture) + " -c " + shellQuote(config) +
      " --workers 2 --flows /dev/null --summary " + shellQuote(summary) + " --destinations " +
      shellQuote(destinations) + " --report " + shellQuote(dir.path("report.html")) + " --alerts " +
      shellQuote(dir.path("alerts.jsonl")));
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const nlohmann::json json = nlohmann::json::parse(readFile(summary));
  const nlohmann::json& flows = json["flows"];
  EXPECT_EQ(flows["total"], kFlows);
  EXPECT_GT(flows["evicted"].get<std::uint64_t>(), 0U);  // the table (32768) was full
  // Every flow went to a new address: the first 20000 are itemised, the rest counted.
  const nlohmann::json& beyond = flows["beyond_limits"];
  EXPECT_EQ(beyond["egress_flows_not_itemised"], kFlows - kMaxRows);
  EXPECT_EQ(beyond["internet_destination_flows"], kFlows - 20'000);
  EXPECT_EQ(beyond["talker_flows"], kFlows - 19'999);  // the camera is one of the 20000
  EXPECT_EQ(json["packets"], kFlows);
  // One alert per flow raised; all but the camera's first 256 fold into its overflow alert.
  EXPECT_EQ(json["alerts"]["raised"], kFlows);
  EXPECT_GT(json["alerts"]["overflowed"].get<std::uint64_t>(), kFlows - 300);
  EXPECT_LE(json["alerts"]["total"].get<std::uint64_t>(), 300U);
  // The CSV: a header and the itemised rows.
  const std::string csv = readFile(destinations);
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(csv.begin(), csv.end(), '\n')), kMaxRows + 1);
  EXPECT_NE(run.out.find("more than 20000 camera x destination rows: 980000 egress flows"),
            std::string::npos)
      << run.out;

  const double peak = peakMemoryMiB(run.out);
  ASSERT_GT(peak, 0) << "no peak memory on the summary's first line:\n" << run.out;
  if (!kSanitized) {
    EXPECT_LT(peak, kMemoryBudgetMiB) << run.out;
  }
}

}  // namespace
}  // namespace camwatch::integration
