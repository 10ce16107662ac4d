// What the alert integration tests share (alerts_test.cc, alert_delivery_test.cc): the demo
// capture, the ground-truth config with sections added, and a fixture that replays them.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/ground_truth.h"
#include "integration/run_command.h"

namespace camwatch::integration {

using nlohmann::json;

inline const std::string kCamwatch = CAMWATCH_BINARY;
inline const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
inline const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
inline const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";

inline std::vector<std::string> describeAll(const json& alerts) {
  std::vector<std::string> rows;
  for (const json& alert : alerts) rows.push_back(describe(alert));
  return rows;
}

// The ground truth config with `extra` appended (later keys of the same section are not
// allowed in YAML, so callers add whole sections the base file does not have).
inline std::string configWith(const TempDir& dir, const std::string& name, const std::string& extra,
                              const std::string& base = kGroundTruth) {
  const std::string path = dir.path(name);
  std::string text = readFile(base);
  // Relative paths in the base are relative to its folder: make them absolute.
  const std::string folder = std::filesystem::path(base).parent_path().string() + "/";
  for (const char* key : {"protocols_file: ", "cloud_names_file: ", "doh_resolvers_file: ",
                          "oui_file: ", "operators_file: "}) {
    const std::size_t at = text.find(key);
    if (at != std::string::npos) text.insert(at + std::string(key).size(), folder);
  }
  std::ofstream(path) << text << "\n" << extra;
  return path;
}

class AlertsTest : public ::testing::Test {
 protected:
  CommandResult replay(const std::string& config, const std::string& flags = "") {
    return runCommand(kCamwatch + " replay -c " + shellQuote(config) + " --alerts " +
                      shellQuote(dir_.path("alerts.jsonl")) + " --summary " +
                      shellQuote(dir_.path("summary.json")) + " " + flags + " " +
                      shellQuote(kDemo));
  }
  json alerts() const { return readJsonLines(dir_.path("alerts.jsonl")); }

  TempDir dir_;
};

}  // namespace camwatch::integration
