// Tests of MUD profiles (policy/mud.h): a hand-written RFC 8520 file read as rules and those
// rules judging flows, the errors that name file, ACL and ACE, and the export of learnt
// destinations checked against the structure RFC 8520 and RFC 8519 give (then read back).
#include "policy/mud.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/baseline.h>
#include <camwatch/policy.h>

namespace camwatch {
namespace {

using nlohmann::json;

// A camera maker's profile, shaped as RFC 8520's examples: a name on tcp/443 and its answers,
// an NTP network on udp/123, the local network, and a name it must never reach.
const char* const kProfile = R"({
  "ietf-mud:mud": {
    "mud-version": 1,
    "mud-url": "https://cams.example.com/mud/cam1.json",
    "last-update": "2026-01-15T09:00:00+00:00",
    "cache-validity": 48,
    "is-supported": true,
    "systeminfo": "Example camera",
    "from-device-policy": {"access-lists": {"access-list": [{"name": "cam-v4fr"}]}},
    "to-device-policy": {"access-lists": {"access-list": [{"name": "cam-v4to"}]}}
  },
  "ietf-access-control-list:acls": {
    "acl": [
      {"name": "cam-v4fr", "type": "ipv4-acl-type", "aces": {"ace": [
        {"name": "cloud", "matches": {
           "ipv4": {"ietf-acldns:dst-dnsname": "cloud.example.com", "protocol": 6},
           "tcp": {"ietf-mud:direction-initiated": "from-device",
                   "destination-port": {"operator": "eq", "port": 443}}},
         "actions": {"forwarding": "accept"}},
        {"name": "ntp", "matches": {
           "ipv4": {"destination-ipv4-network": "203.0.113.0/24", "protocol": 17},
           "udp": {"destination-port": {"lower-port": 123, "upper-port": 123}}},
         "actions": {"forwarding": "accept"}},
        {"name": "lan", "matches": {"ietf-mud:mud": {"local-networks": [null]}},
         "actions": {"forwarding": "accept"}},
        {"name": "never", "matches": {"ipv4": {"ietf-acldns:dst-dnsname": "bad.example.com"}},
         "actions": {"forwarding": "drop"}}
      ]}},
      {"name": "cam-v4to", "type": "ipv4-acl-type", "aces": {"ace": [
        {"name": "cloud-back", "matches": {
           "ipv4": {"ietf-acldns:src-dnsname": "cloud.example.com", "protocol": 6},
           "tcp": {"source-port": {"operator": "eq", "port": 443}}},
         "actions": {"forwarding": "accept"}}
      ]}}
    ]
  }
})";

TEST(MudTest, AProfileBecomesRulesInAclAndAceOrder) {
  auto rules = mudPolicyRules("cam.json", kProfile);
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 4U);  // "lan" is on-site: no rule
  const PolicyRule& cloud = (*rules)[0];
  EXPECT_EQ(cloud.name, "mud:cam-v4fr/cloud");
  EXPECT_EQ(cloud.action, PolicyAction::kAllow);
  EXPECT_EQ(cloud.domains, std::vector<std::string>{"cloud.example.com"});
  EXPECT_EQ(cloud.ports, std::vector<std::string>{"tcp/443"});
  const PolicyRule& ntp = (*rules)[1];
  EXPECT_EQ(ntp.cidrs, std::vector<std::string>{"203.0.113.0/24"});
  EXPECT_EQ(ntp.ports, std::vector<std::string>{"udp/123-123"});
  const PolicyRule& never = (*rules)[2];
  EXPECT_EQ(never.name, "mud:cam-v4fr/never");
  EXPECT_EQ(never.action, PolicyAction::kDeny);
  EXPECT_TRUE(never.ports.empty());
  const PolicyRule& back = (*rules)[3];
  EXPECT_EQ(back.name, "mud:cam-v4to/cloud-back");
  EXPECT_EQ(back.domains, std::vector<std::string>{"cloud.example.com"});
  EXPECT_EQ(back.ports, std::vector<std::string>{"tcp/443"});
}

// The verdict of a group whose rules are `rules` (default deny, catalog off) on a classified
// flow.
std::string verdictOf(const std::vector<PolicyRule>& rules, std::string_view hostname,
                      std::string_view ip, std::uint8_t proto, std::uint16_t port) {
  GroupPolicy group;
  group.name = "default";
  group.rules = rules;
  group.vendor_cloud_catalog = false;
  auto engine = PolicyEngine::create({group});
  if (!engine) return "error: " + engine.error().message;
  DestinationFacts facts;
  facts.ip = *IpAddress::parse(ip);
  facts.port = port;
  facts.ip_proto = proto;
  facts.hostname = hostname;
  facts.app_protocol = "TLS";
  facts.master_protocol = "TLS";
  facts.app_name = "TLS";
  facts.category = "Web";
  facts.classified = true;
  const Verdict verdict = engine->evaluate(engine->groupId("default"), facts);
  return std::string(policyActionName(verdict.action)) + " " +
         std::string(engine->ruleLabel(verdict.rule));
}

TEST(MudTest, TheRulesAllowWhatTheProfileAllowsAndNothingElse) {
  auto rules = mudPolicyRules("cam.json", kProfile);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(verdictOf(*rules, "cloud.example.com", "198.51.100.1", 6, 443),
            "allow rule:mud:cam-v4fr/cloud");
  EXPECT_EQ(verdictOf(*rules, "cloud.example.com", "198.51.100.1", 6, 8443), "deny default");
  EXPECT_EQ(verdictOf(*rules, "", "203.0.113.9", 17, 123), "allow rule:mud:cam-v4fr/ntp");
  EXPECT_EQ(verdictOf(*rules, "", "203.0.114.9", 17, 123), "deny default");
  EXPECT_EQ(verdictOf(*rules, "bad.example.com", "198.51.100.2", 6, 443),
            "deny rule:mud:cam-v4fr/never");
  EXPECT_EQ(verdictOf(*rules, "other.example.com", "198.51.100.3", 6, 443), "deny default");
}

// The error for kProfile with `from` replaced by `to`.
std::string errorWith(const std::string& from, const std::string& to) {
  std::string text = kProfile;
  const std::size_t at = text.find(from);
  if (at == std::string::npos) return "test bug: '" + from + "' not in the profile";
  text.replace(at, from.size(), to);
  auto rules = mudPolicyRules("cam.json", text);
  return rules ? "(accepted)" : rules.error().message;
}

// kProfile's "lan" ACE matching `matches` instead (an ietf-mud:mud container's members), read
// with `controllers`.
Result<std::vector<PolicyRule>> withLanMatching(const std::string& matches,
                                                const MudControllers& controllers) {
  std::string text = kProfile;
  const std::string lan = R"("local-networks": [null])";
  text.replace(text.find(lan), lan.size(), matches);
  return mudPolicyRules("cam.json", text, controllers);
}

TEST(MudTest, ControllersAreTheHostsTheGroupSaysTheyAre) {
  const std::string nvr_cloud = "https://cams.example.com/nvr-cloud";
  // A controller with names and networks: one rule each (a rule's lists must all match). The
  // "lan" ACE is in an ipv4-acl-type ACL: the controller's IPv6 network is not for it.
  auto rules = withLanMatching(
      R"("controller": ")" + nvr_cloud + R"(")",
      {{nvr_cloud, {{"relay.example.net"}, {"198.51.100.0/24", "2001:db8:7::/48"}}}});
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 6U);
  EXPECT_EQ((*rules)[2].name, "mud:cam-v4fr/lan/names");
  EXPECT_EQ((*rules)[2].domains, std::vector<std::string>{"relay.example.net"});
  EXPECT_TRUE((*rules)[2].cidrs.empty());
  EXPECT_EQ((*rules)[3].name, "mud:cam-v4fr/lan/networks");
  EXPECT_EQ((*rules)[3].cidrs, std::vector<std::string>{"198.51.100.0/24"});
  EXPECT_TRUE((*rules)[3].domains.empty());
  EXPECT_EQ(verdictOf(*rules, "relay.example.net", "203.0.114.1", 6, 8443),
            "allow rule:mud:cam-v4fr/lan/names");
  EXPECT_EQ(verdictOf(*rules, "", "198.51.100.77", 17, 9000),
            "allow rule:mud:cam-v4fr/lan/networks");
  EXPECT_EQ(verdictOf(*rules, "other.example.net", "203.0.114.1", 6, 8443), "deny default");
  EXPECT_EQ(verdictOf(*rules, "", "2001:db8:7::1", 6, 443), "deny default");

  // my-controller: the controllers of this device's MUD URL.
  rules =
      withLanMatching(R"("my-controller": [null])", {{"my-controller", {{"ctl.example.org"}, {}}}});
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 5U);
  EXPECT_EQ((*rules)[2].name, "mud:cam-v4fr/lan");
  EXPECT_EQ(verdictOf(*rules, "ctl.example.org", "203.0.114.2", 6, 443),
            "allow rule:mud:cam-v4fr/lan");

  // Controllers all on site, other devices by manufacturer or model, the site's DNS and NTP:
  // no rule, as for local-networks.
  rules = withLanMatching(R"("controller": "https://cams.example.com/on-site")",
                          {{"https://cams.example.com/on-site", {}}});
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules->size(), 4U);
  for (const std::string on_site :
       {R"("manufacturer": "nvr.example.com")", R"("model": "https://nvr.example.com/mud/n1.json")",
        R"("same-manufacturer": [null])", R"("controller": "urn:ietf:params:mud:ntp")"}) {
    rules = withLanMatching(on_site, {});
    ASSERT_TRUE(rules) << on_site << ": " << rules.error().message;
    EXPECT_EQ(rules->size(), 4U) << on_site;
  }
}

TEST(MudTest, ControllerMistakesAreNamed) {
  const std::string prefix = "cam.json: acl 'cam-v4fr', ace 'lan': ";
  const auto errorOf = [](const std::string& matches, const MudControllers& controllers) {
    auto rules = withLanMatching(matches, controllers);
    return rules ? std::string("(accepted)") : rules.error().message;
  };
  const MudControllerHosts relay = {{"relay.example.net"}, {}};
  EXPECT_EQ(errorOf(R"("controller": "https://ctl.example.com")", {}),
            prefix +
                "matches.ietf-mud:mud.controller: 'https://ctl.example.com' is not in the group's "
                "mud_controllers: list its host names or networks there (an empty list if they "
                "are all on site)");
  EXPECT_EQ(errorOf(R"("my-controller": [null])", {}),
            prefix +
                "matches.ietf-mud:mud.my-controller: 'my-controller' is not in the group's "
                "mud_controllers: list its host names or networks there (an empty list if they "
                "are all on site)");
  // Every match of an ACE must hold: two controllers at once is no host at all.
  EXPECT_EQ(errorOf(R"("controller": "https://a.example", "my-controller": [null])",
                    {{"https://a.example", relay}, {"my-controller", relay}}),
            prefix +
                "matches.ietf-mud:mud.my-controller: combines two controllers "
                "('https://a.example' and 'my-controller')");
  EXPECT_EQ(
      errorOf(R"("my-controller": [null], "local-networks": [null])", {{"my-controller", relay}}),
      prefix + "combines an on-site class with a remote name, network or controller");
  EXPECT_EQ(errorOf(R"("my-controller": [null]}, "ipv4": {"destination-ipv4-network": )"
                    R"("203.0.113.0/24")",
                    {{"my-controller", relay}}),
            prefix + "combines a controller with a name or network");
  EXPECT_EQ(errorOf(R"("my-controller": [null])", {{"my-controller", {{}, {"2001:db8::/32"}}}}),
            prefix +
                "matches.ietf-mud:mud.my-controller: 'my-controller' has no network of this "
                "ACL's family (IPv4) in mud_controllers");
  // A controller the profile never names: a mistyped URI, most likely.
  EXPECT_EQ(errorOf(R"("local-networks": [null])", {{"https://ctl.example.con", relay}}),
            "cam.json: mud_controllers lists 'https://ctl.example.con', which no ACE of the "
            "profile's policies names");
}

TEST(MudTest, WhatCamwatchCannotMatchIsNamedWithFileAclAndAce) {
  EXPECT_EQ(errorWith(R"("local-networks": [null])", R"("controller": 7)"),
            "cam.json: acl 'cam-v4fr', ace 'lan': matches.ietf-mud:mud.controller: expected a "
            "URI");
  EXPECT_EQ(errorWith(R"("local-networks": [null])", R"("appliance": [null])"),
            "cam.json: acl 'cam-v4fr', ace 'lan': matches.ietf-mud:mud.appliance: not supported "
            "(camwatch matches local-networks, same-manufacturer, manufacturer, model, controller "
            "and my-controller)");
  EXPECT_EQ(errorWith(R"("destination-port": {"lower-port")", R"("source-port": {"lower-port")"),
            "cam.json: acl 'cam-v4fr', ace 'ntp': matches.udp.source-port: the camera's own "
            "port, which camwatch does not match");
  EXPECT_EQ(errorWith(R"({"operator": "eq", "port": 443}}},
         "actions": {"forwarding": "accept"}},
        {"name": "ntp")",
                      R"({"operator": "neq", "port": 443}}},
         "actions": {"forwarding": "accept"}},
        {"name": "ntp")"),
            "cam.json: acl 'cam-v4fr', ace 'cloud': matches.tcp.destination-port.operator: "
            "'neq' not supported (eq, lte, gte, or lower-port/upper-port)");
  EXPECT_EQ(errorWith(R"("ipv4": {"ietf-acldns:dst-dnsname": "bad.example.com"})",
                      R"("eth": {"ethertype": 34958})"),
            "cam.json: acl 'cam-v4fr', ace 'never': matches.eth: not supported (camwatch matches "
            "ipv4, ipv6, tcp, udp and ietf-mud:mud)");
  EXPECT_EQ(errorWith(R"("forwarding": "drop")", R"("forwarding": "log")"),
            "cam.json: acl 'cam-v4fr', ace 'never': actions.forwarding: 'log' (expected accept, "
            "drop or reject)");
  EXPECT_EQ(errorWith(R"([{"name": "cam-v4to"}])", R"([{"name": "cam-v6to"}])"),
            "cam.json: to-device-policy names acl 'cam-v6to', which ietf-access-control-list:acls "
            "does not have");
  EXPECT_EQ(errorWith(R"("destination-ipv4-network": "203.0.113.0/24")",
                      R"("destination-ipv4-network": "203.0.113.1/24")"),
            "cam.json: acl 'cam-v4fr', ace 'ntp': matches.ipv4.destination-ipv4-network: host "
            "bits set (did you mean 203.0.113.0/24?)");
  EXPECT_EQ(errorWith(R"("mud-version": 1)", R"("mud-version": 2)"),
            "cam.json: ietf-mud:mud.mud-version: 2 (expected 1)");
  EXPECT_EQ(errorWith(R"("mud-version": 1,)", R"("mud-version": 1)"),
            "cam.json: parse error at line 4, column 13: syntax error while parsing object - "
            "unexpected string literal; expected '}'");
}

TEST(MudTest, AnExportedProfileHasTheRfcShapeAndReadsBackAsTheLearntDestinations) {
  LearntDestination named;
  named.name = "cloud.example.com";
  named.named = true;
  named.ports = {{6, 443}, {17, 3478}};
  named.addresses = {*IpAddress::parse("198.51.100.1")};
  LearntDestination address;
  address.name = "2001:db8::7";
  address.addresses = {*IpAddress::parse("2001:db8::7")};
  address.ports = {{6, 8000}};
  MudExportOptions options;
  options.group = "cams";
  options.last_update = 1'768'467'600LL * kNanosPerSecond;
  const std::string text = mudProfileJson({named, address}, options);
  const json profile = json::parse(text);

  const json& mud = profile.at("ietf-mud:mud");
  EXPECT_EQ(mud.at("mud-version"), 1);
  EXPECT_EQ(mud.at("mud-url"), "https://camwatch.invalid/mud/cams.json");
  EXPECT_EQ(mud.at("last-update"), "2026-01-15T09:00:00Z");
  EXPECT_EQ(mud.at("is-supported"), true);
  EXPECT_EQ(mud.at("from-device-policy").at("access-lists").at("access-list"),
            json::parse(R"([{"name": "camwatch-cams-v4fr"}, {"name": "camwatch-cams-v6fr"}])"));
  const json& acls = profile.at("ietf-access-control-list:acls").at("acl");
  ASSERT_EQ(acls.size(), 4U);  // v4 from, v4 to, v6 from, v6 to
  EXPECT_EQ(acls[0].at("type"), "ipv4-acl-type");
  const json& v4_from = acls[0].at("aces").at("ace");
  ASSERT_EQ(v4_from.size(), 2U);  // the name on tcp/443 and udp/3478
  EXPECT_EQ(v4_from[0].at("matches"), json::parse(R"({
      "ipv4": {"ietf-acldns:dst-dnsname": "cloud.example.com", "protocol": 6},
      "tcp": {"ietf-mud:direction-initiated": "from-device",
              "destination-port": {"operator": "eq", "port": 443}}})"));
  EXPECT_EQ(v4_from[1].at("matches"), json::parse(R"({
      "ipv4": {"ietf-acldns:dst-dnsname": "cloud.example.com", "protocol": 17},
      "udp": {"destination-port": {"operator": "eq", "port": 3478}}})"));
  EXPECT_EQ(v4_from[0].at("actions"), json::parse(R"({"forwarding": "accept"})"));
  EXPECT_EQ(acls[1].at("aces").at("ace")[0].at("matches"), json::parse(R"({
      "ipv4": {"ietf-acldns:src-dnsname": "cloud.example.com", "protocol": 6},
      "tcp": {"ietf-mud:direction-initiated": "from-device",
              "source-port": {"operator": "eq", "port": 443}}})"));
  EXPECT_EQ(acls[2].at("type"), "ipv6-acl-type");
  EXPECT_EQ(acls[2].at("aces").at("ace")[0].at("matches"), json::parse(R"({
      "ipv6": {"destination-ipv6-network": "2001:db8::7/128", "protocol": 6},
      "tcp": {"ietf-mud:direction-initiated": "from-device",
              "destination-port": {"operator": "eq", "port": 8000}}})"));

  // Read back: the name on its two ports, the address on its one; nothing else.
  auto rules = mudPolicyRules("export.json", text);
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(verdictOf(*rules, "cloud.example.com", "198.51.100.9", 6, 443).substr(0, 5), "allow");
  EXPECT_EQ(verdictOf(*rules, "cloud.example.com", "198.51.100.9", 17, 3478).substr(0, 5), "allow");
  EXPECT_EQ(verdictOf(*rules, "", "2001:db8::7", 6, 8000).substr(0, 5), "allow");
  EXPECT_EQ(verdictOf(*rules, "", "2001:db8::7", 6, 8001), "deny default");
  EXPECT_EQ(verdictOf(*rules, "", "2001:db8::8", 6, 8000), "deny default");
}

}  // namespace
}  // namespace camwatch
