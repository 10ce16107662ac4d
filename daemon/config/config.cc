// yaml-cpp throws on bad input; all of that stays inside loadConfig(), which turns it into one
// Error naming file, line and key.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <camwatch/config.h>

#include "sinks/syslog/syslog_message.h"
#include "sinks/syslog/unix_datagram_sender.h"
#include "util/text.h"

namespace camwatch {
namespace {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// " (did you mean 'x'?)" for the closest of `known`, or "" when none is close. Keys and group
// names are case-sensitive here, so the distance counts a change of case too.
std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  const std::string* closest = nullptr;
  std::size_t best = 3;
  for (const std::string& candidate : known) {
    const std::size_t distance = editDistance(word, candidate, LetterCase::kExact);
    if (distance < best) {
      best = distance;
      closest = &candidate;
    }
  }
  return closest == nullptr ? std::string() : didYouMean(*closest);
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
      const std::string hint = suggestion(key, known);
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
    if (unit == "d") scale = 24 * 3600 * kNanosPerSecond;
    if (ec != std::errc() || end == text.data() || scale == 0 || number == 0 ||
        number > static_cast<std::uint64_t>(std::numeric_limits<Timestamp>::max() / scale)) {
      fail(node, key,
           fmt::format("expected a positive duration such as 90s, 5m, 1h or 7d, got '{}'", text));
    }
    return static_cast<Timestamp>(number) * scale;
  }

  // Like duration(), but "0" (or "0s") is allowed and means "never" / "off".
  Timestamp durationOrZero(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    if (text == "0" || text == "0s" || text == "0m" || text == "0h") return 0;
    return duration(node, key);
  }

  std::chrono::milliseconds millis(const YAML::Node& node, const std::string& key) const {
    return std::chrono::milliseconds(duration(node, key) / (kNanosPerSecond / 1000));
  }

  // "64MiB", "500MB", "1GiB", "1500000" (bytes), "2kB". Decimal (kB, MB, GB, TB) and binary
  // (KiB, MiB, GiB, TiB) units, as network people write both.
  std::uint64_t byteSize(const YAML::Node& node, const std::string& key, bool allow_zero) const {
    const std::string text = scalar(node, key);
    std::uint64_t number = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    std::string unit(end, text.data() + text.size());
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    static const std::pair<const char*, std::uint64_t> kUnits[] = {
        {"", 1},
        {"B", 1},
        {"kB", 1000},
        {"KB", 1000},
        {"MB", 1000 * 1000},
        {"GB", 1000ULL * 1000 * 1000},
        {"TB", 1000ULL * 1000 * 1000 * 1000},
        {"KiB", 1024},
        {"MiB", 1024 * 1024},
        {"GiB", 1024ULL * 1024 * 1024},
        {"TiB", 1024ULL * 1024 * 1024 * 1024}};
    std::uint64_t scale = 0;
    for (const auto& [name, factor] : kUnits) {
      if (unit == name) scale = factor;
    }
    if (ec != std::errc() || end == text.data() || scale == 0 ||
        number > std::numeric_limits<std::uint64_t>::max() / scale ||
        (number == 0 && !allow_zero)) {
      fail(node, key,
           fmt::format("expected a {}size such as 500MB, 64MiB or 1GB, got '{}'",
                       allow_zero ? "" : "positive ", text));
    }
    return number * scale;
  }

  IpPrefix prefix(const YAML::Node& node, const std::string& key) const {
    const std::string text = scalar(node, key);
    auto parsed = IpPrefix::parse(text);
    if (!parsed) fail(node, key, fmt::format("'{}': {}", text, parsed.error().message));
    return *parsed;
  }

  std::vector<IpPrefix> prefixList(const YAML::Node& node, const std::string& key) const {
    std::vector<IpPrefix> prefixes;
    if (node.IsScalar()) {
      prefixes.push_back(prefix(node, key));
      return prefixes;
    }
    if (!node.IsSequence()) fail(node, key, "expected a list of addresses or CIDR prefixes");
    for (std::size_t i = 0; i < node.size(); ++i) {
      prefixes.push_back(prefix(node[i], key + "[" + std::to_string(i) + "]"));
    }
    return prefixes;
  }

  std::vector<std::uint16_t> vlanList(const YAML::Node& node, const std::string& key) const {
    std::vector<std::uint16_t> vlans;
    if (node.IsScalar()) {
      vlans.push_back(static_cast<std::uint16_t>(unsignedValue(node, key, 1, 4094)));
      return vlans;
    }
    if (!node.IsSequence()) fail(node, key, "expected a list of VLAN ids (1-4094)");
    for (std::size_t i = 0; i < node.size(); ++i) {
      vlans.push_back(static_cast<std::uint16_t>(
          unsignedValue(node[i], key + "[" + std::to_string(i) + "]", 1, 4094)));
    }
    return vlans;
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
  if (ns % (24 * 3600 * kNanosPerSecond) == 0)
    return fmt::format("{}d", ns / (24 * 3600 * kNanosPerSecond));
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

std::optional<std::array<std::uint8_t, 6>> parseMacText(std::string_view text) {
  std::array<std::uint8_t, 6> mac{};
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':' && text[i * 3 - 1] != '-') return std::nullopt;
    unsigned value = 0;
    const char* first = text.data() + i * 3;
    const auto [end, ec] = std::from_chars(first, first + 2, value, 16);
    if (ec != std::errc() || end != first + 2) return std::nullopt;
    mac[i] = static_cast<std::uint8_t>(value);
  }
  return mac;
}

void readInventory(const ConfigReader& reader, const YAML::Node& node, Config& config,
                   const std::function<std::string(const YAML::Node&, const std::string&)>& file) {
  reader.checkKeys(
      node, "inventory",
      {"oui_file", "camera_networks", "camera_vlans", "camera_vendors", "local_networks", "devices",
       "alert_unknown_devices", "unknown_device_severity", "max_cameras"});
  InventoryConfig& inventory = config.inventory;
  if (node["oui_file"]) config.oui_file = file(node["oui_file"], "inventory.oui_file");
  if (node["camera_networks"]) {
    inventory.camera_networks =
        reader.prefixList(node["camera_networks"], "inventory.camera_networks");
  }
  if (node["camera_vlans"]) {
    inventory.camera_vlans = reader.vlanList(node["camera_vlans"], "inventory.camera_vlans");
  }
  if (node["camera_vendors"]) {
    inventory.camera_vendors = reader.boolean(node["camera_vendors"], "inventory.camera_vendors");
  }
  if (node["local_networks"]) {
    inventory.local_networks =
        reader.prefixList(node["local_networks"], "inventory.local_networks");
  }
  if (node["alert_unknown_devices"]) {
    config.alert_unknown_devices =
        reader.boolean(node["alert_unknown_devices"], "inventory.alert_unknown_devices");
  }
  if (node["max_cameras"]) {
    config.max_cameras =
        reader.unsignedValue(node["max_cameras"], "inventory.max_cameras", 1, 16'777'216);
  }
  if (node["unknown_device_severity"]) {
    config.unknown_device_severity =
        reader.named<Severity>(node["unknown_device_severity"], "inventory.unknown_device_severity",
                               severityFromName, "info, warning or critical");
  }
  if (const YAML::Node devices = node["devices"]) {
    if (!devices.IsSequence()) reader.fail(devices, "inventory.devices", "expected a list");
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const std::string path = "inventory.devices[" + std::to_string(i) + "]";
      const YAML::Node& entry = devices[i];
      reader.checkKeys(entry, path, {"name", "ip", "mac", "group", "vendor"});
      InventoryDevice device;
      if (!entry["name"]) reader.fail(entry, path + ".name", "every device needs a name");
      device.name = reader.scalar(entry["name"], path + ".name");
      if (entry["ip"]) {
        device.ip = reader.named<IpAddress>(entry["ip"], path + ".ip", IpAddress::parse,
                                            "an IPv4 or IPv6 address");
      }
      if (entry["mac"]) {
        device.mac = reader.named<std::array<std::uint8_t, 6>>(
            entry["mac"], path + ".mac", parseMacText, "a MAC address such as 44:19:b6:3a:51:21");
      }
      if (!device.ip && !device.mac)
        reader.fail(entry, path, "a device needs an ip, a mac or both");
      if (entry["group"]) device.group = reader.scalar(entry["group"], path + ".group");
      if (entry["vendor"]) device.vendor = reader.scalar(entry["vendor"], path + ".vendor");
      inventory.devices.push_back(std::move(device));
    }
  }
}

void readGroups(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  if (!node.IsMap()) reader.fail(node, "groups", "expected a mapping of group names to groups");
  for (const auto& item : node) {
    const auto name = item.first.as<std::string>();
    const std::string path = "groups." + name;
    const YAML::Node& group = item.second;
    const bool is_default = name == "default";
    // The default group is every camera no other group claims: it has no membership rules.
    if (is_default) {
      reader.checkKeys(group, path, {"egress_budget", "budget_window"});
    } else {
      reader.checkKeys(group, path,
                       {"networks", "vlans", "vendors", "egress_budget", "budget_window"});
    }
    CameraGroupConfig out;
    out.membership.name = name;
    if (group["networks"])
      out.membership.networks = reader.prefixList(group["networks"], path + ".networks");
    if (group["vlans"]) out.membership.vlans = reader.vlanList(group["vlans"], path + ".vlans");
    if (group["vendors"])
      out.membership.vendors = reader.stringList(group["vendors"], path + ".vendors");
    if (group["egress_budget"]) {
      out.egress_budget.bytes =
          reader.byteSize(group["egress_budget"], path + ".egress_budget", true);
    }
    if (group["budget_window"]) {
      out.egress_budget.window = reader.duration(group["budget_window"], path + ".budget_window");
    }
    if (is_default) {
      config.default_egress_budget = out.egress_budget;
    } else {
      config.inventory.groups.push_back(out.membership);
      config.groups.push_back(std::move(out));
    }
  }
}

void readLearning(const ConfigReader& reader, const YAML::Node& node, Config& config,
                  const std::function<std::string(const YAML::Node&, const std::string&)>& file) {
  reader.checkKeys(node, "learning", {"mode", "period", "state_file"});
  LearningConfig& learning = config.learning;
  if (node["mode"]) {
    learning.mode = reader.named<LearningMode>(
        node["mode"], "learning.mode",
        [](const std::string& text) -> std::optional<LearningMode> {
          if (text == "off") return LearningMode::kOff;
          if (text == "learn") return LearningMode::kLearn;
          if (text == "enforce") return LearningMode::kEnforce;
          return std::nullopt;
        },
        "off, learn or enforce");
  }
  if (node["period"]) learning.period = reader.duration(node["period"], "learning.period");
  if (node["state_file"]) learning.state_file = file(node["state_file"], "learning.state_file");
  if (learning.mode != LearningMode::kOff && learning.state_file.empty()) {
    reader.fail(node, "learning.state_file",
                fmt::format("required when learning.mode is {}", learningModeName(learning.mode)));
  }
}

AlertSinkConfig readSink(
    const ConfigReader& reader, const YAML::Node& node, const std::string& path,
    const std::function<std::string(const YAML::Node&, const std::string&)>& file) {
  if (!node.IsMap()) reader.fail(node, path, "expected a mapping with a 'type'");
  if (!node["type"]) reader.fail(node, path + ".type", "every sink needs a type");
  AlertSinkConfig sink;
  sink.type = reader.scalar(node["type"], path + ".type");
  std::vector<std::string> keys = {"type", "name"};
  if (sink.type == "jsonl") {
    keys.insert(keys.end(), {"path", "fsync"});
  } else if (sink.type == "stdout") {
  } else if (sink.type == "syslog") {
    keys.insert(keys.end(), {"ident", "facility", "socket"});
  } else if (sink.type == "webhook") {
    keys.insert(keys.end(), {"url", "headers", "bearer_token_file", "one_per_request",
                             "connect_timeout", "timeout"});
  } else if (sink.type == "alertmanager") {
    keys.insert(keys.end(), {"urls", "alertname", "generator_url", "labels", "headers",
                             "bearer_token_file", "connect_timeout", "timeout"});
  } else {
    reader.fail(node["type"], path + ".type",
                fmt::format("unknown sink type '{}'; expected jsonl, stdout, syslog, webhook or "
                            "alertmanager",
                            sink.type));
  }
  reader.checkKeys(node, path, keys);
  sink.name = node["name"] ? reader.scalar(node["name"], path + ".name") : sink.type;
  const bool name_ok =
      !sink.name.empty() && std::all_of(sink.name.begin(), sink.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
      });
  if (!name_ok) {
    reader.fail(node["name"] ? node["name"] : node, path + ".name",
                fmt::format("'{}': use letters, digits, '_', '.' and '-' only", sink.name));
  }
  if (sink.type == "jsonl") {
    if (!node["path"]) reader.fail(node, path + ".path", "a jsonl sink needs a path");
    sink.path = file(node["path"], path + ".path");
    if (node["fsync"]) sink.fsync = reader.boolean(node["fsync"], path + ".fsync");
  }
  if (node["ident"]) sink.ident = reader.scalar(node["ident"], path + ".ident");
  if (node["facility"]) sink.facility = reader.scalar(node["facility"], path + ".facility");
  if (node["socket"]) sink.socket = file(node["socket"], path + ".socket");
  if (sink.type == "syslog") {
    // The sink checks these again when it opens; here the error can point at the line.
    if (!syslogFacilityCode(sink.facility)) {
      reader.fail(node["facility"], path + ".facility",
                  fmt::format("unknown syslog facility '{}'; expected {}", sink.facility,
                              kSyslogFacilityNames));
    }
    if (auto problem = syslogIdentProblem(sink.ident)) {
      reader.fail(node["ident"], path + ".ident", *problem);
    }
    if (sink.socket.empty() || sink.socket.size() > UnixDatagramSender::kMaxPathLength) {
      reader.fail(node["socket"], path + ".socket",
                  fmt::format("'{}': a unix socket path has 1 to {} characters", sink.socket,
                              UnixDatagramSender::kMaxPathLength));
    }
  }
  if (sink.type == "webhook") {
    if (!node["url"]) reader.fail(node, path + ".url", "a webhook sink needs a url");
    sink.urls = {reader.scalar(node["url"], path + ".url")};
  }
  if (sink.type == "alertmanager") {
    if (!node["urls"]) {
      reader.fail(node, path + ".urls", "an alertmanager sink needs urls (one per cluster peer)");
    }
    sink.urls = reader.stringList(node["urls"], path + ".urls");
    if (sink.urls.empty()) reader.fail(node["urls"], path + ".urls", "must not be empty");
  }
  for (std::size_t i = 0; i < sink.urls.size(); ++i) {
    const std::string& url = sink.urls[i];
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      const YAML::Node at = sink.type == "webhook" ? node["url"] : node["urls"];
      reader.fail(at, path + (sink.type == "webhook" ? ".url" : ".urls"),
                  fmt::format("'{}': expected an http:// or https:// URL", url));
    }
  }
  if (node["headers"]) {
    const YAML::Node& headers = node["headers"];
    if (!headers.IsMap()) {
      reader.fail(headers, path + ".headers", "expected a mapping of header names to values");
    }
    for (const auto& header : headers) {
      sink.headers.push_back(
          header.first.as<std::string>() + ": " +
          reader.scalar(header.second, path + ".headers." + header.first.as<std::string>()));
    }
  }
  if (node["bearer_token_file"]) {
    sink.bearer_token_file = file(node["bearer_token_file"], path + ".bearer_token_file");
  }
  if (node["one_per_request"]) {
    sink.one_per_request = reader.boolean(node["one_per_request"], path + ".one_per_request");
  }
  if (node["alertname"]) sink.alertname = reader.scalar(node["alertname"], path + ".alertname");
  if (node["generator_url"]) {
    sink.generator_url = reader.scalar(node["generator_url"], path + ".generator_url");
  }
  if (node["labels"]) {
    const YAML::Node& labels = node["labels"];
    if (!labels.IsMap()) reader.fail(labels, path + ".labels", "expected a mapping");
    for (const auto& label : labels) {
      const auto key = label.first.as<std::string>();
      sink.labels[key] = reader.scalar(label.second, path + ".labels." + key);
    }
  }
  if (node["connect_timeout"]) {
    sink.connect_timeout = reader.millis(node["connect_timeout"], path + ".connect_timeout");
  }
  if (node["timeout"]) sink.timeout = reader.millis(node["timeout"], path + ".timeout");
  return sink;
}

void readAlerts(const ConfigReader& reader, const YAML::Node& node, Config& config,
                const std::function<std::string(const YAML::Node&, const std::string&)>& file) {
  reader.checkKeys(
      node, "alerts",
      {"suppression_window", "renotify_interval", "resolve_after", "max_active_per_camera",
       "max_active", "spool_dir", "spool_max_bytes", "spool_segment_bytes", "batch_size",
       "retry_base", "retry_max", "drain_timeout", "sinks"});
  AlertsConfig& alerts = config.alerts;
  if (node["suppression_window"]) {
    alerts.suppression_window =
        reader.durationOrZero(node["suppression_window"], "alerts.suppression_window");
  }
  if (node["renotify_interval"]) {
    alerts.renotify_interval =
        reader.durationOrZero(node["renotify_interval"], "alerts.renotify_interval");
  }
  if (node["resolve_after"]) {
    alerts.resolve_after = reader.durationOrZero(node["resolve_after"], "alerts.resolve_after");
  }
  if (node["max_active_per_camera"]) {
    alerts.max_active_per_camera = reader.unsignedValue(
        node["max_active_per_camera"], "alerts.max_active_per_camera", 0, 1'000'000);
  }
  if (node["max_active"]) {
    alerts.max_active =
        reader.unsignedValue(node["max_active"], "alerts.max_active", 1, 16'777'216);
  }
  if (node["spool_dir"]) alerts.spool_dir = file(node["spool_dir"], "alerts.spool_dir");
  if (node["spool_max_bytes"]) {
    alerts.spool_max_bytes =
        reader.byteSize(node["spool_max_bytes"], "alerts.spool_max_bytes", false);
  }
  if (node["spool_segment_bytes"]) {
    alerts.spool_segment_bytes =
        reader.byteSize(node["spool_segment_bytes"], "alerts.spool_segment_bytes", false);
  }
  if (node["batch_size"]) {
    alerts.batch_size = reader.unsignedValue(node["batch_size"], "alerts.batch_size", 1, 10000);
  }
  if (node["retry_base"])
    alerts.retry_base = reader.millis(node["retry_base"], "alerts.retry_base");
  if (node["retry_max"]) alerts.retry_max = reader.millis(node["retry_max"], "alerts.retry_max");
  if (alerts.retry_max < alerts.retry_base) {
    reader.fail(node, "alerts.retry_max", "must not be shorter than alerts.retry_base");
  }
  if (node["drain_timeout"]) {
    alerts.drain_timeout = std::chrono::milliseconds(
        reader.durationOrZero(node["drain_timeout"], "alerts.drain_timeout") /
        (kNanosPerSecond / 1000));
  }
  if (const YAML::Node sinks = node["sinks"]) {
    if (!sinks.IsSequence()) reader.fail(sinks, "alerts.sinks", "expected a list of sinks");
    for (std::size_t i = 0; i < sinks.size(); ++i) {
      const std::string path = "alerts.sinks[" + std::to_string(i) + "]";
      AlertSinkConfig sink = readSink(reader, sinks[i], path, file);
      for (const AlertSinkConfig& earlier : alerts.sinks) {
        if (earlier.name == sink.name) {
          reader.fail(
              sinks[i], path + ".name",
              fmt::format("a second sink named '{}'; give each sink its own name", sink.name));
        }
      }
      alerts.sinks.push_back(std::move(sink));
    }
  }
}

void readCapture(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  reader.checkKeys(node, "capture",
                   {"interfaces", "snaplen", "buffer_size", "bpf", "promiscuous", "workers"});
  CaptureConfig& capture = config.capture;
  if (node["interfaces"]) {
    capture.interfaces = reader.stringList(node["interfaces"], "capture.interfaces");
  }
  if (node["snaplen"]) {
    capture.snaplen = static_cast<std::uint32_t>(
        reader.unsignedValue(node["snaplen"], "capture.snaplen", 64, 262144));
  }
  if (node["buffer_size"]) {
    const std::uint64_t bytes = reader.byteSize(node["buffer_size"], "capture.buffer_size", false);
    if (bytes < (1ULL << 20U) || bytes > (4ULL << 30U)) {
      reader.fail(node["buffer_size"], "capture.buffer_size", "expected 1MiB to 4GiB");
    }
    capture.buffer_mib = static_cast<std::uint32_t>(bytes >> 20U);
  }
  if (node["bpf"]) capture.bpf = reader.scalar(node["bpf"], "capture.bpf");
  if (node["promiscuous"])
    capture.promiscuous = reader.boolean(node["promiscuous"], "capture.promiscuous");
  if (node["workers"]) {
    capture.workers =
        static_cast<unsigned>(reader.unsignedValue(node["workers"], "capture.workers", 0, 256));
  }
}

void readMetrics(const ConfigReader& reader, const YAML::Node& node, Config& config,
                 const std::function<std::string(const YAML::Node&, const std::string&)>& file) {
  reader.checkKeys(node, "metrics",
                   {"enabled", "listen", "max_destinations", "username", "password_file"});
  if (node["username"])
    config.metrics.username = reader.scalar(node["username"], "metrics.username");
  if (node["password_file"]) {
    config.metrics.password_file = file(node["password_file"], "metrics.password_file");
  }
  if (config.metrics.username.empty() != config.metrics.password_file.empty()) {
    reader.fail(node, "metrics.username",
                "basic auth needs both metrics.username and metrics.password_file");
  }
  if (node["enabled"]) config.metrics.enabled = reader.boolean(node["enabled"], "metrics.enabled");
  if (node["listen"]) {
    config.metrics.listen = reader.scalar(node["listen"], "metrics.listen");
    const std::string& listen = config.metrics.listen;
    const std::size_t colon = listen.rfind(':');
    std::uint32_t port = 0;
    const char* first = listen.data() + (colon == std::string::npos ? 0 : colon + 1);
    const auto [end, ec] = std::from_chars(first, listen.data() + listen.size(), port);
    // Port 0 is allowed: the kernel picks a free one and `run` logs the URL with the port it got
    // (tests run sensors side by side that way).
    if (colon == std::string::npos || colon == 0 || ec != std::errc() ||
        end != listen.data() + listen.size() || port > 65535) {
      reader.fail(node["listen"], "metrics.listen",
                  fmt::format("expected host:port such as 127.0.0.1:9108 or 0.0.0.0:9108, got '{}'",
                              listen));
    }
  }
  if (node["max_destinations"]) {
    config.metrics.max_destinations = static_cast<std::uint32_t>(
        reader.unsignedValue(node["max_destinations"], "metrics.max_destinations", 0, 1000000));
  }
}

void readLogging(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  reader.checkKeys(node, "logging", {"level", "format"});
  if (node["level"]) {
    config.logging.level = reader.named<std::string>(
        node["level"], "logging.level",
        [](const std::string& text) -> std::optional<std::string> {
          for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
            if (text == level) return text;
          }
          return std::nullopt;
        },
        "trace, debug, info, warn or error");
  }
  if (node["format"]) {
    config.logging.format = reader.named<std::string>(
        node["format"], "logging.format",
        [](const std::string& text) -> std::optional<std::string> {
          if (text == "text" || text == "json") return text;
          return std::nullopt;
        },
        "text or json");
  }
}

}  // namespace

std::string_view learningModeName(LearningMode mode) {
  switch (mode) {
    case LearningMode::kOff:
      return "off";
    case LearningMode::kLearn:
      return "learn";
    case LearningMode::kEnforce:
      return "enforce";
  }
  return "off";
}

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
                     {"sensor", "capture", "replay", "flows", "dpi", "dns", "geoip", "inventory",
                      "groups", "policy", "learning", "alerts", "metrics", "logging"});
    // Relative paths are relative to the config file, so a config and its files move together.
    const std::function<std::string(const YAML::Node&, const std::string&)> filePath =
        [&](const YAML::Node& node, const std::string& key) {
          std::filesystem::path file = reader.scalar(node, key);
          if (!file.empty() && file.is_relative())
            file = std::filesystem::path(path).parent_path() / file;
          return file.string();
        };
    if (const YAML::Node sensor = root["sensor"]) {
      reader.checkKeys(sensor, "sensor", {"name", "user"});
      if (sensor["user"]) config.run_as_user = reader.scalar(sensor["user"], "sensor.user");
      if (sensor["name"]) {
        config.sensor_name = reader.scalar(sensor["name"], "sensor.name");
        if (config.sensor_name.empty())
          reader.fail(sensor["name"], "sensor.name", "must not be empty");
      }
    }
    if (const YAML::Node replay = root["replay"]) {
      reader.checkKeys(replay, "replay",
                       {"workers", "max_hosts", "max_destination_rows", "max_timelines"});
      if (replay["workers"]) {
        config.workers = static_cast<unsigned>(
            reader.unsignedValue(replay["workers"], "replay.workers", 0, 256));
      }
      // What the summary, report and destinations CSV itemise; beyond, flows are counted only.
      for (const auto& [key, value] :
           {std::pair{"max_hosts", &config.replay_limits.max_hosts},
            std::pair{"max_destination_rows", &config.replay_limits.max_destination_rows},
            std::pair{"max_timelines", &config.replay_limits.max_timelines}}) {
        if (replay[key]) {
          *value = static_cast<std::size_t>(
              reader.unsignedValue(replay[key], std::string("replay.") + key, 1, 100'000'000));
        }
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
      readInventory(reader, inventory, config, filePath);
    }
    if (const YAML::Node groups = root["groups"]) readGroups(reader, groups, config);
    if (const YAML::Node learning = root["learning"]) {
      readLearning(reader, learning, config, filePath);
    }
    if (const YAML::Node alerts = root["alerts"]) readAlerts(reader, alerts, config, filePath);
    if (const YAML::Node capture = root["capture"]) readCapture(reader, capture, config);
    if (const YAML::Node metrics = root["metrics"]) readMetrics(reader, metrics, config, filePath);
    if (const YAML::Node logging = root["logging"]) readLogging(reader, logging, config);
    // Policy groups must name camera groups, so a typo cannot silently leave cameras unjudged.
    if (const YAML::Node policy = root["policy"]) {
      for (const auto& item : policy) {
        const auto name = item.first.as<std::string>();
        if (name == "default") continue;
        const bool defined =
            std::any_of(config.groups.begin(), config.groups.end(),
                        [&](const CameraGroupConfig& g) { return g.membership.name == name; });
        if (!defined) {
          std::vector<std::string> known = {"default"};
          for (const CameraGroupConfig& g : config.groups) known.push_back(g.membership.name);
          reader.fail(
              item.first, "policy." + name,
              fmt::format("no camera group '{}' in groups:{}", name, suggestion(name, known)));
        }
      }
    }
  } catch (const ConfigError& error) {
    return makeError(error.what());
  } catch (const YAML::Exception& error) {
    // Syntax errors: yaml-cpp's message carries the line and column.
    return makeError(fmt::format("{}:{}:{}: invalid YAML: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  // The inventory checks device and group names, duplicates and group references.
  // It needs the OUI table: group vendors must be vendors the table knows.
  std::shared_ptr<const OuiTable> oui;
  if (!config.oui_file.empty()) {
    auto table = OuiTable::load(config.oui_file);
    if (!table)
      return makeError(fmt::format("{}: inventory.oui_file: {}", path, table.error().message));
    oui = std::make_shared<const OuiTable>(std::move(*table));
  }
  if (auto inventory = CameraInventory::create(config.inventory, oui); !inventory) {
    return makeError(fmt::format("{}: inventory: {}", path, inventory.error().message));
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
  if (!config.run_as_user.empty()) text += fmt::format("  user: {}\n", config.run_as_user);
  text += fmt::format("replay:\n  workers: {}{}\n", config.workers,
                      config.workers == 0 ? "  # one per CPU core" : "");
  text += fmt::format("  max_hosts: {}\n  max_destination_rows: {}\n  max_timelines: {}\n",
                      config.replay_limits.max_hosts, config.replay_limits.max_destination_rows,
                      config.replay_limits.max_timelines);
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
  const CaptureConfig& capture = config.capture;
  text += fmt::format(
      "capture:  # camwatch run\n  interfaces: [{}]\n  snaplen: {}\n  buffer_size: {}MiB\n"
      "  bpf: '{}'\n  promiscuous: {}\n  workers: {}\n",
      fmt::join(capture.interfaces, ", "), capture.snaplen, capture.buffer_mib, capture.bpf,
      capture.promiscuous, capture.workers);
  const InventoryConfig& inventory = config.inventory;
  auto prefixes = [](const std::vector<IpPrefix>& list) {
    std::vector<std::string> texts;
    for (const IpPrefix& prefix : list) texts.push_back(prefix.toString());
    return fmt::format("[{}]", fmt::join(texts, ", "));
  };
  text += fmt::format(
      "inventory:\n  oui_file: '{}'\n  camera_networks: {}\n  camera_vlans: [{}]\n"
      "  camera_vendors: {}\n  local_networks: {}\n  alert_unknown_devices: {}\n"
      "  unknown_device_severity: {}\n  max_cameras: {}\n  devices:{}\n",
      config.oui_file, prefixes(inventory.camera_networks), fmt::join(inventory.camera_vlans, ", "),
      inventory.camera_vendors, prefixes(inventory.local_networks), config.alert_unknown_devices,
      severityName(config.unknown_device_severity), config.max_cameras,
      inventory.devices.empty() ? " []" : "");
  for (const InventoryDevice& device : inventory.devices) {
    text += fmt::format("    - name: {}\n", device.name);
    if (device.ip) text += fmt::format("      ip: {}\n", device.ip->toString());
    if (device.mac) {
      const auto& m = *device.mac;
      text += fmt::format("      mac: {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n", m[0], m[1],
                          m[2], m[3], m[4], m[5]);
    }
    if (!device.group.empty()) text += fmt::format("      group: {}\n", device.group);
    if (!device.vendor.empty()) text += fmt::format("      vendor: {}\n", device.vendor);
  }
  auto budget = [](const EgressBudget& b) {
    if (b.bytes == 0) return std::string("0  # no budget");
    return fmt::format("{}\n    budget_window: {}", b.bytes, formatDuration(b.window));
  };
  text +=
      fmt::format("groups:\n  default:  # cameras no other group claims\n    egress_budget: {}\n",
                  budget(config.default_egress_budget));
  for (const CameraGroupConfig& group : config.groups) {
    text += fmt::format(
        "  {}:\n    networks: {}\n    vlans: [{}]\n    vendors: [{}]\n    egress_budget: {}\n",
        group.membership.name, prefixes(group.membership.networks),
        fmt::join(group.membership.vlans, ", "), fmt::join(group.membership.vendors, ", "),
        budget(group.egress_budget));
  }
  text += fmt::format("learning:\n  mode: {}\n  period: {}\n  state_file: '{}'\n",
                      learningModeName(config.learning.mode),
                      formatDuration(config.learning.period), config.learning.state_file);
  const AlertsConfig& alerts = config.alerts;
  auto optionalDuration = [](Timestamp ns) {
    return ns == 0 ? std::string("0  # never") : formatDuration(ns);
  };
  auto ms = [](std::chrono::milliseconds value) {
    return value.count() == 0 ? std::string("0")
                              : formatDuration(value.count() * (kNanosPerSecond / 1000));
  };
  text += fmt::format(
      "alerts:\n  suppression_window: {}\n  renotify_interval: {}\n  resolve_after: {}\n"
      "  max_active_per_camera: {}\n  max_active: {}\n  spool_dir: '{}'\n  spool_max_bytes: {}\n  "
      "spool_segment_bytes: {}\n  batch_size: {}\n"
      "  retry_base: {}\n  retry_max: {}\n  drain_timeout: {}\n  sinks:{}\n",
      optionalDuration(alerts.suppression_window), optionalDuration(alerts.renotify_interval),
      optionalDuration(alerts.resolve_after), alerts.max_active_per_camera, alerts.max_active,
      alerts.spool_dir, alerts.spool_max_bytes, alerts.spool_segment_bytes, alerts.batch_size,
      ms(alerts.retry_base), ms(alerts.retry_max), ms(alerts.drain_timeout),
      alerts.sinks.empty() ? " []" : "");
  for (const AlertSinkConfig& sink : alerts.sinks) {
    text += fmt::format("    - type: {}\n      name: {}\n", sink.type, sink.name);
    if (sink.type == "jsonl") {
      text += fmt::format("      path: '{}'\n      fsync: {}\n", sink.path, sink.fsync);
    } else if (sink.type == "syslog") {
      text += fmt::format("      ident: {}\n      facility: {}\n      socket: '{}'\n", sink.ident,
                          sink.facility, sink.socket);
    } else if (sink.type == "webhook" || sink.type == "alertmanager") {
      text += fmt::format("      {}: [{}]\n", sink.type == "webhook" ? "url" : "urls",
                          fmt::join(sink.urls, ", "));
      // Header values may hold secrets: names only.
      for (const std::string& header : sink.headers) {
        text += fmt::format("      header: {}: (set)\n", header.substr(0, header.find(':')));
      }
      if (!sink.bearer_token_file.empty())
        text += fmt::format("      bearer_token_file: '{}'\n", sink.bearer_token_file);
      if (!sink.alertname.empty()) text += fmt::format("      alertname: {}\n", sink.alertname);
      if (!sink.generator_url.empty())
        text += fmt::format("      generator_url: {}\n", sink.generator_url);
      for (const auto& [key, value] : sink.labels)
        text += fmt::format("      label: {}={}\n", key, value);
      text += fmt::format("      connect_timeout: {}\n      timeout: {}\n",
                          ms(sink.connect_timeout), ms(sink.timeout));
    }
  }
  text += fmt::format(
      "metrics:  # camwatch run\n  enabled: {}\n  listen: {}\n  max_destinations: {}\n"
      "  username: '{}'\n  password_file: '{}'\n",
      config.metrics.enabled, config.metrics.listen, config.metrics.max_destinations,
      config.metrics.username, config.metrics.password_file);
  text += fmt::format("logging:\n  level: {}\n  format: {}\n", config.logging.level,
                      config.logging.format);
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
