#include "report/report_findings.h"

#include <fmt/format.h>

#include "report/html_cells.h"

namespace camwatch {
namespace {

// CSS class of a level: lvl-critical, lvl-warning, lvl-info, lvl-seen, lvl-nothing.
std::string_view levelClass(FindingLevel level) {
  switch (level) {
    case FindingLevel::kCritical:
      return "lvl-critical";
    case FindingLevel::kWarning:
      return "lvl-warning";
    case FindingLevel::kInfo:
      return "lvl-info";
    case FindingLevel::kSeen:
      return "lvl-seen";
    case FindingLevel::kNothing:
      return "lvl-nothing";
  }
  return "lvl-seen";
}

std::string link(const FindingLink& to) {
  return "<a href=\"#" + esc(to.anchor) + "\">" + esc(to.text) + "</a>";
}

void appendLine(std::string& html, const FindingLine& line) {
  html += "<li>" + esc(line.text);
  if (!line.cameras.empty()) {
    html += ": ";
    for (std::size_t i = 0; i < line.cameras.size(); ++i) {
      if (i > 0) html += ", ";
      html += link(line.cameras[i]);
    }
    if (line.more_cameras > 0) html += fmt::format(" and {} more", line.more_cameras);
  }
  html += "</li>\n";
}

}  // namespace

void appendFindings(std::string& html, const std::vector<Finding>& findings) {
  html +=
      "<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"muted\">Most severe first. A "
      "finding's level is the highest severity of the alerts behind it; \"seen\": found without "
      "an alert (allowed, or not alerted by this config); \"nothing found\" is an answer too.</p>"
      "\n<ol class=\"findings\">\n";
  for (const Finding& finding : findings) {
    html += fmt::format(
        "<li class=\"finding {}\" id=\"finding-{}\"><span class=\"lvl\">{}</span> "
        "<strong>{}.</strong> {} <span class=\"evidence\">Evidence: {}.</span>\n",
        levelClass(finding.level), esc(finding.id), esc(findingLevelName(finding.level)),
        esc(finding.title), esc(finding.sentence), link(finding.evidence));
    if (!finding.lines.empty()) {
      html += "<ul>\n";
      for (const FindingLine& line : finding.lines) appendLine(html, line);
      if (finding.more_lines > 0) {
        html += fmt::format(
            "<li class=\"muted\">and {} more: the camera list and the destinations CSV "
            "(replay --destinations) have them all</li>\n",
            finding.more_lines);
      }
      html += "</ul>\n";
    }
    html += "</li>\n";
  }
  html += "</ol>\n</section>\n";
}

}  // namespace camwatch
