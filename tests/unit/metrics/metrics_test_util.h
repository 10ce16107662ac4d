// Shared by the metrics tests: read a registry back through prometheus-cpp's text format.
#pragma once

#include <map>
#include <sstream>
#include <string>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <camwatch/metrics.h>

namespace camwatch::testing {

/// The registry as a scrape returns it (prometheus::TextSerializer over Collect()).
inline std::string serialize(const MetricsRegistry& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.prometheusRegistry()->Collect());
}

/// Every sample line of `text`, "name{labels}" -> value. Comment lines are skipped.
inline std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

/// The value of one series, e.g. value(m, "camwatch_worker_packets_total{worker=\"0\"}"); -1
/// when the series does not exist.
inline double value(const MetricsRegistry& metrics, const std::string& series) {
  const auto all = samples(serialize(metrics));
  const auto found = all.find(series);
  return found == all.end() ? -1 : found->second;
}

}  // namespace camwatch::testing
