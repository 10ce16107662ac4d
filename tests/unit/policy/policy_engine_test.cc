// Tests of PolicyEngine::evaluate and evaluateDnsQuery: every kind of matcher (domains with
// their wildcard edge cases, CIDRs of both families, AS numbers, countries, protocols,
// categories, ports), AND across and OR within matcher lists, the precedence of deny rules,
// allow rules, the vendor-cloud catalog, P2P names and the default, the rule named in the
// verdict, and when a verdict on a not-yet-classified flow is final.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

namespace camwatch {
namespace {

// A classified plain-TLS flow to a public address on tcp/443.
DestinationFacts tlsTo(std::string_view ip) {
  DestinationFacts facts;
  facts.ip = *IpAddress::parse(ip);
  facts.port = 443;
  facts.ip_proto = 6;
  facts.scope = AddressScope::kPublic;
  facts.app_protocol = "TLS";
  facts.master_protocol = "TLS";
  facts.app_name = "TLS";
  facts.category = "Web";
  facts.classified = true;
  return facts;
}

PolicyRule rule(std::string name, PolicyAction action) {
  PolicyRule out;
  out.name = std::move(name);
  out.action = action;
  return out;
}

PolicyEngine makeEngine(std::vector<GroupPolicy> groups,
                        const PolicyOptions& options = defaultPolicyOptions()) {
  Result<PolicyEngine> engine = PolicyEngine::create(std::move(groups), options);
  if (!engine) {
    std::fprintf(stderr, "PolicyEngine::create failed: %s\n", engine.error().message.c_str());
    std::abort();
  }
  return std::move(*engine);
}

// One group "cams" holding `rules` (catalog on, default deny unless changed).
PolicyEngine engineWith(std::vector<PolicyRule> rules,
                        PolicyAction default_action = PolicyAction::kDeny) {
  GroupPolicy group;
  group.name = "cams";
  group.rules = std::move(rules);
  group.default_action = default_action;
  return makeEngine({std::move(group)});
}

// Whether a single allow rule built by `setup` lets `facts` through (default deny otherwise).
template <typename Setup>
bool allowedBy(Setup setup, const DestinationFacts& facts) {
  PolicyRule allow = rule("r", PolicyAction::kAllow);
  setup(allow);
  PolicyEngine engine = engineWith({allow});
  return engine.evaluate("cams", facts).action == PolicyAction::kAllow;
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
    EXPECT_EQ(engine.evaluate("cams", facts).rule, "rule:vendor") << name;
  }
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.hostname = "x.other.test";
  EXPECT_EQ(engine.evaluate("cams", facts).rule, "default");
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
    EXPECT_EQ(engine.evaluate("cams", tlsTo(ip)).action, PolicyAction::kAllow) << ip;
  }
  for (std::string_view ip : {"11.0.0.1", "198.51.100.63", "192.0.2.2", "2001:db8:2::1"}) {
    EXPECT_EQ(engine.evaluate("cams", tlsTo(ip)).action, PolicyAction::kDeny) << ip;
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
    return engine.evaluate("cams", facts);
  };
  EXPECT_EQ(verdict("CN", 443).rule, "rule:cn-ru-tls");
  EXPECT_EQ(verdict("RU", 8443).rule, "rule:cn-ru-tls");
  EXPECT_EQ(verdict("CN", 80).rule, "default");
  EXPECT_EQ(verdict("DE", 443).rule, "default");
  // Country and port together: neither "country only" nor "ASN only".
  EXPECT_EQ(verdict("CN", 443).alert, AlertKind::kDisallowedDestination);
}

// ---- precedence ------------------------------------------------------------------------------

TEST(PolicyPrecedenceTest, DenyBeatsAllowWhateverTheOrder) {
  PolicyRule allow = rule("vendor-ok", PolicyAction::kAllow);
  allow.domains = {"*.example.com"};
  PolicyRule deny = rule("no-cn", PolicyAction::kDeny);
  deny.countries = {"CN"};
  deny.severity = Severity::kCritical;
  PolicyEngine engine = engineWith({allow, deny});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.hostname = "api.example.com";
  facts.country = "CN";
  Verdict verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedCountry);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(verdict.rule, "rule:no-cn");
  EXPECT_TRUE(verdict.final);

  facts.country = "DE";
  verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(verdict.alert, std::nullopt);
  EXPECT_EQ(verdict.rule, "rule:vendor-ok");
}

TEST(PolicyPrecedenceTest, FirstMatchingDenyRuleIsNamed) {
  PolicyRule by_asn = rule("no-as4134", PolicyAction::kDeny);
  by_asn.asns = {"4134"};
  PolicyRule by_country = rule("no-cn", PolicyAction::kDeny);
  by_country.countries = {"CN"};
  PolicyRule by_cidr = rule("no-net", PolicyAction::kDeny);
  by_cidr.cidrs = {"8.8.8.0/24"};
  by_cidr.severity = Severity::kInfo;
  PolicyEngine engine = engineWith({by_asn, by_country, by_cidr});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.asn = 4134;
  facts.country = "CN";
  Verdict verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:no-as4134");
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedAsn);
  EXPECT_EQ(verdict.severity, Severity::kWarning);  // the default for a deny rule
  facts.asn = 1;
  EXPECT_EQ(engine.evaluate("cams", facts).rule, "rule:no-cn");
  facts.country = "US";
  verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:no-net");
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(verdict.severity, Severity::kInfo);
}

DestinationFacts hikConnect() {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.app_protocol = "TLS.HikConnect";
  facts.master_protocol = "TLS";
  facts.app_name = "HikConnect";
  facts.hostname = "litedev.hik-connect.com";
  return facts;
}

TEST(PolicyPrecedenceTest, AllowBeatsCatalogBeatsDefault) {
  PolicyEngine plain = engineWith({}, PolicyAction::kAllow);
  Verdict verdict = plain.evaluate("cams", hikConnect());
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kVendorCloud);
  EXPECT_EQ(verdict.rule, "catalog:HikConnect");
  EXPECT_EQ(verdict.severity, Severity::kWarning);
  EXPECT_TRUE(verdict.final);

  PolicyRule allow = rule("hik-ok", PolicyAction::kAllow);
  allow.domains = {"*.hik-connect.com"};
  PolicyEngine allowed = engineWith({allow}, PolicyAction::kDeny);
  EXPECT_EQ(allowed.evaluate("cams", hikConnect()).rule, "rule:hik-ok");

  GroupPolicy off;
  off.name = "cams";
  off.vendor_cloud_catalog = false;
  off.default_action = PolicyAction::kAllow;
  PolicyEngine no_catalog = makeEngine({off});
  verdict = no_catalog.evaluate("cams", hikConnect());
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(verdict.rule, "default");
}

TEST(PolicyPrecedenceTest, CatalogMatchesByMasterOrApplicationName) {
  PolicyEngine engine = engineWith({}, PolicyAction::kAllow);
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.app_protocol = "Dahua_Imou";  // a port guess: no master protocol
  facts.master_protocol = "";
  facts.app_name = "dahua_imou";
  EXPECT_EQ(engine.evaluate("cams", facts).rule, "catalog:Dahua_Imou");
}

DestinationFacts stun(std::string_view app_protocol, std::string_view app_name) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.ip_proto = 17;
  facts.port = 3478;
  facts.app_protocol = app_protocol;
  facts.master_protocol = "STUN";
  facts.app_name = app_name;
  facts.category = "Network";
  return facts;
}

TEST(PolicyPrecedenceTest, P2pAfterCatalogBeforeDefault) {
  PolicyEngine engine = engineWith({}, PolicyAction::kAllow);
  Verdict verdict = engine.evaluate("cams", stun("STUN", "STUN"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kP2pOrRelay);
  EXPECT_EQ(verdict.rule, "p2p:STUN");
  EXPECT_TRUE(verdict.final);
  // A vendor's own STUN server is the vendor's cloud first.
  EXPECT_EQ(engine.evaluate("cams", stun("STUN.HikConnect", "HikConnect")).rule,
            "catalog:HikConnect");

  DestinationFacts torrent = tlsTo("8.8.8.8");
  torrent.app_protocol = torrent.master_protocol = torrent.app_name = "BitTorrent";
  EXPECT_EQ(engine.evaluate("cams", torrent).alert, AlertKind::kP2pOrRelay);

  // An allow rule for STUN (say, a video intercom group) comes first.
  PolicyRule allow = rule("stun-ok", PolicyAction::kAllow);
  allow.protocols = {"STUN"};
  EXPECT_EQ(engineWith({allow}).evaluate("cams", stun("STUN", "STUN")).rule, "rule:stun-ok");

  PolicyOptions options = defaultPolicyOptions();
  options.p2p_protocols.clear();
  options.p2p_severity = Severity::kCritical;
  GroupPolicy group;
  group.name = "cams";
  group.default_action = PolicyAction::kAllow;
  EXPECT_EQ(makeEngine({group}, options).evaluate("cams", stun("STUN", "STUN")).rule, "default");
}

TEST(PolicyPrecedenceTest, DefaultActionAndSeverity) {
  GroupPolicy group;
  group.name = "cams";
  group.default_severity = Severity::kCritical;
  PolicyEngine engine = makeEngine({group});
  Verdict verdict = engine.evaluate("cams", tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(verdict.rule, "default");
  EXPECT_TRUE(verdict.final);

  PolicyEngine allowing = engineWith({}, PolicyAction::kAllow);
  verdict = allowing.evaluate("cams", tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(verdict.alert, std::nullopt);
  EXPECT_EQ(verdict.severity, Severity::kInfo);
  EXPECT_EQ(verdict.rule, "default");
}

TEST(PolicyPrecedenceTest, NonPublicDestinationsAreLocal) {
  PolicyRule deny = rule("no-rfc1918", PolicyAction::kDeny);
  deny.cidrs = {"10.0.0.0/8"};
  PolicyEngine engine = engineWith({deny});
  for (AddressScope scope : {AddressScope::kPrivate, AddressScope::kLinkLocal,
                             AddressScope::kMulticast, AddressScope::kCgnat}) {
    DestinationFacts facts = tlsTo("10.1.2.3");
    facts.scope = scope;
    facts.classified = false;
    Verdict verdict = engine.evaluate("cams", facts);
    EXPECT_EQ(verdict.action, PolicyAction::kAllow);
    EXPECT_EQ(verdict.rule, "local");
    EXPECT_TRUE(verdict.final);
  }
}

// ---- flows not yet classified ----------------------------------------------------------------

DestinationFacts unclassified(std::string_view ip) {
  DestinationFacts facts = tlsTo(ip);
  facts.app_protocol = facts.master_protocol = facts.app_name = facts.category = "";
  facts.classified = false;
  return facts;
}

TEST(PolicyFinalTest, DenyOnIpFactsIsFinalAtFlowStart) {
  PolicyRule deny = rule("no-cn", PolicyAction::kDeny);
  deny.countries = {"CN"};
  PolicyEngine engine = engineWith({deny});
  DestinationFacts facts = unclassified("8.8.8.8");
  facts.country = "CN";
  Verdict verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:no-cn");
  EXPECT_TRUE(verdict.final);
}

TEST(PolicyFinalTest, DefaultIsNotFinalWhileCatalogOrP2pCouldStillApply) {
  PolicyEngine engine = engineWith({});
  Verdict verdict = engine.evaluate("cams", unclassified("8.8.8.8"));
  EXPECT_EQ(verdict.rule, "default");
  EXPECT_FALSE(verdict.final);
  // Classification arrives: the caller evaluates again and gets a final answer.
  EXPECT_EQ(engine.evaluate("cams", hikConnect()).rule, "catalog:HikConnect");
  EXPECT_TRUE(engine.evaluate("cams", tlsTo("8.8.8.8")).final);

  // Nothing in the policy waits for classification: final at once.
  GroupPolicy group;
  group.name = "cams";
  group.vendor_cloud_catalog = false;
  PolicyRule deny = rule("no-cn", PolicyAction::kDeny);
  deny.countries = {"CN"};
  group.rules = {deny};
  PolicyOptions options = defaultPolicyOptions();
  options.p2p_protocols.clear();
  PolicyEngine ip_only = makeEngine({group}, options);
  EXPECT_TRUE(ip_only.evaluate("cams", unclassified("8.8.8.8")).final);
  EXPECT_FALSE(ip_only.needsClassification("cams"));
  EXPECT_TRUE(engine.needsClassification("cams"));
}

TEST(PolicyFinalTest, AllowIsNotFinalWhileADenyRuleWaitsForClassification) {
  PolicyRule allow = rule("our-net", PolicyAction::kAllow);
  allow.cidrs = {"8.8.8.0/24"};
  PolicyRule deny = rule("no-stun", PolicyAction::kDeny);
  deny.protocols = {"STUN"};
  PolicyEngine engine = engineWith({allow, deny});
  Verdict verdict = engine.evaluate("cams", unclassified("8.8.8.8"));
  EXPECT_EQ(verdict.rule, "rule:our-net");
  EXPECT_FALSE(verdict.final);
  verdict = engine.evaluate("cams", stun("STUN", "STUN"));
  EXPECT_EQ(verdict.rule, "rule:no-stun");
  EXPECT_TRUE(verdict.final);
  EXPECT_EQ(engine.evaluate("cams", tlsTo("8.8.8.8")).rule, "rule:our-net");

  // A deny rule whose IP facts already fail cannot fire later: the allow is final.
  PolicyRule deny_elsewhere = rule("no-stun-cn", PolicyAction::kDeny);
  deny_elsewhere.protocols = {"STUN"};
  deny_elsewhere.countries = {"CN"};
  PolicyEngine other = engineWith({allow, deny_elsewhere});  // outlives the verdict's rule view
  verdict = other.evaluate("cams", unclassified("8.8.8.8"));
  EXPECT_EQ(verdict.rule, "rule:our-net");
  EXPECT_TRUE(verdict.final);
}

TEST(PolicyFinalTest, DomainRulesWaitForAHostname) {
  PolicyRule deny = rule("no-evil", PolicyAction::kDeny);
  deny.domains = {"*.evil.example"};
  PolicyRule allow = rule("cdn", PolicyAction::kAllow);
  allow.asns = {"13335"};
  PolicyEngine engine = engineWith({deny, allow});
  DestinationFacts facts = unclassified("8.8.8.8");
  facts.asn = 13335;
  Verdict verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:cdn");
  EXPECT_FALSE(verdict.final);  // no hostname yet: the SNI may still name an evil host

  facts.hostname = "x.evil.example";  // e.g. from the DNS cache at flow start
  verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:no-evil");
  EXPECT_TRUE(verdict.final);

  facts.hostname = "";
  facts.classified = true;  // classified without any name: the domain rule cannot match
  verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "rule:cdn");
  EXPECT_TRUE(verdict.final);
}

// ---- DNS -------------------------------------------------------------------------------------

TEST(PolicyDnsTest, DnsFlowsAreJudgedByTheResolverNotTheQuery) {
  PolicyRule deny = rule("no-hik", PolicyAction::kDeny);
  deny.domains = {"*.hik-connect.com"};
  PolicyEngine engine = engineWith({deny}, PolicyAction::kAllow);
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.ip_proto = 17;
  facts.port = 53;
  facts.app_protocol = "DNS.HikConnect";
  facts.master_protocol = "DNS";
  facts.app_name = "HikConnect";
  facts.category = "Network";
  facts.hostname = "litedev.hik-connect.com";
  Verdict verdict = engine.evaluate("cams", facts);
  EXPECT_EQ(verdict.rule, "default");  // neither the domain rule nor the catalog
  EXPECT_TRUE(verdict.final);
  // The query itself is what evaluateDnsQuery judges.
  verdict = engine.evaluateDnsQuery("cams", facts.hostname);
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDnsLookupBlocked);
  EXPECT_EQ(verdict.rule, "rule:no-hik");
}

TEST(PolicyDnsTest, OnlyDomainOnlyDenyRulesBlockLookups) {
  PolicyRule names = rule("names", PolicyAction::kDeny);
  names.domains = {"bad.example", "*.worse.example"};
  names.severity = Severity::kCritical;
  PolicyRule names_and_port = rule("names-443", PolicyAction::kDeny);
  names_and_port.domains = {"tls.example"};
  names_and_port.ports = {"tcp/443"};
  PolicyRule allowed = rule("allowed", PolicyAction::kAllow);
  allowed.domains = {"good.example"};
  PolicyEngine engine = engineWith({names, names_and_port, allowed});

  Verdict verdict = engine.evaluateDnsQuery("cams", "BAD.example.");
  EXPECT_EQ(verdict.alert, AlertKind::kDnsLookupBlocked);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(verdict.rule, "rule:names");
  EXPECT_TRUE(verdict.final);
  EXPECT_EQ(engine.evaluateDnsQuery("cams", "a.worse.example").rule, "rule:names");
  for (std::string_view name : {"worse.example", "tls.example", "good.example", "other.test", ""}) {
    verdict = engine.evaluateDnsQuery("cams", name);
    EXPECT_EQ(verdict.action, PolicyAction::kAllow) << name;
    EXPECT_EQ(verdict.alert, std::nullopt) << name;
    EXPECT_EQ(verdict.rule, "none") << name;
  }
}

// ---- groups ----------------------------------------------------------------------------------

TEST(PolicyGroupTest, UnknownGroupFallsBackToDefaultGroup) {
  GroupPolicy cams;
  cams.name = "cams";
  cams.default_action = PolicyAction::kAllow;
  GroupPolicy fallback;
  fallback.name = "default";
  PolicyRule deny = rule("no-cn", PolicyAction::kDeny);
  deny.countries = {"CN"};
  fallback.rules = {deny};
  fallback.default_action = PolicyAction::kAllow;
  PolicyEngine engine = makeEngine({cams, fallback});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.country = "CN";
  EXPECT_EQ(engine.evaluate("cams", facts).rule, "default");
  EXPECT_EQ(engine.evaluate("nvrs", facts).rule, "rule:no-cn");
  EXPECT_EQ(engine.evaluate("", facts).rule, "rule:no-cn");
  EXPECT_EQ(engine.groupNames(), (std::vector<std::string>{"cams", "default"}));
}

TEST(PolicyGroupTest, UnknownGroupWithoutDefaultGroupIsDefaultDenyWithCatalog) {
  GroupPolicy cams;
  cams.name = "cams";
  cams.default_action = PolicyAction::kAllow;
  PolicyEngine engine = makeEngine({cams});
  Verdict verdict = engine.evaluate("nvrs", tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(verdict.rule, "default");
  EXPECT_EQ(engine.evaluate("nvrs", hikConnect()).alert, AlertKind::kVendorCloud);
  EXPECT_EQ(engine.evaluateDnsQuery("nvrs", "x.example").rule, "none");

  PolicyEngine empty = makeEngine({});
  EXPECT_EQ(empty.evaluate("anything", tlsTo("8.8.8.8")).action, PolicyAction::kDeny);
  EXPECT_TRUE(empty.groupNames().empty());
}

TEST(PolicyGroupTest, VerdictLabelsOutliveMovesOfTheEngine) {
  PolicyRule deny =
      rule("a-rather-long-rule-name-beyond-small-string-buffers", PolicyAction::kDeny);
  deny.countries = {"CN"};
  PolicyEngine first = engineWith({deny});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.country = "CN";
  Verdict before = first.evaluate("cams", facts);
  PolicyEngine second = std::move(first);
  EXPECT_EQ(before.rule, "rule:a-rather-long-rule-name-beyond-small-string-buffers");
  EXPECT_EQ(second.evaluate("cams", facts).rule.data(), before.rule.data());
}

TEST(PolicyGroupTest, ActionNames) {
  EXPECT_EQ(policyActionName(PolicyAction::kAllow), "allow");
  EXPECT_EQ(policyActionName(PolicyAction::kDeny), "deny");
  EXPECT_EQ(policyActionFromName("deny"), PolicyAction::kDeny);
  EXPECT_EQ(policyActionFromName("allow"), PolicyAction::kAllow);
  EXPECT_EQ(policyActionFromName("alert"), std::nullopt);
}

}  // namespace
}  // namespace camwatch
