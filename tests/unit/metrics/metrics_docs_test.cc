// docs/metrics.md cannot drift from the code: its table must list exactly the families the
// registry exposes, with the same type, label names and help text.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <camwatch/metrics.h>

namespace camwatch {
namespace {

struct DocumentedFamily {
  std::string type;
  std::set<std::string> labels;
  std::string unit;
  std::string help;
  bool operator==(const DocumentedFamily& other) const {
    // The unit is documentation only; the test checks it separately against the name.
    return type == other.type && labels == other.labels && help == other.help;
  }
};

std::ostream& operator<<(std::ostream& out, const DocumentedFamily& family) {
  out << family.type << " {";
  for (const std::string& label : family.labels) out << label << ",";
  return out << "} \"" << family.help << "\"";
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string unquote(const std::string& text) {
  std::string trimmed = trim(text);
  if (trimmed.size() >= 2 && trimmed.front() == '`' && trimmed.back() == '`') {
    return trimmed.substr(1, trimmed.size() - 2);
  }
  return trimmed;
}

/// The rows of the metrics table: lines "| `camwatch_...` | type | labels | unit | meaning |".
std::map<std::string, DocumentedFamily> documentedFamilies(const std::string& path) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << path;
  std::map<std::string, DocumentedFamily> out;
  for (std::string line; std::getline(file, line);) {
    if (!line.starts_with("| `camwatch_")) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(trim(cell));
    EXPECT_EQ(cells.size(), 5U) << line;
    if (cells.size() != 5) continue;
    DocumentedFamily family;
    family.type = cells[1];
    if (cells[2] != "—") {
      std::istringstream labels(cells[2]);
      for (std::string label; std::getline(labels, label, ',');) {
        family.labels.insert(unquote(label));
      }
    }
    family.unit = cells[3];
    family.help = cells[4];
    const std::string name = unquote(cells[0]);
    EXPECT_FALSE(out.contains(name)) << "listed twice: " << name;
    out[name] = family;
  }
  return out;
}

/// What the registry exposes, with every family populated: one worker, capture and sink, and
/// one egress sample and one alert (their series appear only as cameras send and are alerted
/// on).
std::map<std::string, DocumentedFamily> exposedFamilies() {
  MetricsLayout layout;
  layout.workers = 1;
  layout.captures = {{"eth1", 0}};
  layout.sinks = {"jsonl"};
  MetricsOptions options;
  options.sensor = "docs";
  MetricsRegistry metrics(layout, options);
  metrics.egress().add({"cam", "DE", 3320, "HTTP", "", ""}, 1, 1);
  Alert alert;
  alert.camera.ip = *IpAddress::parse("192.168.10.21");
  metrics.cameraAlerts().record(alert);
  std::map<std::string, DocumentedFamily> out;
  for (const prometheus::MetricFamily& family : metrics.prometheusRegistry()->Collect()) {
    DocumentedFamily exposed;
    switch (family.type) {
      case prometheus::MetricType::Counter:
        exposed.type = "counter";
        break;
      case prometheus::MetricType::Gauge:
        exposed.type = "gauge";
        break;
      default:
        exposed.type = "other";
        break;
    }
    EXPECT_FALSE(family.metric.empty()) << family.name << " has no series in this test";
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::set<std::string> labels;
      for (const auto& label : metric.label) labels.insert(label.name);
      if (&metric == &family.metric.front()) exposed.labels = labels;
      EXPECT_EQ(labels, exposed.labels) << family.name << ": series with other label names";
    }
    exposed.help = family.help;
    out[family.name] = exposed;
  }
  return out;
}

TEST(MetricsDocsTest, TheTableInDocsMetricsMdListsExactlyTheExposedFamilies) {
  const auto documented = documentedFamilies(CAMWATCH_SOURCE_DIR "/docs/metrics.md");
  const auto exposed = exposedFamilies();
  ASSERT_GT(documented.size(), 30U);
  for (const auto& [name, family] : exposed) {
    const auto found = documented.find(name);
    if (found == documented.end()) {
      ADD_FAILURE() << name << " is exposed but not in docs/metrics.md";
      continue;
    }
    EXPECT_EQ(found->second, family) << name << " differs between docs/metrics.md and the code";
  }
  for (const auto& [name, family] : documented) {
    EXPECT_TRUE(exposed.contains(name)) << name << " is in docs/metrics.md but not exposed";
  }
}

TEST(MetricsDocsTest, UnitsMatchTheNameSuffixes) {
  for (const auto& [name, family] : documentedFamilies(CAMWATCH_SOURCE_DIR "/docs/metrics.md")) {
    const bool bytes = name.ends_with("_bytes") || name.ends_with("_bytes_total");
    const bool seconds = name.ends_with("_seconds") || name.ends_with("_seconds_total");
    EXPECT_EQ(family.unit == "bytes", bytes) << name << ": unit " << family.unit;
    EXPECT_EQ(family.unit == "seconds", seconds) << name << ": unit " << family.unit;
    EXPECT_FALSE(family.unit.empty()) << name;
  }
}

}  // namespace
}  // namespace camwatch
