// `policy:` of the config file: per camera group, a default action and severity, the vendor
// cloud catalog switch and the rules in order.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config_sections.h"
#include "policy/matchers.h"
#include "policy/mud.h"

namespace camwatch {

const std::vector<RuleListKey>& ruleListKeys() {
  static const std::vector<RuleListKey> keys = {
      {"domains", &PolicyRule::domains},
      {"registrable_domains", &PolicyRule::registrable_domains},
      {"cidrs", &PolicyRule::cidrs},
      {"asns", &PolicyRule::asns},
      {"countries", &PolicyRule::countries},
      {"operators", &PolicyRule::operators},
      {"operator_countries", &PolicyRule::operator_countries},
      {"protocols", &PolicyRule::protocols},
      {"categories", &PolicyRule::categories},
      {"ports", &PolicyRule::ports}};
  return keys;
}

namespace {

PolicyRule readRule(const ConfigReader& reader, const YAML::Node& node, const std::string& path) {
  std::vector<std::string> known = {"name", "action"};
  for (const RuleListKey& list : ruleListKeys()) known.emplace_back(list.key);
  known.emplace_back("severity");
  reader.checkKeys(node, path, known);
  PolicyRule rule;
  if (!node["name"]) reader.fail(node, path + ".name", "every rule needs a name");
  rule.name = reader.scalar(node["name"], path + ".name");
  if (node["action"]) {
    rule.action = reader.named<PolicyAction>(node["action"], path + ".action", policyActionFromName,
                                             "allow or deny");
  }
  for (const RuleListKey& list : ruleListKeys()) {
    if (node[list.key]) rule.*list.list = reader.stringList(node[list.key], path + "." + list.key);
  }
  if (node["severity"]) {
    rule.severity = reader.named<Severity>(node["severity"], path + ".severity", severityFromName,
                                           "info, warning or critical");
  }
  return rule;
}

// An alert a group switches off or raises with a severity: `off`, `info`, `warning`, `critical`.
std::optional<Severity> readAlertSwitch(const ConfigReader& reader, const YAML::Node& node,
                                        const std::string& key) {
  if (reader.scalar(node, key) == "off") return std::nullopt;
  return reader.named<Severity>(node, key, severityFromName, "off, info, warning or critical");
}

// `mud_controllers:`, controller URI (or my-controller) -> its hosts: exact host names and
// networks, each checked here so that an error names its key.
MudControllers readMudControllers(const ConfigReader& reader, const YAML::Node& node,
                                  const std::string& path) {
  if (!node.IsMap()) {
    reader.fail(node, path,
                "expected a mapping of controller URIs (or my-controller) to lists of host "
                "names and networks");
  }
  MudControllers controllers;
  for (const auto& item : node) {
    const std::string uri = item.first.as<std::string>();
    const std::string at = path + "." + uri;
    if (uri == "urn:ietf:params:mud:dns" || uri == "urn:ietf:params:mud:ntp") {
      reader.fail(item.first, at,
                  "the site's own DNS and NTP servers need no hosts here (camwatch does not judge "
                  "on-site flows; a group's resolvers are its `resolvers`)");
    }
    const std::vector<std::string> hosts = reader.stringList(item.second, at);
    MudControllerHosts& listed = controllers[uri];
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      const std::string& host = hosts[i];
      const YAML::Node entry = item.second.IsSequence() ? item.second[i] : item.second;
      const std::string entry_at = fmt::format("{}[{}]", at, i);
      if (IpPrefix::parse(host)) {
        listed.networks.push_back(host);
        continue;
      }
      // Not a network: then an exact host name (a controller is a host, not a pattern).
      const bool address_like = host.find_first_of("/:") != std::string::npos ||
                                host.find_first_not_of("0123456789.") == std::string::npos;
      if (address_like) {
        reader.fail(
            entry, entry_at,
            fmt::format("'{}' is not a network: {}", host, IpPrefix::parse(host).error().message));
      }
      policy::DomainSet checked;
      std::string error = host.starts_with("*") ? "a controller is a host, not a pattern"
                                                : policy::addDomain(host, checked);
      if (!error.empty()) {
        reader.fail(entry, entry_at, fmt::format("'{}' is not a host name: {}", host, error));
      }
      listed.names.push_back(host);
    }
  }
  return controllers;
}

GroupPolicy readGroupPolicy(const ConfigReader& reader, const YAML::Node& node,
                            const std::string& name) {
  const std::string path = "policy." + name;
  reader.checkKeys(node, path,
                   {"default_action", "default_severity", "vendor_cloud_catalog",
                    "hardcoded_address", "destination_drift", "resolvers", "external_resolver",
                    "encrypted_dns", "rules", "mud", "mud_controllers"});
  GroupPolicy group;
  group.name = name;
  if (node["default_action"]) {
    group.default_action = reader.named<PolicyAction>(
        node["default_action"], path + ".default_action", policyActionFromName, "allow or deny");
  }
  if (node["default_severity"]) {
    group.default_severity =
        reader.named<Severity>(node["default_severity"], path + ".default_severity",
                               severityFromName, "info, warning or critical");
  }
  if (node["vendor_cloud_catalog"]) {
    group.vendor_cloud_catalog =
        reader.boolean(node["vendor_cloud_catalog"], path + ".vendor_cloud_catalog");
  }
  if (const YAML::Node hardcoded = node["hardcoded_address"]) {
    group.hardcoded_address = readAlertSwitch(reader, hardcoded, path + ".hardcoded_address");
  }
  if (const YAML::Node resolvers = node["resolvers"]) {
    group.resolvers = reader.prefixList(resolvers, path + ".resolvers");
  }
  if (const YAML::Node external = node["external_resolver"]) {
    group.external_resolver = readAlertSwitch(reader, external, path + ".external_resolver");
  }
  if (const YAML::Node encrypted = node["encrypted_dns"]) {
    group.encrypted_dns = readAlertSwitch(reader, encrypted, path + ".encrypted_dns");
  }
  if (const YAML::Node drift = node["destination_drift"]) {
    group.destination_drift = readAlertSwitch(reader, drift, path + ".destination_drift");
  }
  if (node["rules"]) {
    const YAML::Node& rules = node["rules"];
    if (!rules.IsSequence()) reader.fail(rules, path + ".rules", "expected a list of rules");
    for (std::size_t i = 0; i < rules.size(); ++i) {
      group.rules.push_back(readRule(reader, rules[i], path + ".rules[" + std::to_string(i) + "]"));
    }
  }
  // A MUD profile (RFC 8520): its ACEs become rules after the group's own (docs/policy.md).
  MudControllers controllers;
  if (const YAML::Node listed = node["mud_controllers"]) {
    if (!node["mud"]) reader.fail(listed, path + ".mud_controllers", "needs a mud: profile");
    controllers = readMudControllers(reader, listed, path + ".mud_controllers");
  }
  if (const YAML::Node mud = node["mud"]) {
    const std::string file = reader.filePath(mud, path + ".mud");
    auto rules = loadMudPolicyRules(file, controllers);
    if (!rules) reader.fail(mud, path + ".mud", rules.error().message);
    for (PolicyRule& rule : *rules) group.rules.push_back(std::move(rule));
  }
  return group;
}

}  // namespace

std::vector<GroupPolicy> readPolicy(const ConfigReader& reader, const YAML::Node& policy) {
  if (!policy.IsMap()) {
    reader.fail(policy, "policy", "expected a mapping of group names to group policies");
  }
  std::vector<GroupPolicy> groups;
  for (const auto& item : policy) {
    groups.push_back(readGroupPolicy(reader, item.second, item.first.as<std::string>()));
  }
  return groups;
}

void checkPolicyGroupsExist(const ConfigReader& reader, const YAML::Node& policy,
                            const Config& config) {
  for (const auto& item : policy) {
    const auto name = item.first.as<std::string>();
    if (name == "default") continue;
    const bool defined =
        std::any_of(config.groups.begin(), config.groups.end(),
                    [&](const CameraGroupConfig& g) { return g.membership.name == name; });
    if (defined) continue;
    std::vector<std::string> known = {"default"};
    for (const CameraGroupConfig& g : config.groups) known.push_back(g.membership.name);
    reader.fail(item.first, "policy." + name,
                fmt::format("no camera group '{}' in groups:{}", name, suggestion(name, known)));
  }
}

}  // namespace camwatch
