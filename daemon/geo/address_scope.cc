#include "geo/address_scope.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

constexpr std::array<std::uint8_t, 12> kNat64Prefix = {0x00, 0x64, 0xff, 0x9b, 0, 0,
                                                       0,    0,    0,    0,    0, 0};

// The IANA special-purpose registries (RFC 6890 and updates), reduced to what a sensor wants to
// tell apart. The order matters only where ranges nest (0.0.0.0 inside 0/8).
AddressScope ipv4Scope(const std::uint8_t* b) {
  if (b[0] == 0)
    return b[1] == 0 && b[2] == 0 && b[3] == 0 ? AddressScope::kUnspecified
                                               : AddressScope::kReserved;
  if (b[0] == 10) return AddressScope::kPrivate;
  if (b[0] == 100 && (b[1] & 0xc0) == 64) return AddressScope::kCgnat;
  if (b[0] == 127) return AddressScope::kLoopback;
  if (b[0] == 169 && b[1] == 254) return AddressScope::kLinkLocal;
  if (b[0] == 172 && (b[1] & 0xf0) == 16) return AddressScope::kPrivate;
  if (b[0] == 192 && b[1] == 0 && b[2] == 0) return AddressScope::kReserved;
  if (b[0] == 192 && b[1] == 0 && b[2] == 2) return AddressScope::kDocumentation;
  if (b[0] == 192 && b[1] == 168) return AddressScope::kPrivate;
  if (b[0] == 198 && (b[1] & 0xfe) == 18) return AddressScope::kReserved;  // benchmarking
  if (b[0] == 198 && b[1] == 51 && b[2] == 100) return AddressScope::kDocumentation;
  if (b[0] == 203 && b[1] == 0 && b[2] == 113) return AddressScope::kDocumentation;
  if ((b[0] & 0xf0) == 224) return AddressScope::kMulticast;
  if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return AddressScope::kBroadcast;
  if ((b[0] & 0xf0) == 240) return AddressScope::kReserved;
  return AddressScope::kPublic;
}

AddressScope ipv6Scope(const std::array<std::uint8_t, 16>& b) {
  const bool zero_prefix = std::all_of(b.begin(), b.begin() + 15, [](auto v) { return v == 0; });
  if (zero_prefix && b[15] == 0) return AddressScope::kUnspecified;
  if (zero_prefix && b[15] == 1) return AddressScope::kLoopback;
  if (b[0] == 0xff) return AddressScope::kMulticast;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressScope::kLinkLocal;
  if ((b[0] & 0xfe) == 0xfc) return AddressScope::kPrivate;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return AddressScope::kDocumentation;
  }
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0) return AddressScope::kDocumentation;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 2 && b[4] == 0 && b[5] == 0) {
    return AddressScope::kReserved;  // benchmarking 2001:2::/48
  }
  // Only 2000::/3 is allocated for global unicast; the rest (site-local fec0::/10, discard
  // 100::/64, IPv4-compatible ::a.b.c.d, ...) is reserved.
  if ((b[0] & 0xe0) == 0x20) return AddressScope::kPublic;
  return AddressScope::kReserved;
}

}  // namespace

namespace geo {

std::optional<IpAddress> nat64Embedded(const IpAddress& address) {
  if (!std::equal(kNat64Prefix.begin(), kNat64Prefix.end(), address.bytes.begin())) {
    return std::nullopt;
  }
  return IpAddress::fromV4(address.bytes.data() + 12);
}

}  // namespace geo

std::string_view scopeName(AddressScope scope) {
  switch (scope) {
    case AddressScope::kPublic:
      return "public";
    case AddressScope::kPrivate:
      return "private";
    case AddressScope::kLoopback:
      return "loopback";
    case AddressScope::kLinkLocal:
      return "link_local";
    case AddressScope::kMulticast:
      return "multicast";
    case AddressScope::kCgnat:
      return "cgnat";
    case AddressScope::kDocumentation:
      return "documentation";
    case AddressScope::kReserved:
      return "reserved";
    case AddressScope::kUnspecified:
      return "unspecified";
    case AddressScope::kBroadcast:
      return "broadcast";
  }
  return "unknown";
}

AddressScope addressScope(const IpAddress& address) {
  if (address.isV4()) return ipv4Scope(address.bytes.data() + 12);
  if (std::equal(kNat64Prefix.begin(), kNat64Prefix.end(), address.bytes.begin())) {
    return ipv4Scope(address.bytes.data() + 12);
  }
  return ipv6Scope(address.bytes);
}

}  // namespace camwatch
