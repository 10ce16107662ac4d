#include "report/findings.h"

#include <algorithm>

#include <camwatch/alert_kind.h>

#include "report/finding_builders.h"
#include "report/html_cells.h"

namespace camwatch {

std::string_view findingLevelName(FindingLevel level) {
  switch (level) {
    case FindingLevel::kNothing:
      return "nothing found";
    case FindingLevel::kSeen:
      return "seen";
    case FindingLevel::kInfo:
      return "info";
    case FindingLevel::kWarning:
      return "warning";
    case FindingLevel::kCritical:
      return "critical";
  }
  return "seen";
}

FindingLevel levelOf(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return FindingLevel::kInfo;
    case Severity::kWarning:
      return FindingLevel::kWarning;
    case Severity::kCritical:
      return FindingLevel::kCritical;
  }
  return FindingLevel::kWarning;
}

FindingFacts::FindingFacts(const std::vector<Alert>& alerts_in,
                           const std::vector<SeenCamera>& cameras_in,
                           const std::vector<DestinationRow>& rows_in, std::string home,
                           std::uint64_t unitemised, const FlowDigest* digest_in)
    : alerts(alerts_in),
      cameras(cameras_in),
      rows(rows_in),
      home_country(std::move(home)),
      unitemised_flows(unitemised),
      digest(digest_in) {
  for (const SeenCamera& camera : cameras) by_ip_.emplace(camera.camera.ip, &camera);
}

AlertCamera FindingFacts::camera(const IpAddress& ip) const {
  const auto found = by_ip_.find(ip);
  if (found != by_ip_.end()) return found->second->camera;
  AlertCamera bare;
  bare.ip = ip;
  return bare;
}

std::vector<const Alert*> FindingFacts::alertsOf(
    std::initializer_list<std::string_view> kinds) const {
  std::vector<const Alert*> out;
  for (const Alert& alert : alerts) {
    const std::string_view name = alertKindName(alert.kind);
    if (std::find(kinds.begin(), kinds.end(), name) != kinds.end()) out.push_back(&alert);
  }
  return out;
}

// The list: the order breaks ties between findings of one level, so the questions people ask
// first come first. A new finding is one builder function and one line here.
const std::vector<FindingBuilder>& findingBuilders() {
  static const std::vector<FindingBuilder> kBuilders = {
      finding::deniedByPolicy,     finding::vendorClouds,    finding::jurisdictions,
      finding::uploadsOverBudget,  finding::p2pAndRelays,    finding::dnsOutsideTheSite,
      finding::hardcodedAddresses, finding::beacons,         finding::destinationDrift,
      finding::unknownDevices,     finding::newDestinations, finding::otherAlerts,
      finding::seenAndAllowed,
  };
  return kBuilders;
}

const std::vector<std::string_view>& claimedAlertKinds() {
  static const std::vector<std::string_view> kClaimed = {
      "disallowed_destination", "disallowed_country", "disallowed_asn",    "dns_lookup_blocked",
      "vendor_cloud",           "egress_volume",      "p2p_or_relay",      "external_resolver",
      "encrypted_dns",          "hardcoded_address",  "destination_drift", "unknown_camera",
      "new_destination",
  };
  return kClaimed;
}

void orderFindings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return static_cast<int>(a.level) > static_cast<int>(b.level);
  });
}

std::vector<Finding> buildFindings(const FindingFacts& facts) {
  std::vector<Finding> findings;
  for (const FindingBuilder builder : findingBuilders()) {
    if (std::optional<Finding> found = builder(facts)) findings.push_back(std::move(*found));
  }
  orderFindings(findings);
  return findings;
}

namespace finding {

FindingLevel highestLevel(const std::vector<const Alert*>& alerts, FindingLevel otherwise) {
  if (alerts.empty()) return otherwise;
  Severity highest = Severity::kInfo;
  for (const Alert* alert : alerts) highest = std::max(highest, alert->severity);
  return levelOf(highest);
}

FindingLine lineAbout(const FindingFacts& facts, std::string text,
                      const std::set<IpAddress>& cameras) {
  FindingLine line;
  line.text = std::move(text);
  for (const IpAddress& ip : cameras) {
    if (line.cameras.size() == kFindingLinksPerLine) {
      ++line.more_cameras;
      continue;
    }
    line.cameras.push_back({cameraLabel(facts.camera(ip)), cameraAnchor(ip)});
  }
  return line;
}

void addLines(Finding& finding, std::vector<FindingLine> lines) {
  for (FindingLine& line : lines) {
    if (finding.lines.size() == kFindingLines) {
      ++finding.more_lines;
    } else {
      finding.lines.push_back(std::move(line));
    }
  }
}

std::string listText(const std::vector<std::string>& names, std::size_t shown) {
  std::string text;
  const std::size_t listed = std::min(names.size(), shown);
  for (std::size_t i = 0; i < listed; ++i) {
    if (i > 0) text += i + 1 == listed && names.size() == listed ? " and " : ", ";
    text += names[i];
  }
  if (names.size() > listed) text += " and " + std::to_string(names.size() - listed) + " more";
  return text;
}

std::string destinationName(const Alert& alert) {
  const AlertDestination& to = alert.destination;
  if (!to.dns_query.empty()) return to.dns_query;
  if (!to.hostname.empty()) return to.hostname;
  if (to.ip) return to.ip->toString();
  return "-";
}

std::vector<std::string_view> protocolParts(std::string_view protocol) {
  std::vector<std::string_view> parts;
  while (!protocol.empty()) {
    const std::size_t dot = protocol.find('.');
    parts.push_back(protocol.substr(0, dot));
    if (dot == std::string_view::npos) break;
    protocol.remove_prefix(dot + 1);
  }
  return parts;
}

std::string_view ruleSuffix(std::string_view rule, std::string_view prefix) {
  return rule.starts_with(prefix) ? rule.substr(prefix.size()) : std::string_view();
}

std::string rowName(const DestinationRow& row) {
  if (row.hostname.empty()) return row.server_ip.toString();
  return row.hostname.substr(0, row.hostname.find(' '));
}

}  // namespace finding
}  // namespace camwatch
