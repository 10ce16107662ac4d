// The kinds and severities of alerts: shared by the policy engine (which decides) and the alert
// engine (which raises, deduplicates and delivers). Names are stable: they are label values in
// Alertmanager and Prometheus and keys in the alert JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace camwatch {

enum class AlertKind : std::uint8_t {
  kVendorCloud,            ///< "vendor_cloud": a camera talks to its vendor's cloud
  kDisallowedDestination,  ///< "disallowed_destination": a deny rule or the default action
  kDisallowedCountry,      ///< "disallowed_country"
  kDisallowedAsn,          ///< "disallowed_asn"
  kP2pOrRelay,             ///< "p2p_or_relay": STUN/TURN or a P2P service
  kDnsLookupBlocked,       ///< "dns_lookup_blocked": a camera resolves a denied name
  kNewDestination,         ///< "new_destination": not seen while learning
  kEgressVolume,           ///< "egress_volume": bytes out over the camera's budget
  kUnknownCamera,          ///< "unknown_camera": a new device in a camera subnet
  /// "hardcoded_address": egress to a public address no DNS answer, SNI or Host named
  kHardcodedAddress,
  /// "destination_drift": an allowed or learnt name now leads into another AS or country
  kDestinationDrift,
  /// "external_resolver": plain DNS (udp/tcp 53, or nDPI's DNS) to a resolver the camera's group
  /// does not allow
  kExternalResolver,
  /// "encrypted_dns": DNS over TLS, QUIC or HTTPS to a resolver the group does not allow
  kEncryptedDns,
};

enum class Severity : std::uint8_t { kInfo, kWarning, kCritical };

std::string_view alertKindName(AlertKind kind);
std::optional<AlertKind> alertKindFromName(std::string_view name);
std::string_view severityName(Severity severity);
std::optional<Severity> severityFromName(std::string_view name);

}  // namespace camwatch
