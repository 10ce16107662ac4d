// IpAddress: one fixed-size value for IPv4 and IPv6, so flow keys have one shape.
// IpPrefix: a CIDR block over that value, shared by the policy rules (`cidrs`) and the
// inventory (camera and local networks, group networks) so both read and match them alike.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <camwatch/result.h>

namespace camwatch {

/// An IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d); `isV4()` tells which it is.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  static IpAddress fromV4(const std::uint8_t* four_bytes);
  static IpAddress fromV6(const std::uint8_t* sixteen_bytes);
  /// Parses dotted IPv4 or RFC 4291 IPv6 text; nullopt when the text is neither.
  static std::optional<IpAddress> parse(std::string_view text);

  bool isV4() const;
  /// Dotted quad for IPv4, RFC 5952 text for IPv6. Allocates: never call per packet.
  std::string toString() const;

  auto operator<=>(const IpAddress&) const = default;
};

/// An address prefix ("192.168.10.0/24", "2001:db8::/32", or a bare address = host prefix).
///
/// Families stay apart although IPv4 is stored mapped: an IPv4 prefix (and an IPv4-mapped one,
/// "::ffff:10.0.0.0/104") matches only IPv4 addresses, any other IPv6 prefix only IPv6
/// addresses, so "::/0" is every IPv6 address and no IPv4 one.
struct IpPrefix {
  IpAddress base;         ///< host bits zero
  std::uint8_t bits = 0;  ///< over the 128-bit (IPv4-mapped) form: an IPv4 /24 is 96+24

  /// Parses "a.b.c.d/n" (n 0..32), IPv6 "x::/n" (n 0..128), or a bare address (/32, /128).
  /// @return the prefix, or an error saying what is wrong without repeating the text (callers
  /// know which key it came from): "not an IPv4 or IPv6 address", "prefix length is not a
  /// number", "prefix longer than 32", "host bits set (did you mean 10.0.0.0/8?)".
  /// Allocates only for the error; control thread (config), any thread in fact.
  static Result<IpPrefix> parse(std::string_view text);

  /// Whether this prefix matches IPv4 addresses (else IPv6 ones): an IPv4-mapped base and
  /// bits >= 96.
  bool isV4() const;
  /// Whether `ip` is inside the prefix (and of its family). No allocation; any thread.
  bool contains(const IpAddress& ip) const;
  /// Canonical text, IPv4 prefixes in dotted form with their IPv4 length: "10.0.0.0/8",
  /// "fc00::/7"; "::ffff:10.0.0.0/104" prints as "10.0.0.0/8". parse() reads it back to an
  /// equal prefix. Allocates.
  std::string toString() const;

  bool operator==(const IpPrefix&) const = default;
};

}  // namespace camwatch
