// DNS forms, the DoH services set, and loadDohResolvers: the DoH resolvers file
// (config/doh-resolvers.csv), checked entry by entry so that a typo names its line instead of
// silently matching nothing.
#include "policy/dns_resolvers.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <camwatch/geo.h>

#include "policy/matchers.h"
#include "policy/registrable_domain.h"
#include "util/csv_file.h"
#include "util/text.h"

namespace camwatch {
namespace policy {
namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint16_t kDnsPort = 53;
constexpr std::uint16_t kDnsOverTlsPort = 853;  // DoT (RFC 7858) and DoQ (RFC 9250)
constexpr std::uint16_t kHttpsPort = 443;

bool sortedContains(const std::vector<std::string>& sorted, std::string_view value) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), value,
                             [](const std::string& a, std::string_view b) { return a < b; });
  return it != sorted.end() && *it == value;
}

}  // namespace

std::string_view dnsFormName(DnsForm form) {
  switch (form) {
    case DnsForm::kPlain:
      return "DNS";
    case DnsForm::kDoT:
      return "DoT";
    case DnsForm::kDoQ:
      return "DoQ";
    case DnsForm::kDoH:
      return "DoH";
    case DnsForm::kNone:
      break;
  }
  return "";
}

DohResolverSet::DohResolverSet(const std::vector<DohResolver>& resolvers) {
  for (const DohResolver& resolver : resolvers) {
    switch (resolver.scope) {
      case DohResolver::Scope::kHost:
        hosts_.push_back(resolver.name);
        break;
      case DohResolver::Scope::kDomain:
        domains_.push_back(resolver.name);
        break;
      case DohResolver::Scope::kAddress:
        addresses_.push_back(resolver.address);
        break;
    }
  }
  sortUnique(hosts_);
  sortUnique(domains_);
  std::sort(addresses_.begin(), addresses_.end());
}

bool DohResolverSet::matches(std::string_view hostname, const IpAddress& ip) const {
  if (std::binary_search(addresses_.begin(), addresses_.end(), ip)) return true;
  if (hostname.empty()) return false;
  if (sortedContains(hosts_, hostname)) return true;
  if (domains_.empty()) return false;
  return sortedContains(domains_, PublicSuffixList::system().registrableDomain(hostname));
}

DnsForm dnsFormOf(const DestinationFacts& facts, std::string_view hostname,
                  const DohResolverSet& doh) {
  const bool tcp = facts.ip_proto == kTcp;
  const bool udp = facts.ip_proto == kUdp;
  if ((tcp || udp) && facts.port == kDnsPort) return DnsForm::kPlain;
  if (tcp && facts.port == kDnsOverTlsPort) return DnsForm::kDoT;
  if (udp && facts.port == kDnsOverTlsPort) return DnsForm::kDoQ;
  if (facts.classified) {
    if (equalsIgnoreCase(facts.master_protocol, "DNS") ||
        equalsIgnoreCase(facts.app_protocol, "DNS")) {
      return DnsForm::kPlain;
    }
    // nDPI 4.2 names DoH, DoT and DoQ alike "DoH_DoT": by its list of DoH names (TLS and QUIC
    // SNI), by QUIC's ALPN "doq", or guessed by its ports (tcp/853, udp/784).
    if (protocolIs(facts, "DoH_DoT")) {
      return udp && facts.port != kHttpsPort ? DnsForm::kDoQ : DnsForm::kDoH;
    }
  }
  if ((tcp || udp) && facts.port == kHttpsPort && doh.matches(hostname, facts.ip)) {
    return DnsForm::kDoH;
  }
  return DnsForm::kNone;
}

bool mayBecomeDoh(const DestinationFacts& facts, std::string_view hostname,
                  const DohResolverSet& doh) {
  return !facts.classified && hostname.empty() && facts.port == kHttpsPort &&
         (facts.ip_proto == kTcp || facts.ip_proto == kUdp) && doh.hasNames();
}

std::optional<Verdict> resolverVerdict(const ResolverPolicy& group, DnsForm form,
                                       const IpAddress& server, bool on_site,
                                       const ResolverRuleIds& ids, bool final) {
  if (form == DnsForm::kNone) return std::nullopt;
  if (group.resolvers) {
    const std::vector<IpPrefix>& listed = *group.resolvers;
    if (std::any_of(listed.begin(), listed.end(),
                    [&](const IpPrefix& prefix) { return prefix.contains(server); })) {
      return Verdict{PolicyAction::kAllow, std::nullopt, Severity::kInfo, ids.resolvers, true};
    }
  } else if (on_site) {
    return std::nullopt;  // the site's own resolver
  }
  if (form == DnsForm::kPlain) {
    if (!group.external_resolver) return std::nullopt;
    return Verdict{PolicyAction::kDeny, AlertKind::kExternalResolver, *group.external_resolver,
                   ids.external_resolver, final};
  }
  if (!group.encrypted_dns) return std::nullopt;
  const RuleId rule = form == DnsForm::kDoT ? ids.dot : form == DnsForm::kDoQ ? ids.doq : ids.doh;
  return Verdict{PolicyAction::kDeny, AlertKind::kEncryptedDns, *group.encrypted_dns, rule, final};
}

}  // namespace policy

namespace {

// The entry of one line: the canonical name or address, or an error text.
std::string readEntry(const std::string& entry, const std::string& scope, DohResolver& out) {
  if (scope == "address") {
    const std::optional<IpAddress> address = IpAddress::parse(entry);
    if (!address) return "not an IPv4 or IPv6 address";
    if (addressScope(*address) != AddressScope::kPublic) {
      return "not a public address (a site's own resolver belongs in the group's resolvers)";
    }
    out.scope = DohResolver::Scope::kAddress;
    out.address = *address;
    out.name = address->toString();
    return {};
  }
  if (scope != "host" && scope != "domain")
    return "scope '" + scope + "': expected host, domain or address";
  policy::DomainSet check;
  const bool domain = scope == "domain";
  std::string error =
      domain ? policy::addRegistrableDomain(entry, check) : policy::addDomain(entry, check);
  if (error.empty() && !domain && entry.starts_with("*.")) {
    error = "a host is one name: list the registrable domain with scope domain instead";
  }
  if (!error.empty()) return error;
  out.scope = domain ? DohResolver::Scope::kDomain : DohResolver::Scope::kHost;
  out.name = domain ? check.registrable.front() : check.exact.front();
  return {};
}

}  // namespace

Result<std::vector<DohResolver>> loadDohResolvers(const std::string& csv_path) {
  auto file = CsvFile::open(csv_path, "provider,entry,scope,source");
  if (!file) return tl::unexpected(file.error());
  std::vector<DohResolver> resolvers;
  std::vector<std::size_t> lines;
  std::vector<std::string> fields;
  while (true) {
    Result<bool> more = file->next(fields);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    DohResolver resolver;
    resolver.provider = fields[0];
    if (resolver.provider.empty()) return tl::unexpected(file->error("empty provider"));
    if (std::string error = readEntry(fields[1], fields[2], resolver); !error.empty()) {
      if (error.starts_with("scope ")) return tl::unexpected(file->error(error));
      return tl::unexpected(file->error(fmt::format("entry '{}': {}", fields[1], error)));
    }
    if (fields[3].empty()) return tl::unexpected(file->error("empty source: say where it is from"));
    for (std::size_t i = 0; i < resolvers.size(); ++i) {
      if (resolvers[i].name == resolver.name) {
        return tl::unexpected(file->error(
            fmt::format("entry '{}' listed again (first on line {})", resolver.name, lines[i])));
      }
    }
    resolvers.push_back(std::move(resolver));
    lines.push_back(file->line());
  }
  return resolvers;
}

}  // namespace camwatch
