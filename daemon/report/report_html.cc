#include "report/report_html.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>

#include <camwatch/alert.h>
#include <camwatch/alert_kind.h>

#include "report/summary.h"

namespace camwatch {
namespace {

// Bar colours. The integration test counts pixels of exactly these colours in a screenshot to
// tell that the charts rendered, so change them there too.
constexpr std::string_view kCountryColour = "#1f6fb4";
constexpr std::string_view kCloudColour = "#d9741c";
constexpr std::string_view kTimelineColour = "#2e9a4e";
// Rows a browser still handles well: a camera that talked to a million hosts (a scan, a flood)
// lists its largest destinations and says where the rest are; the CSV and --alerts have them all.
constexpr std::size_t kRowsPerCamera = 500;
constexpr std::size_t kAlertRows = 5000;

std::string esc(std::string_view text) { return htmlEscape(text); }

std::string timeText(Timestamp ts) { return formatTimestamp(ts, 3); }

std::string bytesCell(std::uint64_t bytes) {
  // data-v holds the exact count so the sorting script compares numbers, not "1.5 MiB" texts.
  return fmt::format("<td class=\"n\" data-v=\"{}\" title=\"{} bytes\">{}</td>", bytes, bytes,
                     humanBytes(bytes));
}

std::string numberCell(std::uint64_t value) {
  return fmt::format("<td class=\"n\" data-v=\"{}\">{}</td>", value, value);
}

std::string textCell(std::string_view text) { return "<td>" + esc(text) + "</td>"; }

std::string timeCell(Timestamp ts) { return "<td class=\"t\">" + timeText(ts) + "</td>"; }

constexpr std::string_view kStyle = R"(<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0 24px 48px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccd}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:4px 0 12px}th,td{border:1px solid #d0d4da;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f5;cursor:pointer;user-select:none}td.n{text-align:right;font-variant-numeric:tabular-nums}td.t{white-space:nowrap}
.deny{color:#a3190f;font-weight:600}.allow{color:#1d6b32}.muted{color:#68707a}
.host{word-break:break-all;max-width:28em}code,pre{font:12px/1.35 ui-monospace,monospace}
pre{background:#f6f8fa;border:1px solid #d0d4da;padding:8px;overflow:auto;max-height:40em}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}dt{color:#68707a}dd{margin:0}
figure{margin:8px 0 18px}figcaption{color:#68707a;font-size:12px;max-width:60em}
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}input.filter{margin:4px 0;padding:3px 6px;width:24em}
</style>
)";

// Sorting (click a column heading) and filtering (type in the box above a table). It installs
// window.onerror first, so a failure anywhere leaves a mark the test reads from the DOM, and sets
// data-report-ready on <body> when everything is wired.
constexpr std::string_view kScript = R"(<script>
window.onerror=function(message){document.body.dataset.reportError=String(message);return false;};
(function(){
function key(cell){var v=cell.getAttribute('data-v');return v===null?cell.textContent.toLowerCase():Number(v);}
function sortBy(table,index){
  var body=table.tBodies[0];if(!body)return;
  var rows=Array.prototype.slice.call(body.rows);
  var up=table.getAttribute('data-sorted')!==String(index);
  rows.sort(function(a,b){var x=key(a.cells[index]),y=key(b.cells[index]);
    if(x<y)return up?-1:1;if(x>y)return up?1:-1;return 0;});
  rows.forEach(function(row){body.appendChild(row);});
  table.setAttribute('data-sorted',up?String(index):'');
}
document.querySelectorAll('table.sortable').forEach(function(table){
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,index){
    th.addEventListener('click',function(){sortBy(table,index);});});
});
document.querySelectorAll('input.filter').forEach(function(input){
  var table=document.getElementById(input.getAttribute('data-table'));
  input.addEventListener('input',function(){
    var needle=input.value.toLowerCase();
    Array.prototype.forEach.call(table.tBodies[0].rows,function(row){
      row.style.display=row.textContent.toLowerCase().indexOf(needle)>=0?'':'none';});
  });
});
document.body.dataset.reportReady='1';
})();
</script>
)";

// A horizontal bar chart: one bar per (label, bytes), longest first as given.
std::string barChart(const std::vector<std::pair<std::string, std::uint64_t>>& bars,
                     std::string_view colour, std::string_view label) {
  constexpr int kLabelWidth = 200;
  constexpr int kBarWidth = 440;
  constexpr int kRow = 22;
  const int height = static_cast<int>(bars.size()) * kRow + 8;
  std::uint64_t most = 1;
  for (const auto& bar : bars) most = std::max(most, bar.second);
  std::string svg = fmt::format(
      "<svg class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      kLabelWidth + kBarWidth + 90, height, kLabelWidth + kBarWidth + 90, height, esc(label));
  int y = 4;
  for (const auto& [name, bytes] : bars) {
    // At least 2 px, so a destination with a few bytes still shows.
    const auto width =
        std::max<std::uint64_t>(2, bytes * static_cast<std::uint64_t>(kBarWidth) / most);
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} bytes</title></rect>"
        "<text x=\"{}\" y=\"{}\">{}</text>\n",
        kLabelWidth - 6, y + 15, esc(name), kLabelWidth, y + 2, width, kRow - 6, colour, esc(name),
        bytes, kLabelWidth + width + 6, y + 15, humanBytes(bytes));
    y += kRow;
  }
  svg += "</svg>\n";
  return svg;
}

std::string durationText(Timestamp span) {
  const Timestamp seconds = span / kNanosPerSecond;
  if (seconds < 60) return fmt::format("{} s", seconds);
  if (seconds < 3600) return fmt::format("{} min", seconds / 60);
  if (seconds < 86400) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{} d", seconds / 86400);
}

std::string timelineChart(const std::vector<double>& bytes, Timestamp start, Timestamp bucket,
                          std::string_view label) {
  constexpr int kWidth = 720;
  constexpr int kPlot = 90;
  constexpr int kLeft = 70;
  double most = 1;
  for (const double value : bytes) most = std::max(most, value);
  const double step = static_cast<double>(kWidth - kLeft) / static_cast<double>(bytes.size());
  std::string svg = fmt::format(
      "<svg class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\">\n<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#9aa1aa\"/>"
      "<text x=\"{}\" y=\"14\" text-anchor=\"end\">{}</text>"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>\n",
      kWidth, kPlot + 30, kWidth, kPlot + 30, esc(label), kLeft, kPlot + 4, kWidth, kPlot + 4,
      kLeft - 4, humanBytes(static_cast<std::uint64_t>(most)), kLeft - 4, kPlot + 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] <= 0) continue;
    const double height = std::max(1.0, bytes[i] / most * (kPlot - 10));
    const Timestamp bucket_start = start + static_cast<Timestamp>(i) * bucket;
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\">"
        "<title>{}: {}</title></rect>\n",
        kLeft + static_cast<double>(i) * step + 0.5, kPlot + 4 - height, std::max(1.0, step - 1),
        height, kTimelineColour, timeText(bucket_start),
        humanBytes(static_cast<std::uint64_t>(bytes[i])));
  }
  svg += fmt::format(
      "<text x=\"{}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n"
      "</svg>\n",
      kLeft, kPlot + 22, timeText(start), kWidth, kPlot + 22,
      timeText(start + static_cast<Timestamp>(bytes.size()) * bucket));
  return svg;
}

std::string filterBox(std::string_view table_id) {
  return fmt::format(
      "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-table=\"{}\" "
      "aria-label=\"filter rows\">\n",
      table_id);
}

// "Alibaba (CN)": the operator and its parent's home country; empty when not listed.
std::string operatorText(const std::string& name, const std::string& country) {
  if (name.empty()) return {};
  return country.empty() ? name : name + " (" + country + ")";
}

std::string destinationTable(const std::vector<const DestinationRow*>& rows,
                             const std::string& id) {
  std::string html = filterBox(id);
  html += "<table class=\"sortable\" id=\"" + id +
          "\"><thead><tr><th>hostname</th><th>IP</th><th>country</th><th>ASN / org</th>"
          "<th>operator</th>"
          "<th>protocol</th><th>ports</th><th>flows</th><th>bytes out</th><th>bytes in</th>"
          "<th>first seen</th><th>last seen</th><th>vendor cloud</th><th>verdict</th></tr>"
          "</thead><tbody>\n";
  std::size_t shown = 0;
  for (const DestinationRow* row : rows) {
    if (shown++ == kRowsPerCamera) break;
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
  if (rows.size() > kRowsPerCamera) {
    html += fmt::format(
        "<p class=\"muted\">The {} destinations with the most bytes out are listed; {} more are "
        "in the destinations CSV (replay --destinations FILE.csv).</p>\n",
        kRowsPerCamera, rows.size() - kRowsPerCamera);
  }
  return html;
}

std::string cameraLabel(const AlertCamera& camera) {
  return camera.name.empty() ? camera.ip.toString() : camera.ip.toString() + " " + camera.name;
}

// One fact of a definition list (<dl class="facts">).
void appendFact(std::string& html, std::string_view name, const std::string& value) {
  html += "<dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd>\n";
}

// The title, the facts of the run (sensor, span, totals) and the table of contents.
void appendHeader(std::string& html, const ReplayOutcome& result, const ReportInput& input) {
  const FlowDigest& digest = result.digest;
  html += "<h1>camwatch replay report</h1>\n<dl class=\"facts\">\n";
  appendFact(html, "camwatch", input.version);
  appendFact(html, "sensor", input.sensor_name);
  appendFact(html, "capture span",
             result.decode.packets == 0
                 ? std::string("no packets")
                 : timeText(result.first_ts) + " to " + timeText(result.last_ts) + " (" +
                       durationText(result.last_ts - result.first_ts) + ")");
  if (result.from || result.to) {
    appendFact(html, "time bounds",
               (result.from ? timeText(*result.from) : std::string("-")) + " <= t < " +
                   (result.to ? timeText(*result.to) : std::string("-")));
  }
  appendFact(html, "packets",
             fmt::format("{} ({})", result.decode.packets, humanBytes(result.decode.wire_bytes)));
  appendFact(html, "flows",
             fmt::format("{} ({} camera egress, {} out)", digest.flows(), digest.egressFlows(),
                         humanBytes(digest.egressBytesOut())));
  if (digest.unitemisedEgress().flows > 0) {
    appendFact(html, "not itemised",
               fmt::format(
                   "{} camera egress flows ({} out): more than {} camera x destination rows; "
                   "they count in these totals, not in the charts and camera tables",
                   digest.unitemisedEgress().flows, humanBytes(digest.unitemisedEgress().bytes_out),
                   digest.limits().max_destination_rows));
  }
  appendFact(html, "cameras", std::to_string(result.cameras.size()));
  appendFact(html, "alerts", std::to_string(result.alerts.size()));
  html +=
      "</dl>\n<p><a href=\"#charts\">charts</a> &middot; <a href=\"#cameras\">cameras</a> "
      "&middot; <a href=\"#beacons\">beacons</a> &middot; <a href=\"#alerts\">alerts</a> &middot; "
      "<a href=\"#captures\">capture "
      "files</a> &middot; <a href=\"#config\">config</a></p>\n";
}

// Egress by country, by operator country and by vendor cloud, and a timeline per camera.
void appendCharts(std::string& html, const ReplayOutcome& result,
                  const std::vector<DestinationRow>& rows) {
  const FlowDigest& digest = result.digest;
  html += "<h2 id=\"charts\">Charts</h2>\n";
  std::map<std::string, std::uint64_t> by_country;
  std::map<std::string, std::uint64_t> by_operator_country;
  std::map<std::string, std::uint64_t> by_cloud;
  for (const DestinationRow& row : rows) {
    by_country[row.country.empty() ? "unknown" : row.country] += row.bytes_out;
    by_operator_country[row.operator_country.empty() ? "not listed" : row.operator_country] +=
        row.bytes_out;
    by_cloud[row.vendor_cloud.empty() ? "not a vendor cloud" : row.vendor_cloud] += row.bytes_out;
  }
  auto sorted = [](const std::map<std::string, std::uint64_t>& totals) {
    std::vector<std::pair<std::string, std::uint64_t>> bars(totals.begin(), totals.end());
    std::stable_sort(bars.begin(), bars.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return bars;
  };
  if (rows.empty()) {
    html += "<p class=\"muted\">No camera egress, so no charts.</p>\n";
  } else {
    html += "<h3>Egress by country</h3>\n<figure>" +
            barChart(sorted(by_country), kCountryColour, "egress bytes by country") +
            "<figcaption>Camera egress bytes by the destination's country (GeoIP; \"unknown\" "
            "without a country database or entry).</figcaption></figure>\n";
    html += "<h3>Egress by operator country</h3>\n<figure>" +
            barChart(sorted(by_operator_country), kCountryColour,
                     "egress bytes by the operator's home country") +
            "<figcaption>The same bytes by the home country of the company that operates the "
            "destination's network (its parent, from the operators file; docs/operators.md): "
            "whose jurisdiction the data reaches, where \"by country\" says where the building "
            "is. \"not listed\": an AS the file does not name, or no operators file."
            "</figcaption></figure>\n";
    html += "<h3>Egress by vendor cloud</h3>\n<figure>" +
            barChart(sorted(by_cloud), kCloudColour, "egress bytes by vendor cloud") +
            "<figcaption>Camera egress bytes by camera-vendor cloud (the catalog protocol nDPI "
            "recognised), and everything else.</figcaption></figure>\n";
    // Buckets start at a multiple of their width (09:00:00, not 09:00:00.2), so the axis
    // labels are round times.
    const Timestamp span = std::max<Timestamp>(result.last_ts - result.first_ts, 1);
    const Timestamp bucket = timelineBucket(span);
    const Timestamp start = result.first_ts - ((result.first_ts % bucket) + bucket) % bucket;
    const auto buckets = static_cast<std::size_t>((result.last_ts - start) / bucket + 1);
    html += fmt::format(
        "<h3>Egress timeline per camera</h3>\n<p class=\"muted\">Bytes each camera sent out per "
        "{} bucket. A flow record only says when its first and last packets were, so its bytes "
        "are spread evenly over that time.</p>\n",
        durationText(bucket));
    if (digest.egressFlowsWithoutTimeline() > 0) {
      html += fmt::format(
          "<p class=\"muted\">Timelines are drawn for the first {} cameras with egress; {} egress "
          "flows of later ones are in the totals only.</p>\n",
          digest.limits().max_timelines, digest.egressFlowsWithoutTimeline());
    }
    for (const SeenCamera& camera : result.cameras) {
      const EgressTimeline* timeline = digest.timeline(camera.camera.ip);
      if (timeline == nullptr) continue;  // no egress, nothing to draw
      const std::vector<double> bytes = timeline->rebucket(digest.origin(), start, bucket, buckets);
      html +=
          "<figure>" +
          timelineChart(bytes, start, bucket, "egress timeline of " + cameraLabel(camera.camera)) +
          "<figcaption>" + esc(cameraLabel(camera.camera)) + "</figcaption></figure>\n";
    }
  }
}

// Each camera's facts and its destination table.
void appendCameras(std::string& html, const ReplayOutcome& result,
                   const std::vector<DestinationRow>& rows) {
  // Each camera's destination rows, gathered once (not once per camera).
  std::map<IpAddress, std::vector<const DestinationRow*>> rows_of;
  for (const DestinationRow& row : rows) rows_of[row.camera_ip].push_back(&row);
  html += "<h2 id=\"cameras\">Cameras and their destinations</h2>\n";
  if (result.cameras.empty()) html += "<p class=\"muted\">No camera was seen.</p>\n";
  std::size_t camera_index = 0;
  for (const SeenCamera& camera : result.cameras) {
    const auto mine = rows_of.find(camera.camera.ip);
    html += "<h3>" + esc(cameraLabel(camera.camera)) + "</h3>\n<p>";
    html += "group " + esc(camera.camera.group.empty() ? "-" : camera.camera.group);
    if (!camera.camera.vendor.empty()) html += " &middot; vendor " + esc(camera.camera.vendor);
    if (!camera.camera.mac.empty()) html += " &middot; MAC " + esc(camera.camera.mac);
    html += camera.listed ? " &middot; listed" : " &middot; <span class=\"deny\">not listed</span>";
    html += fmt::format(" &middot; egress {} &middot; {} alert raise(s)</p>\n",
                        humanBytes(camera.egress_bytes), camera.alerts);
    if (mine == rows_of.end()) {
      html += "<p class=\"muted\">No egress.</p>\n";
    } else {
      html += destinationTable(mine->second, fmt::format("dest-{}", camera_index));
    }
    ++camera_index;
  }
}

// Camera x destination pairs whose contacts repeat at a regular interval (camwatch/beacon.h).
void appendBeacons(std::string& html, const ReplayOutcome& result) {
  html += "<h2 id=\"beacons\">Beacons</h2>\n";
  const std::vector<BeaconTally> beacons = result.digest.beacons();
  if (beacons.empty()) {
    html += "<p class=\"muted\">No camera contacted a destination at a regular interval.</p>\n";
    return;
  }
  std::map<IpAddress, const AlertCamera*> cameras;
  for (const SeenCamera& camera : result.cameras) cameras[camera.camera.ip] = &camera.camera;
  html += filterBox("beacons-table");
  html +=
      "<table class=\"sortable\" id=\"beacons-table\"><thead><tr><th>camera</th><th>hostname</th>"
      "<th>IP</th><th>port</th><th>country</th><th>operator</th><th>period</th><th>jitter</th>"
      "<th>contacts</th><th>first contact</th><th>last contact</th></tr></thead><tbody>\n";
  for (const BeaconTally& found : beacons) {
    const auto camera = cameras.find(found.camera_ip);
    const NetworkOperator* op =
        result.operators ? result.operators->find(found.asn, found.server_ip) : nullptr;
    const auto seconds = [](Timestamp span) {
      const double value = static_cast<double>(span) / static_cast<double>(kNanosPerSecond);
      return fmt::format("<td class=\"n\" data-v=\"{}\">{:.1f} s</td>", value, value);
    };
    html += "<tr>" +
            textCell(camera != cameras.end() ? cameraLabel(*camera->second)
                                             : found.camera_ip.toString()) +
            "<td class=\"host\">" + esc(found.hostname) + "</td>" +
            textCell(found.server_ip.toString()) +
            textCell(found.port != 0 ? std::to_string(found.port) : "several") +
            textCell(std::string(found.country.data(), strnlen(found.country.data(), 3))) +
            textCell(op != nullptr ? operatorText(op->name, op->country) : std::string()) +
            seconds(found.beacon.period) + seconds(found.beacon.jitter) +
            numberCell(found.beacon.contacts) + timeCell(found.first_contact) +
            timeCell(found.last_contact) + "</tr>\n";
  }
  html += fmt::format(
      "</tbody></table>\n<p class=\"muted\">A contact is the start of a flow (flows starting "
      "within a second of it are the same contact). The period is the median interval between "
      "the latest {} contacts, the jitter the median deviation from it; listed from {} contacts "
      "with a jitter of at most 1/{} of the period.</p>\n",
      ContactSeries::kKept, kMinContacts, kMaxJitterShare);
}

// One row of the alerts table.
std::string alertRow(const Alert& alert) {
  const AlertDestination& to = alert.destination;
  std::string where = to.ip ? to.ip->toString() : std::string("-");
  if (to.ip && to.port != 0) where += fmt::format(" port {}", to.port);
  if (!to.hostname.empty()) {
    where +=
        " " + to.hostname + (to.hostname_source.empty() ? "" : " (" + to.hostname_source + ")");
  }
  if (!to.dns_query.empty()) where += " asked for " + to.dns_query;
  if (!to.country.empty()) where += " " + to.country;
  if (to.asn != 0) where += fmt::format(" AS{} {}", to.asn, to.org);
  if (!to.network_operator.empty()) {
    where += ", operator " + operatorText(to.network_operator, to.operator_country);
  }
  if (!to.previous_asns.empty() || !to.previous_countries.empty()) {
    std::string before;
    for (const std::uint32_t asn : to.previous_asns) before += fmt::format(" AS{}", asn);
    for (const std::string& country : to.previous_countries) before += " " + country;
    where += "; before:" + before;
  }
  std::string evidence =
      fmt::format("{} packets, {} bytes", alert.evidence.packets, alert.evidence.bytes);
  if (!alert.protocol.l4.empty()) {
    evidence += "; " + alert.protocol.l4 + " " + alert.protocol.master + "/" + alert.protocol.app;
  }
  if (!alert.protocol.category.empty()) evidence += "; category " + alert.protocol.category;
  for (const std::string& risk : alert.protocol.risks) evidence += "; risk " + risk;
  if (alert.evidence.beacon) {
    const Beacon& beacon = *alert.evidence.beacon;
    evidence += fmt::format("; beacon every {:.1f} s, jitter {:.1f} s, {} contacts",
                            static_cast<double>(beacon.period) / kNanosPerSecond,
                            static_cast<double>(beacon.jitter) / kNanosPerSecond, beacon.contacts);
  }
  if (alert.ends_at) evidence += "; ended " + timeText(*alert.ends_at);
  const std::string severity(severityName(alert.severity));
  return "<tr>" + timeCell(alert.time) + textCell(alertKindName(alert.kind)) + "<td class=\"" +
         (alert.severity == Severity::kInfo ? "muted" : "deny") + "\">" + esc(severity) + "</td>" +
         textCell(alertStatusName(alert.status)) + textCell(cameraLabel(alert.camera)) +
         "<td class=\"host\">" + esc(where) + "</td>" + textCell(alert.rule) +
         timeCell(alert.evidence.first_seen) + timeCell(alert.evidence.last_seen) +
         numberCell(alert.repeat_count + 1ULL) + textCell(evidence) + "</tr>\n";
}

void appendAlerts(std::string& html, const ReplayOutcome& result) {
  html += "<h2 id=\"alerts\">Alerts</h2>\n";
  if (result.alerts.empty()) {
    html += "<p class=\"muted\">No alerts.</p>\n";
  } else {
    html += filterBox("alerts-table");
    html +=
        "<table class=\"sortable\" id=\"alerts-table\"><thead><tr><th>time</th><th>kind</th>"
        "<th>severity</th><th>status</th><th>camera</th><th>destination</th><th>rule</th>"
        "<th>first seen</th><th>last seen</th><th>count</th><th>evidence</th></tr></thead>"
        "<tbody>\n";
    std::size_t shown = 0;
    for (const Alert& alert : result.alerts) {
      if (shown++ == kAlertRows) break;
      html += alertRow(alert);
    }
    html += "</tbody></table>\n";
    if (result.alerts.size() > kAlertRows) {
      html += fmt::format(
          "<p class=\"muted\">The first {} alerts are listed; {} more are in replay --alerts "
          "FILE.</p>\n",
          kAlertRows, result.alerts.size() - kAlertRows);
    }
  }
}

// Each capture file read, with its size and SHA-256 on disk.
void appendCaptureFiles(std::string& html, const ReplayOutcome& result, const ReportInput& input) {
  html +=
      "<h2 id=\"captures\">Capture files</h2>\n<table class=\"sortable\"><thead><tr>"
      "<th>path</th><th>size</th><th>packets</th><th>link type</th><th>first packet</th>"
      "<th>last packet</th><th>SHA-256</th><th>error</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < result.files.size(); ++i) {
    const CaptureFileStats& file = result.files[i];
    const ReportCaptureFile disk = i < input.files.size() ? input.files[i] : ReportCaptureFile{};
    html += "<tr>" + textCell(file.path) + bytesCell(disk.size) + numberCell(file.packets) +
            textCell(file.link_type) +
            textCell(file.packets == 0 ? std::string("-") : timeText(file.first_ts)) +
            textCell(file.packets == 0 ? std::string("-") : timeText(file.last_ts)) + "<td><code>" +
            esc(disk.sha256) + "</code></td>" + textCell(file.error) + "</tr>\n";
  }
  html +=
      "</tbody></table>\n<p class=\"muted\">SHA-256 of each file as it is on disk (the "
      "compressed bytes of a gzip capture).</p>\n";
}

// The config file's path, SHA-256 and text.
void appendConfig(std::string& html, const ReportInput& input) {
  html += "<h2 id=\"config\">Configuration</h2>\n<dl class=\"facts\">\n";
  appendFact(html, "file", input.config_path);
  appendFact(html, "SHA-256", input.config_sha256);
  html += "</dl>\n<pre>" + esc(input.config_text) + "</pre>\n";
}

}  // namespace

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Timestamp timelineBucket(Timestamp span) {
  constexpr Timestamp kSecond = kNanosPerSecond;
  constexpr Timestamp kWidths[] = {
      kSecond,         5 * kSecond,     10 * kSecond,    30 * kSecond,    60 * kSecond,
      300 * kSecond,   600 * kSecond,   1800 * kSecond,  3600 * kSecond,  10800 * kSecond,
      21600 * kSecond, 43200 * kSecond, 86400 * kSecond, 604800 * kSecond};
  for (const Timestamp width : kWidths) {
    if (span <= 60 * width) return width;
  }
  return kWidths[std::size(kWidths) - 1];
}

std::string reportToHtml(const ReplayOutcome& result, const std::vector<DestinationRow>& rows,
                         const ReportInput& input) {
  std::string html;
  html.reserve(64 * 1024);
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No network: a policy that forbids every fetch, so a mistake here cannot phone home either.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  html += "<title>camwatch replay report: " + esc(input.sensor_name) + "</title>\n";
  html += kStyle;
  html += "</head>\n<body>\n";

  appendHeader(html, result, input);
  appendCharts(html, result, rows);
  appendCameras(html, result, rows);
  appendBeacons(html, result);
  appendAlerts(html, result);
  appendCaptureFiles(html, result, input);
  appendConfig(html, input);
  html += kScript;
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace camwatch
