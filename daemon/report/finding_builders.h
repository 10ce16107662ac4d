// The finding builders (findings.h) and the helpers they share. Private to report/: the list in
// findings.cc is what the report runs.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "report/findings.h"

namespace camwatch::finding {

// finding_builders_alerts.cc: findings made from alerts of one family.
std::optional<Finding> deniedByPolicy(const FindingFacts& facts);
std::optional<Finding> uploadsOverBudget(const FindingFacts& facts);
std::optional<Finding> hardcodedAddresses(const FindingFacts& facts);
std::optional<Finding> destinationDrift(const FindingFacts& facts);
std::optional<Finding> unknownDevices(const FindingFacts& facts);
std::optional<Finding> newDestinations(const FindingFacts& facts);
std::optional<Finding> otherAlerts(const FindingFacts& facts);

// finding_builders_traffic.cc: findings made from the destination rows and the digest (with the
// alerts that decide their level).
std::optional<Finding> vendorClouds(const FindingFacts& facts);
std::optional<Finding> jurisdictions(const FindingFacts& facts);
std::optional<Finding> p2pAndRelays(const FindingFacts& facts);
std::optional<Finding> dnsOutsideTheSite(const FindingFacts& facts);
std::optional<Finding> seenAndAllowed(const FindingFacts& facts);
std::optional<Finding> beacons(const FindingFacts& facts);  ///< from FindingFacts::digest

// --- helpers (findings.cc) ---

/// The level of the most severe of `alerts`; `otherwise` when there are none.
FindingLevel highestLevel(const std::vector<const Alert*>& alerts, FindingLevel otherwise);

/// A line about `cameras` (by address), with links to at most kFindingLinksPerLine of them.
FindingLine lineAbout(const FindingFacts& facts, std::string text,
                      const std::set<IpAddress>& cameras);

/// Appends `lines` to the finding, at most kFindingLines in all; counts the rest.
void addLines(Finding& finding, std::vector<FindingLine> lines);

/// "a, b and c"; beyond `shown` names: "a, b, c and 4 more".
std::string listText(const std::vector<std::string>& names, std::size_t shown = 3);

/// What an alert's destination is called: the DNS question, else the hostname, else the
/// address, else "-".
std::string destinationName(const Alert& alert);

/// The parts of an nDPI protocol name: "TLS.HikConnect" -> {"TLS", "HikConnect"}.
std::vector<std::string_view> protocolParts(std::string_view protocol);

/// The part of `rule` after `prefix` ("catalog:HikConnect", "catalog:") -> "HikConnect"; empty
/// when the rule does not start with it.
std::string_view ruleSuffix(std::string_view rule, std::string_view prefix);

/// A row's destination in a few words: its first hostname, else its address.
std::string rowName(const DestinationRow& row);

}  // namespace camwatch::finding
