// The fixture of the `camwatch run` tests (live_*_test.cc): two network namespaces joined by a
// veth pair (tests/support/netns_pair.h), the sensor running on the receiving end, and the demo
// capture sent with tcpreplay from the other at a fixed rate; plus what the tests read back (the
// sensor's /metrics, scraped over HTTP, its log and its jsonl alert sink). Needs root, `ip netns`
// and tcpreplay (setup.sh installs them); skipped otherwise, saying which.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/packet.h>

#include "integration/metrics_text.h"  // metricSum, metricSumWith: what the tests read off /metrics
#include "integration/run_command.h"
#include "support/netns_pair.h"

namespace camwatch::integration {

inline const std::string kBinary = CAMWATCH_BINARY;
inline const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
inline const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
inline const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";
inline const std::string kBranchConfig = kSourceDir + "/tests/integration/configs/branch.yaml";
// tcpreplay sends at this rate; the retimed capture has the same spacing, so replay and live see
// the same packet timing (idle timeouts, budgets and lifecycle decide alike).
inline constexpr int kPacketsPerSecond = 2000;

// The demo with its packets 1/kPacketsPerSecond apart (the demo spans minutes; this keeps the
// order and makes the test take seconds).
std::uint64_t writeEvenlySpacedDemo(const std::string& path);

// The demo with its own timing sped up `factor` times: the gaps between packets keep their
// proportions, so with idle timeouts `factor` times shorter than the defaults the flows end where
// the generator's flows end (demo: the longest gap inside a flow is 10 s, the shortest between
// two flows of one 5-tuple 300 s).
std::uint64_t writeCompressedDemo(const std::string& path, Timestamp factor);
// The same for any capture file `input` (the branch capture: the longest gap inside a flow is
// 20 s).
std::uint64_t writeCompressedCapture(const std::string& input, const std::string& path,
                                     Timestamp factor);

// The ground-truth config (tests/integration/configs) with absolute paths, plus `extra` YAML.
std::string groundTruthConfig(const std::string& extra);
// The same for another config file of tests/integration/configs (kBranchConfig).
std::string testConfig(const std::string& file, const std::string& extra);

double lineCount(const std::string& text);

// The lines of `log` that contain `text`, in order.
std::vector<std::string> linesWith(const std::string& log, const std::string& text);

// What an alert is about, without its times (live and replay clocks differ by a few ms).
using AlertFacts = std::tuple<std::string, std::string, std::string, std::string, std::string>;
std::multiset<AlertFacts> alertFacts(const nlohmann::json& alerts);
std::string describe(const std::multiset<AlertFacts>& facts);

// What the generator says of one of its captures (`camwatch-testgen SCENARIO --expect`), in the
// terms of the live metrics: packets, bytes, flows, and per camera the egress bytes (camera to a
// public destination, on the wire) and egress flows. Independent of camwatch: it comes from the
// flows the generator wrote.
struct CaptureExpectation {
  double packets = 0;
  double bytes = 0;
  double flows = 0;
  std::map<std::string, std::pair<double, double>> egress;     // camera label -> (bytes, flows)
  std::map<std::string, std::pair<double, double>> egress_to;  // destination -> (bytes, flows)
};

// Who is who on a generated site: a flow is a camera's when its source starts with
// `camera_prefix` and is not one of `local_hosts`; `names` are the inventory's names of the
// cameras (a device it does not list keeps its address as its label).
struct SiteAddresses {
  std::string camera_prefix;
  std::set<std::string> local_hosts;
  std::map<std::string, std::string> names;  // address -> camera name
};

// The facts of `camwatch-testgen SCENARIO --expect` (capture and facts written into `dir` as
// SCENARIO.pcap and SCENARIO.json), with the egress of `site`'s cameras.
CaptureExpectation expectScenario(const TempDir& dir, const std::string& scenario,
                                  const SiteAddresses& site);

// The demo capture's facts, checked to be those of the shipped demo/camera-vlan-demo.pcap; egress
// under the ground-truth inventory's camera names.
CaptureExpectation expectDemo(const TempDir& dir);

// The branch capture's facts (`camwatch-testgen branch`: a second site, five cameras), egress
// under the names of tests/integration/configs/branch.yaml.
CaptureExpectation expectBranch(const TempDir& dir);

class LiveRunTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Mounts a tmpfs of `size` (mount(8) syntax) on a new folder `name` of dir_; TearDown unmounts
  // it. Mounted before the sensor starts, it is in the mount namespace `ip netns exec` gives the
  // sensor too (a copy of ours), and both see the same file system. @return "" or the error.
  std::string mountTmpfs(const std::string& name, const std::string& size);

  // The alerts `camwatch replay` makes of the capture with the ground-truth config (two workers).
  std::multiset<AlertFacts> replayAlerts();

  // Starts `camwatch run` in the receiver namespace on its veth end, its metrics on a port it
  // binds itself (the one it got is in its "metrics at" log line), and waits until /metrics
  // answers.
  void startSensor(const std::string& config_text, const std::string& extra_args = "",
                   const std::string& environment = "");

  std::string scrape();

  // Sends the capture at kPacketsPerSecond and waits until every packet was counted. `meanwhile`
  // runs on this thread while tcpreplay sends.
  // `rate` is tcpreplay's timing option: a fixed rate by default, "--multiplier=1" for the
  // capture's own timing.
  void sendCapture(double expected_total, const std::function<void()>& meanwhile = {},
                   const std::string& rate = fmt::format("--pps={}", kPacketsPerSecond));

  bool logSays(const std::string& text,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  int stopSensor();

  TempDir dir_;
  std::unique_ptr<testkit::NetnsPair> pair_;
  std::unique_ptr<testkit::BackgroundProcess> sensor_;
  std::string capture_;
  std::uint64_t packets_ = 0;
  int port_ = 0;       // the sensor's metrics port, read from its log
  std::string tmpfs_;  // mounted by mountTmpfs
};

}  // namespace camwatch::integration
