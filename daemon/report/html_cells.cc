#include "report/html_cells.h"

#include <fmt/format.h>

#include "report/summary.h"

namespace camwatch {

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

std::string timeText(Timestamp ts) { return formatTimestamp(ts, 3); }

std::string durationText(Timestamp span) {
  const Timestamp seconds = span / kNanosPerSecond;
  if (seconds < 60) return fmt::format("{} s", seconds);
  if (seconds < 3600) return fmt::format("{} min", seconds / 60);
  if (seconds < 86400) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{} d", seconds / 86400);
}

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

std::string filterBox(std::string_view table_id) {
  return fmt::format(
      "<input class=\"filter\" type=\"search\" placeholder=\"filter rows\" data-table=\"{}\" "
      "aria-label=\"filter rows\">\n",
      table_id);
}

std::string operatorText(const std::string& name, const std::string& country) {
  if (name.empty()) return {};
  return country.empty() ? name : name + " (" + country + ")";
}

std::string cameraLabel(const AlertCamera& camera) {
  return camera.name.empty() ? camera.ip.toString() : camera.ip.toString() + " " + camera.name;
}

std::string cameraAnchor(const IpAddress& camera) { return "camera-" + camera.toString(); }

std::string cameraLink(const AlertCamera& camera) {
  return "<a href=\"#" + esc(cameraAnchor(camera.ip)) + "\">" + esc(cameraLabel(camera)) + "</a>";
}

void appendFact(std::string& html, std::string_view name, const std::string& value) {
  html += "<dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd>\n";
}

std::string countText(std::uint64_t count, std::string_view singular, std::string_view plural) {
  if (count == 1) return fmt::format("1 {}", singular);
  if (plural.empty()) return fmt::format("{} {}s", count, singular);
  return fmt::format("{} {}", count, plural);
}

}  // namespace camwatch
