// The dashboards of dashboards/grafana as JSON, for the tests that lint them
// (dashboards_lint_test.cc) and run their queries on a real Prometheus (dashboards_test.cc).
#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/run_command.h"

namespace camwatch::integration::dashboards {

using nlohmann::json;

inline const std::string kSourceDir = CAMWATCH_SOURCE_DIR;

struct Dashboard {
  std::string file;
  json body;
};

inline std::vector<Dashboard> loadDashboards() {
  std::vector<Dashboard> out;
  for (const auto& entry :
       std::filesystem::directory_iterator(kSourceDir + "/dashboards/grafana")) {
    if (entry.path().extension() != ".json") continue;
    out.push_back({entry.path().filename().string(),
                   json::parse(readFile(entry.path().string()), nullptr, false)});
  }
  std::sort(out.begin(), out.end(),
            [](const Dashboard& a, const Dashboard& b) { return a.file < b.file; });
  return out;
}

// Every panel, rows' nested panels included.
inline void forEachPanel(const json& panels, const std::function<void(const json&)>& visit) {
  for (const json& panel : panels) {
    visit(panel);
    if (panel.contains("panels")) forEachPanel(panel.at("panels"), visit);
  }
}

// Every PromQL text a dashboard holds: panel targets and query variables.
inline std::vector<std::pair<std::string, std::string>> dashboardExprs(const Dashboard& dashboard) {
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

inline const Dashboard& dashboardNamed(const std::vector<Dashboard>& dashboards,
                                       const std::string& file) {
  for (const Dashboard& dashboard : dashboards) {
    if (dashboard.file == file) return dashboard;
  }
  throw std::runtime_error("no dashboard " + file);
}

inline const json& variableNamed(const Dashboard& dashboard, const std::string& name) {
  for (const json& variable : dashboard.body.at("templating").at("list")) {
    if (variable.value("name", "") == name) return variable;
  }
  throw std::runtime_error(dashboard.file + " has no variable " + name);
}

inline std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// The values of a custom variable as Grafana reads its query: "text : value, value2, ...".
inline std::vector<std::string> customValues(const json& variable) {
  std::vector<std::string> values;
  std::istringstream items(variable.value("query", ""));
  for (std::string item; std::getline(items, item, ',');) {
    const std::size_t colon = item.find(" : ");
    values.push_back(trimmed(colon == std::string::npos ? item : item.substr(colon + 3)));
  }
  return values;
}

// The findings of the Camera detail's `finding` variable, "all" left out: what the Overview's
// first row counts.
inline std::vector<std::string> findingKeys(const Dashboard& detail) {
  std::vector<std::string> keys;
  for (const std::string& value : customValues(variableNamed(detail, "finding"))) {
    if (value != "all") keys.push_back(value);
  }
  return keys;
}

// The cameras of one finding, as the Camera detail's `camera` variable asks for them: its
// query_result() query with the finding's value. The panel of the Overview that counts them must
// ask the same (DashboardLint.OverviewOpensWithTheFindingsEachLinkingToItsCameras).
inline std::string findingBranch(const Dashboard& detail, const std::string& key) {
  const std::string query = variableNamed(detail, "camera").value("definition", "");
  const std::string tail = ", \"finding\", \"" + key + "\", \"\", \"\")";
  const std::size_t end = query.find(tail);
  const std::size_t start = query.rfind("label_replace(", end);
  if (end == std::string::npos || start == std::string::npos) return "";
  return query.substr(start + 14, end - start - 14);
}

inline std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// What Grafana sends for a multi-value variable: a regex alternation of the values, each
// regex-escaped (its Prometheus datasource writes "\\." for a ".", one backslash once PromQL
// has read the string).
inline std::string alternation(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += '|';
    for (const char c : value) {
      if (std::string_view("\\^$*+?.()|[]{}").find(c) != std::string_view::npos) out += "\\\\";
      out += c;
    }
  }
  return values.size() == 1 ? out : "(" + out + ")";
}

}  // namespace camwatch::integration::dashboards
