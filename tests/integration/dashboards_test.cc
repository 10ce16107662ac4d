// The Grafana dashboards and Prometheus rules of dashboards/ (docs/grafana.md) against real
// data: a real Prometheus on loopback scrapes `camwatch replay --metrics ADDR:PORT --pace` while
// it replays the generated camera-VLAN capture, evaluates dashboards/prometheus/camwatch-rules.yml,
// and must answer every panel's PromQL (template variables resolved as Grafana would) with at
// least one series, the findings with the ground truth's cameras. The lints of the same JSON are
// in dashboards_lint_test.cc.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/dashboard_files.h"
#include "integration/run_command.h"
#include "support/prometheus_process.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace dashboards;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";
const std::string kRules = kSourceDir + "/dashboards/prometheus/camwatch-rules.yml";

// camwatch replay in the background, its output in files; SIGTERM ends its linger.
class BackgroundReplay {
 public:
  BackgroundReplay(const std::vector<std::string>& args, const std::string& out_path,
                   const std::string& err_path)
      : err_path_(err_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(kCamwatch.c_str()));
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(kCamwatch.c_str(), argv.data());
      ::_exit(127);
    }
  }
  ~BackgroundReplay() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  BackgroundReplay(const BackgroundReplay&) = delete;
  BackgroundReplay& operator=(const BackgroundReplay&) = delete;

  // SIGTERM, then its exit code if it exits within `timeout` (-1 otherwise).
  int terminate(std::chrono::milliseconds timeout) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  std::string err() const { return readFile(err_path_); }

 private:
  std::string err_path_;
  pid_t pid_ = -1;
};

std::vector<json> resultOf(const json& answer) {
  if (answer.value("status", "") != "success") return {};
  const json& result = answer.at("data").at("result");
  return std::vector<json>(result.begin(), result.end());
}

// Polls `promql` until it returns a series whose value satisfies `ok` (or `timeout`).
bool waitFor(const testkit::PrometheusProcess& prometheus, const std::string& promql,
             const std::function<bool(double)>& ok, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const json& series : resultOf(prometheus.query(promql))) {
      if (ok(std::stod(series.at("value").at(1).get<std::string>()))) return true;
    }
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

TEST(DashboardsOnRealData, EveryPanelReturnsSeriesFromAReplayPrometheusScraped) {
  TempDir dir;
  // GeoIP for the demo's public addresses (made up, tests/support/make_test_mmdb.pl), so the
  // country and AS panels and the disallowed-country rule see real labels; a jsonl sink, so the
  // delivery panels have series.
  const std::string config = writeGroundTruthConfigWithGeo(
      dir, "alerts:\n  spool_dir: " + dir.path("spool") +
               "\n  sinks:\n    - {name: file, type: jsonl, path: " + dir.path("alerts.jsonl") +
               "}\n");

  const std::string prom_dir = dir.path("prometheus");
  fs::create_directory(prom_dir);
  testkit::PrometheusProcess prometheus(prom_dir);
  const std::string started = prometheus.start({kRules});
  ASSERT_EQ(started, "");

  // 591 s of capture at 60x: about 10 s of replay, so Prometheus (every second) sees the
  // counters grow; then the final figures (alerts included) stay up until we stop it. Prometheus
  // is up first and gets the target as soon as the replay says which port it bound.
  BackgroundReplay replay({"replay", "-c", config, "--metrics", "127.0.0.1:0", "--pace", "60",
                           "--linger", "300", kDemo},
                          dir.path("replay.out"), dir.path("replay.err"));
  int port = 0;
  const auto bound_by = std::chrono::steady_clock::now() + 30s;
  while ((port = metricsPortInLog(replay.err())) == 0 &&
         std::chrono::steady_clock::now() < bound_by) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(port, 0) << replay.err();
  const std::string target = "127.0.0.1:" + std::to_string(port);
  ASSERT_EQ(prometheus.setTarget(target), "");
  ASSERT_TRUE(waitFor(
      prometheus, "up{job=\"camwatch\"}", [](double up) { return up == 1; }, 30s))
      << replay.err() << prometheus.log();
  // Alerts are counted when the replay ends: their appearance means the final figures are in.
  ASSERT_TRUE(waitFor(
      prometheus, "sum(camwatch_alerts_total)", [](double n) { return n > 0; }, 90s))
      << replay.err();
  // The rules ran on what was scraped: two cameras send to HK and SG, outside the allow list.
  ASSERT_TRUE(waitFor(
      prometheus, "count(ALERTS{alertname=\"CamwatchCameraEgressDisallowedCountry\"})",
      [](double n) { return n == 2; }, 30s))
      << prometheus.query("ALERTS").dump();
  std::this_thread::sleep_for(3s);  // a few scrapes of the final figures
  // Paced, the figures grew while Prometheus watched (not only at the end), so rate() over the
  // run has something to say: the reader's packets changed in several scrapes, and the cameras
  // that send out have a non-zero rate now.
  EXPECT_TRUE(waitFor(
      prometheus, "changes(camwatch_capture_received_packets_total[5m])",
      [](double n) { return n >= 3; }, 1s));
  EXPECT_TRUE(waitFor(
      prometheus, "count(count by (camera) (rate(camwatch_egress_bytes_total[5m]) > 0))",
      [](double n) { return n >= 4; }, 1s));

  // Template variables, resolved through their own queries as Grafana does.
  const auto labelValues = [&](const std::string& promql, const std::string& label) {
    std::set<std::string> values;
    for (const json& series : resultOf(prometheus.query(promql))) {
      if (series.at("metric").contains(label)) values.insert(series.at("metric").at(label));
    }
    return std::vector<std::string>(values.begin(), values.end());
  };
  const std::vector<std::string> sensors = labelValues("camwatch_sensor_info", "sensor");
  ASSERT_EQ(sensors, std::vector<std::string>{"ground-truth"});
  const std::vector<std::string> instances =
      labelValues("camwatch_sensor_info{sensor=~\"" + alternation(sensors) + "\"}", "instance");
  ASSERT_EQ(instances, std::vector<std::string>{target});
  const std::vector<std::string> cameras = labelValues(
      "camwatch_egress_bytes_total{instance=~\"" + alternation(instances) + "\"}", "camera");
  ASSERT_GE(cameras.size(), 4U);

  const std::vector<Dashboard> dashboards = loadDashboards();
  const Dashboard& detail = dashboardNamed(dashboards, "camwatch-camera-detail.json");
  // The dashboards' default: the ground truth's operators are in the US (AWS, Cloudflare) and
  // CN (Alibaba, Tencent), so with GB at home every listed operator the demo reaches is foreign.
  const std::string home_country = variableNamed(detail, "home_country").value("query", "");
  ASSERT_EQ(home_country, "GB");
  std::map<std::string, std::string> values = {
      {"$__rate_interval", "30s"},
      {"$__interval", "5s"},
      {"$__range", "10m"},
      {"$instance", alternation(instances)},
      {"$sensor", alternation(sensors)},
      {"$home_country", home_country},
      {"$camera", alternation(cameras)},
  };
  const auto resolve = [&](const std::string& raw) {
    std::string expr = raw;
    // Longest names first: $__range must not eat $__range_s, nor $camera a $cameras.
    for (const char* name : {"$__rate_interval", "$__interval", "$__range", "$instance", "$sensor",
                             "$home_country", "$finding", "$camera"}) {
      if (values.contains(name)) expr = replaceAll(expr, name, values.at(name));
    }
    return expr;
  };

  // The findings of the ground truth (tests/integration/ground_truth.h, demo/README.md): the
  // cameras each one names, by the camera label of the metrics.
  const std::map<std::string, std::vector<std::string>> expected_cameras = {
      // HikConnect: cam-lobby and cam-mast (its 30 s beacon); Dahua_Imou: cam-gate and cam-dock
      // (after asking Quad9), as the vendor_cloud alerts say. cam-dock's p2p.easy4ipcloud.com is
      // plain TLS to nDPI (its host rule names www.): only its alert counts it.
      {"vendor_cloud", {"cam-dock", "cam-gate", "cam-lobby", "cam-mast"}},
      // Every camera: AWS (US): cam-lobby, cam-mast; Tencent (CN): cam-car-park; Alibaba (CN):
      // cam-gate, cam-yard, cam-dock; Google (US): cam-stairs (DoH); Cloudflare (US): cam-roof
      // (DoT) and the NTP of the first four. Quad9 (cam-dock's resolver) and Edgecast (the unknown
      // device's) are not in the operators file: "unknown", not foreign.
      {"foreign_operator",
       {"cam-car-park", "cam-dock", "cam-gate", "cam-lobby", "cam-mast", "cam-roof", "cam-stairs",
        "cam-yard"}},
      {"egress_volume", {"cam-yard"}},        // 5 MB to a bare Alibaba address, budget 2 MB
      {"unknown_camera", {"192.168.10.57"}},  // not in inventory.devices: named by address
      // Every camera that sent out: the eight of the inventory and the unknown device.
      {"all",
       {"192.168.10.57", "cam-car-park", "cam-dock", "cam-gate", "cam-lobby", "cam-mast",
        "cam-roof", "cam-stairs", "cam-yard"}},
  };
  // Camera detail panels that have nothing to show for the cameras of a finding, and why. Any
  // other panel must return series; these must return none (so the list stays true).
  const std::set<std::pair<std::string, std::string>> expected_empty = {
      // Only cam-car-park (HK) and cam-gate (SG) send outside the rules' allow list (cam-dock,
      // cam-stairs, cam-roof and cam-mast send to CH, DE and US).
      {"egress_volume", "Prometheus alerts of the chosen cameras"},
      {"unknown_camera", "Prometheus alerts of the chosen cameras"},
  };

  int checked = 0;
  const auto check = [&](const std::string& where, const std::string& raw, bool empty) {
    const std::string expr = resolve(raw);
    ASSERT_EQ(expr.find('$'), std::string::npos) << where << ": unresolved variable in " << expr;
    const json answer = prometheus.query(expr);
    EXPECT_EQ(answer.value("status", ""), "success") << where << ": " << expr << "\n"
                                                     << answer.dump();
    EXPECT_EQ(resultOf(answer).empty(), empty)
        << where << (empty ? ": expected no series (see expected_empty) for " : ": no series for ")
        << expr << "\n"
        << answer.dump();
    ++checked;
  };

  for (const Dashboard& dashboard : dashboards) {
    if (&dashboard == &detail) continue;
    for (const auto& [where, raw] : dashboardExprs(dashboard)) {
      if (where.find("/ variable ") != std::string::npos) continue;  // resolved above
      check(where, raw, false);
    }
  }
  // The Overview's findings count the cameras of the ground truth.
  const Dashboard& overview = dashboardNamed(dashboards, "camwatch-overview.json");
  for (const json& panel : overview.body.at("panels")) {
    if (panel.at("gridPos").at("y") != 0) continue;
    const std::string link = panel.at("links").at(0).value("url", "");
    const std::string key = link.substr(link.find("var-finding=") + 12,
                                        link.find('&') - link.find("var-finding=") - 12);
    ASSERT_TRUE(expected_cameras.contains(key)) << key;
    const std::vector<json> result =
        resultOf(prometheus.query(resolve(panel.at("targets").at(0).value("expr", ""))));
    ASSERT_EQ(result.size(), 1U) << key;
    EXPECT_EQ(result[0].at("value").at(1), std::to_string(expected_cameras.at(key).size())) << key;
  }
  // The Camera detail once per finding, its cameras resolved through the camera variable's
  // query_result() (the camera label of each answer, as the variable's regex takes it).
  const std::string camera_query = variableNamed(detail, "camera").value("definition", "");
  ASSERT_TRUE(camera_query.starts_with("query_result(") && camera_query.ends_with(")"));
  for (const std::string& finding : customValues(variableNamed(detail, "finding"))) {
    SCOPED_TRACE("finding " + finding);
    values["$finding"] = finding;
    const std::vector<std::string> chosen =
        labelValues(resolve(camera_query.substr(13, camera_query.size() - 14)), "camera");
    ASSERT_TRUE(expected_cameras.contains(finding));
    EXPECT_EQ(chosen, expected_cameras.at(finding));
    if (chosen.empty()) continue;  // (none is: the list above says which cameras)
    values["$camera"] = alternation(chosen);
    for (const auto& [where, raw] : dashboardExprs(detail)) {
      if (where.find("/ variable ") != std::string::npos) continue;
      const std::string title = where.substr(where.find(" / ") + 3);
      check(where + " (finding " + finding + ")", raw, expected_empty.contains({finding, title}));
    }
  }
  EXPECT_GT(checked, 60);

  // A finding is about the time range: once nothing has changed for a while, a short range
  // counts no camera, as a series that was there before the range and did not grow is left out.
  std::this_thread::sleep_for(6s);
  values["$__range"] = "4s";
  for (const json& panel : overview.body.at("panels")) {
    if (panel.at("gridPos").at("y") != 0) continue;
    const std::vector<json> result =
        resultOf(prometheus.query(resolve(panel.at("targets").at(0).value("expr", ""))));
    ASSERT_EQ(result.size(), 1U);
    EXPECT_EQ(result[0].at("value").at(1), "0") << panel.value("title", "");
  }

  // SIGTERM ends the linger at once, and the replay still exits 0.
  EXPECT_EQ(replay.terminate(5s), 0) << replay.err();
  EXPECT_NE(replay.err().find("serving the final metrics"), std::string::npos) << replay.err();
}

// How the tests that pass --metrics 127.0.0.1:0 learn the port camwatch bound.
TEST(MetricsPortInLog, ReadsRunAndReplayLinesAndNothingElse) {
  EXPECT_EQ(metricsPortInLog("[2026-01-15 09:00:00.000] [info] metrics at "
                             "http://127.0.0.1:41234/metrics\n"),
            41234);
  EXPECT_EQ(metricsPortInLog("camwatch: metrics at http://0.0.0.0:9108/metrics\nlater\n"), 9108);
  EXPECT_EQ(metricsPortInLog("camwatch: metrics at http://127.0.0.1:1/metrics\n"
                             "camwatch: metrics at http://127.0.0.1:2/metrics\n"),
            1);
  EXPECT_EQ(metricsPortInLog(""), 0);
  EXPECT_EQ(metricsPortInLog("camwatch: metrics at http://127.0.0.1:"), 0);  // cut mid-line
  EXPECT_EQ(metricsPortInLog("camwatch: metrics at http://127.0.0.1:x/metrics"), 0);
  EXPECT_EQ(metricsPortInLog("camwatch: metrics at http://127.0.0.1:99999/metrics"), 0);
}

TEST(DashboardsOnRealData, MetricsArgumentIsAFileUnlessItEndsInAPort) {
  TempDir dir;
  // "name.prom" is a file; "--linger" without an address is a usage error.
  const std::string file = dir.path("out.prom");
  const CommandResult written = runCommand(kCamwatch + " replay -c " + shellQuote(kGroundTruth) +
                                           " --metrics " + shellQuote(file) + " " + kDemo);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_NE(readFile(file).find("camwatch_worker_packets_total"), std::string::npos);
  const CommandResult linger =
      runCommand(kCamwatch + " replay -c " + shellQuote(kGroundTruth) + " --metrics " +
                 shellQuote(file) + " --linger 5 " + kDemo);
  EXPECT_EQ(linger.exit_code, 2);
  EXPECT_NE(linger.err.find("--linger needs --metrics ADDR:PORT"), std::string::npos) << linger.err;
  // An address that cannot be served is named.
  const CommandResult bad = runCommand(kCamwatch + " replay -c " + shellQuote(kGroundTruth) +
                                       " --metrics localhost:9108 " + kDemo);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("localhost:9108"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace camwatch::integration
