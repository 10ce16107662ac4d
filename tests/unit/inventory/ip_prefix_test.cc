// Tests of IpPrefix: parsing of IPv4, IPv6 and IPv4-mapped prefixes and bare addresses, each way
// the text can be wrong (with the exact message), contains() at the edges of /0, /31, /32,
// /127, /128 and lengths that end inside a byte, the families kept apart although IPv4 is
// stored mapped, and toString() reading back to the same prefix.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/ip_address.h>

namespace camwatch {
namespace {

IpPrefix prefix(std::string_view text) {
  Result<IpPrefix> parsed = IpPrefix::parse(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed ? *parsed : IpPrefix{};
}

IpAddress ip(std::string_view text) {
  std::optional<IpAddress> parsed = IpAddress::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(IpAddress{});
}

std::string parseError(std::string_view text) {
  Result<IpPrefix> parsed = IpPrefix::parse(text);
  return parsed ? "parsed as " + parsed->toString() : parsed.error().message;
}

bool contains(std::string_view prefix_text, std::string_view ip_text) {
  return prefix(prefix_text).contains(ip(ip_text));
}

TEST(IpPrefixTest, ParsesIpv4PrefixOverTheMappedForm) {
  IpPrefix p = prefix("192.168.10.0/24");
  EXPECT_EQ(p.base, ip("192.168.10.0"));
  EXPECT_EQ(p.bits, 96 + 24);
  EXPECT_TRUE(p.isV4());
  EXPECT_EQ(p.toString(), "192.168.10.0/24");
}

TEST(IpPrefixTest, ParsesIpv6Prefix) {
  IpPrefix p = prefix("2001:db8::/32");
  EXPECT_EQ(p.base, ip("2001:db8::"));
  EXPECT_EQ(p.bits, 32);
  EXPECT_FALSE(p.isV4());
  EXPECT_EQ(p.toString(), "2001:db8::/32");
}

TEST(IpPrefixTest, BareAddressIsAHostPrefix) {
  IpPrefix v4 = prefix("203.0.113.7");
  EXPECT_EQ(v4.bits, 128);
  EXPECT_TRUE(v4.isV4());
  EXPECT_EQ(v4.toString(), "203.0.113.7/32");
  EXPECT_EQ(v4, prefix("203.0.113.7/32"));

  IpPrefix v6 = prefix("2001:db8::1");
  EXPECT_EQ(v6.bits, 128);
  EXPECT_FALSE(v6.isV4());
  EXPECT_EQ(v6.toString(), "2001:db8::1/128");
}

TEST(IpPrefixTest, Ipv4MappedNotationIsAnIpv4Prefix) {
  IpPrefix mapped = prefix("::ffff:10.0.0.0/104");
  EXPECT_TRUE(mapped.isV4());
  EXPECT_EQ(mapped, prefix("10.0.0.0/8"));
  EXPECT_EQ(mapped.toString(), "10.0.0.0/8");
  EXPECT_TRUE(mapped.contains(ip("10.200.3.4")));
  EXPECT_FALSE(mapped.contains(ip("11.0.0.0")));
  // The whole mapped range is every IPv4 address, like 0.0.0.0/0.
  EXPECT_EQ(prefix("::ffff:0:0/96"), prefix("0.0.0.0/0"));
  EXPECT_TRUE(contains("::ffff:0:0/96", "255.255.255.255"));
  EXPECT_FALSE(contains("::ffff:0:0/96", "2001:db8::1"));
}

TEST(IpPrefixTest, ParseErrorsSayWhatIsWrong) {
  EXPECT_EQ(parseError("10.0.0.0/33"), "prefix longer than 32");
  EXPECT_EQ(parseError("2001:db8::/129"), "prefix longer than 128");
  // IPv6 notation counts over 128 bits, even for an IPv4-mapped address.
  EXPECT_EQ(parseError("::ffff:10.0.0.0/129"), "prefix longer than 128");
  EXPECT_EQ(parseError("10.0.0.0/"), "prefix length is not a number");
  EXPECT_EQ(parseError("10.0.0.0/-1"), "prefix length is not a number");
  EXPECT_EQ(parseError("10.0.0.0/+8"), "prefix length is not a number");
  EXPECT_EQ(parseError("10.0.0.0/ 8"), "prefix length is not a number");
  EXPECT_EQ(parseError("10.0.0.0/8/8"), "prefix length is not a number");
  EXPECT_EQ(parseError("10.0.0.0/99999999999"), "prefix length is not a number");
  EXPECT_EQ(parseError(""), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError("/8"), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError("10.0.0/8"), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError("256.0.0.0/8"), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError(" 10.0.0.0/8"), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError("example.com"), "not an IPv4 or IPv6 address");
  EXPECT_EQ(parseError("2001:db8:::/32"), "not an IPv4 or IPv6 address");
}

TEST(IpPrefixTest, HostBitsSetSuggestsTheNetwork) {
  EXPECT_EQ(parseError("10.0.0.1/8"), "host bits set (did you mean 10.0.0.0/8?)");
  EXPECT_EQ(parseError("192.168.10.77/25"), "host bits set (did you mean 192.168.10.0/25?)");
  EXPECT_EQ(parseError("1.2.3.4/0"), "host bits set (did you mean 0.0.0.0/0?)");
  EXPECT_EQ(parseError("2001:db8::1/32"), "host bits set (did you mean 2001:db8::/32?)");
  EXPECT_EQ(parseError("fd00::/7"), "host bits set (did you mean fc00::/7?)");
  // The suggestion is in canonical form, so a mapped prefix gets its IPv4 spelling.
  EXPECT_EQ(parseError("::ffff:10.0.0.1/104"), "host bits set (did you mean 10.0.0.0/8?)");
}

TEST(IpPrefixTest, ZeroLengthPrefixesKeepTheFamiliesApart) {
  EXPECT_TRUE(contains("0.0.0.0/0", "0.0.0.0"));
  EXPECT_TRUE(contains("0.0.0.0/0", "255.255.255.255"));
  EXPECT_FALSE(contains("0.0.0.0/0", "2001:db8::1"));
  EXPECT_FALSE(contains("0.0.0.0/0", "::"));
  // "::/0" is every IPv6 address, not every IPv4 one, although IPv4 is stored as ::ffff:a.b.c.d.
  EXPECT_TRUE(contains("::/0", "::"));
  EXPECT_TRUE(contains("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(contains("::/0", "1.2.3.4"));
  EXPECT_FALSE(contains("::/0", "::ffff:1.2.3.4"));
  // Nor does a longer IPv6 prefix that covers the mapped range's bytes.
  EXPECT_FALSE(contains("::/80", "1.2.3.4"));
  EXPECT_TRUE(contains("::/80", "::1"));
}

TEST(IpPrefixTest, Ipv4Edges) {
  EXPECT_TRUE(contains("203.0.113.0/24", "203.0.113.0"));
  EXPECT_TRUE(contains("203.0.113.0/24", "203.0.113.255"));
  EXPECT_FALSE(contains("203.0.113.0/24", "203.0.112.255"));
  EXPECT_FALSE(contains("203.0.113.0/24", "203.0.114.0"));
  // A length that ends inside a byte.
  EXPECT_TRUE(contains("172.16.0.0/12", "172.16.0.0"));
  EXPECT_TRUE(contains("172.16.0.0/12", "172.31.255.255"));
  EXPECT_FALSE(contains("172.16.0.0/12", "172.32.0.0"));
  EXPECT_FALSE(contains("172.16.0.0/12", "172.15.255.255"));
  EXPECT_TRUE(contains("195.60.68.120/31", "195.60.68.121"));
  EXPECT_FALSE(contains("195.60.68.120/31", "195.60.68.122"));
  EXPECT_FALSE(contains("195.60.68.120/31", "195.60.68.119"));
  EXPECT_TRUE(contains("203.0.113.7/32", "203.0.113.7"));
  EXPECT_FALSE(contains("203.0.113.7/32", "203.0.113.6"));
  EXPECT_FALSE(contains("203.0.113.7/32", "203.0.113.8"));
  // An IPv4 address written mapped is the same value.
  EXPECT_TRUE(contains("9.9.9.0/24", "::ffff:9.9.9.9"));
  EXPECT_FALSE(contains("203.0.113.0/24", "::cb00:7100"));  // IPv4-compatible is IPv6
}

TEST(IpPrefixTest, Ipv6Edges) {
  EXPECT_TRUE(contains("2001:db8::/32", "2001:db8::"));
  EXPECT_TRUE(contains("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
  EXPECT_FALSE(contains("2001:db8::/32", "2001:db9::"));
  EXPECT_FALSE(contains("2001:db8::/32", "2001:db7:ffff::1"));
  EXPECT_FALSE(contains("2001:db8::/32", "32.1.13.184"));  // the same four bytes as IPv4
  EXPECT_TRUE(contains("fc00::/7", "fd12:3456::1"));
  EXPECT_FALSE(contains("fc00::/7", "fe00::1"));
  EXPECT_TRUE(contains("fe80::/10", "febf:ffff::1"));
  EXPECT_FALSE(contains("fe80::/10", "fec0::1"));
  EXPECT_TRUE(contains("2001:db8::/127", "2001:db8::1"));
  EXPECT_FALSE(contains("2001:db8::/127", "2001:db8::2"));
  EXPECT_TRUE(contains("2001:db8::1/128", "2001:db8::1"));
  EXPECT_FALSE(contains("2001:db8::1/128", "2001:db8::"));
  EXPECT_FALSE(contains("2001:db8::1/128", "2001:db8::3"));
}

TEST(IpPrefixTest, ToStringReadsBackToTheSamePrefix) {
  for (std::string_view text :
       {"0.0.0.0/0", "10.0.0.0/8", "100.64.0.0/10", "203.0.113.7/32", "::/0", "fc00::/7",
        "2001:db8:0:2::/63", "2001:db8::1/128", "::ffff:0:0/96", "::ffff:10.0.0.0/104"}) {
    IpPrefix original = prefix(text);
    Result<IpPrefix> again = IpPrefix::parse(original.toString());
    ASSERT_TRUE(again) << text << " -> " << original.toString() << ": " << again.error().message;
    EXPECT_EQ(*again, original) << text;
  }
}

}  // namespace
}  // namespace camwatch
