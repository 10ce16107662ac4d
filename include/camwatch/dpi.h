// dpi/: nDPI, one module per worker, with camwatch's camera-cloud protocols, per-thread memory
// accounting and the protocol names.
//
// dpi: what other components need of application classification with nDPI: its configuration
// and the names of nDPI's risks. The classifier itself (NdpiClassifier, a Classifier) is private
// to daemon/dpi/ndpi_classifier.h; workers see it through camwatch/classifier.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camwatch {

/// Names of the risks set in an nDPI risk bitmap ("Known Protocol on Non Standard Port", ...).
std::vector<std::string> riskNames(std::uint64_t risk);

struct DpiConfig {
  bool enabled = true;
  std::string protocols_file;  ///< custom protocols (nDPI format); empty = none
  /// The vendor clouds' names camwatch matches by hostname (loadVendorCloudNames); empty = none.
  /// Read by the policy, not by nDPI.
  std::string cloud_names_file;
  /// Public DNS-over-HTTPS services by name and address (loadDohResolvers): a camera's flow to
  /// one on port 443 is DoH (encrypted_dns). Empty = none (then nDPI's DoH_DoT only). Read by the
  /// policy, not by nDPI.
  std::string doh_resolvers_file;
  std::uint16_t max_tcp_packets = 80;  ///< give up after this many packets (ndpiReader: 80)
  std::uint16_t max_udp_packets = 24;  ///< (ndpiReader: 24)
};

}  // namespace camwatch
