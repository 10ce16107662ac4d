// nftables_export: the learned baseline as an nftables ruleset for the router between the camera
// VLANs and the internet: one table, per group a set of its cameras and a set of allowed
// destination address . protocol . port, and a forward chain that accepts those and logs and
// drops the rest of the group's egress (docs/enforcement.md). Names are written as the addresses
// camwatch saw them lead to while learning: nothing is looked up when exporting.
#pragma once

#include <string>
#include <vector>

#include <camwatch/baseline.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

struct NftablesGroup {
  std::string name;
  std::vector<LearntDestination> destinations;  ///< LearnedBaseline::destinations
};

struct NftablesExportOptions {
  Timestamp generated = 0;  ///< said in the header comment
  /// Hosts on the site beside the private ranges (inventory.local_networks): cameras reach them
  /// without a rule.
  std::vector<IpPrefix> local_networks;
};

/// The ruleset text, for `nft -f`. Reloading it replaces the table. Allocates.
std::string nftablesRuleset(const std::vector<NftablesGroup>& groups,
                            const NftablesExportOptions& options);

}  // namespace camwatch
