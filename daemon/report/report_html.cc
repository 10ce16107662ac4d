#include "report/report_html.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <utility>

#include <fmt/format.h>

#include <camwatch/alert.h>
#include <camwatch/alert_kind.h>

#include "report/camera_ranking.h"
#include "report/findings.h"
#include "report/html_cells.h"
#include "report/report_baseline.h"
#include "report/report_cameras.h"
#include "report/report_charts.h"
#include "report/report_findings.h"
#include "report/report_print.h"
#include "report/report_provenance.h"
#include "report/summary.h"

namespace camwatch {
namespace {

// Alerts the table lists at most (the most severe, in time order); --alerts has them all.
constexpr std::size_t kAlertRows = 500;
// Beacons the table lists at most (by the digest's order); replay --summary FILE has them all.
constexpr std::size_t kBeaconRows = 5000;

// The last line: the camera sections and the alerts table are laid out only once scrolled to
// (content-visibility), which is most of what a browser spends on a 200-camera page
// (bench/report_bench.sh); printing and find-in-page still see all of it.
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
svg{max-width:100%;height:auto}.scope{color:#3d444d;margin:0 0 8px}
ol.findings{padding-left:1.8em;max-width:75em}ol.findings>li{margin:0 0 10px}ol.findings ul{margin:4px 0 0;padding-left:1.2em}
.lvl{display:inline-block;min-width:7em;padding:0 6px;border:1px solid #68707a;border-radius:3px;font-size:12px;font-weight:600;text-align:center;color:#000}
.lvl-critical>.lvl,.lvl.lvl-critical{background:#d55e00;border-color:#d55e00}.lvl-warning>.lvl,.lvl.lvl-warning{background:#e69f00;border-color:#e69f00}
.lvl-info>.lvl,.lvl.lvl-info{background:#56b4e9;border-color:#56b4e9}.lvl-seen>.lvl{background:#eef1f5}.lvl-nothing{color:#68707a}.lvl-nothing>.lvl{color:#68707a}
.evidence{color:#68707a;font-size:12px}.pair{display:flex;flex-wrap:wrap;gap:0 32px}.pair figure{flex:0 1 480px}
table.map th{cursor:auto}section.camera{margin:0 0 20px}ul.quiet li{margin:0 0 6px}
.sm-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:6px 14px;margin:6px 0 16px}
.sm{font-size:12px;break-inside:avoid}svg.spark{display:block;width:100%;height:44px}
.sm-log{display:none}#timeline-log:checked~.sm-linear{display:none}#timeline-log:checked~.sm-log{display:grid}
section.camera{content-visibility:auto;contain-intrinsic-size:auto 600px}.offscreen{content-visibility:auto;contain-intrinsic-size:auto 4000px}
</style>
)";

// Sorting (click a column heading) and filtering (type in the box above a table). It installs
// window.onerror first, so a failure anywhere leaves a mark the test reads from the DOM, and sets
// data-report-ready on <body> when everything is wired, and data-report-ms to the milliseconds
// since navigation began (the page parsed and this script run: bench/report_bench.sh reads it).
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
document.body.dataset.reportMs=String(Math.round(performance.now()));
})();
</script>
)";

// The title and what the replay covered, in one line, above the findings.
void appendTitle(std::string& html, const ReplayOutcome& result, const ReportInput& input) {
  html += "<h1>camwatch replay report</h1>\n<p class=\"scope\">" + esc(input.sensor_name);
  if (result.decode.packets > 0) {
    html += " &middot; " + esc(timeText(result.first_ts)) + " to " + esc(timeText(result.last_ts)) +
            " (" + esc(durationText(result.last_ts - result.first_ts)) + ")";
  }
  html += fmt::format(" &middot; {} &middot; {} &middot; {} camera egress out</p>\n",
                      countText(result.cameras.size(), "camera"),
                      countText(result.digest.flows(), "flow"),
                      humanBytes(result.digest.egressBytesOut()));
}

// The facts of the run (sensor, span, totals) and the table of contents.
void appendHeader(std::string& html, const ReplayOutcome& result, const ReportInput& input) {
  const FlowDigest& digest = result.digest;
  html += "<h2 id=\"about\">About this replay</h2>\n<dl class=\"facts\">\n";
  appendFact(html, "camwatch", input.version);
  appendFact(html, "sensor", input.sensor_name);
  appendFact(
      html, "home country",
      input.home_country.empty() ? std::string("not set (sensor.country)") : input.home_country);
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
      "</dl>\n<p><a href=\"#findings\">findings</a> &middot; <a href=\"#charts\">charts</a> "
      "&middot; <a href=\"#cameras\">cameras</a> &middot; <a href=\"#beacons\">beacons</a> "
      "&middot; <a href=\"#alerts\">alerts</a>" +
      baselineNavLink(result) +
      " &middot; <a href=\"#captures\">capture files</a> &middot; <a "
      "href=\"#config\">config</a> &middot; <a href=\"#provenance\">provenance</a></p>\n";
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
  std::size_t shown = 0;
  for (const BeaconTally& found : beacons) {
    if (shown++ == kBeaconRows) break;
    const auto camera = cameras.find(found.camera_ip);
    const NetworkOperator* op =
        result.operators ? result.operators->find(found.asn, found.server_ip) : nullptr;
    const auto seconds = [](Timestamp span) {
      const double value = static_cast<double>(span) / static_cast<double>(kNanosPerSecond);
      return fmt::format("<td class=\"n\" data-v=\"{}\">{:.1f} s</td>", value, value);
    };
    html += "<tr>" +
            (camera != cameras.end() ? "<td>" + cameraLink(*camera->second) + "</td>"
                                     : textCell(found.camera_ip.toString())) +
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
  if (beacons.size() > kBeaconRows) {
    html += fmt::format(
        "<p class=\"muted\">The first {} are listed; {} more are in replay --summary FILE.</p>\n",
        kBeaconRows, beacons.size() - kBeaconRows);
  }
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
         textCell(alertStatusName(alert.status)) + "<td>" + cameraLink(alert.camera) + "</td>" +
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
    // In a box the browser may skip laying out while it is off screen (content-visibility).
    html +=
        "<div class=\"offscreen\"><table class=\"sortable\" id=\"alerts-table\"><thead><tr>"
        "<th>time</th><th>kind</th>"
        "<th>severity</th><th>status</th><th>camera</th><th>destination</th><th>rule</th>"
        "<th>first seen</th><th>last seen</th><th>count</th><th>evidence</th></tr></thead>"
        "<tbody>\n";
    // Past the cut, the most severe are kept (ties: the earlier), and listed in time order.
    std::vector<std::size_t> listed(result.alerts.size());
    std::iota(listed.begin(), listed.end(), std::size_t{0});
    if (listed.size() > kAlertRows) {
      std::stable_sort(listed.begin(), listed.end(), [&](std::size_t a, std::size_t b) {
        return result.alerts[a].severity > result.alerts[b].severity;
      });
      listed.resize(kAlertRows);
      std::sort(listed.begin(), listed.end());
    }
    for (const std::size_t index : listed) html += alertRow(result.alerts[index]);
    html += "</tbody></table></div>\n";
    if (result.alerts.size() > kAlertRows) {
      html += fmt::format(
          "<p class=\"muted\">The {} most severe alerts are listed, in time order; {} more are "
          "in replay --alerts FILE.</p>\n",
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

// The config file's path, SHA-256 and text; then each file it includes, with its path, SHA-256
// and text: the policy and inventory that judged the capture, whichever file they came from.
void appendConfig(std::string& html, const ReportInput& input) {
  html += "<h2 id=\"config\">Configuration</h2>\n<dl class=\"facts\">\n";
  for (std::size_t i = 0; i < input.config_files.size(); ++i) {
    appendFact(html, i == 0 ? "file" : "included", input.config_files[i].path);
    appendFact(html, "SHA-256", input.config_files[i].sha256);
  }
  html += "</dl>\n<pre>" + esc(input.config_text) + "</pre>\n";
  for (std::size_t i = 1; i < input.config_files.size(); ++i) {
    const ReportConfigFile& file = input.config_files[i];
    html += "<h3>Included: <code>" + esc(file.path) + "</code></h3>\n";
    html += file.sha256.empty()
                ? std::string(
                      "<p class=\"muted\">Could not be read again when the report was "
                      "written.</p>\n")
                : "<pre>" + esc(file.text) + "</pre>\n";
  }
}

}  // namespace

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
  html += printStyleSheet();
  html += "</head>\n<body>\n";

  appendTitle(html, result, input);
  appendFindings(
      html, buildFindings(FindingFacts(result.alerts, result.cameras, rows, input.home_country,
                                       result.digest.unitemisedEgress().flows, &result.digest)));
  appendHeader(html, result, input);
  const CameraRanking ranking = rankCameras(result.cameras, result.alerts, rows);
  appendCharts(html, result, rows, ChartContext{input.home_country, &ranking});
  appendCameras(html, ranking, rows);
  appendBeacons(html, result);
  appendAlerts(html, result);
  appendBaseline(html, result);
  appendCaptureFiles(html, result, input);
  appendConfig(html, input);
  html += provenanceSection(result, input);
  html += kScript;
  html += "</body>\n</html>\n";
  return html;
}

}  // namespace camwatch
