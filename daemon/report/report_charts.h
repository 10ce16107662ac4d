// The report's charts: camera egress by destination country beside the operator's home country
// (where the building is, whose law reaches the data), by vendor cloud and by alert kind, then
// every camera's egress timeline as small multiples on one shared scale, busiest first, drawn
// twice (linear and log scale) with a CSS-only switch between them: the page needs no script to
// be read. Anchors: chart-country, chart-operator-country, chart-vendor-cloud, chart-alert-kind,
// timelines.
#pragma once

#include <string>
#include <vector>

#include "report/camera_ranking.h"
#include "report/destinations_csv.h"
#include "report/replay_outcome.h"

namespace camwatch {

/// Small multiples drawn at most (the busiest cameras); a line names how many more there are.
inline constexpr std::size_t kSmallMultiples = 200;

struct ChartContext {
  std::string home_country;                ///< sensor.country; "" = not set
  const CameraRanking* ranking = nullptr;  ///< for each camera's highest alert severity
};

/// Appends `<h2 id="charts">` and every chart.
void appendCharts(std::string& html, const ReplayOutcome& result,
                  const std::vector<DestinationRow>& rows, const ChartContext& context);

/// The width of a timeline bucket for a capture `span` long: the smallest of 1 s, 5 s, 10 s,
/// 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, 1 d, 7 d that needs at most 60
/// buckets (7 d beyond).
Timestamp timelineBucket(Timestamp span);

}  // namespace camwatch
