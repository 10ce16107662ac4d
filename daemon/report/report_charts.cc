#include "report/report_charts.h"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "report/html_cells.h"
#include "report/summary.h"
#include "report/svg_chart.h"

namespace camwatch {
namespace {

using Totals = std::map<std::string, std::uint64_t>;

// Bars by value, most first (ties: by label, as the map gives them).
std::vector<Bar> barsOf(const Totals& totals,
                        const std::function<std::string_view(const std::string&)>& colour) {
  std::vector<Bar> bars;
  for (const auto& [label, value] : totals) bars.push_back({label, value, colour(label)});
  std::stable_sort(bars.begin(), bars.end(),
                   [](const Bar& a, const Bar& b) { return a.value > b.value; });
  return bars;
}

std::string figure(std::string_view id, std::string_view title, const std::string& svg,
                   std::string_view caption) {
  return fmt::format("<figure id=\"{}\"><h3>{}</h3>\n{}<figcaption>{}</figcaption></figure>\n", id,
                     title, svg, caption);
}

void appendEgressCharts(std::string& html, const std::vector<DestinationRow>& rows,
                        const ChartContext& context) {
  Totals by_country;
  Totals by_operator_country;
  Totals by_cloud;
  Totals by_kind;
  for (const DestinationRow& row : rows) {
    by_country[row.country.empty() ? "unknown" : row.country] += row.bytes_out;
    by_operator_country[row.operator_country.empty() ? "not listed" : row.operator_country] +=
        row.bytes_out;
    by_cloud[row.vendor_cloud.empty() ? "not a vendor cloud" : row.vendor_cloud] += row.bytes_out;
    by_kind[row.alert_kind.empty() ? "allowed (no alert)" : row.alert_kind] += row.bytes_out;
  }
  const std::string& home = context.home_country;
  const auto country_colour = [](const std::string& label) {
    return label == "unknown" ? palette::kGrey : palette::kBlue;
  };
  const auto operator_colour = [&](const std::string& label) {
    if (label == "not listed") return palette::kGrey;
    if (home.empty()) return palette::kBlue;
    return label == home ? palette::kBluishGreen : palette::kVermillion;
  };
  const auto cloud_colour = [](const std::string& label) {
    return label == "not a vendor cloud" ? palette::kSkyBlue : palette::kOrange;
  };
  const auto kind_colour = [](const std::string& label) {
    return label == "allowed (no alert)" ? palette::kSkyBlue : palette::kReddishPurple;
  };
  const std::string operator_caption =
      "The same bytes by the home country of the company that operates the destination's "
      "network (its parent, from the operators file; docs/operators.md): whose jurisdiction the "
      "data reaches, where \"by country\" says where the building is. \"not listed\" (grey): an "
      "AS the file does not name, or no operators file." +
      (home.empty() ? std::string(" Set sensor.country to tell home from foreign.")
                    : " Green: home (" + esc(home) + "); vermillion: foreign.");
  html += "<div class=\"pair\">\n";
  html += figure(
      "chart-country", "Egress by country",
      barChart(barsOf(by_country, country_colour), BarUnit::kBytes, "egress bytes by country"),
      "Camera egress bytes by the destination's country (GeoIP; \"unknown\" without a "
      "country database or entry).");
  html += figure("chart-operator-country", "Egress by operator country",
                 barChart(barsOf(by_operator_country, operator_colour), BarUnit::kBytes,
                          "egress bytes by the operator's home country"),
                 operator_caption);
  html += "</div>\n<div class=\"pair\">\n";
  html += figure(
      "chart-vendor-cloud", "Egress by vendor cloud",
      barChart(barsOf(by_cloud, cloud_colour), BarUnit::kBytes, "egress bytes by vendor cloud"),
      "Camera egress bytes by camera-vendor cloud (the catalog protocol nDPI "
      "recognised; orange), and everything else (sky blue).");
  html +=
      figure("chart-alert-kind", "Egress by alert kind",
             barChart(barsOf(by_kind, kind_colour), BarUnit::kBytes, "egress bytes by alert kind"),
             "Camera egress bytes by the alert kind of the destination (the first denied "
             "flow's; reddish purple), and what the policy allowed (sky blue).");
  html += "</div>\n";
}

// One small multiple per scale, linking to the camera.
struct SmallMultiple {
  const SeenCamera* camera = nullptr;
  std::vector<double> bytes;
  bool alerted = false;  // a warning or critical alert named the camera
};

std::string smallMultiples(const std::vector<SmallMultiple>& cells, double scale_max,
                           SparkScale scale, std::string_view css_class) {
  std::string html = fmt::format("<div class=\"sm-grid {}\">\n", css_class);
  for (const SmallMultiple& cell : cells) {
    const std::string label = cameraLabel(cell.camera->camera);
    html += "<div class=\"sm\">" + cameraLink(cell.camera->camera) +
            fmt::format(" <span class=\"muted\">{}</span>", humanBytes(cell.camera->egress_bytes)) +
            sparkline(cell.bytes, scale_max, scale,
                      cell.alerted ? palette::kVermillion : palette::kBlue,
                      "egress timeline of " + label) +
            "</div>\n";
  }
  html += "</div>\n";
  return html;
}

void appendTimelines(std::string& html, const ReplayOutcome& result, const ChartContext& context) {
  const FlowDigest& digest = result.digest;
  // Buckets start at a multiple of their width (09:00:00, not 09:00:00.2), so the axis
  // labels are round times.
  const Timestamp span = std::max<Timestamp>(result.last_ts - result.first_ts, 1);
  const Timestamp bucket = timelineBucket(span);
  const Timestamp start = result.first_ts - ((result.first_ts % bucket) + bucket) % bucket;
  const auto buckets = static_cast<std::size_t>((result.last_ts - start) / bucket + 1);

  std::map<IpAddress, bool> alerted;
  if (context.ranking != nullptr) {
    for (const RankedCamera& ranked : context.ranking->ranked) {
      alerted[ranked.seen->camera.ip] = ranked.highest && *ranked.highest >= Severity::kWarning;
    }
  }
  std::vector<const SeenCamera*> order;
  for (const SeenCamera& camera : result.cameras) {
    if (digest.timeline(camera.camera.ip) != nullptr) order.push_back(&camera);
  }
  std::stable_sort(order.begin(), order.end(), [](const SeenCamera* a, const SeenCamera* b) {
    return a->egress_bytes > b->egress_bytes;
  });
  const std::size_t drawn = std::min(order.size(), kSmallMultiples);
  std::vector<SmallMultiple> cells;
  double most = 0;
  for (std::size_t i = 0; i < drawn; ++i) {
    SmallMultiple cell;
    cell.camera = order[i];
    cell.bytes =
        digest.timeline(order[i]->camera.ip)->rebucket(digest.origin(), start, bucket, buckets);
    cell.alerted = alerted[order[i]->camera.ip];
    for (const double value : cell.bytes) most = std::max(most, value);
    cells.push_back(std::move(cell));
  }
  html += fmt::format(
      "<h3 id=\"timelines\">Egress timelines</h3>\n<p class=\"muted\">Bytes each camera sent out "
      "per {} bucket from {} to {}, busiest camera first, all on one scale: the top of every "
      "chart is {} a bucket. Vermillion: a camera with a warning or critical alert; blue: the "
      "others. A flow record only says when its first and last packets were, so its bytes are "
      "spread evenly over that time.</p>\n",
      durationText(bucket), timeText(start),
      timeText(start + static_cast<Timestamp>(buckets) * bucket),
      humanBytes(static_cast<std::uint64_t>(most)));
  if (digest.egressFlowsWithoutTimeline() > 0) {
    html += fmt::format(
        "<p class=\"muted\">Timelines are kept for the first {} cameras with egress; {} egress "
        "flows of later ones are in the totals only.</p>\n",
        digest.limits().max_timelines, digest.egressFlowsWithoutTimeline());
  }
  if (order.size() > drawn) {
    html += fmt::format(
        "<p class=\"muted\">The {} busiest cameras are drawn; the {} others sent less (each one's "
        "egress is in the camera list, its destinations in the destinations CSV).</p>\n",
        drawn, order.size() - drawn);
  }
  // The switch: a checkbox before both sets; CSS shows the set it selects (no script).
  html +=
      "<input type=\"checkbox\" id=\"timeline-log\" class=\"scale-toggle\"><label "
      "for=\"timeline-log\">log scale (shows the shape of small cameras beside a large "
      "upload)</label>\n";
  html += smallMultiples(cells, most, SparkScale::kLinear, "sm-linear");
  html += smallMultiples(cells, most, SparkScale::kLog, "sm-log");
}

}  // namespace

void appendCharts(std::string& html, const ReplayOutcome& result,
                  const std::vector<DestinationRow>& rows, const ChartContext& context) {
  html += "<h2 id=\"charts\">Charts</h2>\n";
  if (rows.empty()) {
    html += "<p class=\"muted\">No camera egress, so no charts.</p>\n";
    return;
  }
  appendEgressCharts(html, rows, context);
  appendTimelines(html, result, context);
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

}  // namespace camwatch
