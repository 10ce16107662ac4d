// `camwatch-testgen concurrent`, which bench/memory_bench.sh measures the memory per tracked flow
// with, must give what that measurement assumes: every flow still open when the capture ends
// (so all were tracked at once) and every flow classified from its two packets (so its nDPI
// state went back to the pool).
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;

TEST(ConcurrentFlowsTest, EveryFlowIsClassifiedAndStillOpenAtTheEnd) {
  constexpr std::uint64_t kFlows = 2000;
  TempDir dir;
  const std::string capture = dir.path("concurrent.pcap");
  ASSERT_EQ(runCommand(kTestgen + " concurrent " + shellQuote(capture) + " --flows " +
                       std::to_string(kFlows))
                .exit_code,
            0);
  const std::string summary = dir.path("summary.json");
  const CommandResult run = runCommand(kCamwatch + " replay --workers 2 --summary " +
                                       shellQuote(summary) + " " + shellQuote(capture));
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const nlohmann::json json = nlohmann::json::parse(readFile(summary));
  EXPECT_EQ(json["packets"], 2 * kFlows);
  const nlohmann::json& flows = json["flows"];
  EXPECT_EQ(flows["total"], kFlows);
  EXPECT_EQ(flows["evicted"], 0U);
  EXPECT_EQ(flows["by_end_reason"], (nlohmann::json{{"end_of_capture", kFlows}}));
  EXPECT_EQ(flows["by_app_protocol"]["DNS"]["flows"], kFlows / 2);
  EXPECT_EQ(flows["by_app_protocol"]["NTP"]["flows"], kFlows / 2);
}

}  // namespace
}  // namespace camwatch::integration
