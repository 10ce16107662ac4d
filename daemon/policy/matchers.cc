#include "policy/matchers.h"

#include <algorithm>
#include <charconv>
#include <tuple>
#include <utility>

#include "policy/registrable_domain.h"
#include "util/text.h"

namespace camwatch::policy {

namespace {

bool sortedContains(const std::vector<std::string>& sorted, std::string_view value) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), value,
                             [](const std::string& a, std::string_view b) { return a < b; });
  return it != sorted.end() && *it == value;
}

AddressBytes maskAddress(const AddressBytes& address, unsigned bits) {
  AddressBytes out{};
  for (unsigned i = 0; i < 16; ++i) {
    if (bits >= (i + 1) * 8) {
      out[i] = address[i];
    } else if (bits > i * 8) {
      unsigned keep = bits - i * 8;
      out[i] = static_cast<std::uint8_t>(address[i] & (0xffU << (8 - keep)));
    }
  }
  return out;
}

template <typename T>
bool parseNumber(std::string_view text, T& value) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;  // from_chars would accept a leading '-' for signed
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<std::string_view> normalizeName(std::string_view name, NameBuffer& buffer) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.size() > kMaxNameLength) return std::nullopt;
  for (std::size_t i = 0; i < name.size(); ++i) buffer[i] = lowerAscii(name[i]);
  buffer[name.size()] = '\0';  // for libpsl (PublicSuffixList), which reads C strings
  return std::string_view(buffer.data(), name.size());
}

void sortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// ---- domains -------------------------------------------------------------------------------

bool DomainSet::matches(std::string_view name) const {
  if (name.empty()) return false;
  if (sortedContains(exact, name)) return true;
  if (!registrable.empty()) {
    std::string_view domain = PublicSuffixList::system().registrableDomain(name);
    if (!domain.empty() && sortedContains(registrable, domain)) return true;
  }
  if (suffixes.empty()) return false;
  for (std::size_t dot = name.find('.'); dot != std::string_view::npos;
       dot = name.find('.', dot + 1)) {
    if (sortedContains(suffixes, name.substr(dot + 1))) return true;
  }
  return false;
}

namespace {

// What no DNS name may contain; empty when `name` is fine.
std::string badNameCharacter(std::string_view name) {
  if (name.size() > kMaxNameLength) return "longer than 253 characters";
  if (name.find("..") != std::string_view::npos) return "empty label";
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '*') return "'*' only as the whole first label ('*.example.com')";
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || byte >= 0x80;
    if (!ok) return "character '" + std::string(1, c) + "' is not allowed in a domain";
  }
  return {};
}

}  // namespace

std::string addDomain(std::string_view text, DomainSet& set) {
  std::string_view name = text;
  bool wildcard = name.starts_with("*.");
  if (wildcard) name.remove_prefix(2);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return wildcard ? "nothing after '*.'" : "empty domain";
  if (text == "*") return "'*' alone is not a pattern: leave domains out to match any destination";
  if (name.front() == '.') {
    return "a leading dot is ambiguous: write '*." + std::string(name.substr(1)) +
           "' for its subdomains and '" + std::string(name.substr(1)) +
           "' for the domain itself (or both)";
  }
  if (std::string error = badNameCharacter(name); !error.empty()) return error;
  (wildcard ? set.suffixes : set.exact).push_back(lowerAsciiCopy(name));
  return {};
}

std::string addRegistrableDomain(std::string_view text, DomainSet& set) {
  std::string_view name = text;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return "empty domain";
  if (name.front() == '*' || name.front() == '.') {
    return "write the registrable domain itself ('example.com'): it covers every name under it";
  }
  if (std::string error = badNameCharacter(name); !error.empty()) return error;
  if (std::string error = checkRegistrableDomain(name); !error.empty()) return error;
  set.registrable.push_back(lowerAsciiCopy(name));
  return {};
}

// ---- addresses -----------------------------------------------------------------------------

bool Prefix::operator<(const Prefix& other) const {
  return std::tie(v4, bits, bytes) < std::tie(other.v4, other.bits, other.bytes);
}

void CidrSet::compile() {
  std::sort(prefixes.begin(), prefixes.end());
  prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
  for (std::size_t i = 0; i < prefixes.size();) {
    std::size_t j = i;
    while (j < prefixes.size() && prefixes[j].v4 == prefixes[i].v4 &&
           prefixes[j].bits == prefixes[i].bits) {
      ++j;
    }
    runs.push_back({prefixes[i].v4, prefixes[i].bits, static_cast<std::uint32_t>(i),
                    static_cast<std::uint32_t>(j)});
    i = j;
  }
}

bool CidrSet::matches(const IpAddress& address) const {
  bool v4 = address.isV4();
  for (const Run& run : runs) {
    if (run.v4 != v4) continue;
    AddressBytes masked = maskAddress(address.bytes, run.bits);
    auto first = prefixes.begin() + run.begin;
    auto last = prefixes.begin() + run.end;
    auto it = std::lower_bound(first, last, masked,
                               [](const Prefix& p, const AddressBytes& a) { return p.bytes < a; });
    if (it != last && it->bytes == masked) return true;
  }
  return false;
}

std::string addCidr(std::string_view text, CidrSet& set) {
  // IpPrefix keeps the families apart ("::/0" is not every IPv4 destination too).
  Result<IpPrefix> prefix = IpPrefix::parse(text);
  if (!prefix) return std::move(prefix.error().message);
  set.prefixes.push_back(Prefix{prefix->isV4(), prefix->bits, prefix->base.bytes});
  return {};
}

// ---- ports, AS numbers, countries -------------------------------------------------------------

bool portsMatch(const std::vector<PortRange>& ranges, std::uint8_t ip_proto, std::uint16_t port) {
  // Only transports with ports: an ICMP flow's port 0 is not "port 0".
  if (ip_proto != 6 && ip_proto != 17) return false;
  for (const PortRange& range : ranges) {
    if ((range.ip_proto == 0 || range.ip_proto == ip_proto) && port >= range.low &&
        port <= range.high) {
      return true;
    }
  }
  return false;
}

std::string addPorts(std::string_view text, std::vector<PortRange>& ranges) {
  PortRange range;
  std::string_view rest = text;
  std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    std::string_view transport = rest.substr(0, slash);
    if (equalsIgnoreCase(transport, "tcp")) {
      range.ip_proto = 6;
    } else if (equalsIgnoreCase(transport, "udp")) {
      range.ip_proto = 17;
    } else {
      return "transport '" + std::string(transport) + "' is not tcp or udp";
    }
    rest.remove_prefix(slash + 1);
  }
  std::size_t dash = rest.find('-');
  std::string_view low_text = rest.substr(0, dash);
  std::string_view high_text = dash == std::string_view::npos ? low_text : rest.substr(dash + 1);
  if (!parseNumber(low_text, range.low) || !parseNumber(high_text, range.high)) {
    return "not a port (0-65535) or range ('8000-8100'), optionally after 'tcp/' or 'udp/'";
  }
  if (range.low > range.high) return "range from high to low";
  ranges.push_back(range);
  return {};
}

std::string addAsn(std::string_view text, std::vector<std::uint32_t>& asns) {
  std::string_view digits = text;
  if (digits.size() > 2 && equalsIgnoreCase(digits.substr(0, 2), "as")) digits.remove_prefix(2);
  std::uint32_t asn = 0;
  if (!parseNumber(digits, asn)) return "not an AS number ('13335' or 'AS13335')";
  if (asn == 0) return "AS 0 stands for 'unknown' and would never match";
  asns.push_back(asn);
  return {};
}

std::uint16_t countryKey(char a, char b) {
  return static_cast<std::uint16_t>(
      (static_cast<unsigned>(static_cast<unsigned char>(upperAscii(a))) << 8) |
      static_cast<unsigned char>(upperAscii(b)));
}

std::string addCountry(std::string_view text, std::vector<std::uint16_t>& countries) {
  if (text.size() != 2 || !isAsciiLetter(text[0]) || !isAsciiLetter(text[1])) {
    return "not a two-letter ISO 3166-1 country code";
  }
  countries.push_back(countryKey(text[0], text[1]));
  return {};
}

std::string checkName(std::string_view text) {
  if (text.empty()) return "empty name";
  bool blank = std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
  if (blank) return "empty name";
  return {};
}

bool protocolIs(const DestinationFacts& facts, std::string_view name) {
  return equalsIgnoreCase(facts.app_protocol, name) ||
         equalsIgnoreCase(facts.master_protocol, name) || equalsIgnoreCase(facts.app_name, name);
}

}  // namespace camwatch::policy
