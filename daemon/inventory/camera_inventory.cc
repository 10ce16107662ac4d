// CameraInventory: the config is checked once and the explicit devices are indexed by MAC and by
// IP (sorted vectors, binary search), so identify() is a couple of lookups plus linear scans of
// the short network, VLAN and group lists, without allocating.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <camwatch/inventory.h>
#include <camwatch/ip_address.h>

#include "util/text.h"

namespace camwatch {
namespace {

constexpr std::string_view kDefaultGroupName = "default";
constexpr std::uint16_t kFirstConfiguredGroup = 2;  // after kNoGroup and kDefaultGroup
constexpr std::uint16_t kMaxVlanId = 4094;          // 0 means "no tag", 4095 is reserved

// The brand of an OUI vendor name: "Hikvision" of "Hikvision (Hangzhou Hikvision Digital
// Technology Co.,Ltd.)". The table's names carry the registered company in parentheses; people
// write the brand.
std::string_view brandOf(std::string_view vendor) {
  const std::size_t paren = vendor.find(" (");
  return paren == std::string_view::npos ? vendor : vendor.substr(0, paren);
}

// Whether a vendor written in the config names `vendor`: the whole name or its brand, any case.
bool vendorMatches(std::string_view configured, std::string_view vendor) {
  return equalsIgnoreCase(configured, vendor) || equalsIgnoreCase(configured, brandOf(vendor));
}

std::uint64_t macKey(const std::uint8_t* mac6) {
  std::uint64_t key = 0;
  for (int i = 0; i < 6; ++i) key = (key << 8) | mac6[i];
  return key;
}

std::string macText(const std::array<std::uint8_t, 6>& mac) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3],
                     mac[4], mac[5]);
}

bool inAny(const std::vector<IpPrefix>& prefixes, const IpAddress& ip) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const IpPrefix& prefix) { return prefix.contains(ip); });
}

// A tag of 0 is "untagged" and never a member: create() only admits 1..4094.
bool onVlan(const std::vector<std::uint16_t>& vlans, std::uint16_t outer, std::uint16_t inner) {
  return std::any_of(vlans.begin(), vlans.end(),
                     [&](std::uint16_t vlan) { return vlan == outer || vlan == inner; });
}

// The candidate the user most likely meant by `text`, or empty. Near misses by edit distance,
// and names that contain the text: OUI vendor names are long ("Axis (Axis Communications AB)"),
// so someone writing "axis" wants the one that starts with it.
std::string_view suggest(std::string_view text, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::tuple<bool, bool, std::size_t> best_rank{true, true, 0};
  for (std::string_view candidate : candidates) {
    std::size_t distance = editDistance(text, candidate, LetterCase::kIgnore);
    bool contains = !text.empty() && containsIgnoreCase(candidate, text);
    bool near = distance <= std::max<std::size_t>(2, std::max(text.size(), candidate.size()) / 2);
    if (!contains && !near) continue;
    bool starts = contains && equalsIgnoreCase(candidate.substr(0, text.size()), text);
    std::tuple<bool, bool, std::size_t> rank{!starts, !contains, distance};
    if (best.empty() || rank < best_rank) {
      best = candidate;
      best_rank = rank;
    }
  }
  return best;
}

// " (did you mean 'x'?)" for suggest()'s pick, or "" when nothing is close.
std::string suggestionHint(std::string_view text, const std::vector<std::string_view>& candidates) {
  std::string_view suggestion = suggest(text, candidates);
  if (suggestion.empty()) return {};
  return didYouMean(suggestion);
}

// Prefixes from IpPrefix::parse() are always canonical; these may have been put together by
// hand, and contains() assumes the base's host bits are zero.
std::string checkPrefixes(std::string_view where, const std::vector<IpPrefix>& prefixes) {
  for (const IpPrefix& prefix : prefixes) {
    unsigned bits = prefix.bits;
    if (bits > 128) {
      return fmt::format("{}: {} with {} bits: longer than 128", where, prefix.base.toString(),
                         bits);
    }
    for (unsigned bit = bits; bit < 128; ++bit) {
      if ((prefix.base.bytes[bit / 8] & (0x80U >> (bit % 8))) != 0) {
        return fmt::format("{}: {}: host bits set", where, prefix.toString());
      }
    }
  }
  return {};
}

std::string checkVlans(std::string_view where, const std::vector<std::uint16_t>& vlans) {
  for (std::uint16_t vlan : vlans) {
    if (vlan == 0 || vlan > kMaxVlanId) {
      return fmt::format("{}: {} is not a VLAN id (1-{})", where, vlan, kMaxVlanId);
    }
  }
  return {};
}

bool isGroupNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string checkGroups(const InventoryConfig& config, const OuiTable* oui) {
  // Vendors a group may name: those the OUI table can report, and the devices' overrides.
  std::vector<std::string_view> known_vendors;
  if (oui != nullptr) known_vendors.assign(oui->vendors().begin(), oui->vendors().end());
  for (const InventoryDevice& device : config.devices) {
    if (!device.vendor.empty()) known_vendors.emplace_back(device.vendor);
  }
  // Group ids are 16 bits (GroupId).
  if (config.groups.size() > 60'000)
    return fmt::format("{} groups: at most 60000", config.groups.size());
  for (std::size_t g = 0; g < config.groups.size(); ++g) {
    const CameraGroupSpec& group = config.groups[g];
    if (group.name.empty()) return fmt::format("group {}: empty name", g + 1);
    std::string where = fmt::format("group '{}'", group.name);
    auto bad = std::find_if_not(group.name.begin(), group.name.end(), isGroupNameCharacter);
    if (bad != group.name.end()) {
      return fmt::format("{}: name has '{}'; use letters, digits, '_', '.' and '-'", where, *bad);
    }
    for (std::size_t earlier = 0; earlier < g; ++earlier) {
      if (config.groups[earlier].name == group.name) return where + ": defined twice";
    }
    if (std::string error = checkPrefixes(where + ": networks", group.networks); !error.empty()) {
      return error;
    }
    if (std::string error = checkVlans(where + ": vlans", group.vlans); !error.empty()) {
      return error;
    }
    for (const std::string& vendor : group.vendors) {
      if (vendor.empty()) return where + ": vendors: empty vendor name";
      bool known = std::any_of(known_vendors.begin(), known_vendors.end(),
                               [&](std::string_view v) { return vendorMatches(vendor, v); });
      if (!known) {
        // A vendor nothing can report would silently never match.
        return fmt::format("{}: vendor '{}' is neither in the OUI table{} nor a device's vendor{}",
                           where, vendor, oui == nullptr ? " (none loaded)" : "",
                           suggestionHint(vendor, known_vendors));
      }
    }
  }
  return {};
}

std::string checkDevices(const InventoryConfig& config) {
  std::vector<std::string_view> group_names{kDefaultGroupName};
  for (const CameraGroupSpec& group : config.groups) group_names.emplace_back(group.name);
  for (std::size_t d = 0; d < config.devices.size(); ++d) {
    const InventoryDevice& device = config.devices[d];
    if (device.name.empty()) return fmt::format("device {}: empty name", d + 1);
    std::string where = fmt::format("device '{}'", device.name);
    if (!device.ip && !device.mac) return where + ": needs an ip or a mac (or both)";
    for (std::size_t e = 0; e < d; ++e) {
      const InventoryDevice& earlier = config.devices[e];
      if (earlier.name == device.name) return where + ": defined twice";
      if (device.ip && earlier.ip == device.ip) {
        return fmt::format("{}: ip {} is already device '{}'", where, device.ip->toString(),
                           earlier.name);
      }
      if (device.mac && earlier.mac == device.mac) {
        return fmt::format("{}: mac {} is already device '{}'", where, macText(*device.mac),
                           earlier.name);
      }
    }
    if (!device.group.empty() &&
        std::find(group_names.begin(), group_names.end(), device.group) == group_names.end()) {
      return fmt::format("{}: group '{}' is not defined in groups{}", where, device.group,
                         suggestionHint(device.group, group_names));
    }
  }
  return {};
}

}  // namespace

const std::vector<IpPrefix>& defaultCameraNetworks() {
  static const std::vector<IpPrefix> networks = [] {
    std::vector<IpPrefix> out;
    for (std::string_view text : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                                  "169.254.0.0/16", "fc00::/7", "fe80::/10"}) {
      out.push_back(*IpPrefix::parse(text));
    }
    return out;
  }();
  return networks;
}

Result<CameraInventory> CameraInventory::create(InventoryConfig config,
                                                std::shared_ptr<const OuiTable> oui) {
  if (std::string error = checkPrefixes("camera_networks", config.camera_networks);
      !error.empty()) {
    return makeError(std::move(error));
  }
  if (std::string error = checkPrefixes("local_networks", config.local_networks); !error.empty()) {
    return makeError(std::move(error));
  }
  if (std::string error = checkVlans("camera_vlans", config.camera_vlans); !error.empty()) {
    return makeError(std::move(error));
  }
  if (config.camera_vendors && oui == nullptr) {
    return makeError("camera_vendors: needs an OUI table (inventory.oui_file)");
  }
  if (std::string error = checkGroups(config, oui.get()); !error.empty()) {
    return makeError(std::move(error));
  }
  if (std::string error = checkDevices(config); !error.empty()) {
    return makeError(std::move(error));
  }

  CameraInventory inventory;
  for (std::size_t d = 0; d < config.devices.size(); ++d) {
    const InventoryDevice& device = config.devices[d];
    auto index = static_cast<std::uint32_t>(d);
    if (device.mac) inventory.devices_by_mac_.emplace_back(macKey(device.mac->data()), index);
    if (device.ip) inventory.devices_by_ip_.emplace_back(*device.ip, index);
  }
  // Unique keys (checked above), so sorting by key alone is enough.
  std::sort(inventory.devices_by_mac_.begin(), inventory.devices_by_mac_.end());
  std::sort(inventory.devices_by_ip_.begin(), inventory.devices_by_ip_.end(),
            [](const auto& a, const auto& b) { return a.first.bytes < b.first.bytes; });
  inventory.config_ = std::move(config);
  inventory.oui_ = std::move(oui);
  for (const InventoryDevice& device : inventory.config_.devices) {
    inventory.device_groups_.push_back(device.group.empty() ? kNoGroup
                                                            : inventory.groupId(device.group));
  }
  return inventory;
}

const InventoryDevice* CameraInventory::findDevice(const IpAddress& ip,
                                                   const std::uint8_t* mac6) const {
  if (mac6 != nullptr) {
    std::uint64_t key = macKey(mac6);
    auto it = std::lower_bound(devices_by_mac_.begin(), devices_by_mac_.end(), key,
                               [](const auto& entry, std::uint64_t k) { return entry.first < k; });
    if (it != devices_by_mac_.end() && it->first == key) return &config_.devices[it->second];
  }
  // Compared as bytes: clang-tidy 14 flags the 0 in IpAddress's generated operator<=>.
  auto it = std::lower_bound(
      devices_by_ip_.begin(), devices_by_ip_.end(), ip,
      [](const auto& entry, const IpAddress& a) { return entry.first.bytes < a.bytes; });
  if (it != devices_by_ip_.end() && it->first == ip) return &config_.devices[it->second];
  return nullptr;
}

std::string_view CameraInventory::ouiVendor(const std::uint8_t* mac6) const {
  if (mac6 == nullptr || oui_ == nullptr) return {};
  return oui_->vendorOf(mac6).value_or(std::string_view());
}

GroupId CameraInventory::groupByRules(const IpAddress& ip, std::uint16_t vlan_outer,
                                      std::uint16_t vlan_inner, std::string_view vendor) const {
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    const CameraGroupSpec& group = config_.groups[g];
    const GroupId id{static_cast<std::uint16_t>(kFirstConfiguredGroup + g)};
    if (inAny(group.networks, ip) || onVlan(group.vlans, vlan_outer, vlan_inner)) return id;
    if (!vendor.empty() &&
        std::any_of(group.vendors.begin(), group.vendors.end(),
                    [&](const std::string& v) { return vendorMatches(v, vendor); })) {
      return id;
    }
  }
  return kDefaultGroup;
}

std::string_view CameraInventory::groupName(GroupId id) const {
  if (id == kDefaultGroup) return kDefaultGroupName;
  if (id.index < kFirstConfiguredGroup || id.index >= groupCount()) return {};
  return config_.groups[id.index - kFirstConfiguredGroup].name;
}

GroupId CameraInventory::groupId(std::string_view name) const {
  // A configured group called "default" is found first, as groupByRules would give it.
  for (std::size_t g = 0; g < config_.groups.size(); ++g) {
    if (config_.groups[g].name == name) {
      return GroupId{static_cast<std::uint16_t>(kFirstConfiguredGroup + g)};
    }
  }
  return name == kDefaultGroupName ? kDefaultGroup : kNoGroup;
}

HostIdentity CameraInventory::identify(const IpAddress& ip, const std::uint8_t* mac6,
                                       std::uint16_t vlan_outer, std::uint16_t vlan_inner) const {
  HostIdentity identity;
  identity.local = isLocal(ip);
  if (const InventoryDevice* device = findDevice(ip, mac6)) {
    identity.camera = true;
    identity.listed = true;
    identity.name = device->name;
    // The configured MAC is the operator's word; the one seen may be a router's.
    if (!device->vendor.empty()) {
      identity.vendor = device->vendor;
    } else if (device->mac) {
      identity.vendor = ouiVendor(device->mac->data());
    } else {
      identity.vendor = ouiVendor(mac6);
    }
    const GroupId listed =
        device_groups_[static_cast<std::size_t>(device - config_.devices.data())];
    identity.group_id =
        listed == kNoGroup ? groupByRules(ip, vlan_outer, vlan_inner, identity.vendor) : listed;
    identity.group = groupName(identity.group_id);
    return identity;
  }
  identity.vendor = ouiVendor(mac6);
  if (identity.local) return identity;
  identity.camera = inAny(config_.camera_networks, ip) ||
                    onVlan(config_.camera_vlans, vlan_outer, vlan_inner) ||
                    (config_.camera_vendors && !identity.vendor.empty());
  if (identity.camera) {
    identity.group_id = groupByRules(ip, vlan_outer, vlan_inner, identity.vendor);
    identity.group = groupName(identity.group_id);
  }
  return identity;
}

bool CameraInventory::isLocal(const IpAddress& ip) const {
  return inAny(config_.local_networks, ip);
}

const InventoryConfig& CameraInventory::config() const { return config_; }

std::vector<std::string> CameraInventory::groupNames() const {
  std::vector<std::string> names{std::string(kDefaultGroupName)};
  for (const CameraGroupSpec& group : config_.groups) {
    if (group.name != kDefaultGroupName) names.push_back(group.name);
  }
  return names;
}

}  // namespace camwatch
