// The findings made from alerts of one family: what the policy denies, uploads over budget,
// hard-coded addresses, destination drift, unknown devices, new destinations, and any kind no
// other builder reports.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "report/finding_builders.h"
#include "report/html_cells.h"
#include "report/summary.h"

namespace camwatch::finding {
namespace {

// Distinct names in first-seen order.
void addName(std::vector<std::string>& names, std::string name) {
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
}

// Alerts grouped by a key (a rule, a kind, an address): cameras, destination names, kinds.
struct AlertGroup {
  std::set<IpAddress> cameras;
  std::vector<std::string> names;
  std::set<std::string> kinds;
};

Finding start(std::string id, std::string title, FindingLink evidence) {
  Finding finding;
  finding.id = std::move(id);
  finding.title = std::move(title);
  finding.evidence = std::move(evidence);
  return finding;
}

const FindingLink kAlertsLink{"the alerts", "alerts"};

}  // namespace

std::optional<Finding> deniedByPolicy(const FindingFacts& facts) {
  Finding finding = start("denied", "Denied by policy", kAlertsLink);
  const auto alerts = facts.alertsOf(
      {"disallowed_destination", "disallowed_country", "disallowed_asn", "dns_lookup_blocked"});
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  if (alerts.empty()) {
    finding.sentence = "No camera reached or looked up a destination the policy denies.";
    return finding;
  }
  std::map<std::string, AlertGroup> by_rule;
  std::set<IpAddress> cameras;
  std::set<std::string> destinations;
  for (const Alert* alert : alerts) {
    AlertGroup& group = by_rule[alert->rule];
    group.cameras.insert(alert->camera.ip);
    addName(group.names, destinationName(*alert));
    group.kinds.emplace(alertKindName(alert->kind));
    cameras.insert(alert->camera.ip);
    destinations.insert(destinationName(*alert));
  }
  finding.cameras = cameras.size();
  finding.sentence = fmt::format(
      "{} reached or looked up {} the policy denies ({}).", countText(cameras.size(), "camera"),
      countText(destinations.size(), "destination"), countText(by_rule.size(), "rule"));
  std::vector<FindingLine> lines;
  for (const auto& [rule, group] : by_rule) {
    const std::vector<std::string> kinds(group.kinds.begin(), group.kinds.end());
    // "default" is the group's default action, not a rule of that name (docs/policy.md).
    const std::string what = rule == "default" ? std::string("the default action") : rule;
    lines.push_back(lineAbout(
        facts, fmt::format("{} ({}): {}", what, listText(kinds, 4), listText(group.names)),
        group.cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> uploadsOverBudget(const FindingFacts& facts) {
  Finding finding = start("budget", "Uploads over budget", {"the egress timelines", "timelines"});
  const auto alerts = facts.alertsOf({"egress_volume"});
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  if (alerts.empty()) {
    finding.sentence = "No camera went over its egress budget.";
    return finding;
  }
  // Per camera, its largest window (notifications of one episode carry running totals).
  std::map<IpAddress, const Alert*> largest;
  for (const Alert* alert : alerts) {
    const Alert*& kept = largest[alert->camera.ip];
    if (kept == nullptr || alert->evidence.bytes > kept->evidence.bytes) kept = alert;
  }
  // Each camera's largest destination: the rows are by camera, then bytes out.
  std::map<IpAddress, const DestinationRow*> top_row;
  for (const DestinationRow& row : facts.rows) top_row.emplace(row.camera_ip, &row);
  std::vector<const Alert*> order;
  for (const auto& [ip, alert] : largest) order.push_back(alert);
  std::stable_sort(order.begin(), order.end(), [](const Alert* a, const Alert* b) {
    return a->evidence.bytes > b->evidence.bytes;
  });
  finding.cameras = order.size();
  finding.sentence =
      fmt::format("{} went over {} egress budget; the largest was {} in one window ({}).",
                  countText(order.size(), "camera"), order.size() == 1 ? "its" : "their",
                  humanBytes(order.front()->evidence.bytes),
                  cameraLabel(facts.camera(order.front()->camera.ip)));
  std::vector<FindingLine> lines;
  for (const Alert* alert : order) {
    std::string text =
        fmt::format("{} out in one window ({})", humanBytes(alert->evidence.bytes), alert->rule);
    if (const auto row = top_row.find(alert->camera.ip); row != top_row.end()) {
      const DestinationRow& top = *row->second;
      const std::string name = rowName(top);
      const std::string address = top.server_ip.toString();
      text += "; its largest destination " + name;
      std::vector<std::string> about;
      if (name != address) about.push_back(address);
      const std::string op = operatorText(top.network_operator, top.operator_country);
      if (!op.empty()) about.push_back("operated by " + op);
      for (std::size_t i = 0; i < about.size(); ++i) text += (i == 0 ? " (" : ", ") + about[i];
      text += fmt::format("{}: {} out", about.empty() ? "" : ")", humanBytes(top.bytes_out));
    }
    lines.push_back(lineAbout(facts, std::move(text), {alert->camera.ip}));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> hardcodedAddresses(const FindingFacts& facts) {
  Finding finding = start("hardcoded", "Hard-coded addresses", kAlertsLink);
  const auto alerts = facts.alertsOf({"hardcoded_address"});
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  if (alerts.empty()) {
    finding.sentence =
        "No camera was alerted for reaching a public address no name led to (hardcoded_address, "
        "raised where a group sets it).";
    return finding;
  }
  std::map<std::string, AlertGroup> by_address;
  std::set<IpAddress> cameras;
  for (const Alert* alert : alerts) {
    const AlertDestination& to = alert->destination;
    std::string where = to.ip ? to.ip->toString() : std::string("-");
    if (to.asn != 0) where += fmt::format(", AS{} {}", to.asn, to.org);
    const std::string op = operatorText(to.network_operator, to.operator_country);
    if (!op.empty()) where += ", operated by " + op;
    if (!to.country.empty()) where += ", in " + to.country;
    by_address[where].cameras.insert(alert->camera.ip);
    cameras.insert(alert->camera.ip);
  }
  finding.cameras = cameras.size();
  finding.sentence = fmt::format(
      "{} reached {} that no name led to (no DNS answer, TLS SNI or HTTP Host named it).",
      countText(cameras.size(), "camera"),
      countText(by_address.size(), "public address", "public addresses"));
  std::vector<FindingLine> lines;
  for (const auto& [where, group] : by_address)
    lines.push_back(lineAbout(facts, where, group.cameras));
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> destinationDrift(const FindingFacts& facts) {
  Finding finding = start("drift", "Destination drift", kAlertsLink);
  const auto alerts = facts.alertsOf({"destination_drift"});
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  if (alerts.empty()) {
    finding.sentence =
        "No allowed or learnt name was alerted for leading into another AS or country "
        "(destination_drift, raised where a group sets it).";
    return finding;
  }
  std::map<std::string, AlertGroup> by_name;
  std::set<IpAddress> cameras;
  for (const Alert* alert : alerts) {
    const AlertDestination& to = alert->destination;
    std::string before;
    for (const std::uint32_t asn : to.previous_asns) before += fmt::format(" AS{}", asn);
    for (const std::string& country : to.previous_countries) before += " " + country;
    const std::string text = fmt::format("{}: now AS{} {}, before{}", destinationName(*alert),
                                         to.asn, to.country.empty() ? "-" : to.country, before);
    by_name[text].cameras.insert(alert->camera.ip);
    cameras.insert(alert->camera.ip);
  }
  finding.cameras = cameras.size();
  finding.sentence =
      fmt::format("{} reached {} that now lead into another AS or country.",
                  countText(cameras.size(), "camera"), countText(by_name.size(), "name"));
  std::vector<FindingLine> lines;
  for (const auto& [text, group] : by_name) lines.push_back(lineAbout(facts, text, group.cameras));
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> unknownDevices(const FindingFacts& facts) {
  Finding finding = start("unknown", "Unknown devices", {"the camera list", "cameras"});
  const auto alerts = facts.alertsOf({"unknown_camera"});
  std::map<std::string, std::set<IpAddress>> by_vendor;
  std::set<IpAddress> devices;
  for (const SeenCamera& camera : facts.cameras) {
    if (camera.listed) continue;
    by_vendor[camera.camera.vendor].insert(camera.camera.ip);
    devices.insert(camera.camera.ip);
  }
  for (const Alert* alert : alerts) {
    by_vendor[alert->camera.vendor].insert(alert->camera.ip);
    devices.insert(alert->camera.ip);
  }
  finding.level =
      highestLevel(alerts, devices.empty() ? FindingLevel::kNothing : FindingLevel::kSeen);
  if (devices.empty()) {
    finding.sentence = "Every device seen on the camera networks is in the inventory.";
    return finding;
  }
  finding.cameras = devices.size();
  finding.sentence =
      fmt::format("{} not in the inventory {} seen on the camera networks.",
                  countText(devices.size(), "device"), devices.size() == 1 ? "was" : "were");
  std::vector<FindingLine> lines;
  for (const auto& [vendor, ips] : by_vendor) {
    std::string text = vendor.empty() ? std::string("vendor unknown") : vendor;
    std::vector<std::string> macs;
    for (const IpAddress& ip : ips) {
      const AlertCamera camera = facts.camera(ip);
      if (!camera.mac.empty()) macs.push_back(camera.mac);
    }
    text += ": " + countText(ips.size(), "device");
    if (!macs.empty()) text += " (MAC " + listText(macs) + ")";
    lines.push_back(lineAbout(facts, std::move(text), ips));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> newDestinations(const FindingFacts& facts) {
  const auto alerts = facts.alertsOf({"new_destination"});
  if (alerts.empty()) return std::nullopt;  // only a learning sensor raises them
  Finding finding = start("new-destination", "New destinations", kAlertsLink);
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  std::map<std::string, AlertGroup> by_rule;
  std::set<IpAddress> cameras;
  std::set<std::string> names;
  for (const Alert* alert : alerts) {
    AlertGroup& group = by_rule[alert->rule];
    group.cameras.insert(alert->camera.ip);
    addName(group.names, destinationName(*alert));
    cameras.insert(alert->camera.ip);
    names.insert(destinationName(*alert));
  }
  finding.cameras = cameras.size();
  finding.sentence =
      fmt::format("{} reached {} the learned baseline does not hold.",
                  countText(cameras.size(), "camera"), countText(names.size(), "destination"));
  std::vector<FindingLine> lines;
  for (const auto& [rule, group] : by_rule) {
    lines.push_back(lineAbout(facts, rule + ": " + listText(group.names), group.cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

std::optional<Finding> otherAlerts(const FindingFacts& facts) {
  const std::vector<std::string_view>& claimed = claimedAlertKinds();
  std::vector<const Alert*> alerts;
  for (const Alert& alert : facts.alerts) {
    if (std::find(claimed.begin(), claimed.end(), alertKindName(alert.kind)) == claimed.end()) {
      alerts.push_back(&alert);
    }
  }
  if (alerts.empty()) return std::nullopt;
  Finding finding = start("other-alerts", "Other alerts", kAlertsLink);
  finding.level = highestLevel(alerts, FindingLevel::kNothing);
  std::map<std::string, AlertGroup> by_kind;
  std::set<IpAddress> cameras;
  for (const Alert* alert : alerts) {
    AlertGroup& group = by_kind[std::string(alertKindName(alert->kind))];
    group.cameras.insert(alert->camera.ip);
    addName(group.names, destinationName(*alert));
    cameras.insert(alert->camera.ip);
  }
  finding.cameras = cameras.size();
  finding.sentence = fmt::format("{} raised alerts of {}.", countText(cameras.size(), "camera"),
                                 countText(by_kind.size(), "other kind"));
  std::vector<FindingLine> lines;
  for (const auto& [kind, group] : by_kind) {
    lines.push_back(lineAbout(facts, kind + ": " + listText(group.names), group.cameras));
  }
  addLines(finding, std::move(lines));
  return finding;
}

}  // namespace camwatch::finding
