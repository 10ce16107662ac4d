// Shared by the PolicyEngine tests: a classified TLS flow to an address, a HikConnect and a STUN
// flow, a rule, and an engine of one group "cams" holding given rules.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <camwatch/policy.h>

namespace camwatch::testing {

// A classified plain-TLS flow to a public address on tcp/443.
inline DestinationFacts tlsTo(std::string_view ip) {
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

inline PolicyRule rule(std::string name, PolicyAction action) {
  PolicyRule out;
  out.name = std::move(name);
  out.action = action;
  return out;
}

inline PolicyEngine makeEngine(std::vector<GroupPolicy> groups,
                               const PolicyOptions& options = defaultPolicyOptions()) {
  Result<PolicyEngine> engine = PolicyEngine::create(std::move(groups), options);
  if (!engine) {
    std::fprintf(stderr, "PolicyEngine::create failed: %s\n", engine.error().message.c_str());
    std::abort();
  }
  return std::move(*engine);
}

// One group "cams" holding `rules` (catalog on, default deny unless changed).
inline PolicyEngine engineWith(std::vector<PolicyRule> rules,
                               PolicyAction default_action = PolicyAction::kDeny) {
  GroupPolicy group;
  group.name = "cams";
  group.rules = std::move(rules);
  group.default_action = default_action;
  return makeEngine({std::move(group)});
}

inline DestinationFacts hikConnect() {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.app_protocol = "TLS.HikConnect";
  facts.master_protocol = "TLS";
  facts.app_name = "HikConnect";
  facts.hostname = "litedev.hik-connect.com";
  return facts;
}

inline DestinationFacts stun(std::string_view app_protocol, std::string_view app_name) {
  DestinationFacts facts = tlsTo("8.8.8.8");
  facts.ip_proto = 17;
  facts.port = 3478;
  facts.app_protocol = app_protocol;
  facts.master_protocol = "STUN";
  facts.app_name = app_name;
  facts.category = "Network";
  return facts;
}

}  // namespace camwatch::testing
