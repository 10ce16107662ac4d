#include "report/report_provenance.h"

#include <fmt/format.h>

#include "report/report_html.h"
#include "report/summary.h"

namespace camwatch {
namespace {

// A digest in its own cell that never wraps: a hex string broken over two lines of a printed page
// could not be searched for or copied whole (the print stylesheet keeps it on one line).
std::string digestCell(const std::string& sha256) {
  return sha256.empty() ? std::string("<td class=\"muted\">-</td>")
                        : "<td><code class=\"digest\">" + htmlEscape(sha256) + "</code></td>";
}

// A path that may wrap after each '/' when its column is narrow (a printed page).
std::string pathCell(const std::string& path) {
  std::string html = "<td class=\"path\">";
  for (const char c : htmlEscape(path)) {
    html += c;
    if (c == '/') html += "<wbr>";
  }
  return html + "</td>";
}

std::string sizeCell(std::uint64_t size, bool has_file) {
  if (!has_file) return "<td class=\"n\"></td>";
  return fmt::format("<td class=\"n\" title=\"{} bytes\">{}</td>", size, humanBytes(size));
}

}  // namespace

std::string provenanceSection(const ReplayOutcome& result, const ReportInput& input) {
  std::string html =
      "<section class=\"provenance\">\n<h2 id=\"provenance\">Provenance</h2>\n"
      "<p class=\"muted\">What this report was made from. Each SHA-256 is of the file's bytes on "
      "disk when the report was written (<code>sha256sum FILE</code> prints the same), so a "
      "reader can check later which capture, config and data a finding rests on.</p>\n"
      "<dl class=\"facts\">\n";
  html += "<dt>camwatch</dt><dd>" + htmlEscape(input.version) + "</dd>\n";
  html += "<dt>config</dt><dd>" + htmlEscape(input.config_path) + "</dd>\n";
  html += "<dt>config SHA-256</dt><dd><code class=\"digest\">" + htmlEscape(input.config_sha256) +
          "</code></dd>\n</dl>\n";

  html +=
      "<h3>Capture files</h3>\n<table><thead><tr><th>file</th><th>size</th><th>SHA-256</th>"
      "</tr></thead><tbody>\n";
  for (std::size_t i = 0; i < result.files.size(); ++i) {
    const ReportCaptureFile disk = i < input.files.size() ? input.files[i] : ReportCaptureFile{};
    html += "<tr>" + pathCell(result.files[i].path) + sizeCell(disk.size, true) +
            digestCell(disk.sha256) + "</tr>\n";
  }
  html += "</tbody></table>\n";

  html +=
      "<h3>Data sources</h3>\n<table><thead><tr><th>source</th><th>file</th><th>version</th>"
      "<th>size</th><th>SHA-256</th></tr></thead><tbody>\n";
  for (const DataSource& source : input.data_sources) {
    html += "<tr><td>" + htmlEscape(source.name) + "</td>" + pathCell(source.path) + "<td>" +
            htmlEscape(source.version) + "</td>" + sizeCell(source.size, !source.sha256.empty()) +
            digestCell(source.sha256) + "</tr>\n";
  }
  html += "</tbody></table>\n</section>\n";
  return html;
}

}  // namespace camwatch
