// Tests of CameraInventory: each step of identify()'s precedence (explicit device by MAC, then by
// IP; local networks; camera networks, VLANs and vendors), group membership by network, VLAN tag
// and vendor with the first match winning, vendor overrides, IPv6, isLocal(), groupNames(), and
// the exact message for each way the config can be wrong. The OUI table is a small CSV written
// to the test's temporary directory.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/inventory.h>
#include <camwatch/ip_address.h>

#include "support/packet_builder.h"

// Counts this binary's allocations, so a test can check that identify() makes none. Only the
// plain forms are replaced; the rest of the operator new family forwards to them. noinline:
// GCC 12 at -O2 otherwise sees malloc'd memory reach free() through an inlined delete and
// reports a -Wmismatched-new-delete that is not one.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

__attribute__((noinline)) void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* memory) noexcept { std::free(memory); }
__attribute__((noinline)) void operator delete(void* memory, std::size_t /*size*/) noexcept {
  std::free(memory);
}

namespace camwatch {
namespace {

using testkit::Mac;
using testkit::parseMac;

// Two vendors; Axis with two prefixes, so one vendor name stands for several OUIs.
constexpr std::string_view kOuiCsv =
    "oui,vendor,source\n"
    "44:19:B6,Hikvision,test fixture\n"
    "00:40:8C,Axis Communications,test fixture\n"
    "AC:CC:8E,Axis Communications,test fixture\n"
    "BC:AD:28,\"Hikvision (Hangzhou Hikvision Digital Technology Co.,Ltd.)\",test fixture\n";

const Mac kHikvisionMac = parseMac("44:19:b6:00:00:01");
const Mac kAxisMac = parseMac("00:40:8c:12:34:56");
const Mac kOtherAxisMac = parseMac("ac:cc:8e:00:00:07");
const Mac kUnknownMac = parseMac("00:11:22:33:44:55");
// Hikvision's OUI with the locally administered bit set: registered to no one.
const Mac kLocalAdminMac = parseMac("46:19:b6:00:00:01");

// The OUI CSV in the test's temporary directory, loaded; the file is removed again at once.
std::shared_ptr<const OuiTable> loadOui() {
  // Unique per process and test: other build trees may run this suite at the same time.
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("inventory_oui_") + std::to_string(::getpid()) + "_" +
                     info->test_suite_name() + "_" + info->name() + ".csv";
  std::replace(name.begin(), name.end(), '/', '_');
  std::filesystem::path path = std::filesystem::path(testing::TempDir()) / name;
  {
    std::ofstream out(path, std::ios::binary);
    out << kOuiCsv;
  }
  Result<OuiTable> table = OuiTable::load(path.string());
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  EXPECT_TRUE(table) << table.error().message;
  if (!table) return nullptr;
  return std::make_shared<const OuiTable>(std::move(*table));
}

IpAddress ip(std::string_view text) {
  std::optional<IpAddress> parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

IpPrefix net(std::string_view text) {
  Result<IpPrefix> parsed = IpPrefix::parse(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed.value_or(IpPrefix{});
}

InventoryDevice device(std::string name, std::optional<std::string_view> ip_text,
                       std::optional<Mac> mac, std::string group = "") {
  InventoryDevice out;
  out.name = std::move(name);
  if (ip_text) out.ip = ip(*ip_text);
  out.mac = mac;
  out.group = std::move(group);
  return out;
}

CameraGroupSpec group(std::string name, const std::vector<std::string_view>& networks = {},
                      std::vector<std::uint16_t> vlans = {},
                      std::vector<std::string> vendors = {}) {
  CameraGroupSpec out;
  out.name = std::move(name);
  for (std::string_view text : networks) out.networks.push_back(net(text));
  out.vlans = std::move(vlans);
  out.vendors = std::move(vendors);
  return out;
}

// Any error fails the test; the returned inventory is then an empty one, so the test goes on.
CameraInventory make(InventoryConfig config, std::shared_ptr<const OuiTable> oui = nullptr) {
  Result<CameraInventory> inventory = CameraInventory::create(std::move(config), std::move(oui));
  EXPECT_TRUE(inventory) << inventory.error().message;
  if (inventory) return std::move(*inventory);
  return std::move(*CameraInventory::create(InventoryConfig{}, nullptr));
}

std::string createError(InventoryConfig config, std::shared_ptr<const OuiTable> oui = nullptr) {
  Result<CameraInventory> inventory = CameraInventory::create(std::move(config), std::move(oui));
  return inventory ? "created" : inventory.error().message;
}

HostIdentity identify(const CameraInventory& inventory, std::string_view ip_text,
                      const Mac* mac = nullptr, std::uint16_t outer = 0, std::uint16_t inner = 0) {
  return inventory.identify(ip(ip_text), mac == nullptr ? nullptr : mac->data(), outer, inner);
}

void expectNotACamera(const HostIdentity& host) {
  EXPECT_FALSE(host.camera);
  EXPECT_FALSE(host.listed);
  EXPECT_EQ(host.name, "");
  EXPECT_EQ(host.group, "");
}

// ---- defaults and camera detection ----------------------------------------------------------

TEST(CameraInventoryTest, DefaultCameraNetworksAreThePrivateRanges) {
  std::vector<std::string> texts;
  for (const IpPrefix& prefix : defaultCameraNetworks()) texts.push_back(prefix.toString());
  EXPECT_EQ(texts,
            (std::vector<std::string>{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                      "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"}));
  EXPECT_EQ(InventoryConfig{}.camera_networks, defaultCameraNetworks());
}

TEST(CameraInventoryTest, DefaultConfigMakesPrivateHostsCamerasInTheDefaultGroup) {
  CameraInventory inventory = make(InventoryConfig{});
  for (std::string_view host : {"10.1.2.3", "172.31.0.9", "192.168.1.64", "100.127.255.254",
                                "169.254.10.10", "fd00::5", "fe80::1"}) {
    HostIdentity identity = identify(inventory, host);
    EXPECT_TRUE(identity.camera) << host;
    EXPECT_FALSE(identity.listed) << host;
    EXPECT_FALSE(identity.local) << host;
    EXPECT_EQ(identity.group, "default") << host;
    EXPECT_EQ(identity.name, "") << host;
    EXPECT_EQ(identity.vendor, "") << host;
  }
  for (std::string_view host : {"8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1", "::1"}) {
    expectNotACamera(identify(inventory, host));
  }
}

TEST(CameraInventoryTest, CameraVlansMatchTheOuterOrTheInnerTag) {
  InventoryConfig config;
  config.camera_networks = {};
  config.camera_vlans = {20, 4094};
  CameraInventory inventory = make(config);
  EXPECT_TRUE(identify(inventory, "203.0.113.5", nullptr, 20, 0).camera);
  EXPECT_TRUE(identify(inventory, "203.0.113.5", nullptr, 100, 20).camera);  // QinQ inner
  EXPECT_TRUE(identify(inventory, "203.0.113.5", nullptr, 4094, 0).camera);
  EXPECT_EQ(identify(inventory, "203.0.113.5", nullptr, 20, 0).group, "default");
  expectNotACamera(identify(inventory, "203.0.113.5", nullptr, 21, 0));
  expectNotACamera(identify(inventory, "203.0.113.5", nullptr, 0, 0));
  // No camera networks now: a private address alone no longer makes a camera.
  expectNotACamera(identify(inventory, "10.1.2.3"));
}

TEST(CameraInventoryTest, CameraVendorsMakeAKnownMacACameraAnywhere) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.camera_networks = {};
  config.camera_vendors = true;
  CameraInventory inventory = make(config, oui);

  HostIdentity hikvision = identify(inventory, "203.0.113.5", &kHikvisionMac);
  EXPECT_TRUE(hikvision.camera);
  EXPECT_FALSE(hikvision.listed);
  EXPECT_EQ(hikvision.vendor, "Hikvision");
  EXPECT_EQ(hikvision.group, "default");
  EXPECT_TRUE(identify(inventory, "2001:db8::7", &kOtherAxisMac).camera);

  expectNotACamera(identify(inventory, "203.0.113.5", &kUnknownMac));
  expectNotACamera(identify(inventory, "203.0.113.5", &kLocalAdminMac));
  expectNotACamera(identify(inventory, "203.0.113.5"));  // routed capture: no MAC

  // Without camera_vendors the vendor is still reported, but it makes no camera.
  config.camera_vendors = false;
  CameraInventory by_network_only = make(config, oui);
  HostIdentity host = identify(by_network_only, "203.0.113.5", &kHikvisionMac);
  expectNotACamera(host);
  EXPECT_EQ(host.vendor, "Hikvision");
}

// ---- explicit devices -------------------------------------------------------------------------

TEST(CameraInventoryTest, ListedDeviceIsACameraWhereverItIs) {
  InventoryConfig config;
  config.groups = {group("entrance-hall")};
  config.devices = {device("lobby-cam", "203.0.113.10", std::nullopt, "entrance-hall"),
                    device("yard-cam", "198.51.100.20", std::nullopt, "default")};
  CameraInventory inventory = make(config);

  HostIdentity lobby = identify(inventory, "203.0.113.10", &kUnknownMac);
  EXPECT_TRUE(lobby.camera);
  EXPECT_TRUE(lobby.listed);
  EXPECT_FALSE(lobby.local);
  EXPECT_EQ(lobby.name, "lobby-cam");
  EXPECT_EQ(lobby.group, "entrance-hall");
  EXPECT_EQ(lobby.vendor, "");

  HostIdentity yard = identify(inventory, "198.51.100.20");
  EXPECT_TRUE(yard.listed);
  EXPECT_EQ(yard.name, "yard-cam");
  EXPECT_EQ(yard.group, "default");

  expectNotACamera(identify(inventory, "203.0.113.11"));
}

TEST(CameraInventoryTest, MacMatchComesBeforeIpMatch) {
  InventoryConfig config;
  config.devices = {device("by-mac", std::nullopt, kAxisMac),
                    device("by-ip", "10.0.0.5", std::nullopt),
                    device("both", "10.0.0.6", kHikvisionMac)};
  CameraInventory inventory = make(config);

  // The by-ip device's address, but the by-mac device's MAC: the MAC decides.
  EXPECT_EQ(identify(inventory, "10.0.0.5", &kAxisMac).name, "by-mac");
  // Any other MAC (or none) falls back to the IP.
  EXPECT_EQ(identify(inventory, "10.0.0.5", &kUnknownMac).name, "by-ip");
  EXPECT_EQ(identify(inventory, "10.0.0.5").name, "by-ip");
  // A MAC-only device is found at any address (DHCP moved it), even a public one.
  HostIdentity moved = identify(inventory, "203.0.113.99", &kAxisMac);
  EXPECT_TRUE(moved.listed);
  EXPECT_TRUE(moved.camera);
  EXPECT_EQ(moved.name, "by-mac");
  // A MAC-only device is not found without its MAC.
  EXPECT_FALSE(identify(inventory, "203.0.113.99").listed);
  // A device with both is found by either.
  EXPECT_EQ(identify(inventory, "10.9.9.9", &kHikvisionMac).name, "both");
  EXPECT_EQ(identify(inventory, "10.0.0.6").name, "both");
}

TEST(CameraInventoryTest, ListedDeviceVendor) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  InventoryDevice overridden = device("white-label", "10.0.0.1", kHikvisionMac);
  overridden.vendor = "Acme Cameras";
  config.devices = {overridden, device("configured-mac", "10.0.0.2", kAxisMac),
                    device("ip-only", "10.0.0.3", std::nullopt)};
  CameraInventory inventory = make(config, oui);

  // The override wins over the OUI vendor of the MAC seen.
  EXPECT_EQ(identify(inventory, "10.0.0.1", &kHikvisionMac).vendor, "Acme Cameras");
  // The configured MAC's vendor, also when the frame carries a router's MAC or none.
  EXPECT_EQ(identify(inventory, "10.0.0.2").vendor, "Axis Communications");
  EXPECT_EQ(identify(inventory, "10.0.0.2", &kUnknownMac).vendor, "Axis Communications");
  // Without a configured MAC, the one seen. (kHikvisionMac itself would find white-label.)
  const Mac another_hikvision = parseMac("44:19:b6:00:00:02");
  EXPECT_EQ(identify(inventory, "10.0.0.3", &another_hikvision).vendor, "Hikvision");
  EXPECT_EQ(identify(inventory, "10.0.0.3", &another_hikvision).name, "ip-only");
  EXPECT_EQ(identify(inventory, "10.0.0.3", &kHikvisionMac).name, "white-label");
  EXPECT_EQ(identify(inventory, "10.0.0.3").vendor, "");
}

// ---- local networks ---------------------------------------------------------------------------

TEST(CameraInventoryTest, LocalNetworksBeatCameraNetworks) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.camera_vlans = {20};
  config.camera_vendors = true;
  config.local_networks = {net("10.0.5.0/24"), net("fd00:5::/64")};
  CameraInventory inventory = make(config, oui);

  // An NVR: in a camera network, on a camera VLAN, with a camera vendor's MAC - still local.
  HostIdentity nvr = identify(inventory, "10.0.5.10", &kHikvisionMac, 20, 0);
  expectNotACamera(nvr);
  EXPECT_TRUE(nvr.local);
  EXPECT_EQ(nvr.vendor, "Hikvision");
  EXPECT_TRUE(identify(inventory, "fd00:5::10").local);
  EXPECT_FALSE(identify(inventory, "fd00:5::10").camera);

  HostIdentity camera = identify(inventory, "10.0.6.10");
  EXPECT_TRUE(camera.camera);
  EXPECT_FALSE(camera.local);
  EXPECT_TRUE(identify(inventory, "fd00:6::10").camera);
}

TEST(CameraInventoryTest, ListedDeviceBeatsLocalNetworks) {
  InventoryConfig config;
  config.local_networks = {net("10.0.5.0/24")};
  config.devices = {device("cam-in-mgmt", "10.0.5.20", std::nullopt)};
  CameraInventory inventory = make(config);
  HostIdentity listed = identify(inventory, "10.0.5.20");
  EXPECT_TRUE(listed.camera);
  EXPECT_TRUE(listed.listed);
  EXPECT_TRUE(listed.local);  // still a fact about the address
  EXPECT_EQ(listed.group, "default");
}

TEST(CameraInventoryTest, IsLocalCoversPublicAddressesToo) {
  InventoryConfig config;
  config.local_networks = {net("203.0.113.0/24"), net("10.0.5.0/24"), net("2001:db8:1::/48")};
  CameraInventory inventory = make(config);
  EXPECT_TRUE(inventory.isLocal(ip("203.0.113.200")));  // a hosted recorder
  EXPECT_TRUE(inventory.isLocal(ip("10.0.5.1")));
  EXPECT_TRUE(inventory.isLocal(ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(inventory.isLocal(ip("203.0.114.1")));
  EXPECT_FALSE(inventory.isLocal(ip("10.0.6.1")));
  EXPECT_FALSE(inventory.isLocal(ip("2001:db8:2::1")));
  EXPECT_FALSE(make(InventoryConfig{}).isLocal(ip("10.0.5.1")));  // none configured
}

// ---- groups -------------------------------------------------------------------------------

TEST(CameraInventoryTest, GroupsClaimCamerasByNetworkVlanOrVendorFirstMatchWins) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.groups = {group("entrance", {"10.1.0.0/16", "fd00:1::/48"}), group("parking", {}, {30}),
                   group("axis", {}, {}, {"axis communications"}),  // case-insensitive
                   group("wide", {"10.0.0.0/8"})};
  CameraInventory inventory = make(config, oui);

  EXPECT_EQ(identify(inventory, "10.1.2.3").group, "entrance");
  EXPECT_EQ(identify(inventory, "fd00:1::9").group, "entrance");
  EXPECT_EQ(identify(inventory, "10.2.0.1", nullptr, 30, 0).group, "parking");
  EXPECT_EQ(identify(inventory, "10.2.0.1", nullptr, 7, 30).group, "parking");  // inner tag
  EXPECT_EQ(identify(inventory, "10.2.0.1", &kAxisMac).group, "axis");
  EXPECT_EQ(identify(inventory, "10.2.0.1", &kOtherAxisMac).group, "axis");
  EXPECT_EQ(identify(inventory, "10.2.0.1", &kHikvisionMac).group, "wide");
  EXPECT_EQ(identify(inventory, "10.2.0.1").group, "wide");
  EXPECT_EQ(identify(inventory, "192.168.1.1").group, "default");
  EXPECT_EQ(identify(inventory, "fd00:2::1").group, "default");

  // First match in config order: entrance's network beats parking's VLAN and axis's vendor.
  EXPECT_EQ(identify(inventory, "10.1.2.3", &kAxisMac, 30, 0).group, "entrance");
  EXPECT_EQ(identify(inventory, "192.168.1.1", &kAxisMac, 30, 0).group, "parking");
}

// The shipped table names vendors "Brand (Registered Company)"; a group may name the brand.
TEST(CameraInventoryTest, GroupVendorsMatchTheBrandBeforeTheParenthesis) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.groups = {group("hik", {}, {}, {"HIKVISION"})};
  CameraInventory inventory = make(config, oui);
  const Mac registered = parseMac("bc:ad:28:7e:10:22");
  const HostIdentity host = identify(inventory, "10.2.0.1", &registered);
  EXPECT_EQ(host.group, "hik");
  EXPECT_EQ(host.vendor, "Hikvision (Hangzhou Hikvision Digital Technology Co.,Ltd.)");
  // A brand is the whole text before " (": a prefix of it is not enough.
  config.groups = {group("hik", {}, {}, {"Hik"})};
  EXPECT_NE(createError(config, oui).find("vendor 'Hik' is neither"), std::string::npos);
}

TEST(CameraInventoryTest, GroupMembershipMakesNoCamera) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.camera_networks = {net("192.168.0.0/16")};
  config.groups = {group("entrance", {"10.1.0.0/16"}, {30}, {"Hikvision"})};
  CameraInventory inventory = make(config, oui);
  // Only the camera rules (or a device entry) make a camera; a group only sorts cameras.
  expectNotACamera(identify(inventory, "10.1.2.3", &kHikvisionMac, 30, 0));
  EXPECT_EQ(identify(inventory, "192.168.1.1", &kHikvisionMac).group, "entrance");
}

TEST(CameraInventoryTest, ListedDeviceWithoutGroupIsPlacedByTheGroupRules) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.groups = {group("parking", {}, {30}), group("acme", {}, {}, {"ACME cameras"}),
                   group("public", {"203.0.113.0/24"})};
  InventoryDevice white_label = device("white-label", "10.0.0.1", std::nullopt);
  white_label.vendor = "Acme Cameras";
  config.devices = {white_label, device("roaming", "203.0.113.5", std::nullopt),
                    device("pinned", "203.0.113.6", std::nullopt, "parking"),
                    device("loner", "198.51.100.1", std::nullopt)};
  CameraInventory inventory = make(config, oui);

  EXPECT_EQ(identify(inventory, "10.0.0.1").group, "acme");  // by the override vendor
  EXPECT_EQ(identify(inventory, "203.0.113.5").group, "public");
  EXPECT_EQ(identify(inventory, "203.0.113.5", nullptr, 30, 0).group, "parking");
  EXPECT_EQ(identify(inventory, "203.0.113.6").group, "parking");  // its own group, no rules
  EXPECT_EQ(identify(inventory, "198.51.100.1").group, "default");
}

TEST(CameraInventoryTest, Ipv6Hosts) {
  InventoryConfig config;
  config.camera_networks = {net("2001:db8:ca::/48")};
  config.local_networks = {net("2001:db8:ca:ff::/64")};
  config.groups = {group("v6-lobby", {"2001:db8:ca:1::/64"})};
  config.devices = {device("v6-listed", "2001:db8:beef::1", std::nullopt, "v6-lobby")};
  CameraInventory inventory = make(config);

  EXPECT_EQ(identify(inventory, "2001:db8:ca:1::20").group, "v6-lobby");
  EXPECT_EQ(identify(inventory, "2001:db8:ca:2::20").group, "default");
  HostIdentity local = identify(inventory, "2001:db8:ca:ff::1");
  expectNotACamera(local);
  EXPECT_TRUE(local.local);
  EXPECT_EQ(identify(inventory, "2001:db8:beef::1").name, "v6-listed");
  EXPECT_EQ(identify(inventory, "2001:db8:beef::1").group, "v6-lobby");
  expectNotACamera(identify(inventory, "2001:db8:cb::1"));
  expectNotACamera(identify(inventory, "10.0.0.1"));  // no IPv4 camera networks left
}

TEST(CameraInventoryTest, GroupNamesAndConfig) {
  InventoryConfig config;
  config.groups = {group("parking", {}, {30}), group("default", {"10.9.0.0/16"}),
                   group("entrance")};
  config.devices = {device("cam", "10.0.0.1", std::nullopt)};
  CameraInventory inventory = make(config);
  EXPECT_EQ(inventory.groupNames(), (std::vector<std::string>{"default", "parking", "entrance"}));
  EXPECT_EQ(make(InventoryConfig{}).groupNames(), (std::vector<std::string>{"default"}));
  ASSERT_EQ(inventory.config().devices.size(), 1U);
  EXPECT_EQ(inventory.config().devices[0].name, "cam");
  EXPECT_EQ(inventory.config().groups.size(), 3U);
}

TEST(CameraInventoryTest, IdentifyAllocatesNothing) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.camera_vlans = {20};
  config.camera_vendors = true;
  config.local_networks = {net("10.0.5.0/24")};
  config.groups = {group("parking", {"10.2.0.0/16"}, {30}),
                   group("axis", {}, {}, {"AXIS communications"})};
  InventoryDevice overridden = device("white-label", "10.0.0.1", kHikvisionMac);
  overridden.vendor = "Acme Cameras";
  config.devices = {overridden, device("by-ip", "10.0.0.2", std::nullopt)};
  CameraInventory inventory = make(config, oui);
  IpAddress listed = ip("10.0.0.2");
  IpAddress local = ip("10.0.5.1");
  IpAddress unlisted = ip("192.168.1.1");
  IpAddress v6 = ip("fd00::1");
  IpAddress outside = ip("203.0.113.1");

  long before = g_allocations.load();
  int cameras = 0;
  for (int round = 0; round < 10; ++round) {
    cameras += inventory.identify(listed, kUnknownMac.data(), 0, 0).camera ? 1 : 0;
    cameras += inventory.identify(listed, kHikvisionMac.data(), 0, 0).camera ? 1 : 0;
    cameras += inventory.identify(local, kAxisMac.data(), 20, 0).camera ? 1 : 0;
    cameras += inventory.identify(unlisted, kAxisMac.data(), 0, 30).camera ? 1 : 0;
    cameras += inventory.identify(v6, nullptr, 0, 0).camera ? 1 : 0;
    cameras += inventory.identify(outside, kOtherAxisMac.data(), 0, 0).camera ? 1 : 0;
    cameras += inventory.identify(outside, nullptr, 0, 0).camera ? 1 : 0;
    cameras += inventory.isLocal(local) ? 1 : 0;
  }
  long after = g_allocations.load();
  EXPECT_EQ(after - before, 0);
  EXPECT_EQ(cameras, 10 * 6);  // all but the outside host without a MAC, plus isLocal
}

// ---- validation -----------------------------------------------------------------------------

TEST(CameraInventoryConfigTest, DeviceErrors) {
  InventoryConfig config;
  config.devices = {device("", "10.0.0.1", std::nullopt)};
  EXPECT_EQ(createError(config), "device 1: empty name");

  config.devices = {device("a", "10.0.0.1", std::nullopt), device("a", "10.0.0.2", std::nullopt)};
  EXPECT_EQ(createError(config), "device 'a': defined twice");

  config.devices = {device("a", std::nullopt, std::nullopt)};
  EXPECT_EQ(createError(config), "device 'a': needs an ip or a mac (or both)");

  config.devices = {device("a", "10.0.0.5", std::nullopt), device("b", "10.0.0.5", kAxisMac)};
  EXPECT_EQ(createError(config), "device 'b': ip 10.0.0.5 is already device 'a'");

  config.devices = {device("a", "2001:db8::5", std::nullopt),
                    device("b", "2001:db8::5", std::nullopt)};
  EXPECT_EQ(createError(config), "device 'b': ip 2001:db8::5 is already device 'a'");

  config.devices = {device("a", "10.0.0.1", kAxisMac), device("b", "10.0.0.2", kAxisMac)};
  EXPECT_EQ(createError(config), "device 'b': mac 00:40:8c:12:34:56 is already device 'a'");
}

TEST(CameraInventoryConfigTest, DeviceGroupMustBeDefined) {
  InventoryConfig config;
  config.groups = {group("entrance-hall"), group("parking")};
  config.devices = {device("lobby-cam", "10.0.0.1", std::nullopt, "entrance")};
  EXPECT_EQ(createError(config),
            "device 'lobby-cam': group 'entrance' is not defined in groups (did you mean "
            "'entrance-hall'?)");
  config.devices[0].group = "Parkng";
  EXPECT_EQ(createError(config),
            "device 'lobby-cam': group 'Parkng' is not defined in groups (did you mean "
            "'parking'?)");
  config.devices[0].group = "defualt";
  EXPECT_EQ(createError(config),
            "device 'lobby-cam': group 'defualt' is not defined in groups (did you mean "
            "'default'?)");
  config.devices[0].group = "roof";
  EXPECT_EQ(createError(config), "device 'lobby-cam': group 'roof' is not defined in groups");
  config.devices[0].group = "default";
  EXPECT_EQ(createError(config), "created");
}

TEST(CameraInventoryConfigTest, GroupErrors) {
  InventoryConfig config;
  config.groups = {group("ok"), group("")};
  EXPECT_EQ(createError(config), "group 2: empty name");
  config.groups = {group("front door")};
  EXPECT_EQ(createError(config),
            "group 'front door': name has ' '; use letters, digits, '_', '.' and '-'");
  config.groups = {group("front/door")};
  EXPECT_EQ(createError(config),
            "group 'front/door': name has '/'; use letters, digits, '_', '.' and '-'");
  config.groups = {group("Front_door.2-a")};
  EXPECT_EQ(createError(config), "created");
  config.groups = {group("x"), group("y"), group("x")};
  EXPECT_EQ(createError(config), "group 'x': defined twice");
  config.groups = {group("x", {}, {10, 4095})};
  EXPECT_EQ(createError(config), "group 'x': vlans: 4095 is not a VLAN id (1-4094)");
  config.groups = {group("x", {}, {0})};
  EXPECT_EQ(createError(config), "group 'x': vlans: 0 is not a VLAN id (1-4094)");
}

TEST(CameraInventoryConfigTest, GroupVendorsMustBeKnown) {
  std::shared_ptr<const OuiTable> oui = loadOui();
  InventoryConfig config;
  config.groups = {group("x", {}, {}, {"hikvison"})};
  EXPECT_EQ(createError(config, oui),
            "group 'x': vendor 'hikvison' is neither in the OUI table nor a device's vendor (did "
            "you mean 'Hikvision'?)");
  config.groups = {group("x", {}, {}, {"axis"})};
  EXPECT_EQ(createError(config, oui),
            "group 'x': vendor 'axis' is neither in the OUI table nor a device's vendor (did you "
            "mean 'Axis Communications'?)");
  config.groups = {group("x", {}, {}, {"Bosch"})};
  EXPECT_EQ(createError(config, oui),
            "group 'x': vendor 'Bosch' is neither in the OUI table nor a device's vendor");
  config.groups = {group("x", {}, {}, {""})};
  EXPECT_EQ(createError(config, oui), "group 'x': vendors: empty vendor name");
  config.groups = {group("x", {}, {}, {"HIKVISION"})};
  EXPECT_EQ(createError(config, oui), "created");
  EXPECT_EQ(createError(config, nullptr),
            "group 'x': vendor 'HIKVISION' is neither in the OUI table (none loaded) nor a "
            "device's vendor");
  // A device's vendor override is a vendor a group may name, OUI table or not.
  InventoryDevice white_label = device("white-label", "10.0.0.1", std::nullopt);
  white_label.vendor = "Hikvision";
  config.devices = {white_label};
  EXPECT_EQ(createError(config, nullptr), "created");
}

TEST(CameraInventoryConfigTest, TopLevelErrors) {
  InventoryConfig config;
  config.camera_vlans = {0};
  EXPECT_EQ(createError(config), "camera_vlans: 0 is not a VLAN id (1-4094)");
  config.camera_vlans = {};
  config.camera_vendors = true;
  EXPECT_EQ(createError(config), "camera_vendors: needs an OUI table (inventory.oui_file)");
  EXPECT_EQ(createError(config, loadOui()), "created");

  // Prefixes put together by hand (not by IpPrefix::parse) are checked too.
  InventoryConfig hand_made;
  IpPrefix host_bits{ip("10.0.0.1"), 96 + 8};
  hand_made.local_networks = {host_bits};
  EXPECT_EQ(createError(hand_made), "local_networks: 10.0.0.1/8: host bits set");
  hand_made.local_networks = {};
  hand_made.camera_networks = {IpPrefix{ip("::"), 129}};
  EXPECT_EQ(createError(hand_made), "camera_networks: :: with 129 bits: longer than 128");
  hand_made.camera_networks = {};
  hand_made.groups = {group("g")};
  hand_made.groups[0].networks = {IpPrefix{ip("2001:db8::1"), 64}};
  EXPECT_EQ(createError(hand_made), "group 'g': networks: 2001:db8::1/64: host bits set");
}

}  // namespace
}  // namespace camwatch
