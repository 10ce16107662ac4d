// Private to daemon/geo: the IPv4 address a lookup uses for an IPv6 address that embeds one.
#pragma once

#include <optional>

#include <camwatch/ip_address.h>

namespace camwatch::geo {

/// For an address in the NAT64 well-known prefix 64:ff9b::/96 (RFC 6052), the IPv4 address it
/// stands for; nullopt for every other address (IPv4-mapped ones are IPv4 already).
std::optional<IpAddress> nat64Embedded(const IpAddress& address);

}  // namespace camwatch::geo
