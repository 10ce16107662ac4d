#include "report/report_cameras.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/html_cells.h"
#include "report/summary.h"

namespace camwatch {
namespace {

using Rows = std::vector<const DestinationRow*>;

std::string destinationTable(const Rows& rows, const std::string& id, std::size_t limit) {
  std::string html = filterBox(id);
  html += "<table class=\"sortable\" id=\"" + id +
          "\"><thead><tr><th>hostname</th><th>IP</th><th>country</th><th>ASN / org</th>"
          "<th>operator</th>"
          "<th>protocol</th><th>ports</th><th>flows</th><th>bytes out</th><th>bytes in</th>"
          "<th>first seen</th><th>last seen</th><th>vendor cloud</th><th>verdict</th></tr>"
          "</thead><tbody>\n";
  std::size_t shown = 0;
  for (const DestinationRow* row : rows) {
    if (shown++ == limit) break;
    std::string ports;
    for (const std::uint16_t port : row->server_ports) {
      if (!ports.empty()) ports += ' ';
      ports += std::to_string(port);
    }
    const std::string asn =
        row->asn == 0 ? std::string() : fmt::format("AS{} {}", row->asn, row->org);
    std::string verdict = "<td class=\"" + std::string(row->verdict == "deny" ? "deny" : "allow") +
                          "\">" + esc(row->verdict);
    if (!row->alert_kind.empty()) verdict += " (" + esc(row->alert_kind) + ")";
    if (!row->rule.empty()) verdict += "<br><span class=\"muted\">" + esc(row->rule) + "</span>";
    verdict += "</td>";
    html += "<tr><td class=\"host\">" + esc(row->hostname) + "</td>" +
            textCell(row->server_ip.toString()) + textCell(row->country) + textCell(asn) +
            textCell(operatorText(row->network_operator, row->operator_country)) +
            textCell(row->l4 + " " + row->protocol) + textCell(ports) + numberCell(row->flows) +
            bytesCell(row->bytes_out) + bytesCell(row->bytes_in) + timeCell(row->first_seen) +
            timeCell(row->last_seen) + textCell(row->vendor_cloud) + verdict + "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (rows.size() > limit) {
    html += fmt::format(
        "<p class=\"muted\">The {} destinations with the most bytes out are listed; {} more are "
        "in the destinations CSV (replay --destinations FILE.csv).</p>\n",
        limit, rows.size() - limit);
  }
  return html;
}

// Country -> operator -> the names (hostnames, else addresses) the camera's data went to.
std::string destinationMap(const Rows& rows) {
  struct Entry {
    std::uint64_t bytes = 0;
    std::vector<std::string> names;
    std::size_t more = 0;
  };
  struct Country {
    std::uint64_t bytes = 0;
    std::map<std::string, Entry> operators;
  };
  constexpr std::size_t kNames = 6;
  std::map<std::string, Country> countries;
  for (const DestinationRow* row : rows) {
    Country& country = countries[row->country.empty() ? "unknown" : row->country];
    country.bytes += row->bytes_out;
    std::string op = operatorText(row->network_operator, row->operator_country);
    if (op.empty()) op = row->org.empty() ? "not listed" : "not listed (" + row->org + ")";
    Entry& entry = country.operators[op];
    entry.bytes += row->bytes_out;
    const std::string name = row->hostname.empty()
                                 ? row->server_ip.toString()
                                 : row->hostname.substr(0, row->hostname.find(' '));
    if (std::find(entry.names.begin(), entry.names.end(), name) != entry.names.end()) continue;
    if (entry.names.size() < kNames) {
      entry.names.push_back(name);
    } else {
      ++entry.more;
    }
  }
  std::vector<std::pair<std::string, const Country*>> order;
  for (const auto& [name, country] : countries) order.emplace_back(name, &country);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second->bytes > b.second->bytes; });
  std::string html =
      "<table class=\"map\"><thead><tr><th>country</th><th>operator (home country)</th>"
      "<th>names</th><th>bytes out</th></tr></thead><tbody>\n";
  std::size_t entries = 0;
  std::size_t left_out = 0;
  for (const auto& [name, country] : order) {
    std::vector<std::pair<std::string, const Entry*>> ops;
    for (const auto& [op, entry] : country->operators) ops.emplace_back(op, &entry);
    std::stable_sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) {
      return a.second->bytes > b.second->bytes;
    });
    const std::size_t room = kMapEntriesPerCamera - std::min(entries, kMapEntriesPerCamera);
    const std::size_t shown = std::min(ops.size(), room);
    left_out += ops.size() - shown;
    for (std::size_t i = 0; i < shown; ++i) {
      const Entry& entry = *ops[i].second;
      std::string names;
      for (const std::string& each : entry.names) names += (names.empty() ? "" : ", ") + each;
      if (entry.more > 0) names += fmt::format(" and {} more", entry.more);
      html += "<tr>";
      if (i == 0) {
        html += fmt::format("<th rowspan=\"{}\" scope=\"rowgroup\">{}</th>", shown, esc(name));
      }
      html += textCell(ops[i].first) + "<td class=\"host\">" + esc(names) + "</td>" +
              bytesCell(entry.bytes) + "</tr>\n";
    }
    entries += shown;
  }
  html += "</tbody></table>\n";
  if (left_out > 0) {
    html += fmt::format(
        "<p class=\"muted\">{} more operators are in the table below and the destinations "
        "CSV.</p>\n",
        left_out);
  }
  return html;
}

// `limit` 0: no table, the map and a line that the CSV has the rows.
void appendCamera(std::string& html, const RankedCamera& ranked, const Rows* rows,
                  std::size_t limit, std::size_t index) {
  const SeenCamera& camera = *ranked.seen;
  const AlertCamera& who = camera.camera;
  html += "<section class=\"camera\" id=\"" + esc(cameraAnchor(who.ip)) + "\">\n<h3>" +
          esc(cameraLabel(who));
  if (ranked.highest) {
    const std::string_view severity = severityName(*ranked.highest);
    html += fmt::format(" <span class=\"lvl lvl-{}\">{}</span>", severity, severity);
  }
  html += "</h3>\n<p>group " + esc(who.group.empty() ? "-" : who.group);
  if (!who.vendor.empty()) html += " &middot; vendor " + esc(who.vendor);
  if (!who.mac.empty()) html += " &middot; MAC " + esc(who.mac);
  html += camera.listed ? " &middot; listed" : " &middot; <span class=\"deny\">not listed</span>";
  html += fmt::format(" &middot; egress {} &middot; {} alert raise(s)",
                      humanBytes(camera.egress_bytes), camera.alerts);
  if (!ranked.kinds.empty()) {
    std::string kinds;
    for (const std::string& kind : ranked.kinds) kinds += (kinds.empty() ? "" : ", ") + kind;
    html += " &middot; alerts: " + esc(kinds);
  }
  html += "</p>\n";
  if (rows == nullptr) {
    html += "<p class=\"muted\">No egress.</p>\n";
  } else {
    html += destinationMap(*rows);
    if (limit > 0) {
      html += destinationTable(*rows, fmt::format("dest-{}", index), limit);
    } else {
      html += fmt::format(
          "<p class=\"muted\">Its {} {} in the destinations CSV (replay --destinations "
          "FILE.csv); the page has tables for the {} most severe cameras.</p>\n",
          countText(rows->size(), "destination row"), rows->size() == 1 ? "is" : "are",
          kCamerasWithTables);
    }
  }
  html += "</section>\n";
}

}  // namespace

std::size_t tableRowsPerCamera(std::size_t cameras_with_rows) {
  const std::size_t tables = std::min(cameras_with_rows, kCamerasWithTables);
  if (tables == 0) return kRowsPerCamera;
  return std::clamp(kTableRowsPerPage / tables, kMinRowsPerCamera, kRowsPerCamera);
}

void appendCameras(std::string& html, const CameraRanking& ranking,
                   const std::vector<DestinationRow>& rows) {
  // Each camera's destination rows, gathered once (not once per camera).
  std::map<IpAddress, Rows> rows_of;
  for (const DestinationRow& row : rows) rows_of[row.camera_ip].push_back(&row);
  const std::size_t limit = tableRowsPerCamera(rows_of.size());
  std::size_t quiet = 0;
  for (const QuietCameras& fold : ranking.quiet) quiet += fold.cameras.size();
  html += "<h2 id=\"cameras\">Cameras, most severe first</h2>\n";
  if (ranking.ranked.empty() && quiet == 0) {
    html += "<p class=\"muted\">No camera was seen.</p>\n";
    return;
  }
  html += fmt::format(
      "<p class=\"muted\">Ranked by the highest severity of the alerts that named each camera, "
      "then by the bytes it sent out. Each has a map of where its data went; the {} most severe "
      "with egress also list their destinations, the most bytes out first, at most {} each; the "
      "destinations CSV has every row.",
      kCamerasWithTables, limit);
  if (quiet > 0) {
    html += fmt::format(
        " {} with local traffic only {} folded by vendor <a href=\"#quiet-cameras\">at the "
        "end</a>.",
        countText(quiet, "camera"), quiet == 1 ? "is" : "are");
  }
  html += "</p>\n";
  std::size_t index = 0;
  std::size_t tables = 0;
  for (const RankedCamera& ranked : ranking.ranked) {
    const auto mine = rows_of.find(ranked.seen->camera.ip);
    const Rows* rows_here = mine == rows_of.end() ? nullptr : &mine->second;
    const bool table = rows_here != nullptr && tables++ < kCamerasWithTables;
    appendCamera(html, ranked, rows_here, table ? limit : 0, index++);
  }
  if (quiet == 0) return;
  html += "<h3 id=\"quiet-cameras\">Local traffic only</h3>\n<ul class=\"quiet\">\n";
  for (const QuietCameras& fold : ranking.quiet) {
    html += "<li>" + esc(fold.vendor.empty() ? std::string("vendor unknown") : fold.vendor) + ": " +
            countText(fold.cameras.size(), "camera") + ": ";
    for (std::size_t i = 0; i < fold.cameras.size(); ++i) {
      const AlertCamera& who = fold.cameras[i]->camera;
      if (i > 0) html += ", ";
      html += "<span id=\"" + esc(cameraAnchor(who.ip)) + "\">" + esc(cameraLabel(who)) + "</span>";
    }
    html += "</li>\n";
  }
  html += "</ul>\n";
}

}  // namespace camwatch
