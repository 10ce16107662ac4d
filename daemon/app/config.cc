// yaml-cpp throws on bad input; all of that stays inside loadConfig(), which turns it into one
// Error naming file, line and key.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <set>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <camwatch/config.h>

namespace camwatch {
namespace {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Reads one YAML file, keeping the file name and key path for error messages.
class ConfigReader {
 public:
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line >= 0) {
      throw ConfigError(
          fmt::format("{}:{}:{}: {}: {}", file_, mark.line + 1, mark.column + 1, key, what));
    }
    throw ConfigError(fmt::format("{}: {}: {}", file_, key, what));
  }

  // Every key of `map` must be one of `known`; `path` names the map ("flows").
  void checkKeys(const YAML::Node& map, const std::string& path,
                 const std::vector<std::string>& known) const {
    if (!map.IsMap()) fail(map, path, "expected a mapping of keys to values");
    for (const auto& item : map) {
      const auto key = item.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      const std::string full = path.empty() ? key : path + "." + key;
      std::string hint;
      std::size_t best = 3;
      for (const std::string& candidate : known) {
        const std::size_t distance = editDistance(key, candidate);
        if (distance < best) {
          best = distance;
          hint = fmt::format(" (did you mean '{}'?)", candidate);
        }
      }
      std::string list;
      for (const std::string& candidate : known) list += (list.empty() ? "" : ", ") + candidate;
      fail(item.first, full, fmt::format("unknown key{}; expected one of: {}", hint, list));
    }
  }

  std::uint64_t unsignedValue(const YAML::Node& node, const std::string& key, std::uint64_t min,
                              std::uint64_t max) const {
    const std::string text = scalar(node, key);
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      fail(node, key, fmt::format("expected a whole number, got '{}'", text));
    }
    if (value < min || value > max) {
      fail(node, key, fmt::format("{} is out of range [{}, {}]", value, min, max));
    }
    return value;
  }

  // "300s", "5m", "1h", "250ms", or a bare number of seconds.
  Timestamp duration(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    std::uint64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    const std::string unit(end, text.data() + text.size());
    Timestamp scale = 0;
    if (unit.empty() || unit == "s") scale = kNanosPerSecond;
    if (unit == "ms") scale = kNanosPerSecond / 1000;
    if (unit == "m") scale = 60 * kNanosPerSecond;
    if (unit == "h") scale = 3600 * kNanosPerSecond;
    if (ec != std::errc() || end == text.data() || scale == 0 || number == 0 ||
        number > static_cast<std::uint64_t>(std::numeric_limits<Timestamp>::max() / scale)) {
      fail(node, key,
           fmt::format("expected a positive duration such as 90s, 5m or 1h, got '{}'", text));
    }
    return static_cast<Timestamp>(number) * scale;
  }

  std::vector<std::string> stringList(const YAML::Node& node, const std::string& key) const {
    if (node.IsScalar()) return {node.Scalar()};  // a single value is a list of one
    if (!node.IsSequence()) fail(node, key, "expected a list of values");
    std::vector<std::string> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      values.push_back(scalar(node[i], key + "[" + std::to_string(i) + "]"));
    }
    return values;
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    const std::string value = scalar(node, key);
    if (value == "true") return true;
    if (value == "false") return false;
    fail(node, key, "expected true or false, got '" + value + "'");
  }

  template <typename T, typename Parse>
  T named(const YAML::Node& node, const std::string& key, Parse parse, const char* expected) const {
    const std::string text = scalar(node, key);
    const std::optional<T> value = parse(text);
    if (!value) fail(node, key, fmt::format("expected {}, got '{}'", expected, text));
    return *value;
  }

  std::string scalar(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a single value");
    return node.Scalar();
  }

 private:
  std::string file_;
};

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "camwatch";
  return name;
}

std::string formatDuration(Timestamp ns) {
  if (ns % (3600 * kNanosPerSecond) == 0) return fmt::format("{}h", ns / (3600 * kNanosPerSecond));
  if (ns % (60 * kNanosPerSecond) == 0) return fmt::format("{}m", ns / (60 * kNanosPerSecond));
  if (ns % kNanosPerSecond == 0) return fmt::format("{}s", ns / kNanosPerSecond);
  return fmt::format("{}ms", ns / (kNanosPerSecond / 1000));
}

PolicyRule readRule(const ConfigReader& reader, const YAML::Node& node, const std::string& path) {
  reader.checkKeys(node, path,
                   {"name", "action", "domains", "cidrs", "asns", "countries", "protocols",
                    "categories", "ports", "severity"});
  PolicyRule rule;
  if (!node["name"]) reader.fail(node, path + ".name", "every rule needs a name");
  rule.name = reader.scalar(node["name"], path + ".name");
  if (node["action"]) {
    rule.action = reader.named<PolicyAction>(node["action"], path + ".action", policyActionFromName,
                                             "allow or deny");
  }
  const std::pair<const char*, std::vector<std::string>*> lists[] = {
      {"domains", &rule.domains},     {"cidrs", &rule.cidrs},
      {"asns", &rule.asns},           {"countries", &rule.countries},
      {"protocols", &rule.protocols}, {"categories", &rule.categories},
      {"ports", &rule.ports}};
  for (const auto& [key, target] : lists) {
    if (node[key]) *target = reader.stringList(node[key], path + "." + key);
  }
  if (node["severity"]) {
    rule.severity = reader.named<Severity>(node["severity"], path + ".severity", severityFromName,
                                           "info, warning or critical");
  }
  return rule;
}

std::vector<GroupPolicy> readPolicy(const ConfigReader& reader, const YAML::Node& policy) {
  if (!policy.IsMap()) {
    reader.fail(policy, "policy", "expected a mapping of group names to group policies");
  }
  std::vector<GroupPolicy> groups;
  for (const auto& item : policy) {
    const auto name = item.first.as<std::string>();
    const std::string path = "policy." + name;
    const YAML::Node& node = item.second;
    reader.checkKeys(node, path,
                     {"default_action", "default_severity", "vendor_cloud_catalog", "rules"});
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
    if (node["rules"]) {
      const YAML::Node& rules = node["rules"];
      if (!rules.IsSequence()) reader.fail(rules, path + ".rules", "expected a list of rules");
      for (std::size_t i = 0; i < rules.size(); ++i) {
        group.rules.push_back(
            readRule(reader, rules[i], path + ".rules[" + std::to_string(i) + "]"));
      }
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace

Config defaultConfig() {
  Config config;
  config.sensor_name = hostName();
  GroupPolicy group;
  group.name = "default";
  config.policy_groups.push_back(group);
  return config;
}

Result<Config> loadConfig(const std::string& path) {
  Config config = defaultConfig();
  config.source = path;
  ConfigReader reader(path);
  try {
    YAML::Node root;
    try {
      root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      return makeError(fmt::format("{}: cannot read the config file", path));
    }
    if (root.IsNull()) return config;  // an empty file means all defaults
    reader.checkKeys(root, "",
                     {"sensor", "replay", "flows", "dpi", "dns", "geoip", "inventory", "policy"});
    // Relative paths are relative to the config file, so a config and its files move together.
    auto filePath = [&](const YAML::Node& node, const std::string& key) {
      std::filesystem::path file = reader.scalar(node, key);
      if (!file.empty() && file.is_relative())
        file = std::filesystem::path(path).parent_path() / file;
      return file.string();
    };
    if (const YAML::Node sensor = root["sensor"]) {
      reader.checkKeys(sensor, "sensor", {"name"});
      if (sensor["name"]) {
        config.sensor_name = reader.scalar(sensor["name"], "sensor.name");
        if (config.sensor_name.empty())
          reader.fail(sensor["name"], "sensor.name", "must not be empty");
      }
    }
    if (const YAML::Node replay = root["replay"]) {
      reader.checkKeys(replay, "replay", {"workers"});
      if (replay["workers"]) {
        config.workers = static_cast<unsigned>(
            reader.unsignedValue(replay["workers"], "replay.workers", 0, 256));
      }
    }
    if (const YAML::Node flows = root["flows"]) {
      reader.checkKeys(flows, "flows",
                       {"max_flows", "tcp_idle_timeout", "udp_idle_timeout", "tcp_closed_timeout",
                        "active_timeout"});
      FlowTableConfig& flow = config.flows;
      if (flows["max_flows"]) {
        flow.max_flows = static_cast<std::uint32_t>(
            reader.unsignedValue(flows["max_flows"], "flows.max_flows", 1, 1U << 30U));
      }
      const std::pair<const char*, Timestamp*> durations[] = {
          {"tcp_idle_timeout", &flow.tcp_idle_timeout},
          {"udp_idle_timeout", &flow.udp_idle_timeout},
          {"tcp_closed_timeout", &flow.tcp_closed_timeout},
          {"active_timeout", &flow.active_timeout}};
      for (const auto& [key, target] : durations) {
        if (flows[key]) *target = reader.duration(flows[key], std::string("flows.") + key);
      }
    }
    if (const YAML::Node dpi = root["dpi"]) {
      reader.checkKeys(dpi, "dpi",
                       {"enabled", "protocols_file", "max_tcp_packets", "max_udp_packets"});
      if (dpi["enabled"]) {
        const std::string value = reader.scalar(dpi["enabled"], "dpi.enabled");
        if (value != "true" && value != "false") {
          reader.fail(dpi["enabled"], "dpi.enabled", "expected true or false, got '" + value + "'");
        }
        config.dpi.enabled = value == "true";
      }
      if (dpi["protocols_file"]) {
        config.dpi.protocols_file = filePath(dpi["protocols_file"], "dpi.protocols_file");
      }
      if (dpi["max_tcp_packets"]) {
        config.dpi.max_tcp_packets = static_cast<std::uint16_t>(
            reader.unsignedValue(dpi["max_tcp_packets"], "dpi.max_tcp_packets", 1, 1000));
      }
      if (dpi["max_udp_packets"]) {
        config.dpi.max_udp_packets = static_cast<std::uint16_t>(
            reader.unsignedValue(dpi["max_udp_packets"], "dpi.max_udp_packets", 1, 1000));
      }
    }
    if (const YAML::Node dns = root["dns"]) {
      reader.checkKeys(dns, "dns", {"cache_size", "min_ttl", "max_ttl"});
      if (dns["cache_size"]) {
        config.dns.capacity = static_cast<std::uint32_t>(
            reader.unsignedValue(dns["cache_size"], "dns.cache_size", 64, 1U << 26U));
      }
      if (dns["min_ttl"]) config.dns.min_ttl = reader.duration(dns["min_ttl"], "dns.min_ttl");
      if (dns["max_ttl"]) config.dns.max_ttl = reader.duration(dns["max_ttl"], "dns.max_ttl");
      if (config.dns.min_ttl > config.dns.max_ttl) {
        reader.fail(dns, "dns.min_ttl", "must not be longer than dns.max_ttl");
      }
    }
    if (const YAML::Node geoip = root["geoip"]) {
      reader.checkKeys(geoip, "geoip", {"country_db", "asn_db", "cache_size"});
      if (geoip["country_db"])
        config.geoip.country_db = filePath(geoip["country_db"], "geoip.country_db");
      if (geoip["asn_db"]) config.geoip.asn_db = filePath(geoip["asn_db"], "geoip.asn_db");
      if (geoip["cache_size"]) {
        config.geo_cache_size = static_cast<std::uint32_t>(
            reader.unsignedValue(geoip["cache_size"], "geoip.cache_size", 0, 1U << 24U));
      }
    }
    if (const YAML::Node policy = root["policy"]) config.policy_groups = readPolicy(reader, policy);
    if (const YAML::Node inventory = root["inventory"]) {
      reader.checkKeys(inventory, "inventory", {"oui_file"});
      if (inventory["oui_file"])
        config.oui_file = filePath(inventory["oui_file"], "inventory.oui_file");
    }
  } catch (const ConfigError& error) {
    return makeError(error.what());
  } catch (const YAML::Exception& error) {
    // Syntax errors: yaml-cpp's message carries the line and column.
    return makeError(fmt::format("{}:{}:{}: invalid YAML: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  // The engine checks what YAML cannot: CIDRs, ports, country codes, duplicate rule names.
  if (auto engine = PolicyEngine::create(config.policy_groups); !engine) {
    return makeError(fmt::format("{}: policy: {}", path, engine.error().message));
  }
  return config;
}

std::string describeConfig(const Config& config) {
  std::string text;
  text += fmt::format("# effective configuration (from {})\n", config.source);
  text += fmt::format("sensor:\n  name: {}\n", config.sensor_name);
  text += fmt::format("replay:\n  workers: {}{}\n", config.workers,
                      config.workers == 0 ? "  # one per CPU core" : "");
  const FlowTableConfig& flow = config.flows;
  text += fmt::format(
      "flows:\n  max_flows: {}\n  tcp_idle_timeout: {}\n  udp_idle_timeout: {}\n"
      "  tcp_closed_timeout: {}\n  active_timeout: {}\n",
      flow.max_flows, formatDuration(flow.tcp_idle_timeout), formatDuration(flow.udp_idle_timeout),
      formatDuration(flow.tcp_closed_timeout), formatDuration(flow.active_timeout));
  text += fmt::format(
      "dpi:\n  enabled: {}\n  protocols_file: '{}'\n  max_tcp_packets: {}\n  max_udp_packets: {}\n",
      config.dpi.enabled, config.dpi.protocols_file, config.dpi.max_tcp_packets,
      config.dpi.max_udp_packets);
  text += fmt::format("dns:\n  cache_size: {}\n  min_ttl: {}\n  max_ttl: {}\n", config.dns.capacity,
                      formatDuration(config.dns.min_ttl), formatDuration(config.dns.max_ttl));
  text += fmt::format("geoip:\n  country_db: '{}'\n  asn_db: '{}'\n  cache_size: {}\n",
                      config.geoip.country_db, config.geoip.asn_db, config.geo_cache_size);
  text += fmt::format("inventory:\n  oui_file: '{}'\n", config.oui_file);
  text += "policy:\n";
  for (const GroupPolicy& group : config.policy_groups) {
    text += fmt::format(
        "  {}:\n    default_action: {}\n    default_severity: {}\n"
        "    vendor_cloud_catalog: {}\n    rules:{}\n",
        group.name, policyActionName(group.default_action), severityName(group.default_severity),
        group.vendor_cloud_catalog, group.rules.empty() ? " []" : "");
    for (const PolicyRule& rule : group.rules) {
      text += fmt::format("      - name: {}\n        action: {}\n", rule.name,
                          policyActionName(rule.action));
      const std::pair<const char*, const std::vector<std::string>*> lists[] = {
          {"domains", &rule.domains},     {"cidrs", &rule.cidrs},
          {"asns", &rule.asns},           {"countries", &rule.countries},
          {"protocols", &rule.protocols}, {"categories", &rule.categories},
          {"ports", &rule.ports}};
      for (const auto& [key, values] : lists) {
        if (!values->empty())
          text += fmt::format("        {}: [{}]\n", key, fmt::join(*values, ", "));
      }
      if (rule.severity)
        text += fmt::format("        severity: {}\n", severityName(*rule.severity));
    }
  }
  return text;
}

}  // namespace camwatch
