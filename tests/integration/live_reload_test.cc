// `camwatch run` reloading on SIGHUP (the fixture, live_run_fixture.h, sends a capture over a veth
// pair into the sensor): a new policy takes effect, and a config or GeoIP database that does not
// load is refused naming it while the sensor runs on with what it had.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "integration/live_run_fixture.h"
#include "integration/run_command.h"

namespace camwatch {
namespace {

using std::chrono::milliseconds;
using namespace integration;  // NOLINT: LiveRunTest, runCommand, TempDir, readFile, shellQuote
using testkit::waitUntil;

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
  const std::string de = ",country=\"DE\"";  // not operator_country
  const std::string unknown = ",country=\"unknown\"";
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

}  // namespace
}  // namespace camwatch
