// PolicyEngine: compiles the configured rules once (lower-cased domain sets, CIDRs grouped by
// prefix length and sorted, port ranges, sorted AS numbers; policy/matchers.h) so that evaluate()
// is a handful of binary searches and comparisons with no allocation, safe to run on every worker
// at once.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <camwatch/policy.h>

#include "policy/dns_resolvers.h"
#include "policy/matchers.h"
#include "policy/registrable_domain.h"
#include "util/text.h"

namespace camwatch {
namespace {

using policy::addAsn;
using policy::addCidr;
using policy::addCountry;
using policy::addDomain;
using policy::addPorts;
using policy::addRegistrableDomain;
using policy::checkName;
using policy::CidrSet;
using policy::countryKey;
using policy::DnsForm;
using policy::DomainSet;
using policy::NameBuffer;
using policy::normalizeName;
using policy::PortRange;
using policy::portsMatch;
using policy::protocolIs;
using policy::sortUnique;

// The labels of the fixed rule ids, by index (policy.h: kNoRule, kLocalRule, kDefaultRule,
// kNoneRule); every engine's label table starts with them.
constexpr std::array<std::string_view, 4> kFixedLabels = {"", "local", "default", "none"};

// ---- compiled policy -------------------------------------------------------------------------

struct CompiledRule {
  std::string label;  // "rule:<name>"
  RuleId rule;        // `label`'s id in the engine's table
  PolicyAction action = PolicyAction::kDeny;
  AlertKind kind = AlertKind::kDisallowedDestination;
  Severity severity = Severity::kWarning;
  DomainSet domains;
  CidrSet cidrs;
  std::vector<std::uint32_t> asns;                // sorted
  std::vector<std::uint16_t> countries;           // sorted
  std::vector<std::string> operators;             // the operators file's spelling
  std::vector<std::uint16_t> operator_countries;  // sorted
  std::vector<std::string> protocols;
  std::vector<std::string> categories;
  std::vector<PortRange> ports;
  bool domains_only = false;  // also judges DNS queries
};

struct CompiledGroup {
  std::string name;
  std::vector<CompiledRule> deny;
  std::vector<CompiledRule> allow;
  bool vendor_cloud_catalog = true;
  PolicyAction default_action = PolicyAction::kDeny;
  Severity default_severity = Severity::kWarning;
  std::optional<Severity> hardcoded_address;  // off when unset
  std::optional<Severity> destination_drift;  // off when unset
  policy::ResolverPolicy resolver;            // resolvers, external_resolver, encrypted_dns
  bool rules_need_classification = false;
};

struct NamedProtocol {
  std::string name;
  std::string label;  // "catalog:<name>" or "p2p:<name>"
  RuleId rule;        // `label`'s id in the engine's table
};

enum class Match : std::uint8_t { kNo, kYes, kPending };

// One evaluation's view of the facts, with the hostname normalized.
struct Query {
  const DestinationFacts& facts;
  std::string_view hostname;  // normalized; empty when unknown or not the server's name
  bool hostname_may_arrive;
  const NetworkOperator* network_operator = nullptr;  // by the operators file; null: unknown
};

Match matchRule(const CompiledRule& rule, const Query& query) {
  const DestinationFacts& facts = query.facts;
  // The facts known when the flow starts first: they rule out most rules without waiting.
  if (!rule.cidrs.empty() && !rule.cidrs.matches(facts.ip)) return Match::kNo;
  if (!rule.asns.empty() && !std::binary_search(rule.asns.begin(), rule.asns.end(), facts.asn)) {
    return Match::kNo;
  }
  if (!rule.countries.empty()) {
    if (facts.country.size() != 2) return Match::kNo;
    std::uint16_t key = countryKey(facts.country[0], facts.country[1]);
    if (!std::binary_search(rule.countries.begin(), rule.countries.end(), key)) return Match::kNo;
  }
  if (!rule.ports.empty() && !portsMatch(rule.ports, facts.ip_proto, facts.port)) {
    return Match::kNo;
  }
  if (!rule.operators.empty() || !rule.operator_countries.empty()) {
    const NetworkOperator* op = query.network_operator;
    if (op == nullptr) return Match::kNo;
    if (!rule.operators.empty() &&
        std::find(rule.operators.begin(), rule.operators.end(), op->name) == rule.operators.end()) {
      return Match::kNo;
    }
    if (!rule.operator_countries.empty() &&
        !std::binary_search(rule.operator_countries.begin(), rule.operator_countries.end(),
                            countryKey(op->country[0], op->country[1]))) {
      return Match::kNo;
    }
  }
  bool pending = false;
  if (!rule.domains.empty()) {
    if (query.hostname.empty()) {
      if (!query.hostname_may_arrive) return Match::kNo;
      pending = true;
    } else if (!rule.domains.matches(query.hostname)) {
      return Match::kNo;
    }
  }
  if (!rule.protocols.empty()) {
    if (!facts.classified) {
      pending = true;
    } else if (std::none_of(rule.protocols.begin(), rule.protocols.end(),
                            [&](const std::string& p) { return protocolIs(facts, p); })) {
      return Match::kNo;
    }
  }
  if (!rule.categories.empty()) {
    if (!facts.classified) {
      pending = true;
    } else if (std::none_of(
                   rule.categories.begin(), rule.categories.end(),
                   [&](const std::string& c) { return equalsIgnoreCase(facts.category, c); })) {
      return Match::kNo;
    }
  }
  return pending ? Match::kPending : Match::kYes;
}

Verdict allowVerdict(RuleId rule, bool final) {
  return Verdict{PolicyAction::kAllow, std::nullopt, Severity::kInfo, rule, final};
}

Verdict denyVerdict(AlertKind kind, Severity severity, RuleId rule, bool final) {
  return Verdict{PolicyAction::kDeny, kind, severity, rule, final};
}

// Adds every matcher entry of `rule` to `out`; returns an error text naming the first bad entry,
// or empty.
std::string addMatchers(const PolicyRule& rule, const OperatorTable* operators, CompiledRule& out) {
  auto each = [](std::string_view what, const std::vector<std::string>& entries,
                 auto&& add) -> std::string {
    for (const std::string& entry : entries) {
      std::string error = add(entry);
      if (!error.empty()) {
        std::string message(what);
        message.append(" '").append(entry).append("': ").append(error);
        return message;
      }
    }
    return {};
  };
  std::string error;
  if (error.empty()) {
    error =
        each("domain", rule.domains, [&](std::string_view t) { return addDomain(t, out.domains); });
  }
  if (error.empty()) {
    error = each("registrable domain", rule.registrable_domains,
                 [&](std::string_view t) { return addRegistrableDomain(t, out.domains); });
  }
  if (error.empty()) {
    error = each("cidr", rule.cidrs, [&](std::string_view t) { return addCidr(t, out.cidrs); });
  }
  if (error.empty()) {
    error = each("asn", rule.asns, [&](std::string_view t) { return addAsn(t, out.asns); });
  }
  if (error.empty()) {
    error = each("country", rule.countries,
                 [&](std::string_view t) { return addCountry(t, out.countries); });
  }
  if (error.empty()) {
    error = each("operator", rule.operators, [&](std::string_view t) -> std::string {
      if (operators == nullptr) {
        return "needs the operators file (geoip.operators_file) to know who operates what";
      }
      std::string_view name = operators->operatorName(t);
      if (name.empty()) return "not an operator of the operators file";
      out.operators.emplace_back(name);
      return {};
    });
  }
  if (error.empty()) {
    error = each("operator country", rule.operator_countries, [&](std::string_view t) {
      if (operators == nullptr) {
        return std::string(
            "needs the operators file (geoip.operators_file) to know who operates "
            "what");
      }
      return addCountry(t, out.operator_countries);
    });
  }
  if (error.empty()) {
    error = each("protocol", rule.protocols, [&](std::string_view t) {
      std::string e = checkName(t);
      if (e.empty() && t.find_first_of(" \t") != std::string_view::npos) e = "contains blanks";
      if (e.empty()) out.protocols.emplace_back(t);
      return e;
    });
  }
  if (error.empty()) {
    error = each("category", rule.categories, [&](std::string_view t) {
      std::string e = checkName(t);
      if (e.empty()) out.categories.emplace_back(t);
      return e;
    });
  }
  if (error.empty()) {
    error = each("port", rule.ports, [&](std::string_view t) { return addPorts(t, out.ports); });
  }
  return error;
}

// Compiles one rule; returns an error text naming the entry, or empty.
std::string compileRule(const PolicyRule& rule, const OperatorTable* operators, CompiledRule& out) {
  out.label = "rule:" + rule.name;
  out.action = rule.action;
  out.severity = rule.severity.value_or(Severity::kWarning);
  if (std::string error = addMatchers(rule, operators, out); !error.empty()) return error;

  sortUnique(out.domains.exact);
  sortUnique(out.domains.suffixes);
  sortUnique(out.domains.registrable);
  out.cidrs.compile();
  std::sort(out.asns.begin(), out.asns.end());
  std::sort(out.countries.begin(), out.countries.end());
  std::sort(out.operator_countries.begin(), out.operator_countries.end());

  bool has_domains = !out.domains.empty();
  bool has_cidrs = !out.cidrs.empty();
  bool has_asns = !out.asns.empty();
  bool has_countries = !out.countries.empty();
  bool has_other = !out.protocols.empty() || !out.categories.empty() || !out.ports.empty() ||
                   !out.operators.empty() || !out.operator_countries.empty();
  if (!has_domains && !has_cidrs && !has_asns && !has_countries && !has_other) {
    return "no matchers (a rule needs domains, registrable_domains, cidrs, asns, countries, "
           "operators, operator_countries, "
           "protocols, categories or "
           "ports; use the group's default_action to decide everything else)";
  }
  // The alert says why only when one kind of fact decided; mixed rules are "destination".
  bool only_countries = has_countries && !has_domains && !has_cidrs && !has_asns && !has_other;
  bool only_asns = has_asns && !has_domains && !has_cidrs && !has_countries && !has_other;
  out.kind = only_countries ? AlertKind::kDisallowedCountry
             : only_asns    ? AlertKind::kDisallowedAsn
                            : AlertKind::kDisallowedDestination;
  out.domains_only = has_domains && !has_cidrs && !has_asns && !has_countries && !has_other;
  return {};
}

std::string compileProtocolList(std::string_view what, std::string_view label_prefix,
                                const std::vector<std::string>& names,
                                std::vector<NamedProtocol>& out) {
  for (const std::string& name : names) {
    std::string error = checkName(name);
    if (!error.empty()) return std::string(what) + ": " + error;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const NamedProtocol& p) { return equalsIgnoreCase(p.name, name); });
    if (!seen) out.push_back({name, std::string(label_prefix) + name, kNoRule});
  }
  return {};
}

}  // namespace

struct PolicyEngine::Impl {
  std::vector<CompiledGroup> groups;
  CompiledGroup fallback;  // for unknown groups when there is no "default" group
  const CompiledGroup* unknown_group = nullptr;
  std::vector<NamedProtocol> catalog;
  // Vendor-cloud names (PolicyOptions::vendor_cloud_names), sorted by name: the index of the
  // catalog entry each names.
  std::vector<std::pair<std::string, std::size_t>> cloud_hosts;
  std::vector<std::pair<std::string, std::size_t>> cloud_domains;
  std::vector<NamedProtocol> p2p;
  Severity vendor_cloud_severity = Severity::kWarning;
  Severity p2p_severity = Severity::kWarning;
  OperatorTablePtr operators;
  bool rules_use_operators = false;  // look the operator up only when a rule can use it
  RuleId hardcoded_rule;             // "hardcoded_address"
  policy::DohResolverSet doh;        // PolicyOptions::doh_resolvers
  policy::ResolverRuleIds resolver_rules;
  // Every label a verdict can name, by RuleId: the fixed ones, then the rules, catalog and P2P
  // entries as they were compiled.
  std::vector<std::string> labels{kFixedLabels.begin(), kFixedLabels.end()};

  // PolicyGroupId: an index into `groups`; groups.size() is the fallback (no "default" group).
  const CompiledGroup& group(PolicyGroupId id) const {
    return id.index < groups.size() ? groups[id.index] : *unknown_group;
  }

  RuleId addLabel(const std::string& label) {
    labels.push_back(label);
    return RuleId{static_cast<std::uint16_t>(labels.size() - 1)};
  }

  bool catalogOn(const CompiledGroup& group) const {
    return group.vendor_cloud_catalog && !catalog.empty();
  }

  // The catalog entry whose listed name `hostname` (normalized) is, or lies under; null if none.
  const NamedProtocol* cloudByName(std::string_view hostname) const {
    if (hostname.empty() || (cloud_hosts.empty() && cloud_domains.empty())) return nullptr;
    if (const std::size_t* index = find(cloud_hosts, hostname)) return &catalog[*index];
    if (cloud_domains.empty()) return nullptr;
    std::string_view domain = PublicSuffixList::system().registrableDomain(hostname);
    if (const std::size_t* index = find(cloud_domains, domain)) return &catalog[*index];
    return nullptr;
  }

  static const std::size_t* find(const std::vector<std::pair<std::string, std::size_t>>& sorted,
                                 std::string_view name) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), name,
                               [](const std::pair<std::string, std::size_t>& a,
                                  std::string_view b) { return a.first < b; });
    return it != sorted.end() && it->first == name ? &it->second : nullptr;
  }
};

PolicyEngine::PolicyEngine(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
PolicyEngine::PolicyEngine(PolicyEngine&&) noexcept = default;
PolicyEngine& PolicyEngine::operator=(PolicyEngine&&) noexcept = default;
PolicyEngine::~PolicyEngine() = default;

Result<PolicyEngine> PolicyEngine::create(std::vector<GroupPolicy> groups,
                                          const PolicyOptions& options) {
  auto impl = std::make_unique<Impl>();
  if (std::string error = compileProtocolList(
          "vendor_cloud_catalog", "catalog:", options.vendor_cloud_catalog, impl->catalog);
      !error.empty()) {
    return makeError(error);
  }
  if (std::string error =
          compileProtocolList("p2p_protocols", "p2p:", options.p2p_protocols, impl->p2p);
      !error.empty()) {
    return makeError(error);
  }
  for (const VendorCloudName& name : options.vendor_cloud_names) {
    auto entry =
        std::find_if(impl->catalog.begin(), impl->catalog.end(),
                     [&](const NamedProtocol& p) { return equalsIgnoreCase(p.name, name.cloud); });
    if (entry == impl->catalog.end()) {
      return makeError("vendor cloud name '" + name.name + "': cloud '" + name.cloud +
                       "' is not in vendor_cloud_catalog");
    }
    auto index = static_cast<std::size_t>(entry - impl->catalog.begin());
    (name.whole_domain ? impl->cloud_domains : impl->cloud_hosts).emplace_back(name.name, index);
  }
  std::sort(impl->cloud_hosts.begin(), impl->cloud_hosts.end());
  std::sort(impl->cloud_domains.begin(), impl->cloud_domains.end());
  impl->vendor_cloud_severity = options.vendor_cloud_severity;
  impl->operators = options.operators;
  impl->p2p_severity = options.p2p_severity;
  impl->doh = policy::DohResolverSet(options.doh_resolvers);

  impl->groups.reserve(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const GroupPolicy& group = groups[g];
    if (!checkName(group.name).empty()) {
      return makeError("group " + std::to_string(g + 1) + ": empty group name");
    }
    std::string where = "group '" + group.name + "'";
    for (const CompiledGroup& seen : impl->groups) {
      if (seen.name == group.name) return makeError(where + ": defined twice");
    }
    CompiledGroup compiled;
    compiled.name = group.name;
    compiled.vendor_cloud_catalog = group.vendor_cloud_catalog;
    compiled.default_action = group.default_action;
    compiled.default_severity = group.default_severity;
    compiled.hardcoded_address = group.hardcoded_address;
    compiled.destination_drift = group.destination_drift;
    compiled.resolver = {group.resolvers, group.external_resolver, group.encrypted_dns};
    for (std::size_t r = 0; r < group.rules.size(); ++r) {
      const PolicyRule& rule = group.rules[r];
      if (!checkName(rule.name).empty()) {
        return makeError(where + ": rule " + std::to_string(r + 1) + ": empty rule name");
      }
      for (std::size_t earlier = 0; earlier < r; ++earlier) {
        if (group.rules[earlier].name == rule.name) {
          return makeError(where + ": rule '" + rule.name + "' defined twice");
        }
      }
      CompiledRule out;
      if (std::string error = compileRule(rule, options.operators.get(), out); !error.empty()) {
        where.append(", rule '").append(rule.name).append("': ").append(error);
        return makeError(std::move(where));
      }
      compiled.rules_need_classification = compiled.rules_need_classification ||
                                           !out.domains.empty() || !out.protocols.empty() ||
                                           !out.categories.empty();
      impl->rules_use_operators =
          impl->rules_use_operators || !out.operators.empty() || !out.operator_countries.empty();
      (rule.action == PolicyAction::kDeny ? compiled.deny : compiled.allow)
          .push_back(std::move(out));
    }
    impl->groups.push_back(std::move(compiled));
  }
  // Rule ids are 16 bits (RuleId).
  std::size_t label_count = kFixedLabels.size() + impl->catalog.size() + impl->p2p.size() + 6;
  for (const CompiledGroup& group : impl->groups) {
    label_count += group.deny.size() + group.allow.size();
  }
  if (label_count > 0xffff) {
    return makeError(fmt::format("{} rules and protocol entries: at most 65535", label_count));
  }
  if (impl->groups.size() >= 0xffff) {
    return makeError(fmt::format("{} groups: at most 65534", impl->groups.size()));
  }
  for (CompiledGroup& group : impl->groups) {
    for (CompiledRule& rule : group.deny) rule.rule = impl->addLabel(rule.label);
    for (CompiledRule& rule : group.allow) rule.rule = impl->addLabel(rule.label);
  }
  for (NamedProtocol& entry : impl->catalog) entry.rule = impl->addLabel(entry.label);
  for (NamedProtocol& entry : impl->p2p) entry.rule = impl->addLabel(entry.label);
  impl->hardcoded_rule = impl->addLabel("hardcoded_address");
  impl->resolver_rules = {impl->addLabel("resolvers"), impl->addLabel("external_resolver"),
                          impl->addLabel("encrypted_dns:DoT"), impl->addLabel("encrypted_dns:DoQ"),
                          impl->addLabel("encrypted_dns:DoH")};
  impl->unknown_group = &impl->fallback;
  for (const CompiledGroup& group : impl->groups) {
    if (group.name == "default") impl->unknown_group = &group;
  }
  return PolicyEngine(std::move(impl));
}

std::string_view fixedRuleLabel(RuleId rule) {
  return rule.index < kFixedLabels.size() ? kFixedLabels[rule.index] : std::string_view();
}

PolicyGroupId PolicyEngine::groupId(std::string_view group) const {
  const auto& groups = impl_->groups;
  std::size_t fallback = groups.size();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].name == group) return PolicyGroupId{static_cast<std::uint16_t>(g)};
    if (groups[g].name == "default") fallback = g;
  }
  return PolicyGroupId{static_cast<std::uint16_t>(fallback)};
}

std::string_view PolicyEngine::ruleLabel(RuleId rule) const {
  return rule.index < impl_->labels.size() ? std::string_view(impl_->labels[rule.index])
                                           : std::string_view();
}

Verdict PolicyEngine::evaluate(PolicyGroupId group_id, const DestinationFacts& facts) const {
  if (facts.scope != AddressScope::kPublic) return allowVerdict(kLocalRule, true);
  const Impl& impl = *impl_;
  const CompiledGroup& group = impl.group(group_id);

  // A DNS flow's "hostname" is the name it asks for; its server is the resolver.
  bool dns_lookup = facts.classified && (equalsIgnoreCase(facts.master_protocol, "DNS") ||
                                         equalsIgnoreCase(facts.app_protocol, "DNS"));
  NameBuffer buffer;
  std::optional<std::string_view> hostname;
  if (!dns_lookup) hostname = normalizeName(facts.hostname, buffer);
  Query query{facts, hostname.value_or(std::string_view()),
              !facts.classified && hostname.has_value()};
  if (impl.rules_use_operators) {
    query.network_operator = impl.operators->find(facts.asn, facts.ip);
  }

  // 1. Deny rules: the first that matches fires, and nothing can overrule it.
  bool deny_pending = false;
  for (const CompiledRule& rule : group.deny) {
    Match match = matchRule(rule, query);
    if (match == Match::kYes) return denyVerdict(rule.kind, rule.severity, rule.rule, true);
    deny_pending = deny_pending || match == Match::kPending;
  }
  // 1b. DNS, plain or encrypted: only the group's resolvers may answer it (dns_resolvers.h).
  const DnsForm form = policy::dnsFormOf(facts, query.hostname, impl.doh);
  if (auto verdict = policy::resolverVerdict(group.resolver, form, facts.ip, false,
                                             impl.resolver_rules, !deny_pending)) {
    return *verdict;
  }
  // A nameless flow on 443 may still turn out DoH when its SNI arrives.
  const bool doh_pending = group.resolver.encrypted_dns && form == DnsForm::kNone &&
                           policy::mayBecomeDoh(facts, query.hostname, impl.doh);
  // 2. Allow rules: final unless a deny rule still waits for classification or a hostname.
  bool allow_pending = false;
  for (const CompiledRule& rule : group.allow) {
    Match match = matchRule(rule, query);
    if (match == Match::kYes) return allowVerdict(rule.rule, !deny_pending && !doh_pending);
    allow_pending = allow_pending || match == Match::kPending;
  }
  // 3. and 4. need the protocol, so only a classified flow gets here with an answer.
  if (facts.classified) {
    if (impl.catalogOn(group) && !dns_lookup) {
      for (const NamedProtocol& entry : impl.catalog) {
        if (protocolIs(facts, entry.name)) {
          return denyVerdict(AlertKind::kVendorCloud, impl.vendor_cloud_severity, entry.rule, true);
        }
      }
      // A name nDPI's end-anchored host rules miss (p2p.easy4ipcloud.com when the protocols
      // file lists www.easy4ipcloud.com), or a flow named only by a DNS answer.
      if (const NamedProtocol* entry = impl.cloudByName(query.hostname)) {
        return denyVerdict(AlertKind::kVendorCloud, impl.vendor_cloud_severity, entry->rule, true);
      }
    }
    for (const NamedProtocol& entry : impl.p2p) {
      if (protocolIs(facts, entry.name)) {
        return denyVerdict(AlertKind::kP2pOrRelay, impl.p2p_severity, entry.rule, true);
      }
    }
    // 4b. A public address the camera reached without any name: hard-coded in its firmware.
    if (group.hardcoded_address && !dns_lookup && query.hostname.empty() &&
        facts.scope == AddressScope::kPublic) {
      return denyVerdict(AlertKind::kHardcodedAddress, *group.hardcoded_address,
                         impl.hardcoded_rule, true);
    }
  }
  // 5. The default, final once nothing above can still change its mind.
  bool final = facts.classified ||
               !(deny_pending || allow_pending || impl.catalogOn(group) || !impl.p2p.empty());
  if (group.default_action == PolicyAction::kAllow) return allowVerdict(kDefaultRule, final);
  return denyVerdict(AlertKind::kDisallowedDestination, group.default_severity, kDefaultRule,
                     final);
}

Verdict PolicyEngine::evaluateDnsQuery(PolicyGroupId group_id, std::string_view qname) const {
  const CompiledGroup& group = impl_->group(group_id);
  NameBuffer buffer;
  std::optional<std::string_view> name = normalizeName(qname, buffer);
  if (name && !name->empty()) {
    for (const CompiledRule& rule : group.deny) {
      if (rule.domains_only && rule.domains.matches(*name)) {
        return denyVerdict(AlertKind::kDnsLookupBlocked, rule.severity, rule.rule, true);
      }
    }
  }
  return allowVerdict(kNoneRule, true);
}

Verdict PolicyEngine::evaluateOnSite(PolicyGroupId group_id, const DestinationFacts& facts) const {
  const Impl& impl = *impl_;
  const CompiledGroup& group = impl.group(group_id);
  if (!group.resolver.resolvers) return allowVerdict(kLocalRule, true);  // on site: its own
  NameBuffer buffer;
  const std::string_view hostname = normalizeName(facts.hostname, buffer).value_or("");
  const DnsForm form = policy::dnsFormOf(facts, hostname, impl.doh);
  return policy::resolverVerdict(group.resolver, form, facts.ip, true, impl.resolver_rules, true)
      .value_or(allowVerdict(kLocalRule, true));
}

bool PolicyEngine::judgesOnSiteDns(PolicyGroupId group_id) const {
  const policy::ResolverPolicy& resolver = impl_->group(group_id).resolver;
  return resolver.resolvers && (resolver.external_resolver || resolver.encrypted_dns);
}

bool PolicyEngine::needsClassification(PolicyGroupId group_id) const {
  const CompiledGroup& group = impl_->group(group_id);
  // Drift is about the name a flow reached: wait for its SNI or Host before the verdict is final.
  return group.rules_need_classification || impl_->catalogOn(group) || !impl_->p2p.empty() ||
         (group.resolver.encrypted_dns && impl_->doh.hasNames()) ||
         group.destination_drift.has_value();
}

std::optional<Severity> PolicyEngine::destinationDrift(PolicyGroupId group_id) const {
  return impl_->group(group_id).destination_drift;
}

std::vector<std::string> PolicyEngine::groupNames() const {
  std::vector<std::string> names;
  names.reserve(impl_->groups.size());
  for (const CompiledGroup& group : impl_->groups) names.push_back(group.name);
  return names;
}

}  // namespace camwatch
