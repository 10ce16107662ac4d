// Lints of the Grafana dashboards and Prometheus rules of dashboards/ (docs/grafana.md): the
// JSON is an importable dashboard, every metric a panel or rule reads is one docs/metrics.md
// lists, the vendor-cloud queries name every cloud protocol, and the Overview opens with the
// findings, each linking to the Camera detail of its cameras. dashboards_test.cc runs the same
// queries on a real Prometheus.
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/dashboard_files.h"
#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace dashboards;

const std::string kRules = kSourceDir + "/dashboards/prometheus/camwatch-rules.yml";

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

TEST(DashboardLint, EveryVendorCloudQueryUsesTheSameProtocolList) {
  // The findings match vendor clouds too (Overview's first row, Camera detail's camera
  // variable): one list, the one the test above checks against camera-clouds.protos.
  std::string list;
  std::vector<std::pair<std::string, std::string>> exprs;
  for (const Dashboard& dashboard : loadDashboards()) {
    for (auto& where_expr : dashboardExprs(dashboard)) exprs.push_back(where_expr);
  }
  const std::string marker = "protocol=~\"(.+[.])?(HikConnect|";
  std::size_t matchers = 0;
  for (const auto& [where, expr] : exprs) {
    for (std::size_t at = expr.find(marker); at != std::string::npos;
         at = expr.find(marker, at + 1)) {
      const std::string matcher = expr.substr(at, expr.find('"', at + 12) + 1 - at);
      if (list.empty()) list = matcher;
      EXPECT_EQ(matcher, list) << where;
      ++matchers;
    }
  }
  EXPECT_GE(matchers, 4U);  // the vendor-cloud panel, the finding's stat and its camera query
}

TEST(DashboardLint, OverviewOpensWithTheFindingsEachLinkingToItsCameras) {
  const std::vector<Dashboard> dashboards = loadDashboards();
  const Dashboard& overview = dashboardNamed(dashboards, "camwatch-overview.json");
  const Dashboard& detail = dashboardNamed(dashboards, "camwatch-camera-detail.json");
  const std::vector<std::string> keys = findingKeys(detail);
  EXPECT_EQ(keys, (std::vector<std::string>{"vendor_cloud", "foreign_operator", "egress_volume",
                                            "unknown_camera"}));
  // The Camera detail's cameras come from the finding: every camera of it (All), many at once.
  const json& camera = variableNamed(detail, "camera");
  EXPECT_TRUE(camera.value("multi", false));
  EXPECT_TRUE(camera.value("includeAll", false));
  EXPECT_EQ(camera.at("current").at("value"), json::array({"$__all"}));
  EXPECT_EQ(camera.value("regex", ""), "/camera=\"([^\"]+)\"/");
  const std::string query = camera.value("definition", "");
  EXPECT_EQ(query.rfind("query_result(", 0), 0U) << query;
  EXPECT_TRUE(query.ends_with(
      " and on (finding) label_replace(vector(1), \"finding\", \"$finding\", \"\", \"\"))"))
      << query;
  EXPECT_EQ(variableNamed(detail, "finding").at("current").at("value"), "all");
  // Both dashboards judge "foreign" against the same home country by default.
  EXPECT_EQ(variableNamed(overview, "home_country").value("type", ""), "textbox");
  EXPECT_EQ(variableNamed(overview, "home_country").value("query", ""),
            variableNamed(detail, "home_country").value("query", ""));

  // The first row of the Overview is the findings, one stat each, in the order of the keys.
  std::vector<const json*> first_row;
  for (const json& panel : overview.body.at("panels")) {
    if (panel.at("gridPos").at("y") == 0) first_row.push_back(&panel);
  }
  ASSERT_EQ(first_row.size(), keys.size());
  int min_y_elsewhere = 1000;
  for (const json& panel : overview.body.at("panels")) {
    const int y = panel.at("gridPos").at("y");
    if (y > 0) min_y_elsewhere = std::min(min_y_elsewhere, y);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const json& panel = *first_row[i];
    const std::string& key = keys[i];
    SCOPED_TRACE(key + ": " + panel.value("title", "?"));
    EXPECT_EQ(panel.value("type", ""), "stat");
    // Nothing below overlaps the row.
    EXPECT_LE(panel.at("gridPos").at("h").get<int>(), min_y_elsewhere);
    // It counts the cameras the Camera detail lists for the finding (0 when there are none,
    // so the stat says 0 and keeps its link).
    const std::string branch = findingBranch(detail, key);
    ASSERT_FALSE(branch.empty()) << "no branch for " << key << " in " << query;
    EXPECT_EQ(panel.at("targets").at(0).value("expr", ""), "count(" + branch + ") or vector(0)");
    // The value and the panel's header both link to the Camera detail with the finding, the
    // sensors, the home country and the time range.
    const std::string url = "/d/" + detail.body.value("uid", "") +
                            "/camwatch-camera-detail?var-finding=" + key +
                            "&${sensor:queryparam}&${home_country:queryparam}&${__url_time_range}";
    ASSERT_EQ(panel.at("fieldConfig").at("defaults").at("links").size(), 1U);
    EXPECT_EQ(panel.at("fieldConfig").at("defaults").at("links").at(0).value("url", ""), url);
    ASSERT_EQ(panel.at("links").size(), 1U);
    EXPECT_EQ(panel.at("links").at(0).value("url", ""), url);
  }
}

}  // namespace
}  // namespace camwatch::integration
