// `camwatch run` under strain and in production settings (the fixture, live_run_fixture.h, sends
// a capture over a veth pair into the sensor): a full DNS answer cache is reported, an interface
// that goes away is reopened by an unprivileged sensor, and JSON logs carry their fields.
#include <csignal>
#include <ctime>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/packet.h>

#include "integration/live_run_fixture.h"
#include "integration/run_command.h"
#include "support/app_payloads.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch {
namespace {

using std::chrono::milliseconds;
using namespace integration;  // NOLINT: LiveRunTest, runCommand, TempDir, readFile, shellQuote
using testkit::waitUntil;

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
