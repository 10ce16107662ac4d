#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

AddressScope scopeOf(const char* text) {
  const auto address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address ? addressScope(*address) : AddressScope::kReserved;
}

TEST(AddressScopeTest, Ipv4Ranges) {
  const std::vector<std::pair<const char*, AddressScope>> cases = {
      {"8.8.8.8", AddressScope::kPublic},
      {"1.1.1.1", AddressScope::kPublic},
      {"0.0.0.0", AddressScope::kUnspecified},
      {"0.1.2.3", AddressScope::kReserved},
      {"10.0.0.1", AddressScope::kPrivate},
      {"10.255.255.255", AddressScope::kPrivate},
      {"11.0.0.1", AddressScope::kPublic},
      {"100.63.255.255", AddressScope::kPublic},
      {"100.64.0.1", AddressScope::kCgnat},
      {"100.127.255.255", AddressScope::kCgnat},
      {"100.128.0.0", AddressScope::kPublic},
      {"127.0.0.1", AddressScope::kLoopback},
      {"169.254.1.1", AddressScope::kLinkLocal},
      {"172.15.255.255", AddressScope::kPublic},
      {"172.16.0.1", AddressScope::kPrivate},
      {"172.31.255.255", AddressScope::kPrivate},
      {"172.32.0.0", AddressScope::kPublic},
      {"192.0.0.8", AddressScope::kReserved},
      {"192.0.2.55", AddressScope::kDocumentation},
      {"192.168.1.10", AddressScope::kPrivate},
      {"198.18.0.1", AddressScope::kReserved},
      {"198.19.255.255", AddressScope::kReserved},
      {"198.20.0.0", AddressScope::kPublic},
      {"198.51.100.7", AddressScope::kDocumentation},
      {"203.0.113.9", AddressScope::kDocumentation},
      {"224.0.0.251", AddressScope::kMulticast},
      {"239.255.255.250", AddressScope::kMulticast},
      {"240.0.0.1", AddressScope::kReserved},
      {"255.255.255.254", AddressScope::kReserved},
      {"255.255.255.255", AddressScope::kBroadcast},
  };
  for (const auto& [text, scope] : cases) {
    EXPECT_EQ(scopeName(scopeOf(text)), scopeName(scope)) << text;
  }
}

TEST(AddressScopeTest, Ipv6Ranges) {
  const std::vector<std::pair<const char*, AddressScope>> cases = {
      {"2001:4860:4860::8888", AddressScope::kPublic},
      {"2a00:1450:4001::1", AddressScope::kPublic},
      {"::", AddressScope::kUnspecified},
      {"::1", AddressScope::kLoopback},
      {"::2", AddressScope::kReserved},
      {"fe80::1", AddressScope::kLinkLocal},
      {"febf::1", AddressScope::kLinkLocal},
      {"fec0::1", AddressScope::kReserved},  // deprecated site-local
      {"fc00::1", AddressScope::kPrivate},
      {"fd12:3456::1", AddressScope::kPrivate},
      {"ff02::fb", AddressScope::kMulticast},
      {"2001:db8::1", AddressScope::kDocumentation},
      {"2001:db9::1", AddressScope::kPublic},
      {"3fff::1", AddressScope::kDocumentation},
      {"3fff:1000::1", AddressScope::kPublic},
      {"2001:2::1", AddressScope::kReserved},  // benchmarking
      {"100::1", AddressScope::kReserved},     // discard-only
      {"4000::1", AddressScope::kReserved},    // outside 2000::/3
      // IPv4-mapped and NAT64 addresses take the scope of the IPv4 address inside.
      {"::ffff:10.1.2.3", AddressScope::kPrivate},
      {"::ffff:8.8.8.8", AddressScope::kPublic},
      {"64:ff9b::8.8.8.8", AddressScope::kPublic},
      {"64:ff9b::192.168.0.1", AddressScope::kPrivate},
      {"64:ff9b::100.64.0.1", AddressScope::kCgnat},
  };
  for (const auto& [text, scope] : cases) {
    EXPECT_EQ(scopeName(scopeOf(text)), scopeName(scope)) << text;
  }
}

TEST(AddressScopeTest, NamesAreStableLabelValues) {
  EXPECT_EQ(scopeName(AddressScope::kPublic), "public");
  EXPECT_EQ(scopeName(AddressScope::kPrivate), "private");
  EXPECT_EQ(scopeName(AddressScope::kLoopback), "loopback");
  EXPECT_EQ(scopeName(AddressScope::kLinkLocal), "link_local");
  EXPECT_EQ(scopeName(AddressScope::kMulticast), "multicast");
  EXPECT_EQ(scopeName(AddressScope::kCgnat), "cgnat");
  EXPECT_EQ(scopeName(AddressScope::kDocumentation), "documentation");
  EXPECT_EQ(scopeName(AddressScope::kReserved), "reserved");
  EXPECT_EQ(scopeName(AddressScope::kUnspecified), "unspecified");
  EXPECT_EQ(scopeName(AddressScope::kBroadcast), "broadcast");
}

}  // namespace
}  // namespace camwatch
