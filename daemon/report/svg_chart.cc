#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_cells.h"
#include "report/summary.h"

namespace camwatch {
namespace {

std::string valueText(std::uint64_t value, BarUnit unit) {
  return unit == BarUnit::kBytes ? humanBytes(value) : std::to_string(value);
}

}  // namespace

std::string barChart(std::vector<Bar> bars, BarUnit unit, std::string_view aria_label,
                     std::size_t max_bars) {
  if (max_bars > 0 && bars.size() > max_bars) {
    Bar rest{std::to_string(bars.size() - (max_bars - 1)) + " others", 0, palette::kGrey};
    for (std::size_t i = max_bars - 1; i < bars.size(); ++i) rest.value += bars[i].value;
    bars.resize(max_bars - 1);
    bars.push_back(std::move(rest));
  }
  // Narrow enough for two charts side by side on a 1280 px screen and on an A4 page.
  constexpr int kLabelWidth = 150;
  constexpr int kBarWidth = 250;
  constexpr int kValueWidth = 80;
  constexpr int kRow = 22;
  constexpr int kWidth = kLabelWidth + kBarWidth + kValueWidth;
  const int height = static_cast<int>(bars.size()) * kRow + 8;
  std::uint64_t most = 1;
  for (const Bar& bar : bars) most = std::max(most, bar.value);
  std::string svg = fmt::format(
      "<svg class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      kWidth, height, kWidth, height, esc(aria_label));
  int y = 4;
  for (const Bar& bar : bars) {
    // At least 2 px, so a destination with a few bytes still shows.
    const auto width =
        std::max<std::uint64_t>(2, bar.value * static_cast<std::uint64_t>(kBarWidth) / most);
    const std::string value = valueText(bar.value, unit);
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{}\" y=\"{}\" "
        "width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>"
        "<text x=\"{}\" y=\"{}\">{}</text>\n",
        kLabelWidth - 6, y + 15, esc(bar.label), kLabelWidth, y + 2, width, kRow - 6, bar.colour,
        esc(bar.label), unit == BarUnit::kBytes ? fmt::format("{} bytes", bar.value) : value,
        kLabelWidth + width + 6, y + 15, value);
    y += kRow;
  }
  svg += "</svg>\n";
  return svg;
}

std::string sparkline(const std::vector<double>& values, double scale_max, SparkScale scale,
                      std::string_view colour, std::string_view label) {
  // Whole units: each bucket 4 wide, 40 high; the browser scales the viewBox. Integer heights
  // keep the path short (about 6 characters a bucket), which is what keeps 200 cameras' small
  // multiples, twice (linear and log), a few hundred kilobytes.
  constexpr int kStep = 4;
  constexpr int kHeight = 40;
  const int width = std::max<int>(1, static_cast<int>(values.size()) * kStep);
  const auto height_of = [&](double value) {
    if (value <= 0 || scale_max <= 0) return 0;
    const double share = scale == SparkScale::kLinear
                             ? value / scale_max
                             : std::log10(1 + value) / std::log10(1 + scale_max);
    // At least one unit, so a camera that sent a few bytes is not drawn as silent.
    return std::clamp(static_cast<int>(std::lround(share * kHeight)), 1, kHeight);
  };
  // One path along the baseline that rises into a bar for each bucket with bytes: "V" up,
  // across, "V" down, a gap; runs of empty buckets are one move.
  std::string path;
  int skip = 0;
  for (const double value : values) {
    const int h = height_of(value);
    if (h == 0) {
      skip += kStep;
      continue;
    }
    if (path.empty()) {
      path = fmt::format("M{} {}", skip, kHeight);
    } else if (skip > 0) {
      path += fmt::format("h{}", skip);
    }
    path += fmt::format("V{}h{}V{}", kHeight - h, kStep - 1, kHeight);
    skip = 1;  // the gap after the bar
  }
  return fmt::format(
      "<svg class=\"spark\" viewBox=\"0 0 {} {}\" preserveAspectRatio=\"none\" role=\"img\" "
      "aria-label=\"{}\"><title>{}</title><path d=\"M0 {}h{}\" stroke=\"#9aa1aa\" "
      "stroke-width=\"0.5\"/>{}</svg>",
      width, kHeight, esc(label), esc(label), kHeight, width,
      path.empty() ? std::string() : fmt::format("<path d=\"{}\" fill=\"{}\"/>", path, colour));
}

}  // namespace camwatch
