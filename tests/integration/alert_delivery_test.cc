// Alert delivery end to end: the ground-truth replay's alerts reach a real Alertmanager on
// loopback (with their labels; stopped mid-run, everything arrives once; camwatch killed
// mid-delivery, the rest after a restart), a JSON-lines sink while the replay still reads, and
// the per-camera and per-sink counters.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/alerts_fixture.h"
#include "integration/ground_truth.h"
#include "integration/metrics_text.h"
#include "integration/run_command.h"
#include "support/alertmanager_process.h"
#include "support/listening_ports.h"
#include "support/netns_pair.h"

namespace camwatch::integration {
namespace {

using namespace std::chrono_literals;

class AlertDeliveryTest : public AlertsTest {
 protected:
  // The ground-truth config with one sink: the jsonl file `file`.
  std::string jsonlSinkConfig(const std::string& file) const {
    return configWith(dir_, "jsonl.yaml",
                      "alerts:\n  spool_dir: " + dir_.path("spool") +
                          "\n  sinks:\n    - type: jsonl\n      path: " + file + "\n");
  }
};

// --- delivery to a real Alertmanager ------------------------------------------------------------

std::string sinkSection(const std::string& url, const std::string& spool) {
  return "alerts:\n  spool_dir: " + spool +
         "\n  retry_base: 200ms\n  retry_max: 1s\n  drain_timeout: 60s\n"
         "  sinks:\n    - type: alertmanager\n      name: am\n      urls: [" +
         url + "]\n      labels: {site: test-site}\n      timeout: 2s\n";
}

// Alertmanager's view: dedup_key -> labels, for the alerts of one sensor.
std::map<std::string, json> alertmanagerAlerts(const testkit::AlertmanagerProcess& am,
                                               const std::string& sensor) {
  std::map<std::string, json> found;
  for (const json& alert : am.alerts()) {
    const json& labels = alert.at("labels");
    if (labels.value("sensor", "") == sensor) found[labels.at("dedup_key")] = labels;
  }
  return found;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

// camwatch replay in the background; its pid, and its output in files.
pid_t startReplay(const TempDir& dir, const std::string& config, const std::string& tag) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string out = dir.path(tag + ".out");
    const std::string err = dir.path(tag + ".err");
    if (std::freopen(out.c_str(), "w", stdout) == nullptr) ::_exit(126);
    if (std::freopen(err.c_str(), "w", stderr) == nullptr) ::_exit(126);
    ::execl(kCamwatch.c_str(), kCamwatch.c_str(), "replay", "-c", config.c_str(), kDemo.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Alerts in the spool's segment files (docs/alerts.md: one line per alert), delivered or not.
std::size_t spooledAlerts(const std::string& spool) {
  std::size_t lines = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(spool, error)) {
    if (entry.path().filename().string().rfind("segment-", 0) != 0) continue;
    const std::string text = readFile(entry.path().string());
    lines += static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return lines;
}

int waitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(AlertDeliveryTest, ReplayedAlertsReachAlertmanagerWithTheirLabels) {
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  const std::string config = configWith(dir_, "am.yaml", sinkSection(am.url(), dir_.path("spool")));
  const CommandResult run = replay(config);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string all = std::to_string(kGroundTruthAlerts.size());
  EXPECT_NE(run.out.find("Alert sink am: " + all + " queued, " + all + " sent"), std::string::npos)
      << run.out;

  // One alert per identity: an update re-posts the same labels.
  const auto held = alertmanagerAlerts(am, "ground-truth");
  ASSERT_EQ(held.size(), groundTruthAlertIdentities());
  const json& cloud = held.at("192.168.10.21|vendor_cloud|52.5.124.127");
  EXPECT_EQ(cloud.at("alertname"), "CamwatchVendorCloud");
  EXPECT_EQ(cloud.at("kind"), "vendor_cloud");
  EXPECT_EQ(cloud.at("severity"), "warning");
  EXPECT_EQ(cloud.at("camera"), "192.168.10.21");
  EXPECT_EQ(cloud.at("camera_name"), "cam-lobby");
  EXPECT_EQ(cloud.at("camera_group"), "hikvision");
  EXPECT_EQ(cloud.at("site"), "test-site");
  EXPECT_EQ(held.at("192.168.10.57|dns_lookup_blocked|dns:www.example.com").at("severity"),
            "critical");

  // The upload's alert shows the whole flow: the update replaced the annotations of the alert
  // the first notification opened (same labels), it did not open a second one.
  json upload;
  for (const json& alert : am.alerts()) {
    if (alert.at("labels").at("dedup_key") == "192.168.10.24|hardcoded_address|47.254.33.45")
      upload = alert;
  }
  ASSERT_TRUE(upload.is_object()) << am.alerts().dump();
  EXPECT_EQ(upload.at("annotations").at("evidence").get<std::string>(),
            std::to_string(kUploadPackets) + " packets, " + std::to_string(kUploadBytes) +
                " bytes, first 2026-01-15T09:03:20.000000000Z last 2026-01-15T09:04:06.245000000Z");
  EXPECT_NE(upload.at("annotations")
                .at("description")
                .get<std::string>()
                .find(std::to_string(kUploadBytes) + " bytes"),
            std::string::npos);
  EXPECT_EQ(upload.at("startsAt").get<std::string>().substr(0, 19), "2026-01-15T09:03:20");
}

TEST_F(AlertDeliveryTest, AlertmanagerStoppedMidRunGetsEverythingOnceBack) {
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  const std::string spool = dir_.path("spool");
  const std::string first = configWith(dir_, "first.yaml", sinkSection(am.url(), spool));
  ASSERT_EQ(replay(first).exit_code, 0);
  ASSERT_EQ(alertmanagerAlerts(am, "ground-truth").size(), groundTruthAlertIdentities());

  // Alertmanager goes away; the next run spools its alerts and keeps retrying.
  am.kill();
  std::string second_text = readFile(first);
  second_text.replace(second_text.find("name: ground-truth"), 18, "name: second-run");
  const std::string second = dir_.path("second.yaml");
  std::ofstream(second) << second_text;
  const pid_t camwatch = startReplay(dir_, second, "second");
  ASSERT_TRUE(waitFor(
      [&] { return readFile(dir_.path("second.err")).find("failed") != std::string::npos; }, 60s))
      << readFile(dir_.path("second.err"));
  ASSERT_EQ(am.start(), "");  // on the port it had: the running replay's sink still sends there
  EXPECT_EQ(waitExit(camwatch), 0) << readFile(dir_.path("second.err"));
  const std::string out = readFile(dir_.path("second.out"));
  EXPECT_NE(out.find(std::to_string(kGroundTruthAlerts.size()) + " sent"), std::string::npos)
      << out;
  EXPECT_NE(out.find("0 pending"), std::string::npos) << out;
  EXPECT_EQ(alertmanagerAlerts(am, "second-run").size(), groundTruthAlertIdentities());
}

TEST_F(AlertDeliveryTest, CamwatchKilledMidDeliveryDeliversTheRestAfterRestart) {
  // Alertmanager is down for the first run: its URL refuses every connection.
  const testkit::RefusingLoopbackPort down;
  const std::string spool = dir_.path("spool");
  const std::string config = configWith(dir_, "kill.yaml", sinkSection(down.url(), spool));
  const pid_t camwatch = startReplay(dir_, config, "killed");
  // Wait until every alert is spooled (replay spools them as it reads) and a delivery failed,
  // then kill without warning.
  ASSERT_TRUE(waitFor(
      [&] {
        return spooledAlerts(spool) == kGroundTruthAlerts.size() &&
               readFile(dir_.path("killed.err")).find("failed") != std::string::npos;
      },
      60s))
      << readFile(dir_.path("killed.err"));
  ::kill(camwatch, SIGKILL);
  EXPECT_EQ(waitExit(camwatch), 128 + SIGKILL);
  ASSERT_TRUE(std::filesystem::exists(spool));

  // A restart (another replay with the same spool, different sensor name so its own alerts are
  // told apart) delivers what the killed run left first. Alertmanager is up now, on a port it
  // bound itself; the sink keeps its name "am", by which the spool knows what it delivered, so
  // only its URL changes.
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  std::string text = readFile(config);
  text.replace(text.find(down.url()), down.url().size(), am.url());
  text.replace(text.find("name: ground-truth"), 18, "name: after-restart");
  const std::string restart = dir_.path("restart.yaml");
  std::ofstream(restart) << text;
  const CommandResult run = replay(restart);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(alertmanagerAlerts(am, "ground-truth").size(), groundTruthAlertIdentities())
      << "the killed run's alerts were not delivered after the restart";
  EXPECT_EQ(alertmanagerAlerts(am, "after-restart").size(), groundTruthAlertIdentities());
}

// Replay hands alerts to the sinks as it reads, as a sensor does, not all at the end: at --pace 60
// the demo's 591 s take about 10 s, and its first alert (30 s into the capture) reaches the jsonl
// sink while the replay still runs.
TEST_F(AlertDeliveryTest, ReplayDeliversAlertsToTheSinksWhileItReads) {
  const std::string file = dir_.path("sink.jsonl");
  const std::string config = jsonlSinkConfig(file);
  testkit::BackgroundProcess replaying(
      kCamwatch + " replay --pace 60 -c " + shellQuote(config) + " " + shellQuote(kDemo),
      dir_.path("replay.log"));
  const bool delivered = testkit::waitUntil(
      [&] { return std::filesystem::exists(file) && !readFile(file).empty(); }, 8s);
  EXPECT_TRUE(delivered) << replaying.log();
  EXPECT_TRUE(replaying.running()) << "the first alert arrived only after the replay ended";
  EXPECT_LT(readJsonLines(file).size(), kGroundTruthAlerts.size());
  ASSERT_EQ(replaying.wait(30s), 0) << replaying.log();
  EXPECT_EQ(describeAll(readJsonLines(file)), kGroundTruthAlerts);
}

TEST_F(AlertDeliveryTest, MetricsCountEveryFiringAlertUnderItsCamera) {
  // camwatch_camera_alerts_total (docs/metrics.md, "Alerts per camera") names the camera of each
  // alert the sinks got, by the camera label of the egress series: inventory name, or address.
  const std::string file = dir_.path("sink.jsonl");
  const std::string config = jsonlSinkConfig(file);
  const std::string metrics = dir_.path("replay.prom");
  ASSERT_EQ(replay(config, "--metrics " + shellQuote(metrics)).exit_code, 0);
  std::map<std::string, double> expected;  // "camera=\"..\",kind=\"..\"" -> notifications
  for (const json& alert : readJsonLines(file)) {
    if (alert.at("status") != "firing") continue;
    const json& camera = alert.at("camera");
    const std::string name = camera.at("name").get<std::string>().empty()
                                 ? camera.at("ip").get<std::string>()
                                 : camera.at("name").get<std::string>();
    expected["camera=\"" + name + "\",kind=\"" + alert.at("kind").get<std::string>() + "\""] += 1;
  }
  // One (camera, kind) per ground-truth alert; updates count as notifications of their alert.
  ASSERT_EQ(expected.size(), groundTruthAlertIdentities());
  EXPECT_TRUE(expected.contains("camera=\"cam-yard\",kind=\"egress_volume\""));
  EXPECT_TRUE(expected.contains("camera=\"192.168.10.57\",kind=\"unknown_camera\""));
  const std::string text = readFile(metrics);
  for (const auto& [labels, count] : expected) {
    EXPECT_EQ(metricSumWith(text, "camwatch_camera_alerts_total", labels), count) << labels;
  }
  EXPECT_EQ(metricSum(text, "camwatch_camera_alerts_total"),
            static_cast<double>(kGroundTruthAlerts.size()))
      << text;
}

TEST_F(AlertDeliveryTest, JsonlSinkWritesEveryAlertAndAWrongSinkIsNamed) {
  const std::string file = dir_.path("sink.jsonl");
  const std::string config = jsonlSinkConfig(file);
  const std::string metrics = dir_.path("replay.prom");
  ASSERT_EQ(replay(config, "--metrics " + shellQuote(metrics)).exit_code, 0);
  EXPECT_EQ(describeAll(readJsonLines(file)), kGroundTruthAlerts);
  // The same counters the live sensor exports (docs/metrics.md), as Prometheus text.
  const std::string text = readFile(metrics);
  const std::string sent = "camwatch_alert_sink_sent_total{sink=\"jsonl\"} " +
                           std::to_string(kGroundTruthAlerts.size()) + "\n";
  for (const std::string& line : {
           sent,
           std::string("camwatch_alert_sink_failures_total{sink=\"jsonl\"} 0\n"),
           std::string("camwatch_alerts_total{kind=\"egress_volume\",severity=\"warning\","
                       "status=\"firing\"} 1\n"),
           // Four cameras' first vendor-cloud check-ins and their updates, two DNS sessions and
           // their updates (kGroundTruthAlerts).
           std::string("camwatch_alerts_total{kind=\"vendor_cloud\",severity=\"warning\","
                       "status=\"firing\"} 8\n"),
           std::string("camwatch_alerts_total{kind=\"encrypted_dns\",severity=\"warning\","
                       "status=\"firing\"} 4\n"),
           std::string("camwatch_egress_flows_total{asn=\"unknown\",camera=\"cam-lobby\",country="
                       "\"unknown\",operator=\"unknown\",operator_country=\"unknown\","
                       "protocol=\"TLS.HikConnect\"} 2\n"),
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }

  const std::string bad =
      configWith(dir_, "bad.yaml", "alerts:\n  sinks:\n    - type: pagerduty\n");
  const CommandResult check = runCommand(kCamwatch + " check-config -c " + shellQuote(bad));
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("alerts.sinks[0].type: unknown sink type 'pagerduty'"),
            std::string::npos)
      << check.err;
}

}  // namespace
}  // namespace camwatch::integration
