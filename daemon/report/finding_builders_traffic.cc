// The findings made from the destination rows, with the alerts that decide their level: vendor
// clouds, jurisdictions, P2P and relays, DNS outside the site, and what was seen and allowed.
// Rows stop at replay.max_destination_rows; each such finding says when some egress was not
// itemised.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include <camwatch/policy.h>

#include "report/finding_builders.h"
#include "report/html_cells.h"
#include "report/summary.h"
#include "util/text.h"

namespace camwatch::finding {
namespace {

// Egress grouped by a key (a vendor cloud, a country, a protocol, a resolver).
struct EgressGroup {
  std::set<IpAddress> cameras;
  std::set<IpAddress> servers;
  std::uint64_t bytes = 0;
  std::vector<std::string> names;  // distinct, first seen first
  void addName(std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
  }
  void add(const DestinationRow& row) {
    cameras.insert(row.camera_ip);
    servers.insert(row.server_ip);
    bytes += row.bytes_out;
    addName(rowName(row));
  }
};

// Groups with the most cameras first, then the most bytes, then by key.
std::vector<std::pair<std::string, const EgressGroup*>> ranked(
    const std::map<std::string, EgressGroup>& groups) {
  std::vector<std::pair<std::string, const EgressGroup*>> order;
  for (const auto& [key, group] : groups) order.emplace_back(key, &group);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (a.second->cameras.size() != b.second->cameras.size()) {
      return a.second->cameras.size() > b.second->cameras.size();
    }
    return a.second->bytes > b.second->bytes;
  });
  return order;
}

Finding start(std::string id, std::string title, FindingLink evidence) {
  Finding finding;
  finding.id = std::move(id);
  finding.title = std::move(title);
  finding.evidence = std::move(evidence);
  return finding;
}

std::set<IpAddress> camerasOf(const std::map<std::string, EgressGroup>& groups) {
  std::set<IpAddress> cameras;
  for (const auto& [key, group] : groups)
    cameras.insert(group.cameras.begin(), group.cameras.end());
  return cameras;
}

// " Egress beyond the N itemised rows is not in this count." when rows were cut.
std::string rowsCaveat(const FindingFacts& facts) {
  if (facts.unitemised_flows == 0) return {};
  return fmt::format(" ({} egress flows beyond replay.max_destination_rows are not in this count.)",
                     facts.unitemised_flows);
}

// "HikConnect (2 cameras), Dahua_Imou (1 camera)".
std::string keysWithCameras(const std::vector<std::pair<std::string, const EgressGroup*>>& order) {
  std::vector<std::string> parts;
  for (const auto& [key, group] : order) {
    parts.push_back(key + " (" + countText(group->cameras.size(), "camera") + ")");
  }
  return listText(parts);
}

}  // namespace

std::optional<Finding> vendorClouds(const FindingFacts& facts) {
  Finding finding =
      start("vendor-cloud", "Vendor clouds", {"egress by vendor cloud", "chart-vendor-cloud"});
  std::map<std::string, EgressGroup> clouds;
  for (const DestinationRow& row : facts.rows) {
    if (!row.vendor_cloud.empty()) clouds[row.vendor_cloud].add(row);
  }
  const auto alerts = facts.alertsOf({"vendor_cloud"});
  for (const Alert* alert : alerts) {
    std::string cloud(ruleSuffix(alert->rule, "catalog:"));
    if (cloud.empty()) cloud = alert->protocol.app;
    EgressGroup& group = clouds[cloud];
    group.cameras.insert(alert->camera.ip);
    group.addName(destinationName(*alert));
  }
  finding.level =
      highestLevel(alerts, clouds.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  if (clouds.empty()) {
    finding.sentence = "No camera contacted a vendor cloud." + rowsCaveat(facts);
    return finding;
  }
  const auto order = ranked(clouds);
  const std::set<IpAddress> cameras = camerasOf(clouds);
  finding.cameras = cameras.size();
  finding.sentence = fmt::format("{} contacted {}: {}.{}", countText(cameras.size(), "camera"),
                                 countText(clouds.size(), "vendor cloud"), keysWithCameras(order),
                                 rowsCaveat(facts));
  std::vector<FindingLine> lines;
  for (const auto& [cloud, group] : order) {
    lines.push_back(lineAbout(
        facts,
        fmt::format("{}: {} out to {}", cloud, humanBytes(group->bytes), listText(group->names)),
        group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> jurisdictions(const FindingFacts& facts) {
  const std::string& home = facts.home_country;
  Finding finding =
      start("jurisdiction", home.empty() ? "Operator countries" : "Foreign jurisdictions",
            {"egress by operator country", "chart-operator-country"});
  const auto counts = [&](const std::string& country) {
    return !country.empty() && (home.empty() || country != home);
  };
  std::map<std::string, EgressGroup> countries;
  std::map<std::string, std::set<std::string>> operators;
  std::uint64_t not_listed = 0;
  for (const DestinationRow& row : facts.rows) {
    if (row.bytes_out == 0) continue;
    if (row.operator_country.empty()) {
      not_listed += row.bytes_out;
    } else if (counts(row.operator_country)) {
      countries[row.operator_country].add(row);
      operators[row.operator_country].insert(row.network_operator);
    }
  }
  std::vector<const Alert*> alerts;
  for (const Alert& alert : facts.alerts) {
    if (counts(alert.destination.operator_country)) alerts.push_back(&alert);
  }
  finding.level =
      highestLevel(alerts, countries.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  const std::string unlisted =
      not_listed == 0 ? std::string()
                      : fmt::format(" {} went to networks the operators file does not list.",
                                    humanBytes(not_listed));
  if (countries.empty()) {
    finding.sentence =
        (home.empty() ? std::string("No camera sent data to an operator the operators file lists.")
                      : fmt::format("No camera sent data to a listed operator under a foreign "
                                    "jurisdiction (home: {}).",
                                    home)) +
        unlisted + rowsCaveat(facts);
    return finding;
  }
  std::uint64_t bytes = 0;
  for (const auto& [country, group] : countries) bytes += group.bytes;
  const std::set<IpAddress> cameras = camerasOf(countries);
  finding.cameras = cameras.size();
  const auto order = ranked(countries);
  finding.sentence =
      home.empty()
          ? fmt::format(
                "{} sent {} to operators in {}: {} (set sensor.country to name the "
                "foreign ones).",
                countText(cameras.size(), "camera"), humanBytes(bytes),
                countText(countries.size(), "country", "countries"), keysWithCameras(order))
          : fmt::format("{} sent {} to operators under {} (home: {}): {}.",
                        countText(cameras.size(), "camera"), humanBytes(bytes),
                        countText(countries.size(), "foreign jurisdiction"), home,
                        keysWithCameras(order));
  finding.sentence += unlisted + rowsCaveat(facts);
  std::vector<FindingLine> lines;
  for (const auto& [country, group] : order) {
    const std::vector<std::string> names(operators[country].begin(), operators[country].end());
    lines.push_back(lineAbout(facts,
                              fmt::format("{}: {}; {} out to {}", country, listText(names),
                                          humanBytes(group->bytes), listText(group->names)),
                              group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> p2pAndRelays(const FindingFacts& facts) {
  Finding finding = start("p2p", "P2P and relays", {"the alerts", "alerts"});
  const std::vector<std::string>& p2p = defaultP2pProtocols();
  const auto p2pPart = [&](const DestinationRow& row) -> std::string {
    if (const std::string_view name = ruleSuffix(row.rule, "p2p:"); !name.empty()) {
      return std::string(name);
    }
    for (const std::string_view part : protocolParts(row.protocol)) {
      for (const std::string& known : p2p) {
        if (equalsIgnoreCase(part, known)) return known;
      }
    }
    return {};
  };
  std::map<std::string, EgressGroup> protocols;
  for (const DestinationRow& row : facts.rows) {
    if (const std::string name = p2pPart(row); !name.empty()) protocols[name].add(row);
  }
  const auto alerts = facts.alertsOf({"p2p_or_relay"});
  for (const Alert* alert : alerts) {
    std::string name(ruleSuffix(alert->rule, "p2p:"));
    if (name.empty()) name = alert->protocol.app;
    EgressGroup& group = protocols[name];
    group.cameras.insert(alert->camera.ip);
    if (alert->destination.ip) group.servers.insert(*alert->destination.ip);
  }
  finding.level =
      highestLevel(alerts, protocols.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  if (protocols.empty()) {
    finding.sentence = "No camera used a P2P or relay protocol (STUN, Teredo, BitTorrent, ...)." +
                       rowsCaveat(facts);
    return finding;
  }
  const std::set<IpAddress> cameras = camerasOf(protocols);
  finding.cameras = cameras.size();
  const auto order = ranked(protocols);
  finding.sentence =
      fmt::format("{} used P2P or relay protocols: {}.{}", countText(cameras.size(), "camera"),
                  keysWithCameras(order), rowsCaveat(facts));
  std::vector<FindingLine> lines;
  for (const auto& [name, group] : order) {
    lines.push_back(
        lineAbout(facts,
                  fmt::format("{}: {}, {} out", name, countText(group->servers.size(), "server"),
                              humanBytes(group->bytes)),
                  group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> dnsOutsideTheSite(const FindingFacts& facts) {
  Finding finding = start("dns", "DNS outside the site", {"the camera list", "cameras"});
  // Keyed by "encrypted DNS" / "DNS" and the resolver, so each kind counts its own resolvers.
  std::map<std::string, EgressGroup> resolvers;
  std::set<std::string> encrypted;
  const auto key = [](bool is_encrypted, const std::string& address, const std::string& op) {
    std::string text = (is_encrypted ? "encrypted DNS " : "DNS ") + address;
    if (!op.empty()) text += " (" + op + ")";
    return text;
  };
  for (const DestinationRow& row : facts.rows) {
    const std::vector<std::string_view> parts = protocolParts(row.protocol);
    const bool dot =
        std::find(row.server_ports.begin(), row.server_ports.end(), 853) != row.server_ports.end();
    const bool doh = std::find(parts.begin(), parts.end(), "DoH_DoT") != parts.end();
    const bool plain = !parts.empty() && parts[0] == "DNS";
    if (!dot && !doh && !plain) continue;
    const std::string name = key(dot || doh, row.server_ip.toString(),
                                 operatorText(row.network_operator, row.operator_country));
    resolvers[name].add(row);
    if (dot || doh) encrypted.insert(name);
  }
  const auto alerts = facts.alertsOf({"external_resolver", "encrypted_dns"});
  for (const Alert* alert : alerts) {
    const bool is_encrypted = alertKindName(alert->kind) == "encrypted_dns";
    const AlertDestination& to = alert->destination;
    const std::string name = key(is_encrypted, to.ip ? to.ip->toString() : destinationName(*alert),
                                 operatorText(to.network_operator, to.operator_country));
    resolvers[name].cameras.insert(alert->camera.ip);
    if (is_encrypted) encrypted.insert(name);
  }
  finding.level =
      highestLevel(alerts, resolvers.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  if (resolvers.empty()) {
    finding.sentence =
        "No camera used a DNS resolver outside the site or encrypted DNS." + rowsCaveat(facts);
    return finding;
  }
  const std::set<IpAddress> cameras = camerasOf(resolvers);
  finding.cameras = cameras.size();
  finding.sentence =
      fmt::format("{} used {} outside the site and {}.{}", countText(cameras.size(), "camera"),
                  countText(resolvers.size() - encrypted.size(), "DNS resolver"),
                  countText(encrypted.size(), "encrypted DNS service"), rowsCaveat(facts));
  std::vector<FindingLine> lines;
  for (const auto& [name, group] : ranked(resolvers)) {
    lines.push_back(lineAbout(facts, name, group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> seenAndAllowed(const FindingFacts& facts) {
  Finding finding = start("allowed", "Seen and allowed", {"the camera list", "cameras"});
  std::map<std::string, EgressGroup> protocols;
  for (const DestinationRow& row : facts.rows) {
    if (row.verdict == "allow") protocols[row.l4 + " " + row.protocol].add(row);
  }
  std::set<IpAddress> talking;
  for (const DestinationRow& row : facts.rows) talking.insert(row.camera_ip);
  for (const Alert& alert : facts.alerts) talking.insert(alert.camera.ip);
  std::uint64_t quiet = 0;
  for (const SeenCamera& camera : facts.cameras) {
    if (camera.egress_bytes == 0 && camera.alerts == 0 && !talking.contains(camera.camera.ip)) {
      ++quiet;
    }
  }
  const std::string quiet_text =
      fmt::format(" {} had local traffic only.", countText(quiet, "camera"));
  finding.level = protocols.empty() ? FindingLevel::kNothing : FindingLevel::kSeen;
  if (protocols.empty()) {
    finding.sentence =
        (facts.rows.empty() && facts.unitemised_flows == 0
             ? std::string("No camera sent anything outside the local networks.")
             : std::string("No egress was allowed: every flow out raised an alert.")) +
        quiet_text;
    return finding;
  }
  std::set<IpAddress> servers;
  std::uint64_t bytes = 0;
  for (const auto& [name, group] : protocols) {
    servers.insert(group.servers.begin(), group.servers.end());
    bytes += group.bytes;
  }
  const std::set<IpAddress> cameras = camerasOf(protocols);
  finding.cameras = cameras.size();
  finding.sentence = fmt::format(
      "{} sent {} to {} the policy allows.{}{}", countText(cameras.size(), "camera"),
      humanBytes(bytes), countText(servers.size(), "destination"), quiet_text, rowsCaveat(facts));
  std::vector<FindingLine> lines;
  for (const auto& [name, group] : ranked(protocols)) {
    lines.push_back(lineAbout(
        facts,
        fmt::format("{}: {}, {} out to {}", name, countText(group->servers.size(), "destination"),
                    humanBytes(group->bytes), listText(group->names)),
        group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> beacons(const FindingFacts& facts) {
  Finding finding = start("beacons", "Beacons", {"the beacons", "beacons"});
  const std::vector<BeaconTally> found =
      facts.digest != nullptr ? facts.digest->beacons() : std::vector<BeaconTally>{};
  // The level: alerts whose evidence says their flows were a beacon.
  std::vector<const Alert*> alerts;
  for (const Alert& alert : facts.alerts) {
    if (alert.evidence.beacon) alerts.push_back(&alert);
  }
  finding.level =
      highestLevel(alerts, found.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  if (found.empty()) {
    finding.sentence = "No camera contacted a destination at a regular interval.";
    return finding;
  }
  // One line per destination and rhythm, with the cameras that keep it.
  std::map<std::string, EgressGroup> rhythms;
  std::set<IpAddress> cameras;
  for (const BeaconTally& beacon : found) {
    const std::string name = beacon.hostname.empty()
                                 ? beacon.server_ip.toString()
                                 : beacon.hostname.substr(0, beacon.hostname.find(' '));
    const std::string key = fmt::format(
        "{}: every {:.1f} s (jitter {:.1f} s)", name,
        static_cast<double>(beacon.beacon.period) / static_cast<double>(kNanosPerSecond),
        static_cast<double>(beacon.beacon.jitter) / static_cast<double>(kNanosPerSecond));
    rhythms[key].cameras.insert(beacon.camera_ip);
    rhythms[key].servers.insert(beacon.server_ip);
    cameras.insert(beacon.camera_ip);
  }
  finding.cameras = cameras.size();
  finding.sentence = fmt::format(
      "{} contacted {} at a regular interval ({}).", countText(cameras.size(), "camera"),
      countText(found.size(), "destination"), countText(rhythms.size(), "rhythm"));
  std::vector<FindingLine> lines;
  for (const auto& [rhythm, group] : ranked(rhythms)) {
    lines.push_back(lineAbout(facts, rhythm, group->cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

}  // namespace camwatch::finding
