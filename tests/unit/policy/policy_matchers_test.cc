// PolicyEngine::evaluate on each kind of matcher: domains with their wildcard edge cases, CIDRs of
// both families, AS numbers, countries, protocols, categories and ports; AND across and OR within
// matcher lists.
#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

#include "unit/policy/policy_test_util.h"

namespace camwatch {
namespace {

using testing::engineWith;
using testing::rule;
using testing::tlsTo;

// Whether a single allow rule built by `setup` lets `facts` through (default deny otherwise).
template <typename Setup>
bool allowedBy(Setup setup, const DestinationFacts& facts) {
  PolicyRule allow = rule("r", PolicyAction::kAllow);
  setup(allow);
  PolicyEngine engine = engineWith({allow});
  return engine.evaluate(engine.groupId("cams"), facts).action == PolicyAction::kAllow;
}

bool domainMatches(std::string pattern, std::string_view hostname) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.hostname = hostname;
  return allowedBy([&](PolicyRule& r) { r.domains = {pattern}; }, facts);
}

bool cidrMatches(std::string cidr, std::string_view ip) {
  return allowedBy([&](PolicyRule& r) { r.cidrs = {cidr}; }, tlsTo(ip));
}

bool portMatches(std::string ports, std::uint8_t ip_proto, std::uint16_t port) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.ip_proto = ip_proto;
  facts.port = port;
  return allowedBy([&](PolicyRule& r) { r.ports = {ports}; }, facts);
}

// ---- domains ---------------------------------------------------------------------------------

TEST(PolicyDomainTest, ExactNameMatchesOnlyThatName) {
  EXPECT_TRUE(domainMatches("cloud.example.com", "cloud.example.com"));
  EXPECT_TRUE(domainMatches("cloud.example.com", "CLOUD.Example.COM"));
  EXPECT_TRUE(domainMatches("cloud.example.com", "cloud.example.com."));
  EXPECT_TRUE(domainMatches("Cloud.Example.com.", "cloud.example.com"));
  EXPECT_FALSE(domainMatches("cloud.example.com", "a.cloud.example.com"));
  EXPECT_FALSE(domainMatches("cloud.example.com", "example.com"));
  EXPECT_FALSE(domainMatches("cloud.example.com", "cloud.example.com.evil.net"));
  EXPECT_FALSE(domainMatches("cloud.example.com", ""));
}

TEST(PolicyDomainTest, WildcardMatchesSubdomainsButNotTheApex) {
  EXPECT_TRUE(domainMatches("*.example.com", "a.example.com"));
  EXPECT_TRUE(domainMatches("*.example.com", "a.b.c.example.com"));
  EXPECT_TRUE(domainMatches("*.example.com", "A.EXAMPLE.COM."));
  EXPECT_TRUE(domainMatches("*.EXAMPLE.com", "a.example.com"));
  EXPECT_FALSE(domainMatches("*.example.com", "example.com"));
  EXPECT_FALSE(domainMatches("*.example.com", "example.com."));
  // Ends with the same letters, but not on a label boundary.
  EXPECT_FALSE(domainMatches("*.example.com", "evilexample.com"));
  EXPECT_FALSE(domainMatches("*.example.com", "a.evilexample.com"));
  EXPECT_FALSE(domainMatches("*.example.com", "a.example.com.evil.net"));
  EXPECT_FALSE(domainMatches("*.example.com", "example.net"));
}

TEST(PolicyDomainTest, BroadWildcardAndIdn) {
  EXPECT_TRUE(domainMatches("*.com", "example.com"));
  EXPECT_TRUE(domainMatches("*.com", "a.b.example.com"));
  EXPECT_FALSE(domainMatches("*.com", "com"));
  EXPECT_FALSE(domainMatches("*.com", "example.net"));
  EXPECT_FALSE(domainMatches("*.com", "example.community"));
  // IDNs are compared in the form given: punycode matches punycode only.
  EXPECT_TRUE(domainMatches("xn--bcher-kva.example", "XN--BCHER-KVA.example"));
  EXPECT_FALSE(domainMatches("xn--bcher-kva.example",
                             "b\xc3\xbc"
                             "cher.example"));
}

TEST(PolicyDomainTest, ExactAndWildcardInOneList) {
  PolicyRule allow = rule("vendor", PolicyAction::kAllow);
  allow.domains = {"vendor.example", "*.vendor.example", "other.test"};
  PolicyEngine engine = engineWith({allow});
  for (std::string_view name : {"vendor.example", "api.vendor.example", "OTHER.test"}) {
    DestinationFacts facts = tlsTo("8.8.8.8");
    facts.hostname = name;
    EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), facts).rule), "rule:vendor")
        << name;
  }
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.hostname = "x.other.test";
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), facts).rule), "default");
}

TEST(PolicyDomainTest, OverlongHostnameMatchesNothing) {
  std::string name(300, 'a');
  name += ".example.com";
  EXPECT_FALSE(domainMatches("*.example.com", name));
}

// ---- addresses -------------------------------------------------------------------------------

TEST(PolicyCidrTest, Ipv4Prefixes) {
  EXPECT_TRUE(cidrMatches("203.0.113.0/24", "203.0.113.0"));
  EXPECT_TRUE(cidrMatches("203.0.113.0/24", "203.0.113.255"));
  EXPECT_FALSE(cidrMatches("203.0.113.0/24", "203.0.114.0"));
  EXPECT_TRUE(cidrMatches("203.0.113.7/32", "203.0.113.7"));
  EXPECT_FALSE(cidrMatches("203.0.113.7/32", "203.0.113.6"));
  EXPECT_TRUE(cidrMatches("203.0.113.7", "203.0.113.7"));  // a bare address is a /32
  EXPECT_TRUE(cidrMatches("195.60.68.120/31", "195.60.68.121"));
  EXPECT_FALSE(cidrMatches("195.60.68.120/31", "195.60.68.122"));
  EXPECT_TRUE(cidrMatches("0.0.0.0/0", "1.2.3.4"));
  EXPECT_FALSE(cidrMatches("0.0.0.0/0", "2001:db8::1"));
}

TEST(PolicyCidrTest, Ipv6Prefixes) {
  EXPECT_TRUE(cidrMatches("2001:db8::/32", "2001:db8:ffff::1"));
  EXPECT_FALSE(cidrMatches("2001:db8::/32", "2001:db9::1"));
  EXPECT_TRUE(cidrMatches("2001:db8::1/128", "2001:db8::1"));
  EXPECT_FALSE(cidrMatches("2001:db8::1/128", "2001:db8::2"));
  EXPECT_TRUE(cidrMatches("2001:db8::1", "2001:db8::1"));
  EXPECT_TRUE(cidrMatches("::/0", "2a00:1450::1"));
  // IPv4 addresses are stored IPv4-mapped, yet "::/0" means every IPv6 address only.
  EXPECT_FALSE(cidrMatches("::/0", "1.2.3.4"));
  EXPECT_TRUE(cidrMatches("2001:db8:0:2::/63", "2001:db8:0:3::5"));
  EXPECT_FALSE(cidrMatches("2001:db8:0:2::/63", "2001:db8:0:1::5"));
}

TEST(PolicyCidrTest, Ipv4MappedPrefixesMatchIpv4Addresses) {
  EXPECT_TRUE(cidrMatches("::ffff:198.51.100.0/120", "198.51.100.77"));
  EXPECT_FALSE(cidrMatches("::ffff:198.51.100.0/120", "198.51.101.77"));
  EXPECT_TRUE(cidrMatches("::ffff:0:0/96", "9.9.9.9"));
  EXPECT_TRUE(cidrMatches("::ffff:9.9.9.9", "9.9.9.9"));
  // And an IPv4 prefix matches the mapped form of the address too (it is the same value).
  EXPECT_TRUE(cidrMatches("9.9.9.0/24", "::ffff:9.9.9.9"));
}

TEST(PolicyCidrTest, ManyPrefixesOfMixedLengths) {
  PolicyRule allow = rule("many", PolicyAction::kAllow);
  allow.cidrs = {"10.0.0.0/8",     "203.0.113.0/24", "198.51.100.64/26", "2001:db8::/48",
                 "203.0.113.0/24", "192.0.2.1",      "2001:db8:1::/48"};
  PolicyEngine engine = engineWith({allow});
  for (std::string_view ip : {"10.200.1.1", "203.0.113.9", "198.51.100.100", "192.0.2.1",
                              "2001:db8::9", "2001:db8:1:2::3"}) {
    EXPECT_EQ(engine.evaluate(engine.groupId("cams"), tlsTo(ip)).action, PolicyAction::kAllow)
        << ip;
  }
  for (std::string_view ip : {"11.0.0.1", "198.51.100.63", "192.0.2.2", "2001:db8:2::1"}) {
    EXPECT_EQ(engine.evaluate(engine.groupId("cams"), tlsTo(ip)).action, PolicyAction::kDeny) << ip;
  }
}

TEST(PolicyFactsTest, AsnAndCountry) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.asn = 13335;
  facts.country = "CN";
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.asns = {"AS13335"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.asns = {"15169", "as13335"}; }, facts));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.asns = {"15169"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.countries = {"cn"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.countries = {"RU", "CN"}; }, facts));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.countries = {"DE"}; }, facts));
  facts.country = "cn";  // whatever case the caller has
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.countries = {"CN"}; }, facts));

  DestinationFacts unknown = tlsTo("8.8.8.8");  // no GeoIP answer: asn 0, country ""
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.asns = {"13335"}; }, unknown));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.countries = {"CN"}; }, unknown));
}

TEST(PolicyFactsTest, ProtocolsMatchWholeNameMasterOrApplication) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.app_protocol = "TLS.HikConnect";
  facts.master_protocol = "TLS";
  facts.app_name = "HikConnect";
  facts.category = "Cloud";
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.protocols = {"TLS.HikConnect"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.protocols = {"hikconnect"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.protocols = {"tls"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.protocols = {"NTP", "TLS"}; }, facts));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.protocols = {"TLS.Dahua_Imou"}; }, facts));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.protocols = {"Hik"}; }, facts));
  EXPECT_TRUE(allowedBy([](PolicyRule& r) { r.categories = {"cloud"}; }, facts));
  EXPECT_FALSE(allowedBy([](PolicyRule& r) { r.categories = {"Web"}; }, facts));
}

TEST(PolicyFactsTest, PortsAndRangesPerTransport) {
  EXPECT_TRUE(portMatches("443", 6, 443));
  EXPECT_TRUE(portMatches("443", 17, 443));
  EXPECT_FALSE(portMatches("443", 6, 444));
  EXPECT_TRUE(portMatches("tcp/443", 6, 443));
  EXPECT_FALSE(portMatches("tcp/443", 17, 443));
  EXPECT_TRUE(portMatches("UDP/3478-3479", 17, 3478));
  EXPECT_TRUE(portMatches("udp/3478-3479", 17, 3479));
  EXPECT_FALSE(portMatches("udp/3478-3479", 17, 3480));
  EXPECT_FALSE(portMatches("udp/3478-3479", 17, 3477));
  EXPECT_FALSE(portMatches("udp/3478-3479", 6, 3478));
  EXPECT_TRUE(portMatches("8000-8100", 6, 8000));
  EXPECT_TRUE(portMatches("8000-8100", 17, 8100));
  EXPECT_TRUE(portMatches("0-65535", 17, 65535));
  // No transport with ports, no port match: ICMP's port 0 is not a port.
  EXPECT_FALSE(portMatches("0-65535", 1, 0));
}

TEST(PolicyFactsTest, AndAcrossListsOrWithinAList) {
  PolicyRule deny = rule("cn-ru-tls", PolicyAction::kDeny);
  deny.countries = {"CN", "RU"};
  deny.ports = {"tcp/443", "tcp/8443"};
  PolicyEngine engine = engineWith({deny}, PolicyAction::kAllow);
  auto verdict = [&](std::string_view country, std::uint16_t port) {
    DestinationFacts facts = tlsTo("8.8.8.8");
    facts.country = country;
    facts.port = port;
    return engine.evaluate(engine.groupId("cams"), facts);
  };
  EXPECT_EQ(engine.ruleLabel(verdict("CN", 443).rule), "rule:cn-ru-tls");
  EXPECT_EQ(engine.ruleLabel(verdict("RU", 8443).rule), "rule:cn-ru-tls");
  EXPECT_EQ(engine.ruleLabel(verdict("CN", 80).rule), "default");
  EXPECT_EQ(engine.ruleLabel(verdict("DE", 443).rule), "default");
  // Country and port together: neither "country only" nor "ASN only".
  EXPECT_EQ(verdict("CN", 443).alert, AlertKind::kDisallowedDestination);
}

}  // namespace
}  // namespace camwatch
