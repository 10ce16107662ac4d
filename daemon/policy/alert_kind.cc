#include <array>
#include <utility>

#include <camwatch/alert_kind.h>

namespace camwatch {
namespace {
constexpr std::array<std::pair<AlertKind, std::string_view>, 13> kKindNames = {{
    {AlertKind::kVendorCloud, "vendor_cloud"},
    {AlertKind::kDisallowedDestination, "disallowed_destination"},
    {AlertKind::kDisallowedCountry, "disallowed_country"},
    {AlertKind::kDisallowedAsn, "disallowed_asn"},
    {AlertKind::kP2pOrRelay, "p2p_or_relay"},
    {AlertKind::kDnsLookupBlocked, "dns_lookup_blocked"},
    {AlertKind::kNewDestination, "new_destination"},
    {AlertKind::kEgressVolume, "egress_volume"},
    {AlertKind::kUnknownCamera, "unknown_camera"},
    {AlertKind::kHardcodedAddress, "hardcoded_address"},
    {AlertKind::kDestinationDrift, "destination_drift"},
    {AlertKind::kExternalResolver, "external_resolver"},
    {AlertKind::kEncryptedDns, "encrypted_dns"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 3> kSeverityNames = {{
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kCritical, "critical"},
}};
}  // namespace

std::string_view alertKindName(AlertKind kind) {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) return name;
  }
  return "unknown";
}

std::optional<AlertKind> alertKindFromName(std::string_view name) {
  for (const auto& [value, text] : kKindNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string_view severityName(Severity severity) {
  for (const auto& [value, name] : kSeverityNames) {
    if (value == severity) return name;
  }
  return "unknown";
}

std::optional<Severity> severityFromName(std::string_view name) {
  for (const auto& [value, text] : kSeverityNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

}  // namespace camwatch
