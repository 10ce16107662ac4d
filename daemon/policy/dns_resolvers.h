// Which resolver a camera asks, and how: whether a flow carries DNS (plain on port 53, over TLS,
// QUIC or HTTPS) and the public DNS-over-HTTPS services a flow on port 443 is compared with.
// The policy engine (policy_engine.cc) decides external_resolver and encrypted_dns with them.
// Compiled once when the engine is made; the lookups allocate nothing, on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/policy.h>

namespace camwatch::policy {

/// How a flow carries DNS.
enum class DnsForm : std::uint8_t {
  kNone,   ///< not DNS
  kPlain,  ///< udp/tcp port 53, or what nDPI calls DNS
  kDoT,    ///< DNS over TLS: tcp/853 (RFC 7858)
  kDoQ,    ///< DNS over QUIC: udp/853 (RFC 9250), or nDPI's DoH_DoT over UDP off port 443
  kDoH,    ///< DNS over HTTPS: nDPI's DoH_DoT, or a listed DoH service on port 443
};

/// "DNS", "DoT", "DoQ", "DoH"; "" for kNone.
std::string_view dnsFormName(DnsForm form);

/// The DoH services of PolicyOptions::doh_resolvers, sorted for binary search.
class DohResolverSet {
 public:
  DohResolverSet() = default;
  explicit DohResolverSet(const std::vector<DohResolver>& resolvers);

  bool empty() const { return hosts_.empty() && domains_.empty() && addresses_.empty(); }
  /// Whether any entry is a name (then a nameless flow on 443 may still turn out DoH).
  bool hasNames() const { return !hosts_.empty() || !domains_.empty(); }
  /// Whether `hostname` (normalized by normalizeName, NUL-terminated; may be empty) is a listed
  /// name or lies under a listed domain, or `ip` is a listed address.
  bool matches(std::string_view hostname, const IpAddress& ip) const;

 private:
  std::vector<std::string> hosts_;
  std::vector<std::string> domains_;  // registrable domains
  std::vector<IpAddress> addresses_;
};

/// How the flow `facts` describes carries DNS. `hostname` is its server's normalized name, empty
/// for a DNS flow (whose name is the question) or a nameless one. Ports decide before
/// classification; nDPI's DNS and DoH_DoT and the DoH names once it has decided.
DnsForm dnsFormOf(const DestinationFacts& facts, std::string_view hostname,
                  const DohResolverSet& doh);

/// Whether a flow that is no DNS by what is known yet may turn out DoH when its name arrives:
/// not classified, on port 443, no name yet, and the set lists names.
bool mayBecomeDoh(const DestinationFacts& facts, std::string_view hostname,
                  const DohResolverSet& doh);

/// A group's say on resolvers (GroupPolicy::resolvers, external_resolver, encrypted_dns).
struct ResolverPolicy {
  std::optional<std::vector<IpPrefix>> resolvers;  ///< unset: the site's own (not egress)
  std::optional<Severity> external_resolver = Severity::kWarning;  ///< unset: off
  std::optional<Severity> encrypted_dns = Severity::kWarning;      ///< unset: off
};

/// The rule ids of one engine that resolver verdicts name.
struct ResolverRuleIds {
  RuleId resolvers;          ///< "resolvers": DNS to a resolver the group lists
  RuleId external_resolver;  ///< "external_resolver"
  RuleId dot;                ///< "encrypted_dns:DoT"
  RuleId doq;                ///< "encrypted_dns:DoQ"
  RuleId doh;                ///< "encrypted_dns:DoH"
};

/// The verdict on a flow carrying DNS in `form` to `server`, a host on the site (no egress
/// destination) or not: allow ("resolvers") to a resolver the group lists; external_resolver or
/// encrypted_dns (final as `final` says) to one it does not allow; nullopt when this step does
/// not decide: not DNS, a site's own resolver and no list, or the alert off.
std::optional<Verdict> resolverVerdict(const ResolverPolicy& group, DnsForm form,
                                       const IpAddress& server, bool on_site,
                                       const ResolverRuleIds& ids, bool final);

}  // namespace camwatch::policy
