// `camwatch run` on real packets: each test makes two network namespaces joined by a veth pair
// (tests/support/netns_pair.h), runs the sensor on the receiving end and sends a capture with
// tcpreplay from the other, at a fixed rate. What the sensor reports (its /metrics, scraped over
// HTTP, and its jsonl alert sink) must equal what `camwatch replay` makes of the same capture.
// Needs root, `ip netns` and tcpreplay (setup.sh installs it); skipped otherwise, saying which.
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/capture.h>

#include "integration/run_command.h"
#include "support/alertmanager_process.h"
#include "support/netns_pair.h"
#include "support/pcap_writer.h"

namespace camwatch {
namespace {

using std::chrono::milliseconds;
using namespace integration;  // NOLINT: runCommand, TempDir, readFile, shellQuote
using testkit::BackgroundProcess;
using testkit::httpGetInNetns;
using testkit::NetnsPair;
using testkit::waitUntil;

const std::string kBinary = CAMWATCH_BINARY;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";
// tcpreplay sends at this rate; the retimed capture has the same spacing, so replay and live see
// the same packet timing (idle timeouts, budgets and lifecycle decide alike).
constexpr int kPacketsPerSecond = 2000;

// The demo capture with its packets 1/kPacketsPerSecond apart, starting now (the demo spans
// minutes; this keeps the order and makes the test take seconds).
std::uint64_t writeRetimedDemo(const std::string& path) {
  auto input = CaptureFile::open(kDemo);
  if (!input) return 0;
  testkit::PcapWriter output(path);
  RawPacket packet;
  Timestamp ts = static_cast<Timestamp>(time(nullptr)) * kNanosPerSecond;
  while ((*input)->next(packet) == ReadStatus::kPacket) {
    output.write(ts, packet.data, packet.wire_len);
    ts += kNanosPerSecond / kPacketsPerSecond;
  }
  output.close();
  return output.packetsWritten();
}

// The ground-truth config (tests/integration/configs) with absolute paths, plus `extra` YAML.
std::string groundTruthConfig(const std::string& extra) {
  std::string text = readFile(kGroundTruth);
  for (std::size_t at = 0; (at = text.find("../../../", at)) != std::string::npos;)
    text.replace(at, 9, kSourceDir + "/");
  return text + extra;
}

// Sum of every series of `family` in a Prometheus text exposition.
double metricSum(const std::string& exposition, const std::string& family) {
  double sum = 0;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(family, 0) != 0) continue;
    const char next = line.size() > family.size() ? line[family.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// What an alert is about, without its times (live and replay clocks differ by a few ms).
using AlertFacts = std::tuple<std::string, std::string, std::string, std::string, std::string>;
std::multiset<AlertFacts> alertFacts(const nlohmann::json& alerts) {
  std::multiset<AlertFacts> facts;
  for (const auto& alert : alerts) {
    const auto& destination = alert.at("destination");
    facts.insert({alert.at("kind").get<std::string>(), alert.at("camera").at("ip").dump(),
                  destination.is_null() ? "" : destination.value("ip", nlohmann::json()).dump(),
                  alert.at("rule").get<std::string>(), alert.at("status").get<std::string>()});
  }
  return facts;
}

std::string describe(const std::multiset<AlertFacts>& facts) {
  std::string text;
  for (const auto& [kind, camera, destination, rule, status] : facts)
    text += fmt::format("  {} {} {} -> {} ({})\n", status, kind, camera, destination, rule);
  return text;
}

class LiveRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = testkit::netnsUnavailableReason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
    static int counter = 0;
    pair_ = std::make_unique<NetnsPair>(fmt::format("{}l{}", getpid() % 100000, counter++));
    const std::string failed = pair_->create();
    ASSERT_EQ(failed, "");
    capture_ = dir_.path("demo-2kpps.pcap");
    packets_ = writeRetimedDemo(capture_);
    ASSERT_GT(packets_, 1000U);
  }

  void TearDown() override {
    sensor_.reset();
    pair_.reset();
  }

  // Starts `camwatch run` in the receiver namespace on its veth end and waits until /metrics
  // answers.
  void startSensor(const std::string& config_text, const std::string& extra_args = "") {
    std::ofstream(dir_.path("camwatch.yaml")) << config_text;
    port_ = testkit::freeLoopbackPort();
    sensor_ = std::make_unique<BackgroundProcess>(
        fmt::format("ip netns exec {} {} run -c {} --interface {} --metrics 127.0.0.1:{} {}",
                    pair_->receiverNs(), shellQuote(kBinary),
                    shellQuote(dir_.path("camwatch.yaml")), pair_->receiverInterface(), port_,
                    extra_args),
        dir_.path("run.log"));
    const bool up =
        waitUntil([&] { return !scrape().empty() || !sensor_->running(); }, milliseconds(20000));
    ASSERT_TRUE(up && sensor_->running()) << sensor_->log();
  }

  std::string scrape() { return httpGetInNetns(pair_->receiverNs(), port_, "/metrics"); }

  // Sends the capture at kPacketsPerSecond and waits until every packet was counted.
  void sendCapture(double expected_total) {
    const CommandResult sent = runCommand(
        fmt::format("ip netns exec {} tcpreplay -q -i {} --pps={} {} 2>&1", pair_->senderNs(),
                    pair_->senderInterface(), kPacketsPerSecond, shellQuote(capture_)));
    ASSERT_EQ(sent.exit_code, 0) << sent.out + sent.err;
    const bool counted = waitUntil(
        [&] { return metricSum(scrape(), "camwatch_worker_packets_total") >= expected_total; },
        milliseconds(15000));
    EXPECT_TRUE(counted) << "packets counted: "
                         << metricSum(scrape(), "camwatch_worker_packets_total") << " of "
                         << expected_total << "\n"
                         << sensor_->log();
  }

  int stopSensor() {
    sensor_->signal(SIGTERM);
    return sensor_->wait(milliseconds(45000));
  }

  TempDir dir_;
  std::unique_ptr<NetnsPair> pair_;
  std::unique_ptr<BackgroundProcess> sensor_;
  std::string capture_;
  std::uint64_t packets_ = 0;
  int port_ = 0;
};

TEST_F(LiveRunTest, LiveCaptureMatchesTheReplayOfTheSameCapture) {
  const std::string sinks = fmt::format(
      "alerts:\n  spool_dir: {}\n  sinks:\n    - type: jsonl\n      path: {}\n"
      "capture:\n  workers: 2\n",
      dir_.path("spool"), dir_.path("live-alerts.jsonl"));
  startSensor(groundTruthConfig(sinks));
  sendCapture(static_cast<double>(packets_));
  const std::string metrics = scrape();
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  const std::string log = sensor_->log();
  EXPECT_NE(log.find("SIGTERM: stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped after"), std::string::npos) << log;

  // The same capture, replayed with the same config and two workers.
  std::ofstream(dir_.path("replay.yaml"))
      << groundTruthConfig(fmt::format("alerts:\n  spool_dir: {}\n", dir_.path("replay-spool")));
  const CommandResult replay = runCommand(fmt::format(
      "{} replay -c {} --workers 2 --summary {} --alerts {} {} 2>&1", shellQuote(kBinary),
      shellQuote(dir_.path("replay.yaml")), shellQuote(dir_.path("summary.json")),
      shellQuote(dir_.path("replay-alerts.jsonl")), shellQuote(capture_)));
  ASSERT_EQ(replay.exit_code, 0) << replay.out + replay.err;
  const nlohmann::json summary = nlohmann::json::parse(readFile(dir_.path("summary.json")));

  EXPECT_EQ(metricSum(metrics, "camwatch_worker_packets_total"), static_cast<double>(packets_));
  EXPECT_EQ(metricSum(metrics, "camwatch_capture_dropped_packets_total"), 0.0);
  EXPECT_EQ(metricSum(metrics, "camwatch_worker_bytes_total"), summary.at("bytes").get<double>())
      << metrics;
  EXPECT_EQ(metricSum(metrics, "camwatch_flows_created_total"),
            summary.at("flows").at("total").get<double>())
      << metrics;
  // Egress bytes exported per destination add up to what the replay counted out of cameras.
  EXPECT_GT(metricSum(metrics, "camwatch_egress_bytes_total"), 0.0) << metrics;

  const auto live_alerts = alertFacts(readJsonLines(dir_.path("live-alerts.jsonl")));
  const auto replay_alerts = alertFacts(readJsonLines(dir_.path("replay-alerts.jsonl")));
  EXPECT_GE(replay_alerts.size(), 5U);
  EXPECT_EQ(live_alerts, replay_alerts) << "live:\n"
                                        << describe(live_alerts) << "replay:\n"
                                        << describe(replay_alerts) << log;
  // The alerts counted on /metrics (scraped before the stop) are the ones delivered.
  EXPECT_LE(metricSum(metrics, "camwatch_alerts_total"), static_cast<double>(live_alerts.size()));
}

}  // namespace
}  // namespace camwatch
