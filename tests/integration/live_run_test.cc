// `camwatch run` on real packets: each test makes two network namespaces joined by a veth pair
// (tests/support/netns_pair.h), runs the sensor on the receiving end and sends a capture with
// tcpreplay from the other, at a fixed rate. What the sensor reports (its /metrics, scraped over
// HTTP, and its jsonl alert sink) must equal what `camwatch replay` makes of the same capture.
// Needs root, `ip netns` and tcpreplay (setup.sh installs it); skipped otherwise, saying which.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/capture.h>

#include "integration/ground_truth.h"
#include "integration/run_command.h"
#include "support/app_payloads.h"
#include "support/netns_pair.h"
#include "support/packet_builder.h"
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

// The demo capture written again starting now, each packet at `retime(index, offset)` after
// the start, where offset is its time since the demo's first packet.
template <typename Retime>
std::uint64_t writeRetimedDemo(const std::string& path, const Retime& retime) {
  auto input = CaptureFile::open(kDemo);
  if (!input) return 0;
  testkit::PcapWriter output(path);
  RawPacket packet;
  const Timestamp start = static_cast<Timestamp>(time(nullptr)) * kNanosPerSecond;
  Timestamp first = -1;
  for (Timestamp index = 0; (*input)->next(packet) == ReadStatus::kPacket; ++index) {
    if (first < 0) first = packet.ts;
    output.write(start + retime(index, packet.ts - first), packet.data, packet.wire_len);
  }
  output.close();
  return output.packetsWritten();
}

// The demo with its packets 1/kPacketsPerSecond apart (the demo spans minutes; this keeps the
// order and makes the test take seconds).
std::uint64_t writeEvenlySpacedDemo(const std::string& path) {
  return writeRetimedDemo(path, [](Timestamp index, Timestamp /*offset*/) {
    return index * (kNanosPerSecond / kPacketsPerSecond);
  });
}

// The demo with its own timing sped up `factor` times: the gaps between packets keep their
// proportions, so with idle timeouts `factor` times shorter than the defaults the flows end where
// the generator's flows end (demo: the longest gap inside a flow is 10 s, the shortest between
// two flows of one 5-tuple 300 s).
std::uint64_t writeCompressedDemo(const std::string& path, Timestamp factor) {
  return writeRetimedDemo(
      path, [factor](Timestamp /*index*/, Timestamp offset) { return offset / factor; });
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

// Sum of the series of `family` that have `label` (`name="value"`).
double metricSumWith(const std::string& exposition, const std::string& family,
                     const std::string& label) {
  std::string matching;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family + "{", 0) == 0 && line.find(label) != std::string::npos)
      matching += line + "\n";
  }
  return metricSum(matching, family);
}

double lineCount(const std::string& text) {
  return static_cast<double>(std::count(text.begin(), text.end(), '\n'));
}

// The lines of `log` that contain `text`, in order.
std::vector<std::string> linesWith(const std::string& log, const std::string& text) {
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) found.push_back(line);
  }
  return found;
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

// What a service manager hears on NOTIFY_SOCKET: a bound datagram socket that a thread keeps
// reading, as systemd does (a unix datagram queue holds only max_dgram_qlen messages, 10 by
// default; a sender blocks when it is full).
class NotifyListener {
 public:
  explicit NotifyListener(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof(address.sun_path) - 1);
    ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    timeval timeout{0, 100000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    reader_ = std::thread([this] {
      char buffer[4096];
      while (!stop_.load()) {
        const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
        if (got <= 0) continue;
        const std::lock_guard lock(mutex_);
        messages_.emplace_back(buffer, static_cast<std::size_t>(got));
      }
    });
  }
  ~NotifyListener() {
    stop_.store(true);
    reader_.join();
    ::close(fd_);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;
  const std::string& path() const { return path_; }
  bool heard(const std::string& text) {
    const std::lock_guard lock(mutex_);
    for (const std::string& message : messages_) {
      if (message.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> messages_;
  std::thread reader_;
};

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
    packets_ = writeEvenlySpacedDemo(capture_);
    ASSERT_GT(packets_, 1000U);
  }

  void TearDown() override {
    sensor_.reset();
    pair_.reset();
    // Also after a failed assertion: a test's tmpfs does not outlive it.
    if (!tmpfs_.empty()) umount2(tmpfs_.c_str(), MNT_DETACH);
  }

  // Mounts a tmpfs of `size` (mount(8) syntax) on a new folder `name` of dir_; TearDown unmounts
  // it. Mounted before the sensor starts, it is in the mount namespace `ip netns exec` gives the
  // sensor too (a copy of ours), and both see the same file system. @return "" or the error.
  std::string mountTmpfs(const std::string& name, const std::string& size) {
    tmpfs_ = dir_.path(name);
    std::filesystem::create_directory(tmpfs_);
    if (mount("tmpfs", tmpfs_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
      const std::string error = std::strerror(errno);
      tmpfs_.clear();
      return "cannot mount a tmpfs: " + error;
    }
    return "";
  }

  // The alerts `camwatch replay` makes of the capture with the ground-truth config (two workers).
  std::multiset<AlertFacts> replayAlerts() {
    std::ofstream(dir_.path("replay.yaml"))
        << groundTruthConfig(fmt::format("alerts:\n  spool_dir: {}\n", dir_.path("replay-spool")));
    const CommandResult replay = runCommand(fmt::format(
        "{} replay -c {} --workers 2 --summary {} --alerts {} {} 2>&1", shellQuote(kBinary),
        shellQuote(dir_.path("replay.yaml")), shellQuote(dir_.path("summary.json")),
        shellQuote(dir_.path("replay-alerts.jsonl")), shellQuote(capture_)));
    EXPECT_EQ(replay.exit_code, 0) << replay.out + replay.err;
    return alertFacts(readJsonLines(dir_.path("replay-alerts.jsonl")));
  }

  // Starts `camwatch run` in the receiver namespace on its veth end, its metrics on a port it
  // binds itself (the one it got is in its "metrics at" log line), and waits until /metrics
  // answers.
  void startSensor(const std::string& config_text, const std::string& extra_args = "",
                   const std::string& environment = "") {
    std::ofstream(dir_.path("camwatch.yaml")) << config_text;
    sensor_ = std::make_unique<BackgroundProcess>(
        fmt::format("{} ip netns exec {} {} run -c {} --interface {} --metrics 127.0.0.1:0 {}",
                    environment, pair_->receiverNs(), shellQuote(kBinary),
                    shellQuote(dir_.path("camwatch.yaml")), pair_->receiverInterface(), extra_args),
        dir_.path("run.log"));
    const bool bound = waitUntil(
        [&] { return (port_ = metricsPortInLog(sensor_->log())) != 0 || !sensor_->running(); },
        milliseconds(20000));
    ASSERT_TRUE(bound && port_ != 0) << sensor_->log();
    const bool up =
        waitUntil([&] { return !scrape().empty() || !sensor_->running(); }, milliseconds(20000));
    ASSERT_TRUE(up && sensor_->running()) << sensor_->log();
  }

  std::string scrape() { return httpGetInNetns(pair_->receiverNs(), port_, "/metrics"); }

  // Sends the capture at kPacketsPerSecond and waits until every packet was counted. `meanwhile`
  // runs on this thread while tcpreplay sends.
  // `rate` is tcpreplay's timing option: a fixed rate by default, "--multiplier=1" for the
  // capture's own timing.
  void sendCapture(double expected_total, const std::function<void()>& meanwhile = {},
                   const std::string& rate = fmt::format("--pps={}", kPacketsPerSecond)) {
    CommandResult sent;
    std::thread sender([&] {
      sent = runCommand(fmt::format("ip netns exec {} tcpreplay -q -i {} {} {} 2>&1",
                                    pair_->senderNs(), pair_->senderInterface(), rate,
                                    shellQuote(capture_)));
    });
    if (meanwhile) meanwhile();
    sender.join();
    ASSERT_EQ(sent.exit_code, 0) << sent.out + sent.err;
    const bool counted = waitUntil(
        [&] { return metricSum(scrape(), "camwatch_worker_packets_total") >= expected_total; },
        milliseconds(15000));
    EXPECT_TRUE(counted) << "packets counted: "
                         << metricSum(scrape(), "camwatch_worker_packets_total") << " of "
                         << expected_total << "\n"
                         << sensor_->log();
  }

  bool logSays(const std::string& text, milliseconds timeout = milliseconds(10000)) {
    return waitUntil([&] { return sensor_->log().find(text) != std::string::npos; }, timeout);
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
  int port_ = 0;       // the sensor's metrics port, read from its log
  std::string tmpfs_;  // mounted by mountTmpfs
};

// What the generator says of the demo capture (`camwatch-testgen demo --expect`), in the terms
// of the live metrics: packets, bytes, flows, and per camera the egress bytes (camera to a public
// destination, on the wire) and egress flows. Independent of camwatch: it comes from the flows
// the generator wrote.
struct DemoExpectation {
  double packets = 0;
  double bytes = 0;
  double flows = 0;
  std::map<std::string, std::pair<double, double>> egress;  // camera label -> (bytes, flows)
};

// A destination outside every private, shared, link-local and multicast range: what camwatch
// calls public (docs/flows.md, dst_scope). The demo's addresses are all IPv4.
bool isPublicIpv4(const std::string& ip) {
  unsigned a = 0;
  unsigned b = 0;
  if (std::sscanf(ip.c_str(), "%u.%u.", &a, &b) != 2) return false;
  return !(a == 10 || a == 127 || a >= 224 || (a == 172 && b >= 16 && b < 32) ||
           (a == 192 && b == 168) || (a == 169 && b == 254) || (a == 100 && b >= 64 && b < 128));
}

DemoExpectation expectDemo(const TempDir& dir) {
  const std::string capture = dir.path("expected-demo.pcap");
  const std::string facts = dir.path("expected-demo.json");
  const CommandResult made =
      runCommand(fmt::format("{} demo {} --expect {} 2>&1", shellQuote(CAMWATCH_TESTGEN),
                             shellQuote(capture), shellQuote(facts)));
  EXPECT_EQ(made.exit_code, 0) << made.out;
  // The facts are those of the shipped demo capture only if the generator still writes it.
  EXPECT_EQ(readFile(capture), readFile(kDemo)) << "demo/camera-vlan-demo.pcap is stale";
  const nlohmann::json expected = nlohmann::json::parse(readFile(facts));
  // The ground-truth inventory's names; the unknown device keeps its address as its label.
  const std::map<std::string, std::string> names = {{"192.168.10.21", "cam-lobby"},
                                                    {"192.168.10.22", "cam-car-park"},
                                                    {"192.168.10.23", "cam-gate"},
                                                    {"192.168.10.24", "cam-yard"}};
  DemoExpectation demo;
  demo.packets = expected.at("packets").get<double>();
  demo.bytes = expected.at("bytes").get<double>();
  for (const auto& flow : expected.at("flows")) {
    const std::string src = flow.at("src_ip").get<std::string>();
    const std::string dst = flow.at("dst_ip").get<std::string>();
    const bool camera =
        src.rfind("192.168.10.", 0) == 0 && src != "192.168.10.1" && src != "192.168.10.200";
    if (!camera || !isPublicIpv4(dst)) continue;
    const auto name = names.find(src);
    auto& [bytes, flows] = demo.egress[name == names.end() ? src : name->second];
    bytes += flow.at("bytes_to_server").get<double>();
    flows += 1;
  }
  demo.flows = static_cast<double>(expected.at("flows").size());
  return demo;
}

std::vector<std::string> describeSorted(const nlohmann::json& alerts) {
  std::vector<std::string> rows;
  for (const auto& alert : alerts) rows.push_back(integration::describe(alert));
  std::sort(rows.begin(), rows.end());
  return rows;
}

// `camwatch run` on the demo capture sent over a veth: every packet, byte and flow, each camera's
// egress bytes and flows, and the alerts (kind, camera, destination, rule, severity, status) equal
// both the generator's facts and the ground truth written down from the scenario, and what
// `camwatch replay` makes of the same capture.
TEST_F(LiveRunTest, LiveCaptureMatchesTheReplayOfTheSameCapture) {
  const DemoExpectation expected = expectDemo(dir_);
  ASSERT_EQ(expected.egress.size(), 5U);
  // The demo's ten minutes in six seconds, with idle timeouts a hundred times shorter: every flow
  // ends on its own a second after its last packet, as the generator's flows do, so the egress
  // of each (published when it ends, or once a second after its classification) is final before
  // the sensor stops.
  capture_ = dir_.path("demo-x100.pcap");
  packets_ = writeCompressedDemo(capture_, 100);
  ASSERT_EQ(static_cast<double>(packets_), expected.packets);
  const std::string timeouts =
      "flows:\n  tcp_idle_timeout: 1s\n  udp_idle_timeout: 1s\n  tcp_closed_timeout: 1s\n";

  const std::string sinks = fmt::format(
      "alerts:\n  spool_dir: {}\n  sinks:\n    - type: jsonl\n      path: {}\n"
      "capture:\n  workers: 2\n{}",
      dir_.path("spool"), dir_.path("live-alerts.jsonl"), timeouts);
  startSensor(groundTruthConfig(sinks));
  sendCapture(static_cast<double>(packets_), {}, "--multiplier=1");
  double expected_egress = 0;
  for (const auto& [camera, egress] : expected.egress) expected_egress += egress.first;
  std::string metrics;
  waitUntil(
      [&] {
        metrics = scrape();
        return metricSum(metrics, "camwatch_flows_active") == 0 &&
               metricSum(metrics, "camwatch_egress_bytes_total") >= expected_egress;
      },
      milliseconds(15000));
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  const std::string log = sensor_->log();
  EXPECT_NE(log.find("SIGTERM: stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped after"), std::string::npos) << log;

  // The same capture, replayed with the same config and two workers.
  std::ofstream(dir_.path("replay.yaml")) << groundTruthConfig(
      fmt::format("alerts:\n  spool_dir: {}\n{}", dir_.path("replay-spool"), timeouts));
  const CommandResult replay = runCommand(fmt::format(
      "{} replay -c {} --workers 2 --summary {} --alerts {} --metrics {} {} 2>&1",
      shellQuote(kBinary), shellQuote(dir_.path("replay.yaml")),
      shellQuote(dir_.path("summary.json")), shellQuote(dir_.path("replay-alerts.jsonl")),
      shellQuote(dir_.path("replay.prom")), shellQuote(capture_)));
  ASSERT_EQ(replay.exit_code, 0) << replay.out + replay.err;
  const nlohmann::json summary = nlohmann::json::parse(readFile(dir_.path("summary.json")));
  const std::string replay_metrics = readFile(dir_.path("replay.prom"));

  // Packets, bytes and flows: live = generator = replay.
  EXPECT_EQ(metricSum(metrics, "camwatch_worker_packets_total"), expected.packets);
  EXPECT_EQ(metricSum(metrics, "camwatch_capture_dropped_packets_total"), 0.0);
  EXPECT_EQ(metricSum(metrics, "camwatch_worker_bytes_total"), expected.bytes) << metrics;
  EXPECT_EQ(summary.at("packets").get<double>(), expected.packets);
  EXPECT_EQ(summary.at("bytes").get<double>(), expected.bytes);
  EXPECT_EQ(metricSum(metrics, "camwatch_flows_created_total"), expected.flows) << metrics;
  EXPECT_EQ(summary.at("flows").at("total").get<double>(), expected.flows);

  // Each camera's egress, bytes and flows: live = generator = replay (its --metrics file has the
  // same families).
  for (const auto& [camera, egress] : expected.egress) {
    const std::string label = fmt::format("camera=\"{}\"", camera);
    EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_bytes_total", label), egress.first)
        << camera << "\n"
        << metrics;
    EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_flows_total", label), egress.second)
        << camera << "\n"
        << metrics;
    EXPECT_EQ(metricSumWith(replay_metrics, "camwatch_egress_bytes_total", label), egress.first)
        << camera << "\n"
        << replay_metrics;
    EXPECT_EQ(metricSumWith(replay_metrics, "camwatch_egress_flows_total", label), egress.second)
        << camera << "\n"
        << replay_metrics;
  }
  EXPECT_EQ(metricSum(metrics, "camwatch_egress_bytes_total"), expected_egress) << metrics;

  // The alerts: exactly the ground truth, live and replayed.
  const nlohmann::json live_json = readJsonLines(dir_.path("live-alerts.jsonl"));
  const nlohmann::json replay_json = readJsonLines(dir_.path("replay-alerts.jsonl"));
  std::vector<std::string> ground_truth = kGroundTruthAlerts;
  std::sort(ground_truth.begin(), ground_truth.end());
  EXPECT_EQ(describeSorted(live_json), ground_truth) << log;
  EXPECT_EQ(describeSorted(replay_json), ground_truth);
  const auto live_alerts = alertFacts(live_json);
  const auto replay_alerts = alertFacts(replay_json);
  EXPECT_EQ(live_alerts, replay_alerts) << "live:\n"
                                        << describe(live_alerts) << "replay:\n"
                                        << describe(replay_alerts) << log;
  // The alerts counted on /metrics (scraped before the stop) are the ones delivered.
  EXPECT_LE(metricSum(metrics, "camwatch_alerts_total"), static_cast<double>(live_alerts.size()));
}

// Disk full under the alert spool (issue 8): a 64 KiB tmpfs, filled up once the sensor has
// opened its spool there, while traffic raises alerts. The sensor keeps running and says why it
// cannot spool; the alerts wait in memory. Once there is room again they are spooled and reach
// the sink, and the sink ends up with exactly the alerts a replay of the same capture makes.
TEST_F(LiveRunTest, AFullSpoolDiskHoldsTheAlertsInMemoryAndLosesNoneOnceThereIsRoom) {
  ASSERT_EQ(mountTmpfs("spool-fs", "64k"), "");
  const std::string sinks = fmt::format(
      "alerts:\n  spool_dir: {}/spool\n  sinks:\n    - type: jsonl\n      path: {}\n"
      "capture:\n  workers: 2\n",
      tmpfs_, dir_.path("live-alerts.jsonl"));
  startSensor(groundTruthConfig(sinks));

  const std::string filler = tmpfs_ + "/filler";
  {
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const std::string block(4096, 'x');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    const int error = errno;
    ::close(fd);
    ASSERT_EQ(error, ENOSPC) << "the filler stopped with " << std::strerror(error);
  }

  sendCapture(static_cast<double>(packets_));
  std::string metrics;
  const bool holding = waitUntil(
      [&] {
        metrics = scrape();
        return metricSum(metrics, "camwatch_alert_spool_write_errors_total") > 0 &&
               metricSum(metrics, "camwatch_alert_spool_held_alerts") > 0;
      },
      milliseconds(15000));
  ASSERT_TRUE(holding) << metrics << sensor_->log();
  ASSERT_TRUE(sensor_->running()) << sensor_->log();
  EXPECT_TRUE(logSays("alert spool cannot be written")) << sensor_->log();
  EXPECT_NE(sensor_->log().find("No space left on device"), std::string::npos) << sensor_->log();
  EXPECT_NE(sensor_->log().find("held in memory until it can be written"), std::string::npos)
      << sensor_->log();
  const double held = metricSum(metrics, "camwatch_alert_spool_held_alerts");
  // Nothing reached the sink: every alert is waiting in memory.
  EXPECT_EQ(readFile(dir_.path("live-alerts.jsonl")), "");

  // Room again: the next retry (once a second) spools them, the delivery thread sends them.
  ASSERT_EQ(::unlink(filler.c_str()), 0);
  ASSERT_TRUE(logSays("alert spool writable again")) << sensor_->log();
  const bool drained = waitUntil(
      [&] {
        metrics = scrape();
        return metricSum(metrics, "camwatch_alert_spool_held_alerts") == 0 &&
               lineCount(readFile(dir_.path("live-alerts.jsonl"))) >= held;
      },
      milliseconds(15000));
  EXPECT_TRUE(drained) << metrics << sensor_->log();
  EXPECT_EQ(metricSum(metrics, "camwatch_alert_spool_held_dropped_total"), 0.0) << metrics;
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();

  // None lost (the ones raised at the stop included): what a replay of the capture makes.
  const auto live_alerts = alertFacts(readJsonLines(dir_.path("live-alerts.jsonl")));
  const auto replay_alerts = replayAlerts();
  EXPECT_GE(replay_alerts.size(), 5U);
  EXPECT_EQ(live_alerts, replay_alerts) << "live:\n"
                                        << describe(live_alerts) << "replay:\n"
                                        << describe(replay_alerts) << sensor_->log();
}

TEST_F(LiveRunTest, SighupReloadsThePolicyAndABadConfigKeepsTheRunningOne) {
  const std::string sinks =
      fmt::format("alerts:\n  spool_dir: {}\n  sinks:\n    - type: jsonl\n      path: {}\n",
                  dir_.path("spool"), dir_.path("alerts.jsonl"));
  const std::string config = groundTruthConfig(sinks);
  // At start the deny rule names another domain: www.example.com is only the default's.
  std::string before = config;
  const std::size_t rule = before.find("\"*.example.com\"");
  ASSERT_NE(rule, std::string::npos);
  before.replace(rule, 15, "\"*.example.org\"");
  NotifyListener notify(dir_.path("notify.sock"));
  startSensor(before, "", "env NOTIFY_SOCKET=" + shellQuote(notify.path()));
  EXPECT_TRUE(waitUntil([&] { return notify.heard("READY=1"); }, milliseconds(5000)));
  EXPECT_TRUE(notify.heard("STATUS=capturing on " + pair_->receiverInterface()));
  EXPECT_TRUE(waitUntil([&] { return notify.heard("WATCHDOG=1"); }, milliseconds(5000)));

  // A config that does not load: logged, and the sensor runs on with the old one.
  std::ofstream(dir_.path("camwatch.yaml")) << config << "policy: [oops\n";
  sensor_->signal(SIGHUP);
  ASSERT_TRUE(logSays("reload failed, the running config stays")) << sensor_->log();
  EXPECT_NE(sensor_->log().find("camwatch.yaml:"), std::string::npos) << sensor_->log();
  EXPECT_TRUE(waitUntil([&] { return notify.heard("RELOADING=1"); }, milliseconds(5000)));
  ASSERT_TRUE(sensor_->running());

  // The fixed config: its deny rule applies to the flows after the reload. Meanwhile logrotate
  // moved the jsonl file away: the reload reopens it, and the alerts go to the new file.
  std::filesystem::rename(dir_.path("alerts.jsonl"), dir_.path("alerts.jsonl.1"));
  std::ofstream(dir_.path("camwatch.yaml")) << config;
  sensor_->signal(SIGHUP);
  ASSERT_TRUE(logSays("reloaded ")) << sensor_->log();
  // Reloads while packets arrive lose none of them: capture never stops for a reload.
  sendCapture(static_cast<double>(packets_), [&] {
    for (int i = 0; i < 4; ++i) {
      std::this_thread::sleep_for(milliseconds(500));
      sensor_->signal(SIGHUP);
    }
  });
  const std::string metrics = scrape();
  EXPECT_EQ(metricSum(metrics, "camwatch_worker_packets_total"), static_cast<double>(packets_));
  EXPECT_EQ(metricSum(metrics, "camwatch_capture_dropped_packets_total"), 0.0);
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  EXPECT_TRUE(notify.heard("STOPPING=1"));

  bool denied_by_rule = false;
  for (const auto& alert : readJsonLines(dir_.path("alerts.jsonl"))) {
    if (alert.at("rule") == "rule:no-example") denied_by_rule = true;
  }
  EXPECT_TRUE(denied_by_rule) << readFile(dir_.path("alerts.jsonl")) << sensor_->log();
  EXPECT_EQ(readFile(dir_.path("alerts.jsonl.1")), "");
}

// A GeoIP database overwritten with garbage (a bad download), or cut short, under a running
// sensor (issue 8): each SIGHUP reload is refused naming the file, and the sensor goes on
// labelling new flows with the data it read at start (its own sealed in-memory copy). Once the
// good file is back the next reload is accepted. Flows end a second after their last packet, so
// the second send's flows are all judged after the refused reloads.
TEST_F(LiveRunTest, ACorruptGeoIpDatabaseIsRefusedOnReloadAndTheOldDataStaysInUse) {
  const std::string geo = dir_.path("geo");
  std::filesystem::create_directory(geo);
  const CommandResult made =
      runCommand(fmt::format("{} {} {} 2>&1", shellQuote(CAMWATCH_PERL),
                             shellQuote(CAMWATCH_MAKE_TEST_MMDB), shellQuote(geo)));
  ASSERT_EQ(made.exit_code, 0) << made.out;
  const std::string mmdb = geo + "/demo-geo.mmdb";
  const std::string good = readFile(mmdb);
  ASSERT_GT(good.size(), 100U);
  // A one-entry GeoIP cache per worker: the demo's destinations evict each other, which the
  // 10 s report says.
  startSensor(groundTruthConfig(fmt::format(
      "geoip:\n  country_db: {0}\n  asn_db: {0}\n  cache_size: 1\n"
      "flows:\n  tcp_idle_timeout: 1s\n  udp_idle_timeout: 1s\n  tcp_closed_timeout: 1s\n"
      "capture:\n  workers: 2\n",
      mmdb)));

  // Every flow of a send ended and its egress counted: (bytes to DE, bytes to "unknown").
  const std::string de = "country=\"DE\"";
  const std::string unknown = "country=\"unknown\"";
  std::string metrics;
  const auto flowsEnded = [&](double de_at_least) {
    return waitUntil(
        [&] {
          metrics = scrape();
          return metricSum(metrics, "camwatch_flows_active") == 0 &&
                 metricSumWith(metrics, "camwatch_egress_bytes_total", de) >= de_at_least;
        },
        milliseconds(15000));
  };
  sendCapture(static_cast<double>(packets_));
  ASSERT_TRUE(flowsEnded(1)) << metrics << sensor_->log();
  const double de_first = metricSumWith(metrics, "camwatch_egress_bytes_total", de);
  EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_bytes_total", unknown), 0.0) << metrics;

  // Garbage in place of the database: refused, naming the file.
  std::ofstream(mmdb, std::ios::trunc) << std::string(4096, '\x5a') << "not an mmdb\n";
  sensor_->signal(SIGHUP);
  const std::string refused = "reload failed, the running config stays";
  ASSERT_TRUE(logSays(refused)) << sensor_->log();
  EXPECT_NE(linesWith(sensor_->log(), refused).at(0).find(mmdb), std::string::npos)
      << sensor_->log();
  ASSERT_TRUE(sensor_->running()) << sensor_->log();

  // The good file cut short (a copy interrupted), then emptied: refused too.
  std::size_t refusals = 1;
  for (const std::size_t size : {good.size() / 2, std::size_t{0}}) {
    std::ofstream(mmdb, std::ios::trunc) << good.substr(0, size);
    sensor_->signal(SIGHUP);
    ++refusals;
    ASSERT_TRUE(waitUntil([&] { return linesWith(sensor_->log(), refused).size() >= refusals; },
                          milliseconds(10000)))
        << sensor_->log();
    EXPECT_NE(linesWith(sensor_->log(), refused).back().find(mmdb), std::string::npos)
        << sensor_->log();
    ASSERT_TRUE(sensor_->running()) << sensor_->log();
  }
  EXPECT_EQ(linesWith(sensor_->log(), "reloaded ").size(), 0U) << sensor_->log();

  // New flows still get the countries of the data read at start: as many bytes to DE as the
  // first time, none unlabelled.
  sendCapture(2.0 * static_cast<double>(packets_));
  EXPECT_TRUE(flowsEnded(2 * de_first)) << "DE bytes the first time: " << de_first << "\n"
                                        << metrics << sensor_->log();
  // The same flows again: exactly twice the bytes (one flow to DE each time, ended whole).
  EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_bytes_total", de), 2 * de_first) << metrics;
  EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_bytes_total", unknown), 0.0) << metrics;
  EXPECT_EQ(metricSum(metrics, "camwatch_capture_dropped_packets_total"), 0.0) << metrics;

  // The good file back: the next reload is accepted.
  std::ofstream(mmdb, std::ios::trunc) << good;
  sensor_->signal(SIGHUP);
  ASSERT_TRUE(logSays("reloaded ")) << sensor_->log();
  EXPECT_EQ(linesWith(sensor_->log(), refused).size(), 3U) << sensor_->log();

  // The drop report (every 10 s) names the full GeoIP cache and the key that sizes it.
  EXPECT_TRUE(logSays("geoip.cache_size = 1 per worker", milliseconds(15000))) << sensor_->log();
  EXPECT_NE(sensor_->log().find("GeoIP cache full"), std::string::npos) << sensor_->log();
  EXPECT_EQ(stopSensor(), 0) << sensor_->log();
}

// More DNS answers than the smallest answer cache holds (dns.cache_size 64): the 10 s report
// says the cache was full and names the key that sizes it, once while the count does not grow.
TEST_F(LiveRunTest, AFullDnsAnswerCacheIsReportedNamingItsSize) {
  capture_ = dir_.path("dns-answers.pcap");
  {
    testkit::PcapWriter output(capture_);
    Timestamp ts = static_cast<Timestamp>(time(nullptr)) * kNanosPerSecond;
    const testkit::Mac gateway = testkit::parseMac("00:11:22:33:44:01");
    const testkit::Mac camera = testkit::parseMac("e0:50:8b:4d:90:24");
    for (int response = 0; response < 10; ++response) {
      std::vector<testkit::DnsRecord> answers;
      for (int i = 0; i < 40; ++i) {
        answers.push_back({"cdn.example.net", testkit::kDnsTypeA,
                           fmt::format("198.18.{}.{}", response, i + 1), 3600});
      }
      const auto id = static_cast<std::uint16_t>(response + 1);
      output.write(
          ts, testkit::Frame()
                  .eth(gateway, camera)
                  .ipv4("192.168.10.1", "192.168.10.24")
                  .udp(53, static_cast<std::uint16_t>(40000 + response))
                  .payload(testkit::dnsResponse(id, "cdn.example.net", testkit::kDnsTypeA, answers))
                  .build());
      ts += kNanosPerSecond / kPacketsPerSecond;
    }
    output.close();
  }
  startSensor(groundTruthConfig("dns:\n  cache_size: 64\n"));
  sendCapture(10);
  std::string metrics = scrape();
  EXPECT_TRUE(waitUntil(
      [&] {
        metrics = scrape();
        return metricSum(metrics, "camwatch_dns_cache_evictions_total") > 0;
      },
      milliseconds(5000)))
      << metrics;
  EXPECT_EQ(metricSum(metrics, "camwatch_dns_answers_total"), 400.0) << metrics;
  ASSERT_TRUE(logSays("DNS answer cache full", milliseconds(15000))) << sensor_->log();
  const std::vector<std::string> lines = linesWith(sensor_->log(), "DNS answer cache full");
  EXPECT_NE(lines.at(0).find("(dns.cache_size = 64)"), std::string::npos) << lines.at(0);
  EXPECT_NE(
      lines.at(0).find(fmt::format("{0} unexpired names dropped in the last 10 s ({0} in all)",
                                   metricSum(metrics, "camwatch_dns_cache_evictions_total"))),
      std::string::npos)
      << lines.at(0) << "\n"
      << metrics;
  EXPECT_EQ(stopSensor(), 0) << sensor_->log();
  // Said once: the count did not grow after it.
  EXPECT_EQ(linesWith(sensor_->log(), "DNS answer cache full").size(), 1U) << sensor_->log();
}

TEST_F(LiveRunTest, AsAnUnprivilegedUserReopensAnInterfaceThatWentAway) {
  std::string config = groundTruthConfig("");
  const std::size_t name = config.find("  name: ground-truth\n");
  ASSERT_NE(name, std::string::npos);
  config.insert(name, "  user: nobody\n");
  startSensor(config, "--workers 2");
  ASSERT_TRUE(logSays("uid=65534(nobody)")) << sensor_->log();
  EXPECT_TRUE(logSays("caps=cap_net_raw\n")) << sensor_->log();

  ASSERT_EQ(pair_->removeVeth(), "");
  ASSERT_TRUE(logSays("reopening it")) << sensor_->log();
  // Several failed attempts while it is gone, said once.
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_EQ(pair_->recreateVeth(), "");
  ASSERT_TRUE(logSays("capturing again", milliseconds(20000))) << sensor_->log();
  ASSERT_TRUE(sensor_->running());
  sendCapture(static_cast<double>(packets_));
  const std::string metrics = scrape();
  EXPECT_EQ(metricSum(metrics, "camwatch_worker_packets_total"), static_cast<double>(packets_));
  EXPECT_EQ(stopSensor(), 0) << sensor_->log();
}

// logging.format json (issue 15): every line `camwatch run` writes is one JSON object with time,
// level, message, pid and thread, and the lines about an interface, an alert or a signal carry
// those as fields. The delivery's own lines (a webhook nobody answers: 127.0.0.1 port 9, where
// nothing listens in the sensor's fresh namespace) come through the same logger, not around it.
TEST_F(LiveRunTest, JsonLogsAreOneObjectPerLineWithFields) {
  const std::string config = groundTruthConfig(fmt::format(
      "logging:\n  format: json\n  level: info\n"
      "alerts:\n  spool_dir: {}\n  retry_base: 100ms\n  retry_max: 200ms\n  drain_timeout: 1s\n"
      "  sinks:\n"
      "    - type: jsonl\n      path: {}\n"
      "    - type: webhook\n      name: nobody-home\n      url: http://127.0.0.1:9/hook\n"
      "capture:\n  workers: 2\n",
      dir_.path("spool"), dir_.path("alerts.jsonl")));
  startSensor(config);
  sendCapture(static_cast<double>(packets_));
  sensor_->signal(SIGHUP);
  ASSERT_TRUE(logSays("reloaded ")) << sensor_->log();
  ASSERT_TRUE(logSays("nobody-home")) << sensor_->log();
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();

  std::istringstream lines(sensor_->log());
  std::size_t count = 0;
  std::set<std::string> levels;
  bool ready = false;
  bool alert = false;
  bool stopping = false;
  bool delivery = false;
  for (std::string line; std::getline(lines, line);) {
    ++count;
    const auto object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << "line " << count << " is not a JSON object: " << line;
    ASSERT_TRUE(object.contains("time") && object.at("time").is_string()) << line;
    EXPECT_EQ(object.at("time").get<std::string>().size(), 27U) << line;  // ...SS.ffffffZ
    EXPECT_EQ(object.at("time").get<std::string>().back(), 'Z') << line;
    ASSERT_TRUE(object.contains("level") && object.at("level").is_string()) << line;
    levels.insert(object.at("level").get<std::string>());
    ASSERT_TRUE(object.contains("message") && object.at("message").is_string()) << line;
    EXPECT_TRUE(object.contains("pid") && object.at("pid").is_number()) << line;
    EXPECT_TRUE(object.contains("thread") && object.at("thread").is_number()) << line;
    const std::string message = object.at("message").get<std::string>();
    if (message.rfind("capturing on ", 0) == 0) {
      ready = true;
      EXPECT_EQ(object.value("interfaces", nlohmann::json()),
                nlohmann::json::array({pair_->receiverInterface()}))
          << line;
      EXPECT_EQ(object.value("workers", 0), 2) << line;
    }
    if (message.rfind("alert firing ", 0) == 0) {
      alert = true;
      EXPECT_TRUE(object.contains("alert_kind") && object.contains("camera_ip") &&
                  object.contains("rule") && object.contains("dedup_key"))
          << line;
    }
    if (message == "SIGTERM: stopping") {
      stopping = true;
      EXPECT_EQ(object.value("signal", ""), "SIGTERM") << line;
    }
    if (message.find("nobody-home") != std::string::npos) delivery = true;
  }
  EXPECT_GT(count, 5U) << sensor_->log();
  EXPECT_TRUE(ready && alert && stopping && delivery) << sensor_->log();
  EXPECT_TRUE(levels.count("info") == 1 && levels.count("warning") == 1) << sensor_->log();
  // The jsonl sink got the alerts all the same.
  EXPECT_GE(readJsonLines(dir_.path("alerts.jsonl")).size(), 5U);
}

}  // namespace
}  // namespace camwatch
