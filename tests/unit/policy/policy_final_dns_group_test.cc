// PolicyEngine: when a verdict on a flow not yet classified is final, how DNS flows and lookups
// are judged (evaluateDnsQuery), and how a camera's group picks its policy.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-cn");
  EXPECT_TRUE(verdict.final);
}

TEST(PolicyFinalTest, DefaultIsNotFinalWhileCatalogOrP2pCouldStillApply) {
  PolicyEngine engine = engineWith({});
  Verdict verdict = engine.evaluate(engine.groupId("cams"), unclassified("8.8.8.8"));
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "default");
  EXPECT_FALSE(verdict.final);
  // Classification arrives: the caller evaluates again and gets a final answer.
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), hikConnect()).rule),
            "catalog:HikConnect");
  EXPECT_TRUE(engine.evaluate(engine.groupId("cams"), tlsTo("8.8.8.8")).final);

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
  EXPECT_TRUE(ip_only.evaluate(ip_only.groupId("cams"), unclassified("8.8.8.8")).final);
  EXPECT_FALSE(ip_only.needsClassification(ip_only.groupId("cams")));
  EXPECT_TRUE(engine.needsClassification(engine.groupId("cams")));
}

TEST(PolicyFinalTest, AllowIsNotFinalWhileADenyRuleWaitsForClassification) {
  PolicyRule allow = rule("our-net", PolicyAction::kAllow);
  allow.cidrs = {"8.8.8.0/24"};
  PolicyRule deny = rule("no-stun", PolicyAction::kDeny);
  deny.protocols = {"STUN"};
  PolicyEngine engine = engineWith({allow, deny});
  Verdict verdict = engine.evaluate(engine.groupId("cams"), unclassified("8.8.8.8"));
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:our-net");
  EXPECT_FALSE(verdict.final);
  verdict = engine.evaluate(engine.groupId("cams"), stun("STUN", "STUN"));
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-stun");
  EXPECT_TRUE(verdict.final);
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), tlsTo("8.8.8.8")).rule),
            "rule:our-net");

  // A deny rule whose IP facts already fail cannot fire later: the allow is final.
  PolicyRule deny_elsewhere = rule("no-stun-cn", PolicyAction::kDeny);
  deny_elsewhere.protocols = {"STUN"};
  deny_elsewhere.countries = {"CN"};
  PolicyEngine other = engineWith({allow, deny_elsewhere});  // outlives the verdict's rule view
  verdict = other.evaluate(other.groupId("cams"), unclassified("8.8.8.8"));
  EXPECT_EQ(other.ruleLabel(verdict.rule), "rule:our-net");
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
  Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:cdn");
  EXPECT_FALSE(verdict.final);  // no hostname yet: the SNI may still name an evil host

  facts.hostname = "x.evil.example";  // e.g. from the DNS cache at flow start
  verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-evil");
  EXPECT_TRUE(verdict.final);

  facts.hostname = "";
  facts.classified = true;  // classified without any name: the domain rule cannot match
  verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:cdn");
  EXPECT_TRUE(verdict.final);
}

// ---- DNS -------------------------------------------------------------------------------------

TEST(PolicyDnsTest, DnsFlowsAreJudgedByTheResolverNotTheQuery) {
  PolicyRule deny = rule("no-hik", PolicyAction::kDeny);
  deny.domains = {"*.hik-connect.com"};
  GroupPolicy group;
  group.name = "cams";
  group.rules = {deny};
  group.default_action = PolicyAction::kAllow;
  group.external_resolver.reset();  // resolver_policy_test.cc judges the resolver itself
  PolicyEngine engine = makeEngine({group});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.ip_proto = 17;
  facts.port = 53;
  facts.app_protocol = "DNS.HikConnect";
  facts.master_protocol = "DNS";
  facts.app_name = "HikConnect";
  facts.category = "Network";
  facts.hostname = "litedev.hik-connect.com";
  Verdict verdict = engine.evaluate(engine.groupId("cams"), facts);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "default");  // neither the domain rule nor the catalog
  EXPECT_TRUE(verdict.final);
  // The query itself is what evaluateDnsQuery judges.
  verdict = engine.evaluateDnsQuery(engine.groupId("cams"), facts.hostname);
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDnsLookupBlocked);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-hik");
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

  Verdict verdict = engine.evaluateDnsQuery(engine.groupId("cams"), "BAD.example.");
  EXPECT_EQ(verdict.alert, AlertKind::kDnsLookupBlocked);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:names");
  EXPECT_TRUE(verdict.final);
  EXPECT_EQ(
      engine.ruleLabel(engine.evaluateDnsQuery(engine.groupId("cams"), "a.worse.example").rule),
      "rule:names");
  for (std::string_view name : {"worse.example", "tls.example", "good.example", "other.test", ""}) {
    verdict = engine.evaluateDnsQuery(engine.groupId("cams"), name);
    EXPECT_EQ(verdict.action, PolicyAction::kAllow) << name;
    EXPECT_EQ(verdict.alert, std::nullopt) << name;
    EXPECT_EQ(engine.ruleLabel(verdict.rule), "none") << name;
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
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("cams"), facts).rule), "default");
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId("nvrs"), facts).rule), "rule:no-cn");
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(engine.groupId(""), facts).rule), "rule:no-cn");
  EXPECT_EQ(engine.groupNames(), (std::vector<std::string>{"cams", "default"}));
}

TEST(PolicyGroupTest, UnknownGroupWithoutDefaultGroupIsDefaultDenyWithCatalog) {
  GroupPolicy cams;
  cams.name = "cams";
  cams.default_action = PolicyAction::kAllow;
  PolicyEngine engine = makeEngine({cams});
  Verdict verdict = engine.evaluate(engine.groupId("nvrs"), tlsTo("8.8.8.8"));
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(verdict.alert, AlertKind::kDisallowedDestination);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "default");
  EXPECT_EQ(engine.evaluate(engine.groupId("nvrs"), hikConnect()).alert, AlertKind::kVendorCloud);
  EXPECT_EQ(engine.ruleLabel(engine.evaluateDnsQuery(engine.groupId("nvrs"), "x.example").rule),
            "none");

  PolicyEngine empty = makeEngine({});
  EXPECT_EQ(empty.evaluate(empty.groupId("anything"), tlsTo("8.8.8.8")).action,
            PolicyAction::kDeny);
  EXPECT_TRUE(empty.groupNames().empty());
}

TEST(PolicyGroupTest, VerdictLabelsOutliveMovesOfTheEngine) {
  PolicyRule deny =
      rule("a-rather-long-rule-name-beyond-small-string-buffers", PolicyAction::kDeny);
  deny.countries = {"CN"};
  PolicyEngine first = engineWith({deny});
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.country = "CN";
  Verdict before = first.evaluate(first.groupId("cams"), facts);
  const std::string_view label = first.ruleLabel(before.rule);
  EXPECT_EQ(label, "rule:a-rather-long-rule-name-beyond-small-string-buffers");
  PolicyEngine second = std::move(first);
  EXPECT_EQ(second.evaluate(second.groupId("cams"), facts).rule, before.rule);
  EXPECT_EQ(second.ruleLabel(before.rule).data(), label.data());
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
