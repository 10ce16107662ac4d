// policy/: what a camera group may talk to: rules, the vendor-cloud catalog, protocol lists, the
// learned baseline, egress budgets, and the alert kinds and severities a verdict names.
//
// What a camera group may talk to (docs/policy.md). Inputs: the facts about one flow's
// server side (address, port, scope, country, AS, nDPI protocol and category, hostname), or one
// DNS query name. Outputs: a Verdict: allow, or the alert to raise, naming the rule that fired.
//
// Precedence, first match wins: not a public address -> allow ("local"); a deny rule -> alert;
// DNS, plain or encrypted -> allow to the group's resolvers, else external_resolver or
// encrypted_dns; an allow rule -> allow; the vendor-cloud catalog -> vendor_cloud; a STUN/P2P
// protocol -> p2p_or_relay; a nameless address -> hardcoded_address; the group's default action.
//
// Threads: a PolicyEngine is built on the control thread from the configuration and is immutable
// afterwards; workers share it as std::shared_ptr<const PolicyEngine> and evaluate concurrently.
// evaluate() allocates nothing: every matcher is compiled when the engine is created.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/alert_kind.h>
#include <camwatch/geo.h>
#include <camwatch/ip_address.h>
#include <camwatch/operators.h>
#include <camwatch/result.h>

namespace camwatch {

/// What a rule or a group's default does with a flow.
enum class PolicyAction : std::uint8_t { kAllow, kDeny };

/// "allow", "deny".
std::string_view policyActionName(PolicyAction action);
std::optional<PolicyAction> policyActionFromName(std::string_view name);

/// What the policy sees of one flow's server side. Views only: the caller keeps the strings alive
/// for the duration of the call. Cheap to build per evaluation.
struct DestinationFacts {
  IpAddress ip;               ///< the server's address
  std::uint16_t port = 0;     ///< the server's port (0 for protocols without ports)
  std::uint8_t ip_proto = 0;  ///< 6 TCP, 17 UDP, ...
  std::string_view hostname;  ///< from SNI, HTTP Host or the DNS cache; empty when unknown
  AddressScope scope = AddressScope::kPublic;
  std::string_view country;          ///< ISO 3166-1 alpha-2 ("DE"); empty when unknown
  std::uint32_t asn = 0;             ///< 0 when unknown
  std::string_view app_protocol;     ///< as ndpiReader prints it: "TLS.HikConnect", "STUN"
  std::string_view master_protocol;  ///< "TLS" of "TLS.HikConnect"; may be empty
  std::string_view app_name;         ///< "HikConnect" of "TLS.HikConnect", "STUN" of "STUN"
  std::string_view category;         ///< nDPI category name: "Web", "Network", ...
  /// False while nDPI has not decided: protocol and category rules cannot match yet, and the
  /// hostname may still arrive (then the verdict is usually not final).
  bool classified = false;
};

/// One allow or deny rule. The text fields are as written in the configuration; create()
/// validates and compiles them. A rule matches when every non-empty list matches (AND across
/// lists), and a list matches when any of its entries does (OR within a list). A rule needs at
/// least one non-empty list.
struct PolicyRule {
  std::string name;  ///< unique within its group; the verdict names it as "rule:<name>"
  PolicyAction action = PolicyAction::kDeny;
  /// "cam.example.com" (exactly that name), "*.example.com" (any subdomain, not the apex).
  /// Case-insensitive, a trailing dot is ignored, IDNs are compared in the form given
  /// (write punycode). Matched on DestinationFacts::hostname.
  std::vector<std::string> domains;
  /// Registrable domains by the Public Suffix List ("easy4ipcloud.com"): each covers itself and
  /// every name under it (p2p.easy4ipcloud.com), and must be one owner's domain: not a subdomain
  /// ("p2p.easy4ipcloud.com" is refused, naming "easy4ipcloud.com") and not a public suffix
  /// ("co.uk", "s3.amazonaws.com"). One list with `domains`: a name matches either.
  std::vector<std::string> registrable_domains;
  /// "203.0.113.0/24", "2001:db8::/32", or a bare address. IPv4 prefixes match IPv4 addresses,
  /// IPv6 prefixes IPv6 ones ("::/0" is every IPv6 address, not IPv4); an IPv4-mapped prefix
  /// ("::ffff:10.0.0.0/104") matches IPv4 addresses. Host bits must be zero.
  std::vector<std::string> cidrs;
  std::vector<std::string> asns;       ///< "13335" or "AS13335"
  std::vector<std::string> countries;  ///< two letters, any case: "CN"
  /// Operators of the destination's network by the operators file (PolicyOptions::operators):
  /// "Alibaba", "AWS", any case; an operator the file does not name is an error.
  std::vector<std::string> operators;
  /// The operator's parent's home country (two letters, any case: "CN"): who the data reaches,
  /// beside `countries` (where the building is). Needs the operators file too.
  std::vector<std::string> operator_countries;
  /// nDPI protocol names, case-insensitive: the whole name ("TLS.HikConnect"), or the master or
  /// application part ("TLS", "HikConnect").
  std::vector<std::string> protocols;
  std::vector<std::string> categories;  ///< nDPI category names, case-insensitive: "Cloud"
  /// "443", "8000-8100" (TCP or UDP), or per transport: "tcp/443", "udp/3478-3479".
  std::vector<std::string> ports;
  /// The severity of the alert a deny rule raises; default warning. Ignored on allow rules.
  std::optional<Severity> severity;
};

/// The policy of one group of cameras.
struct GroupPolicy {
  std::string name;  ///< "default" is used for cameras whose group has no policy
  std::vector<PolicyRule> rules;
  /// Whether a flow classified as a vendor-cloud protocol (PolicyOptions::vendor_cloud_catalog)
  /// raises vendor_cloud when no rule decided it.
  bool vendor_cloud_catalog = true;
  /// What happens to a flow no rule, catalog entry or P2P name decided: deny raises
  /// disallowed_destination with `default_severity`.
  PolicyAction default_action = PolicyAction::kDeny;
  Severity default_severity = Severity::kWarning;
  /// Raise hardcoded_address, with this severity, for a classified egress flow to a public
  /// address that has no name (no DNS answer seen for it, no SNI, no HTTP Host) and that no rule,
  /// catalog entry or P2P name decided. Unset: off (the default action decides it).
  std::optional<Severity> hardcoded_address;
  /// Raise destination_drift, with this severity, when a flow the policy allowed reaches a name
  /// that now leads into another AS or country than before (daemon/policy/destination_drift.h).
  /// Unset: off.
  std::optional<Severity> destination_drift;
  /// The resolvers the group's cameras may use, for plain and encrypted DNS alike (`resolvers:`,
  /// prefixes or addresses): DNS to one of them is allowed (rule "resolvers"). Unset: the site's
  /// own resolvers, i.e. any host that is no egress destination (a non-public address, or one
  /// in inventory.local_networks); an empty list allows none.
  std::optional<std::vector<IpPrefix>> resolvers;
  /// Raise external_resolver, with this severity, for plain DNS (udp/tcp port 53, or what nDPI
  /// calls DNS) to a resolver `resolvers` does not allow. Unset: off.
  std::optional<Severity> external_resolver = Severity::kWarning;
  /// Raise encrypted_dns, with this severity, for DNS over TLS (tcp/853), QUIC (udp/853) or HTTPS
  /// (nDPI's DoH_DoT, or a name or address of PolicyOptions::doh_resolvers on port 443) to a
  /// resolver `resolvers` does not allow. Unset: off.
  std::optional<Severity> encrypted_dns = Severity::kWarning;
};

/// One public DNS-over-HTTPS service of the DoH resolvers file (config/doh-resolvers.csv,
/// `dpi.doh_resolvers_file`): a camera's flow on port 443 (TCP, or UDP for HTTP/3) to this
/// name or address is DoH.
struct DohResolver {
  enum class Scope : std::uint8_t {
    kHost,     ///< exactly this name ("dns.google")
    kDomain,   ///< a registrable domain and every name under it ("cloudflare-dns.com")
    kAddress,  ///< an address the service answers on ("8.8.8.8")
  };
  std::string provider;  ///< "Google"
  std::string name;      ///< lower case name; the address text for kAddress
  Scope scope = Scope::kHost;
  IpAddress address;  ///< for kAddress
};

/// Reads a DoH resolvers file: the header "provider,entry,scope,source", then one entry per line
/// with scope "host", "domain" (a registrable domain) or "address", and where it comes from. A
/// malformed name or address, an unknown scope, an empty provider or source, or an entry listed
/// twice is an error naming the file and line. Control thread.
Result<std::vector<DohResolver>> loadDohResolvers(const std::string& csv_path);

/// A vendor-cloud name camwatch matches itself, beside nDPI's host rules: a flow whose hostname
/// (SNI, HTTP Host, a DNS answer) is `name`, or lies under it when `whole_domain`, reaches
/// `cloud`. nDPI's rules match the name's end; these follow the Public Suffix List, so
/// "easy4ipcloud.com" covers p2p.easy4ipcloud.com and nothing of another owner's.
struct VendorCloudName {
  std::string cloud;  ///< a catalog protocol name: "Dahua_Imou"
  std::string name;   ///< lower case: "easy4ipcloud.com", "dispatcher-st.axis.com"
  /// The registrable domain and every name under it ("domain" in the file); else this one host
  /// ("host": a vendor's host on a domain that also serves other things).
  bool whole_domain = false;
};

/// Reads a vendor-cloud names file (config/camera-cloud-names.csv): the header
/// "cloud,name,scope,source", then one name per line with scope "domain" or "host" and where it
/// comes from. Every cloud must be one of `catalog`; a "domain" name must be a registrable
/// domain (not a subdomain, not a public suffix); a name listed twice is an error. Errors name
/// the file and line. Control thread.
Result<std::vector<VendorCloudName>> loadVendorCloudNames(const std::string& csv_path,
                                                          const std::vector<std::string>& catalog);

/// Policy-wide settings.
struct PolicyOptions {
  /// Protocol names (nDPI custom protocols) that are camera-vendor clouds.
  std::vector<std::string> vendor_cloud_catalog;
  /// Names of those clouds matched by the flow's hostname (loadVendorCloudNames).
  std::vector<VendorCloudName> vendor_cloud_names;
  /// Who operates each AS (geoip.operators_file); null: rules cannot name operators.
  OperatorTablePtr operators;
  /// Public DNS-over-HTTPS services (loadDohResolvers): encrypted_dns on port 443.
  std::vector<DohResolver> doh_resolvers;
  /// Protocol names that are NAT traversal, relays or peer-to-peer networks.
  std::vector<std::string> p2p_protocols;
  Severity vendor_cloud_severity = Severity::kWarning;
  Severity p2p_severity = Severity::kWarning;
};

/// The 23 camera-cloud protocols of config/camera-clouds.protos ("HikConnect", "Dahua_Imou",
/// ...), in file order. A unit test keeps this list equal to the file's. Any thread.
const std::vector<std::string>& defaultVendorCloudCatalog();

/// nDPI 4.2 protocol names that mean NAT traversal, a relay or a P2P network: "STUN" (nDPI 4.2
/// reports TURN as STUN), "Teredo", and the P2P file-sharing networks ("BitTorrent", ...).
const std::vector<std::string>& defaultP2pProtocols();

/// The defaults above, warning severities.
PolicyOptions defaultPolicyOptions();

/// The defaults, and the vendor-cloud names of `cloud_names_file` ("" = none), checked against
/// the default catalog. Control thread.
Result<PolicyOptions> loadPolicyOptions(const std::string& cloud_names_file,
                                        OperatorTablePtr operators = nullptr);

/// The protocol names an nDPI protocols file defines (the `@Name` of every rule), each once, in
/// file order. Fails naming the file when it cannot be read, or the file and line when a rule has
/// no name. Control thread.
Result<std::vector<std::string>> loadProtocolNames(const std::string& protos_path);

/// Which step of a PolicyEngine decided a verdict, as a small number: an index into that
/// engine's labels ("rule:<name>", "catalog:<Protocol>", "p2p:<Protocol>" and the fixed ones
/// below). Rule texts live in the engine, and only there: PolicyEngine::ruleLabel() names an id,
/// so whoever keeps a verdict keeps its engine with it (a worker's judgement snapshot,
/// NamingSnapshot). The fixed ids mean the same in every engine.
struct RuleId {
  std::uint16_t index = 0;
  friend bool operator==(RuleId, RuleId) = default;
};
inline constexpr RuleId kNoRule{0};       ///< "": no verdict yet (a flow never judged)
inline constexpr RuleId kLocalRule{1};    ///< "local": not a public address
inline constexpr RuleId kDefaultRule{2};  ///< "default": the group's default action
inline constexpr RuleId kNoneRule{3};     ///< "none": a DNS query no rule denies

/// The label of a fixed id ("" for any other).
std::string_view fixedRuleLabel(RuleId rule);

/// A group's policy in one PolicyEngine, as a small number (PolicyEngine::groupId): evaluate()
/// takes it so that no verdict looks a group up by name. Meaningless to another engine.
struct PolicyGroupId {
  std::uint16_t index = 0;
  friend bool operator==(PolicyGroupId, PolicyGroupId) = default;
};

/// The outcome of one evaluation.
struct Verdict {
  PolicyAction action = PolicyAction::kAllow;
  std::optional<AlertKind> alert;  ///< set exactly when action is kDeny
  Severity severity = Severity::kInfo;
  /// Which step decided: "rule:<name>", "catalog:<Protocol>", "p2p:<Protocol>", "default",
  /// "local", or "none" (a DNS query no rule denies), as an id of the engine that evaluated
  /// (PolicyEngine::ruleLabel names it).
  RuleId rule = kNoRule;
  /// False when classification or a hostname still to come could change the verdict: the caller
  /// evaluates the flow again when they arrive. True verdicts never change for this flow.
  bool final = true;
};

/// The compiled policy of every group.
class PolicyEngine {
 public:
  /// Validates and compiles `groups`. Fails with a message naming the group and rule, e.g.
  /// "group 'cameras', rule 'no-china': cidr '10.0.0.0/33': prefix longer than 32", for: a bad
  /// domain, CIDR, ASN, country, port or protocol entry, a rule without matchers, an empty or
  /// duplicate rule or group name. Control thread.
  static Result<PolicyEngine> create(std::vector<GroupPolicy> groups,
                                     const PolicyOptions& options = defaultPolicyOptions());

  PolicyEngine(PolicyEngine&&) noexcept;
  PolicyEngine& operator=(PolicyEngine&&) noexcept;
  ~PolicyEngine();

  /// The policy of the camera group called `group`: its own, or for a group without one the
  /// "default" group's, or when there is none an empty group (catalog on, default deny). A scan
  /// of the groups by name: call it once per group when a judgement is loaded (the worker keeps
  /// a table by inventory GroupId), not per flow. Any thread; no allocation.
  PolicyGroupId groupId(std::string_view group) const;

  /// The verdict on a flow of a camera in `group` to the destination `facts` describes. Call
  /// when the flow starts and again, while the verdict is not final, when classification or a
  /// hostname arrives. For a DNS flow (master protocol "DNS") the hostname is the query, not the
  /// server: domain rules and the catalog skip it (use evaluateDnsQuery for the name). Asked
  /// about egress flows, whose server is never one of the site's own resolvers. Any thread; no
  /// allocation.
  Verdict evaluate(PolicyGroupId group, const DestinationFacts& facts) const;

  /// Whether a camera in `group` may look up `qname`: deny (dns_lookup_blocked) when a deny
  /// rule whose only matcher is `domains` matches the name, else allow with rule "none". Any
  /// thread; no allocation.
  Verdict evaluateDnsQuery(PolicyGroupId group, std::string_view qname) const;

  /// The verdict on a camera's flow to an on-site host (a non-public address, or one in
  /// inventory.local_networks: no egress, so evaluate() is not asked): when the group lists
  /// `resolvers` and the flow is DNS, plain or encrypted, to an address the list does not name,
  /// external_resolver or encrypted_dns (when on); else allow, rule "local" (or "resolvers" for
  /// DNS to a listed resolver). Any thread; no allocation.
  Verdict evaluateOnSite(PolicyGroupId group, const DestinationFacts& facts) const;

  /// Whether evaluateOnSite() can raise anything for `group`: it lists `resolvers` and one of
  /// external_resolver and encrypted_dns is on. Lets a worker skip gathering facts. Any thread.
  bool judgesOnSiteDns(PolicyGroupId group) const;

  /// Whether anything in `group`'s policy looks at classification or the hostname (protocol,
  /// category or domain rules, the catalog, P2P names). When false, the verdict at flow start
  /// is final. Any thread.
  bool needsClassification(PolicyGroupId group) const;

  /// destination_drift's severity for `group`; unset when the group does not watch for it. Any
  /// thread; no allocation.
  std::optional<Severity> destinationDrift(PolicyGroupId group) const;

  /// The text of a rule id this engine gave ("rule:no-cn"; the fixed ids' labels; "" for an id
  /// it never gave). A view into this engine. Any thread; no allocation.
  std::string_view ruleLabel(RuleId rule) const;

  /// The group names, in configuration order.
  std::vector<std::string> groupNames() const;

 private:
  struct Impl;
  explicit PolicyEngine(std::unique_ptr<const Impl> impl);

  std::unique_ptr<const Impl> impl_;
};
using PolicyEnginePtr = std::shared_ptr<const PolicyEngine>;

}  // namespace camwatch
