#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <system_error>

#include <camwatch/ip_address.h>

namespace camwatch {
namespace {
constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr unsigned kV4MappedBits = 96;

// The address with every bit past the first `bits` cleared.
IpAddress maskAddress(const IpAddress& address, unsigned bits) {
  IpAddress out;
  for (unsigned i = 0; i < 16; ++i) {
    if (bits >= (i + 1) * 8) {
      out.bytes[i] = address.bytes[i];
    } else if (bits > i * 8) {
      unsigned keep = bits - i * 8;
      out.bytes[i] = static_cast<std::uint8_t>(address.bytes[i] & (0xffU << (8 - keep)));
    }
  }
  return out;
}

// Decimal digits only: from_chars alone would take "+8" or, for signed types, "-1".
bool parseLength(std::string_view text, unsigned& value) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

IpAddress IpAddress::fromV4(const std::uint8_t* four_bytes) {
  IpAddress address;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin());
  std::memcpy(address.bytes.data() + 12, four_bytes, 4);
  return address;
}

IpAddress IpAddress::fromV6(const std::uint8_t* sixteen_bytes) {
  IpAddress address;
  std::memcpy(address.bytes.data(), sixteen_bytes, 16);
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; addresses are short, so a stack copy will do.
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t raw[16];
  if (inet_pton(AF_INET, buffer, raw) == 1) return fromV4(raw);
  if (inet_pton(AF_INET6, buffer, raw) == 1) return fromV6(raw);
  return std::nullopt;
}

bool IpAddress::isV4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

// IPv4 by hand (inet_ntop formats it with sprintf): addresses are written for every flow
// record, alert and report row. IPv6 keeps inet_ntop for its zero-run rules.
std::string IpAddress::toString() const {
  if (isV4()) {
    char text[16];
    char* at = text;
    for (std::size_t i = 12; i < 16; ++i) {
      const unsigned octet = bytes[i];
      if (octet >= 100) *at++ = static_cast<char>('0' + octet / 100);
      if (octet >= 10) *at++ = static_cast<char>('0' + octet / 10 % 10);
      *at++ = static_cast<char>('0' + octet % 10);
      if (i < 15) *at++ = '.';
    }
    return std::string(text, static_cast<std::size_t>(at - text));
  }
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, bytes.data(), buffer, sizeof(buffer));
  return buffer;
}

Result<IpPrefix> IpPrefix::parse(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string_view address_text = text.substr(0, slash);
  // The length counts from the notation's own start: "10.0.0.0/8" is an IPv4 length, while
  // "::ffff:10.0.0.0/104" counts over all 128 bits.
  bool v6_notation = address_text.find(':') != std::string_view::npos;
  std::optional<IpAddress> address = IpAddress::parse(address_text);
  if (!address) return makeError("not an IPv4 or IPv6 address");
  unsigned max_bits = v6_notation ? 128 : 32;
  unsigned bits = max_bits;
  if (slash != std::string_view::npos) {
    if (!parseLength(text.substr(slash + 1), bits))
      return makeError("prefix length is not a number");
    if (bits > max_bits) return makeError("prefix longer than " + std::to_string(max_bits));
  }
  IpPrefix prefix;
  prefix.bits = static_cast<std::uint8_t>(v6_notation ? bits : bits + kV4MappedBits);
  prefix.base = maskAddress(*address, prefix.bits);
  if (prefix.base != *address) {
    return makeError("host bits set (did you mean " + prefix.toString() + "?)");
  }
  return prefix;
}

bool IpPrefix::isV4() const { return bits >= kV4MappedBits && base.isV4(); }

bool IpPrefix::contains(const IpAddress& ip) const {
  if (bits > 128 || ip.isV4() != isV4()) return false;
  unsigned whole_bytes = bits / 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + whole_bytes, ip.bytes.begin())) {
    return false;
  }
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xffU << (8 - rest));
  return (ip.bytes[whole_bytes] & mask) == base.bytes[whole_bytes];
}

std::string IpPrefix::toString() const {
  unsigned length = isV4() ? bits - kV4MappedBits : bits;
  return base.toString() + "/" + std::to_string(length);
}

}  // namespace camwatch
