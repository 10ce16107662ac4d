// PolicyEngine::evaluate: the precedence of deny rules, allow rules, the vendor-cloud catalog, P2P
// names and the default, the rule named in the verdict, and destinations that are not public.
#include <optional>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

#include "unit/policy/policy_test_util.h"

namespace camwatch {
namespace {

using testing::engineWith;
using testing::hikConnect;
using testing::makeEngine;
using testing::rule;
using testing::stun;
using testing::tlsTo;

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
  Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedCountry);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-cn");
  EXPECT_TRUE(verdict.final);

  facts.country = "DE";
  verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(verdict.alert, std::nullopt);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:vendor-ok");
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
  Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-as4134");
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedAsn);
  EXPECT_EQ(verdict.severity, Severity::kWarning);  // the default for a deny rule
  facts.asn = 1;
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), facts).rule), "rule:no-cn");
  facts.country = "US";
  verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-net");
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(verdict.severity, Severity::kInfo);
}

TEST(PolicyPrecedenceTest, AllowBeatsCatalogBeatsDefault) {
  PolicyEngine plain = engineWith({}, PolicyAction::kAllow);
  Verdict verdict = plain.evaluate(plain.groupId("cams"), hikConnect());
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kVendorCloud);
  EXPECT_EQ(plain.ruleLabel(verdict.rule), "catalog:HikConnect");
  EXPECT_EQ(verdict.severity, Severity::kWarning);
  EXPECT_TRUE(verdict.final);

  PolicyRule allow = rule("hik-ok", PolicyAction::kAllow);
  allow.domains = {"*.hik-connect.com"};
  PolicyEngine allowed = engineWith({allow}, PolicyAction::kDeny);
  EXPECT_EQ(allowed.ruleLabel(allowed.evaluate(allowed.groupId("cams"), hikConnect()).rule),
            "rule:hik-ok");

  GroupPolicy off;
  off.name = "cams";
  off.vendor_cloud_catalog = false;
  off.default_action = PolicyAction::kAllow;
  PolicyEngine no_catalog = makeEngine({off});
  verdict = no_catalog.evaluate(no_catalog.groupId("cams"), hikConnect());
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(no_catalog.ruleLabel(verdict.rule), "default");
}

TEST(PolicyPrecedenceTest, CatalogMatchesByMasterOrApplicationName) {
  PolicyEngine engine = engineWith({}, PolicyAction::kAllow);
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.app_protocol = "Dahua_Imou";  // a port guess: no master protocol
  facts.master_protocol = "";
  facts.app_name = "dahua_imou";
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), facts).rule),
            "catalog:Dahua_Imou");
}

TEST(PolicyPrecedenceTest, P2pAfterCatalogBeforeDefault) {
  PolicyEngine engine = engineWith({}, PolicyAction::kAllow);
  Verdict verdict = engine.evaluate(engine.groupId("cams"), stun("STUN", "STUN"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kP2pOrRelay);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "p2p:STUN");
  EXPECT_TRUE(verdict.final);
  // A vendor's own STUN server is the vendor's cloud first.
  EXPECT_EQ(
      engine.ruleLabel(
          engine.evaluate(engine.groupId("cams"), stun("STUN.HikConnect", "HikConnect")).rule),
      "catalog:HikConnect");

  DestinationFacts torrent = tlsTo("8.8.8.8");
  torrent.app_protocol = torrent.master_protocol = torrent.app_name = "BitTorrent";
  EXPECT_EQ(engine.evaluate(engine.groupId("cams"), torrent).alert, AlertKind::kP2pOrRelay);

  // An allow rule for STUN (say, a video intercom group) comes first.
  PolicyRule allow = rule("stun-ok", PolicyAction::kAllow);
  allow.protocols = {"STUN"};
  const PolicyEngine allowing = engineWith({allow});
  EXPECT_EQ(
      allowing.ruleLabel(allowing.evaluate(allowing.groupId("cams"), stun("STUN", "STUN")).rule),
      "rule:stun-ok");

  PolicyOptions options = defaultPolicyOptions();
  options.p2p_protocols.clear();
  options.p2p_severity = Severity::kCritical;
  GroupPolicy group;
  group.name = "cams";
  group.default_action = PolicyAction::kAllow;
  const PolicyEngine quiet = makeEngine({group}, options);
  EXPECT_EQ(quiet.ruleLabel(quiet.evaluate(quiet.groupId("cams"), stun("STUN", "STUN")).rule),
            "default");
}

TEST(PolicyPrecedenceTest, DefaultActionAndSeverity) {
  GroupPolicy group;
  group.name = "cams";
  group.default_severity = Severity::kCritical;
  PolicyEngine engine = makeEngine({group});
  Verdict verdict = engine.evaluate(engine.groupId("cams"), tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "default");
  EXPECT_TRUE(verdict.final);

  PolicyEngine allowing = engineWith({}, PolicyAction::kAllow);
  verdict = allowing.evaluate(allowing.groupId("cams"), tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kAllow);
  EXPECT_EQ(verdict.alert, std::nullopt);
  EXPECT_EQ(verdict.severity, Severity::kInfo);
  EXPECT_EQ(allowing.ruleLabel(verdict.rule), "default");
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
    Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
    EXPECT_EQ(verdict.action, PolicyAction::kAllow);
    EXPECT_EQ(engine.ruleLabel(verdict.rule), "local");
    EXPECT_TRUE(verdict.final);
  }
}

}  // namespace
}  // namespace camwatch
