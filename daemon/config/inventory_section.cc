// `inventory:` (which hosts are cameras, named devices), `groups:` (camera groups and their
// egress budgets) and `learning:` (the learned destination baseline) of the config file.
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/config_sections.h"

namespace camwatch {
namespace {

// "44:19:b6:3a:51:21" or with '-' between the bytes.
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

InventoryDevice readDevice(const ConfigReader& reader, const YAML::Node& entry,
                           const std::string& path) {
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
  if (!device.ip && !device.mac) reader.fail(entry, path, "a device needs an ip, a mac or both");
  if (entry["group"]) device.group = reader.scalar(entry["group"], path + ".group");
  if (entry["vendor"]) device.vendor = reader.scalar(entry["vendor"], path + ".vendor");
  return device;
}

// What marks a host as a camera: networks, VLANs, vendors; and what counts as local.
void readCameraRules(const ConfigReader& reader, const YAML::Node& node,
                     InventoryConfig& inventory) {
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
}

CameraGroupConfig readGroup(const ConfigReader& reader, const YAML::Node& group,
                            const std::string& name) {
  const std::string path = "groups." + name;
  // The default group is every camera no other group claims: it has no membership rules.
  if (name == "default") {
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
  return out;
}

}  // namespace

void readInventory(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  reader.checkKeys(
      node, "inventory",
      {"oui_file", "camera_networks", "camera_vlans", "camera_vendors", "local_networks", "devices",
       "alert_unknown_devices", "unknown_device_severity", "max_cameras"});
  if (node["oui_file"]) config.oui_file = reader.filePath(node["oui_file"], "inventory.oui_file");
  readCameraRules(reader, node, config.inventory);
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
      config.inventory.devices.push_back(readDevice(reader, devices[i], path));
    }
  }
}

void readGroups(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  if (!node.IsMap()) reader.fail(node, "groups", "expected a mapping of group names to groups");
  for (const auto& item : node) {
    const auto name = item.first.as<std::string>();
    CameraGroupConfig group = readGroup(reader, item.second, name);
    if (name == "default") {
      config.default_egress_budget = group.egress_budget;
    } else {
      config.inventory.groups.push_back(group.membership);
      config.groups.push_back(std::move(group));
    }
  }
}

void readLearning(const ConfigReader& reader, const YAML::Node& node, Config& config) {
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
  if (node["state_file"]) {
    learning.state_file = reader.filePath(node["state_file"], "learning.state_file");
  }
  if (learning.mode != LearningMode::kOff && learning.state_file.empty()) {
    reader.fail(node, "learning.state_file",
                fmt::format("required when learning.mode is {}", learningModeName(learning.mode)));
  }
}

}  // namespace camwatch
