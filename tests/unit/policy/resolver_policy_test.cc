// Which resolver a camera may ask (issue 18 point 3): external_resolver for plain DNS to a
// resolver its group does not allow, encrypted_dns for DoT, DoQ and DoH (nDPI's DoH_DoT, or a
// name or address of the DoH resolvers file on 443), the group's `resolvers` list and its
// default (the site's own), the alerts' switches, precedence, and the DoH resolvers file: the
// loader's errors and the shipped config/doh-resolvers.csv.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

#include "policy_test_util.h"

namespace camwatch {
namespace {

using testing::makeEngine;
using testing::rule;
using testing::tlsTo;

const std::string kDohPath = std::string(CAMWATCH_SOURCE_DIR) + "/config/doh-resolvers.csv";

IpPrefix prefix(std::string_view text) { return *IpPrefix::parse(text); }

// A classified DNS flow (udp/53) asking `query`, to `resolver`.
DestinationFacts dnsTo(std::string_view resolver, std::string_view query = "p2p.example.com") {
  DestinationFacts facts = tlsTo(resolver);
  facts.ip_proto = 17;
  facts.port = 53;
  facts.app_protocol = facts.master_protocol = facts.app_name = "DNS";
  facts.category = "Network";
  facts.hostname = query;
  return facts;
}

// A classified TLS flow with SNI `sni` to `ip`:`port` over `ip_proto`.
DestinationFacts tlsNamed(std::string_view ip, std::string_view sni, std::uint16_t port = 443,
                          std::uint8_t ip_proto = 6) {
  DestinationFacts facts = tlsTo(ip);
  facts.hostname = sni;
  facts.port = port;
  facts.ip_proto = ip_proto;
  return facts;
}

DestinationFacts onSite(DestinationFacts facts) {
  facts.scope = AddressScope::kPrivate;
  return facts;
}

PolicyOptions withDoh() {
  PolicyOptions options = defaultPolicyOptions();
  DohResolver google_name{"Google", "dns.google", DohResolver::Scope::kHost, {}};
  DohResolver google_address{"Google", "8.8.4.4", DohResolver::Scope::kAddress,
                             *IpAddress::parse("8.8.4.4")};
  DohResolver cloudflare{"Cloudflare", "cloudflare-dns.com", DohResolver::Scope::kDomain, {}};
  options.doh_resolvers = {google_name, google_address, cloudflare};
  return options;
}

GroupPolicy cams() {
  GroupPolicy group;
  group.name = "cams";
  group.default_action = PolicyAction::kAllow;  // only the resolver steps alert
  return group;
}

struct Outcome {
  std::optional<AlertKind> alert;
  std::string rule;
  Severity severity = Severity::kInfo;
  bool final = true;
};

Outcome judge(const PolicyEngine& engine, const DestinationFacts& facts) {
  const PolicyGroupId group = engine.groupId("cams");
  const Verdict verdict = facts.scope == AddressScope::kPublic
                              ? engine.evaluate(group, facts)
                              : engine.evaluateOnSite(group, facts);
  return {verdict.alert, std::string(engine.ruleLabel(verdict.rule)), verdict.severity,
          verdict.final};
}

TEST(ExternalResolverTest, PlainDnsToAPublicResolverIsExternalByDefault) {
  PolicyEngine engine = makeEngine({cams()});
  Outcome out = judge(engine, dnsTo("9.9.9.9"));
  EXPECT_EQ(out.alert, AlertKind::kExternalResolver);
  EXPECT_EQ(out.rule, "external_resolver");
  EXPECT_EQ(out.severity, Severity::kWarning);
  EXPECT_TRUE(out.final);
  // Port 53 is DNS before (and whatever) nDPI says; so is nDPI's DNS on another port.
  DestinationFacts unclassified = dnsTo("9.9.9.9");
  unclassified.classified = false;
  unclassified.app_protocol = unclassified.master_protocol = unclassified.app_name = "";
  EXPECT_EQ(judge(engine, unclassified).alert, AlertKind::kExternalResolver);
  DestinationFacts tcp = dnsTo("9.9.9.9");
  tcp.ip_proto = 6;
  EXPECT_EQ(judge(engine, tcp).alert, AlertKind::kExternalResolver);
  DestinationFacts odd_port = dnsTo("9.9.9.9");
  odd_port.port = 5353;
  EXPECT_EQ(judge(engine, odd_port).alert, AlertKind::kExternalResolver);
  odd_port.app_protocol = odd_port.master_protocol = odd_port.app_name = "MDNS";
  EXPECT_EQ(judge(engine, odd_port).alert, std::nullopt);  // not DNS: the default allows it
  // The site's own resolvers (no `resolvers` list): any on-site host, never asked about.
  EXPECT_EQ(judge(engine, onSite(dnsTo("192.168.10.1"))).rule, "local");
  EXPECT_FALSE(engine.judgesOnSiteDns(engine.groupId("cams")));
}

TEST(ExternalResolverTest, TheGroupsListAllowsItsResolversAndNoOther) {
  GroupPolicy group = cams();
  group.resolvers = std::vector<IpPrefix>{prefix("192.168.10.1"), prefix("9.9.9.0/24")};
  group.external_resolver = Severity::kCritical;
  PolicyEngine engine = makeEngine({group});
  EXPECT_TRUE(engine.judgesOnSiteDns(engine.groupId("cams")));
  Outcome listed = judge(engine, dnsTo("9.9.9.9"));
  EXPECT_EQ(listed.alert, std::nullopt);
  EXPECT_EQ(listed.rule, "resolvers");
  EXPECT_EQ(judge(engine, onSite(dnsTo("192.168.10.1"))).rule, "resolvers");
  // An on-site host the list does not name is an external resolver too.
  Outcome other = judge(engine, onSite(dnsTo("192.168.10.53")));
  EXPECT_EQ(other.alert, AlertKind::kExternalResolver);
  EXPECT_EQ(other.severity, Severity::kCritical);
  EXPECT_EQ(judge(engine, dnsTo("8.8.8.8")).alert, AlertKind::kExternalResolver);
  // Not DNS: the list says nothing (on site: local; egress: the rest of the policy).
  EXPECT_EQ(judge(engine, onSite(tlsTo("192.168.10.53"))).rule, "local");
  EXPECT_EQ(judge(engine, tlsTo("9.9.9.9")).rule, "default");

  group.resolvers = std::vector<IpPrefix>{};  // none at all
  PolicyEngine none = makeEngine({group});
  EXPECT_EQ(judge(none, onSite(dnsTo("192.168.10.1"))).alert, AlertKind::kExternalResolver);
}

TEST(ExternalResolverTest, OffLeavesDnsToTheRestOfThePolicy) {
  GroupPolicy group = cams();
  group.external_resolver.reset();
  group.default_action = PolicyAction::kDeny;
  PolicyEngine engine = makeEngine({group});
  Outcome out = judge(engine, dnsTo("9.9.9.9"));
  EXPECT_EQ(out.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(out.rule, "default");
  group.resolvers = std::vector<IpPrefix>{prefix("192.168.10.1")};
  PolicyEngine listed = makeEngine({group});
  EXPECT_EQ(judge(listed, onSite(dnsTo("192.168.10.5"))).rule, "local");
  EXPECT_EQ(judge(listed, dnsTo("9.9.9.9")).rule, "default");
}

TEST(ExternalResolverTest, DenyRulesComeFirstAllowRulesAfter) {
  GroupPolicy group = cams();
  PolicyRule no_quad9 = rule("no-quad9", PolicyAction::kDeny);
  no_quad9.asns = {"19281"};
  no_quad9.severity = Severity::kCritical;
  PolicyRule google = rule("google", PolicyAction::kAllow);
  google.asns = {"15169"};
  group.rules = {no_quad9, google};
  PolicyEngine engine = makeEngine({group});
  DestinationFacts quad9 = dnsTo("9.9.9.9");
  quad9.asn = 19281;
  EXPECT_EQ(judge(engine, quad9).rule, "rule:no-quad9");
  // An allow rule does not make a resolver the group's: list it in `resolvers`.
  DestinationFacts google_dns = dnsTo("8.8.8.8");
  google_dns.asn = 15169;
  EXPECT_EQ(judge(engine, google_dns).alert, AlertKind::kExternalResolver);

  // A deny rule still waiting for classification: the resolver verdict waits too.
  PolicyRule no_dns_names = rule("no-names", PolicyAction::kDeny);
  no_dns_names.protocols = {"DNS.HikConnect"};
  group.rules = {no_dns_names};
  PolicyEngine pending = makeEngine({group});
  DestinationFacts first_packet = dnsTo("9.9.9.9");
  first_packet.classified = false;
  Outcome out = judge(pending, first_packet);
  EXPECT_EQ(out.alert, AlertKind::kExternalResolver);
  EXPECT_FALSE(out.final);
}

TEST(EncryptedDnsTest, DotDoqAndDohByPortProtocolNameAndAddress) {
  GroupPolicy group = cams();
  PolicyEngine engine = makeEngine({group}, withDoh());
  // DoT: tcp/853, whatever the name.
  Outcome dot = judge(engine, tlsNamed("1.1.1.1", "one.one.one.one", 853));
  EXPECT_EQ(dot.alert, AlertKind::kEncryptedDns);
  EXPECT_EQ(dot.rule, "encrypted_dns:DoT");
  EXPECT_EQ(dot.severity, Severity::kWarning);
  // DoQ: udp/853; and nDPI's DoH_DoT over UDP off 443 (its ALPN "doq" detection).
  EXPECT_EQ(judge(engine, tlsNamed("94.140.14.14", "", 853, 17)).rule, "encrypted_dns:DoQ");
  DestinationFacts doq = tlsNamed("94.140.14.14", "dns.adguard-dns.com", 784, 17);
  doq.app_protocol = "QUIC.DoH_DoT";
  doq.master_protocol = "QUIC";
  doq.app_name = "DoH_DoT";
  EXPECT_EQ(judge(engine, doq).rule, "encrypted_dns:DoQ");
  // DoH: nDPI's DoH_DoT on 443, a listed name (host or under a listed domain), a listed address.
  DestinationFacts ndpi = tlsNamed("203.0.113.9", "doh.example.net");
  ndpi.app_protocol = "TLS.DoH_DoT";
  ndpi.app_name = "DoH_DoT";
  EXPECT_EQ(judge(engine, ndpi).rule, "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("8.8.8.8", "dns.google")).rule, "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("1.1.1.1", "Family.Cloudflare-DNS.com.")).rule,
            "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("8.8.4.4", "")).rule, "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("8.8.4.4", "", 443, 17)).rule, "encrypted_dns:DoH");  // HTTP/3
  // Not DoH: a listed name or address on another port, or an unlisted name on 443.
  EXPECT_EQ(judge(engine, tlsNamed("8.8.4.4", "", 8443)).alert, std::nullopt);
  EXPECT_EQ(judge(engine, tlsNamed("8.8.8.8", "www.google.com")).alert, std::nullopt);
  EXPECT_EQ(judge(engine, tlsNamed("8.8.8.8", "google.example")).alert, std::nullopt);
}

TEST(EncryptedDnsTest, ListedResolversSwitchesAndOnSiteFlows) {
  GroupPolicy group = cams();
  group.encrypted_dns = Severity::kCritical;
  group.resolvers = std::vector<IpPrefix>{prefix("192.168.10.1"), prefix("1.1.1.1")};
  PolicyEngine engine = makeEngine({group}, withDoh());
  EXPECT_EQ(judge(engine, tlsNamed("1.1.1.1", "cloudflare-dns.com", 853)).rule, "resolvers");
  Outcome doh = judge(engine, tlsNamed("8.8.8.8", "dns.google"));
  EXPECT_EQ(doh.severity, Severity::kCritical);
  EXPECT_EQ(doh.rule, "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, onSite(tlsNamed("192.168.10.1", "resolver.lan", 853))).rule, "resolvers");
  EXPECT_EQ(judge(engine, onSite(tlsNamed("192.168.10.9", "resolver.lan", 853))).rule,
            "encrypted_dns:DoT");

  group.encrypted_dns.reset();  // off: the rest of the policy decides
  group.resolvers.reset();
  PolicyEngine off = makeEngine({group}, withDoh());
  EXPECT_EQ(judge(off, tlsNamed("8.8.8.8", "dns.google")).rule, "default");
  EXPECT_EQ(judge(off, dnsTo("9.9.9.9")).alert, AlertKind::kExternalResolver);  // still on
}

TEST(EncryptedDnsTest, ANamelessFlowOn443WaitsForItsName) {
  GroupPolicy group = cams();
  PolicyRule cdn = rule("cdn", PolicyAction::kAllow);
  cdn.cidrs = {"203.0.113.0/24"};
  group.rules = {cdn};
  PolicyEngine engine = makeEngine({group}, withDoh());
  DestinationFacts first = tlsNamed("203.0.113.9", "");
  first.classified = false;
  Outcome out = judge(engine, first);
  EXPECT_EQ(out.rule, "rule:cdn");
  EXPECT_FALSE(out.final);  // the SNI may still name a DoH service
  first.hostname = "dns.google";
  EXPECT_EQ(judge(engine, first).rule, "encrypted_dns:DoH");
  EXPECT_TRUE(engine.needsClassification(engine.groupId("cams")));
}

// ---- the DoH resolvers file ------------------------------------------------------------------

class DohFile {
 public:
  explicit DohFile(std::string_view rows) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("doh_" + std::to_string(::getpid()) + "_" + info->name() + ".csv");
    std::ofstream(path_, std::ios::binary) << "provider,entry,scope,source\n" << rows;
  }
  ~DohFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  DohFile(const DohFile&) = delete;
  DohFile& operator=(const DohFile&) = delete;
  std::string path() const { return path_.string(); }

  // The loader's error without the path ("3: ..."), or "(loaded)".
  std::string error() const {
    auto loaded = loadDohResolvers(path());
    if (loaded) return "(loaded)";
    const std::string& message = loaded.error().message;
    return message.starts_with(path() + ":") ? message.substr(path().size() + 1) : message;
  }

 private:
  std::filesystem::path path_;
};

TEST(DohResolversFileTest, EntriesAreCheckedLineByLine) {
  DohFile good(
      "Google,DNS.Google.,host,docs\nCloudflare,cloudflare-dns.com,domain,docs\n"
      "Quad9,2620:fe::fe,address,docs\n");
  auto loaded = loadDohResolvers(good.path());
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 3U);
  EXPECT_EQ((*loaded)[0].name, "dns.google");
  EXPECT_EQ((*loaded)[1].scope, DohResolver::Scope::kDomain);
  EXPECT_EQ((*loaded)[2].scope, DohResolver::Scope::kAddress);
  EXPECT_EQ((*loaded)[2].address, *IpAddress::parse("2620:fe::fe"));

  EXPECT_EQ(DohFile("Google,dns.google,name,docs\n").error(),
            "2: scope 'name': expected host, domain or address");
  EXPECT_EQ(DohFile("Google,dns.google,host,\n").error(), "2: empty source: say where it is from");
  EXPECT_EQ(DohFile(",dns.google,host,docs\n").error(), "2: empty provider");
  EXPECT_EQ(DohFile("Quad9,dns.quad9.net,domain,docs\n").error(),
            "2: entry 'dns.quad9.net': is not a registrable domain: its registrable domain is "
            "'quad9.net'");
  EXPECT_EQ(DohFile("X,*.example.net,host,docs\n").error(),
            "2: entry '*.example.net': a host is one name: list the registrable domain with scope "
            "domain instead");
  EXPECT_EQ(DohFile("X,192.168.1.1,address,docs\n").error(),
            "2: entry '192.168.1.1': not a public address (a site's own resolver belongs in the "
            "group's resolvers)");
  EXPECT_EQ(DohFile("Google,dns.google,host,a\nGoogle,dns.google.,host,b\n").error(),
            "3: entry 'dns.google' listed again (first on line 2)");
  EXPECT_EQ(DohFile("Google,dns.google,host,docs,extra\n").error().substr(0, 2), "2:");
}

// The shipped file loads, every row says where it is from, and it names the services the
// ground-truth capture uses and the Chinese public resolvers a Chinese camera would use.
TEST(DohResolversFileTest, TheShippedFileLoadsAndNamesTheBigServices) {
  auto loaded = loadDohResolvers(kDohPath);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto has = [&](std::string_view name) {
    return std::any_of(loaded->begin(), loaded->end(),
                       [&](const DohResolver& entry) { return entry.name == name; });
  };
  for (std::string_view name :
       {"dns.google", "8.8.8.8", "cloudflare-dns.com", "1.1.1.1", "dns.quad9.net", "9.9.9.9",
        "doh.opendns.com", "adguard-dns.com", "dns.adguard.com", "dns.alidns.com", "223.5.5.5",
        "dns.pub", "doh.360.cn"}) {
    EXPECT_TRUE(has(name)) << name;
  }
  PolicyOptions options = defaultPolicyOptions();
  options.doh_resolvers = *loaded;
  PolicyEngine engine = makeEngine({cams()}, options);
  EXPECT_EQ(judge(engine, tlsNamed("8.8.8.8", "dns.google")).rule, "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("104.16.248.249", "mozilla.cloudflare-dns.com")).rule,
            "encrypted_dns:DoH");
  EXPECT_EQ(judge(engine, tlsNamed("1.1.1.1", "")).rule, "encrypted_dns:DoH");
}

}  // namespace
}  // namespace camwatch
