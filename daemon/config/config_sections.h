// config_sections: the readers of the config file's sections that have a file of their own
// (policy_section.cc, inventory_section.cc, alerts_section.cc), called by loadConfig() in file
// order. Each takes the section's node and fills its part of `config`; a mistake throws through
// ConfigReader::fail(). Private to daemon/config/.
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "yaml/config_reader.h"

namespace camwatch {

/// `policy:`, one GroupPolicy per group in file order (PolicyEngine::create checks the rest).
/// A rule's matcher lists as the config file names them (`domains`, `cidrs`, ...), in file
/// order: one table for reading them (policy_section.cc) and printing them (describe_config.cc).
struct RuleListKey {
  const char* key;
  std::vector<std::string> PolicyRule::*list;
};
const std::vector<RuleListKey>& ruleListKeys();

std::vector<GroupPolicy> readPolicy(const ConfigReader& reader, const YAML::Node& policy);
/// Every group `policy:` names must be a camera group of `groups:` (or "default"), so a typo
/// cannot silently leave cameras unjudged. Run after readGroups().
void checkPolicyGroupsExist(const ConfigReader& reader, const YAML::Node& policy,
                            const Config& config);

/// `inventory:`, `groups:` and `learning:`.
void readInventory(const ConfigReader& reader, const YAML::Node& node, Config& config);
void readGroups(const ConfigReader& reader, const YAML::Node& node, Config& config);
void readLearning(const ConfigReader& reader, const YAML::Node& node, Config& config);

/// `alerts:`, its sinks (into Config::alert_sinks) read by their sink types
/// (sinks/sink_registry.h).
void readAlerts(const ConfigReader& reader, const YAML::Node& node, Config& config);

}  // namespace camwatch
