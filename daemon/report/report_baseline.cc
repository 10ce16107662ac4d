// The baseline section: one sortable table per learnt group, the columns of `baseline show`.
#include "report/report_baseline.h"

#include <string>
#include <vector>

#include <fmt/format.h>

#include <camwatch/baseline.h>

#include "report/html_cells.h"

namespace camwatch {
namespace {

template <typename Set, typename Text>
std::string joined(const Set& set, Text text) {
  std::string out;
  for (const auto& item : set) {
    if (!out.empty()) out += ", ";
    out += text(item);
  }
  return out;
}

std::string asText(const LearntDestination& destination) {
  std::string out =
      joined(destination.asns, [](std::uint32_t asn) { return fmt::format("AS{}", asn); });
  if (!destination.operator_name.empty()) {
    out += (out.empty() ? "" : " ") + destination.operator_name;
  }
  return out;
}

}  // namespace

std::string baselineNavLink(const ReplayOutcome& result) {
  return result.baseline ? " &middot; <a href=\"#baseline\">baseline</a>" : "";
}

void appendBaseline(std::string& html, const ReplayOutcome& result) {
  if (!result.baseline) return;
  const LearnedBaseline& baseline = *result.baseline;
  html += "<h2 id=\"baseline\">Learned baseline</h2>\n";
  html += fmt::format(
      "<p>Learning phase at the end: {}; learning started {}. What the baseline holds, per "
      "group: review it (<code>camwatch baseline show</code>, <code>remove</code>) before "
      "exporting it as a MUD profile or an nftables ruleset (docs/enforcement.md).</p>\n",
      esc(result.learning_phase),
      baseline.learningStarted() == 0 ? std::string("not yet")
                                      : esc(timeText(baseline.learningStarted())));
  const std::vector<std::string> groups = baseline.groupNames();
  if (groups.empty()) {
    html += "<p class=\"muted\">Nothing learnt.</p>\n";
    return;
  }
  for (const std::string& group : groups) {
    const std::vector<LearntDestination> destinations = baseline.destinations(group);
    const std::string id = fmt::format("baseline-{}", group);
    html += fmt::format("<h3>group {}: {}</h3>\n", esc(group),
                        countText(destinations.size(), "destination"));
    html += filterBox(id);
    html += "<table class=\"sortable\" id=\"" + esc(id) +
            "\"><thead><tr><th>destination</th><th>AS / operator</th><th>country</th>"
            "<th>protocol</th><th>ports</th><th>cameras</th><th>flows</th><th>bytes</th>"
            "<th>first seen</th><th>last seen</th></tr></thead><tbody>\n";
    for (const LearntDestination& destination : destinations) {
      html += "<tr><td class=\"host\">" + esc(destination.name) + "</td>" +
              textCell(asText(destination)) +
              textCell(joined(destination.countries, [](const std::string& c) { return c; })) +
              textCell(joined(destination.protocols, [](const std::string& p) { return p; })) +
              textCell(joined(destination.ports,
                              [](const LearntPort& port) { return port.toString(); })) +
              textCell(joined(destination.cameras,
                              [](const IpAddress& camera) { return camera.toString(); })) +
              numberCell(destination.flows) + bytesCell(destination.bytes) +
              timeCell(destination.first_seen) + timeCell(destination.last_seen) + "</tr>\n";
    }
    html += "</tbody></table>\n";
  }
}

}  // namespace camwatch
