// The Grafana dashboards and Prometheus rules of dashboards/ (docs/grafana.md) against real
// data: a real Prometheus on loopback scrapes `camwatch replay --metrics ADDR:PORT --pace` while
// it replays the generated camera-VLAN capture, evaluates dashboards/prometheus/camwatch-rules.yml,
// and must answer every panel's PromQL (template variables resolved as Grafana would) with at
// least one series. A lint checks the dashboard JSON, panel ids and that every metric a panel or
// rule reads is one docs/metrics.md lists.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/run_command.h"
#include "support/prometheus_process.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";
const std::string kRules = kSourceDir + "/dashboards/prometheus/camwatch-rules.yml";

struct Dashboard {
  std::string file;
  json body;
};

std::vector<Dashboard> loadDashboards() {
  std::vector<Dashboard> out;
  for (const auto& entry : fs::directory_iterator(kSourceDir + "/dashboards/grafana")) {
    if (entry.path().extension() != ".json") continue;
    out.push_back({entry.path().filename().string(),
                   json::parse(readFile(entry.path().string()), nullptr, false)});
  }
  std::sort(out.begin(), out.end(),
            [](const Dashboard& a, const Dashboard& b) { return a.file < b.file; });
  return out;
}

// Every panel, rows' nested panels included.
void forEachPanel(const json& panels, const std::function<void(const json&)>& visit) {
  for (const json& panel : panels) {
    visit(panel);
    if (panel.contains("panels")) forEachPanel(panel.at("panels"), visit);
  }
}

// The metric names of the table in docs/metrics.md: lines "| `camwatch_...` | type | ...".
std::set<std::string> documentedMetrics() {
  std::set<std::string> names;
  std::istringstream text(readFile(kSourceDir + "/docs/metrics.md"));
  // (std::regex is avoided: GCC 12 warns inside it under -O2 with the sanitizers.)
  const std::string prefix = "| `camwatch_";
  for (std::string line; std::getline(text, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::size_t end = line.find("` |", 3);
    if (end == std::string::npos) continue;
    const std::string name = line.substr(3, end - 3);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos)
      names.insert(name);
  }
  return names;
}

// The `expr` of every rule in the rules file (one line, or a folded block below `expr: >`), and
// the names its recording rules define.
struct Rules {
  std::vector<std::string> exprs;
  std::set<std::string> recorded;
};

Rules loadRules() {
  Rules rules;
  std::istringstream text(readFile(kRules));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  const auto indent = [](const std::string& line) { return line.find_first_not_of(' '); };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t at = indent(lines[i]);
    if (at == std::string::npos) continue;
    const std::string body = lines[i].substr(at);
    if (body.rfind("- record: ", 0) == 0) rules.recorded.insert(body.substr(10));
    if (body.rfind("expr: ", 0) != 0) continue;
    std::string expr = body.substr(6);
    if (expr == ">" || expr == ">-") {
      expr.clear();
      while (i + 1 < lines.size() && indent(lines[i + 1]) != std::string::npos &&
             indent(lines[i + 1]) > at) {
        expr += lines[++i] + "\n";
      }
    }
    rules.exprs.push_back(expr);
  }
  return rules;
}

// Metric-like names in a PromQL expression (quoted strings left out): camwatch_* metrics and
// recording rule names (with a colon).
std::set<std::string> metricNamesIn(const std::string& expr) {
  std::set<std::string> names;
  const auto starts = [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == ':';
  };
  const auto continues = [&](char c) {
    return starts(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
  };
  std::size_t i = 0;
  while (i < expr.size()) {
    if (expr[i] == '"') {  // a quoted string: label values are not names
      const std::size_t close = expr.find('"', i + 1);
      i = close == std::string::npos ? expr.size() : close + 1;
    } else if (starts(expr[i])) {
      std::size_t end = i;
      while (end < expr.size() && continues(expr[end])) ++end;
      const std::string name = expr.substr(i, end - i);
      if (name.rfind("camwatch_", 0) == 0 || name.find(':') != std::string::npos)
        names.insert(name);
      i = end;
    } else {
      ++i;
    }
  }
  return names;
}

// Every PromQL text a dashboard holds: panel targets and query variables.
std::vector<std::pair<std::string, std::string>> dashboardExprs(const Dashboard& dashboard) {
  std::vector<std::pair<std::string, std::string>> out;  // (where, expr)
  forEachPanel(dashboard.body.at("panels"), [&](const json& panel) {
    for (const json& target : panel.value("targets", json::array())) {
      out.emplace_back(dashboard.file + " / " + panel.value("title", "?"),
                       target.value("expr", ""));
    }
  });
  for (const json& variable : dashboard.body.at("templating").at("list")) {
    if (variable.value("type", "") == "query") {
      out.emplace_back(dashboard.file + " / variable " + variable.value("name", "?"),
                       variable.value("definition", ""));
    }
  }
  return out;
}

TEST(DashboardLint, JsonIsAnImportableDashboard) {
  const std::vector<Dashboard> dashboards = loadDashboards();
  ASSERT_EQ(dashboards.size(), 3U);
  std::set<std::string> uids;
  for (const Dashboard& dashboard : dashboards) {
    SCOPED_TRACE(dashboard.file);
    ASSERT_FALSE(dashboard.body.is_discarded()) << "not JSON";
    const json& body = dashboard.body;
    EXPECT_TRUE(uids.insert(body.value("uid", "")).second) << "uid repeated";
    EXPECT_GE(body.value("schemaVersion", 0), 39);
    EXPECT_FALSE(body.value("title", "").empty());
    ASSERT_TRUE(body.contains("__inputs"));
    EXPECT_EQ(body.at("__inputs").at(0).at("name"), "DS_PROMETHEUS");
    EXPECT_EQ(body.at("__inputs").at(0).at("pluginId"), "prometheus");
    std::set<std::string> variables;
    for (const json& variable : body.at("templating").at("list")) {
      variables.insert(variable.at("name").get<std::string>());
    }
    for (const char* name : {"DS_PROMETHEUS", "sensor", "camera"}) {
      EXPECT_TRUE(variables.count(name)) << "no template variable " << name;
    }
    std::set<int> ids;
    forEachPanel(body.at("panels"), [&](const json& panel) {
      const std::string title = panel.value("title", "?");
      EXPECT_TRUE(ids.insert(panel.at("id").get<int>()).second) << "panel id repeated: " << title;
      EXPECT_FALSE(panel.value("description", "").empty()) << "say what it answers: " << title;
      EXPECT_TRUE(panel.contains("gridPos")) << title;
      if (panel.value("type", "") == "row") return;
      EXPECT_EQ(panel.at("datasource").at("uid"), "${DS_PROMETHEUS}") << title;
      ASSERT_FALSE(panel.value("targets", json::array()).empty()) << title;
      for (const json& target : panel.at("targets")) {
        EXPECT_EQ(target.at("datasource").at("uid"), "${DS_PROMETHEUS}") << title;
        EXPECT_FALSE(target.value("expr", "").empty()) << title;
      }
    });
  }
}

TEST(DashboardLint, EveryMetricIsDocumentedAndEveryRecordedRuleDefined) {
  const std::set<std::string> documented = documentedMetrics();
  ASSERT_GT(documented.size(), 30U);
  const Rules rules = loadRules();
  ASSERT_FALSE(rules.exprs.empty());
  std::vector<std::pair<std::string, std::string>> exprs;
  for (const Dashboard& dashboard : loadDashboards()) {
    for (auto& where_expr : dashboardExprs(dashboard)) exprs.push_back(where_expr);
  }
  for (const std::string& expr : rules.exprs) exprs.emplace_back("camwatch-rules.yml", expr);
  std::set<std::string> used;
  for (const auto& [where, expr] : exprs) {
    for (const std::string& name : metricNamesIn(expr)) {
      used.insert(name);
      if (name.find(':') != std::string::npos) {
        EXPECT_TRUE(rules.recorded.count(name)) << where << ": " << name << " is not recorded";
      } else {
        EXPECT_TRUE(documented.count(name))
            << where << ": " << name << " is not in docs/metrics.md: " << expr;
      }
    }
  }
  EXPECT_TRUE(used.count("camwatch_egress_bytes_total"));
}

TEST(DashboardLint, VendorCloudPanelNamesEveryCloudProtocol) {
  // The Overview's vendor-cloud panel matches the custom protocols by name: a protocol added to
  // config/camera-clouds.protos must be added there too.
  std::string expr;
  for (const Dashboard& dashboard : loadDashboards()) {
    forEachPanel(dashboard.body.at("panels"), [&](const json& panel) {
      if (panel.value("title", "") == "Egress to vendor clouds") {
        expr = panel.at("targets").at(0).at("expr");
      }
    });
  }
  ASSERT_FALSE(expr.empty());
  std::istringstream protos(readFile(kSourceDir + "/config/camera-clouds.protos"));
  for (std::string line; std::getline(protos, line);) {
    // "host:\"...\"@Name": the protocol name after the last '@', trailing blanks cut.
    const std::size_t at = line.rfind('@');
    if (line.empty() || line[0] == '#' || at == std::string::npos) continue;
    std::string name = line.substr(at + 1);
    name.erase(name.find_last_not_of(" \t\r") + 1);
    if (name.empty() ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos)
      continue;
    EXPECT_NE(expr.find(name), std::string::npos) << name << " missing: " << expr;
  }
}

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

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// What Grafana sends for a multi-value variable: a regex alternation of the values.
std::string alternation(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : "|") + value;
  return values.size() == 1 ? out : "(" + out + ")";
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
  // Camera detail: a camera with a Prometheus alert, so "its alerts" has something to show.
  const std::vector<std::string> alerted =
      labelValues("ALERTS{alertname=\"CamwatchCameraEgressDisallowedCountry\"}", "camera");
  ASSERT_FALSE(alerted.empty());

  int checked = 0;
  for (const Dashboard& dashboard : loadDashboards()) {
    bool single_camera = false;
    for (const json& variable : dashboard.body.at("templating").at("list")) {
      if (variable.at("name") == "camera") single_camera = !variable.value("multi", false);
    }
    const std::map<std::string, std::string> values = {
        {"$sensor", alternation(sensors)},
        {"$instance", alternation(instances)},
        {"$camera", single_camera ? alerted.front() : alternation(cameras)},
        {"$__rate_interval", "30s"},
        {"$__interval", "5s"},
        {"$__range", "10m"},
    };
    for (const auto& [where, raw] : dashboardExprs(dashboard)) {
      if (where.find("/ variable ") != std::string::npos) continue;  // resolved above
      std::string expr = raw;
      // Longest names first: $__range must not eat $__range_s, nor $camera a $cameras.
      for (const char* name :
           {"$__rate_interval", "$__interval", "$__range", "$instance", "$sensor", "$camera"}) {
        expr = replaceAll(expr, name, values.at(name));
      }
      ASSERT_EQ(expr.find('$'), std::string::npos) << where << ": unresolved variable in " << expr;
      const json answer = prometheus.query(expr);
      EXPECT_EQ(answer.value("status", ""), "success") << where << ": " << expr << "\n"
                                                       << answer.dump();
      EXPECT_FALSE(resultOf(answer).empty()) << where << ": no series for " << expr;
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);

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
