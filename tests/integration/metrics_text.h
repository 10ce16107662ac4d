// Reading figures back from a Prometheus text exposition (what /metrics serves and what
// `replay --metrics FILE` writes), for tests that compare them with independent counts.
#pragma once

#include <sstream>
#include <string>

namespace camwatch::integration {

/// The sum of every series of `family` (counter or gauge name, without suffix) in `exposition`.
inline double metricSum(const std::string& exposition, const std::string& family) {
  double sum = 0;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family, 0) != 0) continue;
    const char next = line.size() > family.size() ? line[family.size()] : '\0';
    if (next != '{' && next != ' ') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

/// The sum of the series of `family` that carry `label` (written `name="value"`).
inline double metricSumWith(const std::string& exposition, const std::string& family,
                            const std::string& label) {
  std::string matching;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(family + "{", 0) == 0 && line.find(label) != std::string::npos)
      matching += line + "\n";
  }
  return metricSum(matching, family);
}

}  // namespace camwatch::integration
