// Tests of the nftables export (policy/nftables_export.h): what goes in which set for names,
// addresses, both families, portless protocols and the site's networks, worked out by hand from
// the destinations given; and, as root with Debian's nft, that `nft -c` accepts the text (in a
// network namespace of its own: nothing on the host changes).
#include "policy/nftables_export.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/baseline.h>

namespace camwatch {
namespace {

std::vector<NftablesGroup> sampleGroups() {
  LearntDestination cloud;
  cloud.name = "cloud.example.com";
  cloud.named = true;
  cloud.ports = {{6, 443}};
  cloud.addresses = {*IpAddress::parse("198.51.100.1"), *IpAddress::parse("2001:db8::1")};
  cloud.cameras = {*IpAddress::parse("192.168.10.21"), *IpAddress::parse("fd00::21")};
  cloud.dns_ttl = 300;
  cloud.first_seen = 1'768'467'600LL * kNanosPerSecond;
  cloud.last_seen = cloud.first_seen + 60 * kNanosPerSecond;
  LearntDestination pinged;
  pinged.name = "203.0.113.9";
  pinged.ports = {{1, 0}};
  pinged.addresses = {*IpAddress::parse("203.0.113.9")};
  pinged.cameras = {*IpAddress::parse("192.168.10.22")};
  return {NftablesGroup{"lobby cams", {cloud, pinged}}};
}

NftablesExportOptions sampleOptions() {
  NftablesExportOptions options;
  options.generated = 1'768'467'600LL * kNanosPerSecond;
  options.local_networks = {*IpPrefix::parse("192.168.10.200/32"),
                            *IpPrefix::parse("203.0.113.128/25")};
  return options;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(NftablesExportTest, EachAddressGoesToTheSetOfItsFamilyAndKind) {
  const std::string text = nftablesRuleset(sampleGroups(), sampleOptions());
  // The group name made an identifier; both families of the name's addresses; ICMP without port.
  EXPECT_TRUE(contains(text,
                       "set g_lobby_cams_cameras_v4 {\n    type ipv4_addr\n    elements = {\n"
                       "      192.168.10.21,\n      192.168.10.22\n    }\n  }\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "set g_lobby_cams_cameras_v6 {\n    type ipv6_addr\n    elements = {\n"
                       "      fd00::21\n    }\n  }\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "      # cloud.example.com (resolved from the DNS answers and flows "
                       "camwatch saw): seen 2026-01-15T09:00:00Z to 2026-01-15T09:01:00Z, "
                       "DNS TTL 300 s\n      198.51.100.1 . 6 . 443\n"))
      << text;
  EXPECT_TRUE(contains(text, "      2001:db8::1 . 6 . 443\n")) << text;
  EXPECT_TRUE(contains(text,
                       "type ipv4_addr . inet_proto\n    elements = {\n      # 203.0.113.9: "
                       "seen unknown to unknown\n      203.0.113.9 . 1\n"))
      << text;
  // The site's own networks join the private ranges.
  EXPECT_TRUE(
      contains(text, "255.255.255.255/32,\n      192.168.10.200/32,\n      203.0.113.128/25\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "    ip saddr @g_lobby_cams_cameras_v4 log prefix \"camwatch "
                       "g_lobby_cams drop: \" drop\n"))
      << text;
  EXPECT_TRUE(contains(text,
                       "    ip6 saddr @g_lobby_cams_cameras_v6 ip6 daddr . meta l4proto . th "
                       "dport @g_lobby_cams_allowed_v6 accept\n"))
      << text;
}

TEST(NftablesExportTest, NftAcceptsTheRuleset) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: nft -c runs in a network namespace of its own";
  if (std::system("command -v nft >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "nft not found: install the Debian package nftables (scripts/setup.sh does)";
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / ("camwatch-nft-" + std::to_string(getpid())))
          .string();
  std::ofstream(path) << nftablesRuleset(sampleGroups(), sampleOptions());
  const int status = std::system(("unshare -n nft -c -f " + path + " 2>&1").c_str());
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0);
  // An empty baseline is a valid ruleset too (every set without elements).
  std::ofstream(path) << nftablesRuleset({NftablesGroup{"empty", {}}}, NftablesExportOptions{});
  EXPECT_EQ(std::system(("unshare -n nft -c -f " + path + " 2>&1").c_str()), 0);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace camwatch
