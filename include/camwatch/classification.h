// classification: what application classification found out about one flow, as a plain value
// (it lives in every flow record and goes into the flows output). Produced by a Classifier
// (camwatch/classifier.h); the protocol ids are named by that classifier's ProtocolNames.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace camwatch {

/// How a flow's hostname was learnt.
enum class HostnameSource : std::uint8_t { kNone, kSni, kHttpHost, kDnsQuery, kDnsCache, kOther };
std::string_view hostnameSourceName(HostnameSource source);

/// What flow records and alerts say of where the server's name came from: hostnameSourceName,
/// except "" for a DNS flow (its name is the question, written as dns_query: the server is the
/// resolver) and "none" for a public destination with no name at all (an address the camera
/// has built in).
std::string_view destinationNameSource(HostnameSource source, bool has_name,
                                       bool public_destination);

/// Small, plain data (it lives in every flow-table entry): protocol names are looked up from the
/// ids when the record is written out.
struct FlowClassification {
  bool final = false;    ///< no more packets go to the classifier
  bool guessed = false;  ///< the classifier gave up and guessed (by port or address)
  std::uint16_t master_protocol = 0;
  std::uint16_t app_protocol = 0;
  std::uint16_t category = 0;
  std::uint16_t packets_inspected = 0;
  std::uint64_t risk = 0;  ///< nDPI risk bitmap (bit n = ndpi_risk_enum n)
  HostnameSource hostname_source = HostnameSource::kNone;
  /// The TTL of the DNS answer the sensor saw for the server's address (seconds); 0: none.
  /// (In the padding after hostname_source: the struct does not grow.)
  std::uint32_t dns_ttl = 0;
  std::array<char, 80> hostname{};  ///< NUL-terminated (nDPI keeps 80 bytes too)
};

}  // namespace camwatch
