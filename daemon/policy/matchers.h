// The matchers a policy rule is compiled into (policy_engine.cc): domain sets, CIDR sets, port
// ranges, AS numbers and country codes. Each add*() checks one configured entry and returns an
// error text for it (empty when added); the match functions allocate nothing, so evaluation can
// run on every worker at once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/policy.h>

namespace camwatch::policy {

// A DNS name is at most 253 characters; one more for a trailing dot.
constexpr std::size_t kMaxNameLength = 253;
using NameBuffer = std::array<char, kMaxNameLength + 1>;

// The form names are compared in: lower case, without the trailing dot of a fully qualified name.
// Written into `buffer`, NUL-terminated, so evaluation allocates nothing; nullopt for a name no
// DNS name can be.
std::optional<std::string_view> normalizeName(std::string_view name, NameBuffer& buffer);

void sortUnique(std::vector<std::string>& values);

// ---- domains -------------------------------------------------------------------------------

struct DomainSet {
  std::vector<std::string> exact;        // "cam.example.com"
  std::vector<std::string> suffixes;     // "example.com" of "*.example.com"
  std::vector<std::string> registrable;  // "example.com": it and every name under it (PSL)

  bool empty() const { return exact.empty() && suffixes.empty() && registrable.empty(); }

  // `name` is normalized (normalizeName: also NUL-terminated). Tries the whole name, its
  // registrable domain, then every suffix after a dot: a name with n labels costs n + 2 binary
  // searches, however many patterns there are.
  bool matches(std::string_view name) const;
};

// Returns an error text, or empty when `text` was added to `set`.
std::string addDomain(std::string_view text, DomainSet& set);
// A registrable domain ("easy4ipcloud.com", PublicSuffixList): an error text when `text` is not
// one (a subdomain, a public suffix, a wildcard), or empty when it was added to `set`.
std::string addRegistrableDomain(std::string_view text, DomainSet& set);

// ---- addresses -----------------------------------------------------------------------------

using AddressBytes = std::array<std::uint8_t, 16>;

struct Prefix {
  bool v4 = false;        // matches IPv4 addresses (else IPv6 ones)
  std::uint8_t bits = 0;  // over the 128-bit (IPv4-mapped) form
  AddressBytes bytes{};   // masked

  // Spelt out rather than a defaulted <=>: clang-tidy 14 flags the 0 in the generated code.
  bool operator<(const Prefix& other) const;
  bool operator==(const Prefix& other) const {
    return v4 == other.v4 && bits == other.bits && bytes == other.bytes;
  }
};

// Prefixes sorted by (family, length, address); one binary search per distinct length of the
// address's family, so a country's worth of prefixes costs a few dozen comparisons at most.
struct CidrSet {
  struct Run {
    bool v4;
    std::uint8_t bits;
    std::uint32_t begin;
    std::uint32_t end;
  };
  std::vector<Prefix> prefixes;
  std::vector<Run> runs;

  bool empty() const { return prefixes.empty(); }

  void compile();
  bool matches(const IpAddress& address) const;
};

std::string addCidr(std::string_view text, CidrSet& set);

// ---- ports, AS numbers, countries -------------------------------------------------------------

struct PortRange {
  std::uint8_t ip_proto = 0;  // 0: TCP or UDP
  std::uint16_t low = 0;
  std::uint16_t high = 0;
};

bool portsMatch(const std::vector<PortRange>& ranges, std::uint8_t ip_proto, std::uint16_t port);
std::string addPorts(std::string_view text, std::vector<PortRange>& ranges);

std::string addAsn(std::string_view text, std::vector<std::uint32_t>& asns);

std::uint16_t countryKey(char a, char b);
std::string addCountry(std::string_view text, std::vector<std::uint16_t>& countries);

// ---- names -------------------------------------------------------------------------------------

std::string checkName(std::string_view text);

// Whether one of the flow's protocol names is `name`.
bool protocolIs(const DestinationFacts& facts, std::string_view name);

}  // namespace camwatch::policy
