// The report's charts as inline SVG drawn here: horizontal bar charts and the small timelines
// (sparklines) of the camera small multiples. No script draws or needs to read them: labels and
// values are SVG text, each bar has a <title> for a tooltip. Colours come from the Okabe-Ito
// palette (Okabe and Ito, "Color Universal Design", 2008), which stays distinguishable with the
// common colour-vision deficiencies and in a greyscale print; a chart never relies on colour
// alone (every bar is labelled).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace camwatch {

/// The Okabe-Ito colours the report draws with. The integration test counts screenshot pixels of
/// some of them (tests/integration/report_test.cc): change them there too.
namespace palette {
inline constexpr std::string_view kOrange = "#e69f00";
inline constexpr std::string_view kSkyBlue = "#56b4e9";
inline constexpr std::string_view kBluishGreen = "#009e73";
inline constexpr std::string_view kYellow = "#f0e442";
inline constexpr std::string_view kBlue = "#0072b2";
inline constexpr std::string_view kVermillion = "#d55e00";
inline constexpr std::string_view kReddishPurple = "#cc79a7";
inline constexpr std::string_view kGrey = "#8c8c8c";  ///< "unknown", "not listed", the rest
}  // namespace palette

/// What a bar's value counts: bytes are written as humanBytes ("1.5 MiB").
enum class BarUnit : std::uint8_t { kBytes, kCount };

struct Bar {
  std::string label;
  std::uint64_t value = 0;
  std::string_view colour;
};

/// Bars in the given order (callers sort), one row each: label, bar scaled to the largest value,
/// the value. At most `max_bars`; the rest are summed into one last bar "N others" in grey, so a
/// chart of 200 countries is still a chart.
std::string barChart(std::vector<Bar> bars, BarUnit unit, std::string_view aria_label,
                     std::size_t max_bars = 20);

/// How a sparkline maps a value to a height.
enum class SparkScale : std::uint8_t {
  kLinear,  ///< height proportional to the value: the upload towers over the rest
  kLog,     ///< log10(1 + value): small and large cameras both show their shape
};

/// A small timeline: one bar per value, heights relative to `scale_max` (the same for every
/// camera of a set of small multiples, so they compare), in `colour`, as one SVG path. The
/// aria-label and <title> carry `label`.
std::string sparkline(const std::vector<double>& values, double scale_max, SparkScale scale,
                      std::string_view colour, std::string_view label);

}  // namespace camwatch
