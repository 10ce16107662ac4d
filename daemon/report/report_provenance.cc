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
  html += "<dt>camwatch</dt><dd>" + htmlEscape(input.version) + "</dd>\n</dl>\n";

  // Every file the config was built from: a shared policy or inventory file that an `include:`
  // merged in judged the capture as much as the main file did.
  html +=
      "<h3>Config files</h3>\n<table><thead><tr><th>file</th><th>read as</th><th>size</th>"
      "<th>SHA-256</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < input.config_files.size(); ++i) {
    const ReportConfigFile& file = input.config_files[i];
    html += "<tr>" + pathCell(file.path) + (i == 0 ? "<td>main config</td>" : "<td>included</td>") +
            sizeCell(file.size, true) + digestCell(file.sha256) + "</tr>\n";
  }
  html += "</tbody></table>\n";
  if (input.config_files.size() > 1) {
    html +=
        "<p class=\"muted\">The main config first, then each file it includes "
        "(<code>include:</code>), in the order camwatch read them.</p>\n";
  }

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
