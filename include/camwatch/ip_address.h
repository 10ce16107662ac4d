// IpAddress: one fixed-size value for IPv4 and IPv6, so flow keys have one shape.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace camwatch
