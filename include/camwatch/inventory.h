// inventory/: which hosts are cameras, their names and groups (the config's inventory), and the
// MAC vendor table.
//
// What camwatch knows about the hosts on the watched VLANs.
//  - OuiTable maps a MAC address to the vendor that registered its prefix (IEEE MA-L 24-bit OUIs
//    and the longer MA-M 28-bit / MA-S 36-bit blocks), from config/camera-oui.csv.
//  - CameraInventory says, per host, whether it is a camera, its name when the config lists it,
//    the camera group whose policy applies, and whether an address is local infrastructure
//    (NVRs, management, recorders) that is never an egress destination.
// Inputs: the CSV and the `inventory` / `groups` config, once at start-up or reload. Outputs: a
// vendor per MAC; a HostIdentity per new flow endpoint; isLocal() per destination.
// Thread: load() and create() on the control thread; the results are immutable, so any number of
// workers may use them at once (share them as std::shared_ptr<const T>).
//
// A MAC prefix is a weak signal: consumer cameras often carry their Wi-Fi module's OUI or a
// random, locally administered address (docs/camera-clouds.md, "MAC vendor table"). Routed
// captures see the router's MAC, not the camera's, so every MAC input here is optional.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/result.h>

namespace camwatch {

class OuiTable {
 public:
  /// Reads a CSV with the header `oui,vendor,source` (RFC 4180 quoting; the source column is
  /// kept for people, not used here). `oui` is 3 to 6 hex octets separated by ':' or '-', with an
  /// optional `/bits` (a multiple of 4 from 8 to 48; default 8 per octet given), e.g. `44:19:B6`
  /// or `58:E8:76:00:00:00/28`. Fails on the first bad line with "PATH:LINE: what is wrong", and
  /// on a prefix listed twice or one whose bits past the prefix length are not zero.
  /// Control thread only.
  static Result<OuiTable> load(const std::string& csv_path);

  /// The vendor of the longest prefix in the table that covers `mac6` (6 bytes, wire order), or
  /// nullopt when none does or when the address is multicast/broadcast or locally administered
  /// (such addresses are not registered to anyone). Allocation-free; any thread.
  /// @return a view into this table, valid while the table lives.
  std::optional<std::string_view> vendorOf(const std::uint8_t* mac6) const;

  /// Number of prefixes loaded.
  std::size_t size() const;

  /// The distinct vendor names, in the order the file first names them (for checking and
  /// suggesting names that config refers to). Any thread; valid while the table lives.
  const std::vector<std::string>& vendors() const;

 private:
  // All prefixes of one length, sorted by value for binary search.
  struct PrefixGroup {
    unsigned bits = 0;
    std::vector<std::uint64_t> prefixes;      // 48-bit values, bits past `bits` zero
    std::vector<std::uint32_t> vendor_index;  // parallel to prefixes
  };

  std::vector<PrefixGroup> groups_;  // longest prefix length first
  std::vector<std::string> vendors_;
};

/// One explicitly listed device (config `inventory.devices`).
struct InventoryDevice {
  std::string name;                                // required, unique
  std::optional<IpAddress> ip;                     // ip or mac or both required
  std::optional<std::array<std::uint8_t, 6>> mac;  // wire order
  /// "" = decided like an unlisted camera's (the groups' networks, vlans, vendors, else
  /// "default"); otherwise "default" or a name in InventoryConfig::groups.
  std::string group;
  std::string vendor;  // optional override of the OUI vendor
};

/// The membership part of one camera group (config `groups.<name>`): a camera belongs to the
/// first group, in config order, that claims it by network, VLAN tag or vendor.
struct CameraGroupSpec {
  std::string name;  // [A-Za-z0-9_.-]+, unique
  std::vector<IpPrefix> networks;
  std::vector<std::uint16_t> vlans;  // 1..4094; outer or inner tag
  std::vector<std::string> vendors;  // vendor names as in the OUI table, case-insensitive
};

/// 10/8, 172.16/12, 192.168/16, 100.64/10 (CGNAT), 169.254/16, fc00::/7, fe80::/10: where
/// cameras live unless the config says otherwise. Built once; any thread.
const std::vector<IpPrefix>& defaultCameraNetworks();

/// What the inventory is told (config `inventory` and the membership part of `groups`).
struct InventoryConfig {
  std::vector<IpPrefix> camera_networks = defaultCameraNetworks();
  std::vector<std::uint16_t> camera_vlans;  // hosts on these VLANs (outer or inner tag) are cameras
  bool camera_vendors = false;  // a host whose MAC has a prefix in the OUI table is a camera
  std::vector<IpPrefix> local_networks;  // never cameras, never egress destinations
  std::vector<InventoryDevice> devices;
  std::vector<CameraGroupSpec> groups;  // in config order; first match wins
};

/// A camera group as a small number, for records and events that must not hold text: an index
/// into the groups of the CameraInventory that gave it (kNoGroup, kDefaultGroup, then the
/// configured groups in config order). Group names live in the inventory, and only there:
/// CameraInventory::groupName() names an id, and only the inventory that made it can, so whoever
/// keeps an id keeps that inventory with it (a worker's judgement snapshot, NamingSnapshot).
struct GroupId {
  std::uint16_t index = 0;
  friend bool operator==(GroupId, GroupId) = default;
};
inline constexpr GroupId kNoGroup{0};       ///< "": not a camera, or no inventory
inline constexpr GroupId kDefaultGroup{1};  ///< "default": a camera no group claims

/// What the inventory says about one host. The views point into the inventory (or its OUI
/// table) and stay valid while that inventory object lives.
struct HostIdentity {
  bool camera = false;      ///< a camera per CameraInventory::identify's rules
  bool listed = false;      ///< matched an explicit device (by MAC or IP)
  bool local = false;       ///< the IP is in local_networks
  std::string_view name;    ///< device name; empty when not listed
  std::string_view group;   ///< group name; "default" for a camera no group claims; empty for
                            ///< non-cameras
  GroupId group_id;         ///< `group` as an id of this inventory (kNoGroup for non-cameras)
  std::string_view vendor;  ///< device vendor override, else OUI vendor of the MAC, else empty
};

/// The inventory config compiled for lookups on the flow path.
class CameraInventory {
 public:
  /// Checks and compiles `config`. Errors name the device or group and the field, e.g.
  /// "device 'lobby-cam': group 'entrance' is not defined in groups (did you mean
  /// 'entrance-hall'?)". Checked: device names non-empty and unique; each device has an ip or a
  /// mac; no ip or mac listed for two devices; a device's group is "", "default" or defined in
  /// `groups`; group names unique and [A-Za-z0-9_.-]+; VLAN ids 1..4094; prefixes with no host
  /// bits; group vendors known to the OUI table or named by a device's vendor override;
  /// camera_vendors only with an OUI table.
  /// @param oui the MAC vendor table; may be null (then no host has an OUI vendor).
  /// Control thread.
  static Result<CameraInventory> create(InventoryConfig config,
                                        std::shared_ptr<const OuiTable> oui);

  /// Who the host with `ip` (and, when known, MAC `mac6`) seen on VLAN tags `vlan_outer` /
  /// `vlan_inner` (0 = untagged) is. In order of precedence:
  ///  1. an explicit device, matched by MAC first when `mac6` is given, then by IP: a camera,
  ///     listed, in the device's group (for group "", the group rules below);
  ///  2. else an IP in local_networks: not a camera, local;
  ///  3. else a camera when the IP is in camera_networks, or either tag is in camera_vlans, or
  ///     camera_vendors is on and the OUI table knows the MAC.
  /// A camera's group by rules: the first group whose networks contain the IP, or whose vlans
  /// contain either tag, or whose vendors contain the host's vendor; else "default".
  /// A listed device's vendor is its override, else the OUI vendor of its configured MAC, else
  /// that of `mac6`. `local` is set whenever the IP is in local_networks, listed or not.
  /// @param mac6 6 bytes in wire order, or null (routed captures carry no host MAC).
  /// Called once per new flow endpoint: no allocation; any thread.
  HostIdentity identify(const IpAddress& ip, const std::uint8_t* mac6, std::uint16_t vlan_outer,
                        std::uint16_t vlan_inner) const;

  /// True when `ip` is in local_networks: then it is no egress destination even when public.
  /// No allocation; any thread.
  bool isLocal(const IpAddress& ip) const;

  /// The config this inventory was created from. Any thread.
  const InventoryConfig& config() const;

  /// "default" first, then the configured groups in config order (each name once). Allocates.
  std::vector<std::string> groupNames() const;

  /// The name of a group id this inventory gave ("" for kNoGroup or an id it never gave). No
  /// allocation; any thread.
  std::string_view groupName(GroupId id) const;
  /// The id of the group called `name` ("default" included), or kNoGroup when there is none.
  /// A scan of the groups: for a reload or a control-side lookup, not per packet. Any thread.
  GroupId groupId(std::string_view name) const;
  /// Ids run from 0 to groupCount() - 1: tables by id have this many entries.
  std::size_t groupCount() const { return config_.groups.size() + 2; }

 private:
  CameraInventory() = default;

  const InventoryDevice* findDevice(const IpAddress& ip, const std::uint8_t* mac6) const;
  std::string_view ouiVendor(const std::uint8_t* mac6) const;
  GroupId groupByRules(const IpAddress& ip, std::uint16_t vlan_outer, std::uint16_t vlan_inner,
                       std::string_view vendor) const;

  InventoryConfig config_;
  std::shared_ptr<const OuiTable> oui_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> devices_by_mac_;  // MAC -> device, sorted
  std::vector<std::pair<IpAddress, std::uint32_t>> devices_by_ip_;       // IP -> device, sorted
  std::vector<GroupId> device_groups_;  // by device; kNoGroup: decided by the group rules
};

}  // namespace camwatch
