// The replay report's print stylesheet (docs/report.md, "Printing"): readable on A4 with no dark
// backgrounds, a page break before each major section, tables that repeat their heading row and
// are not cut mid-row, charts scaled to the page, the config text in full, the filter boxes and
// the log-scale switch hidden. Chromium's print-to-PDF (`replay --report-pdf`,
// report/report_pdf.h) uses it, and so does a browser's print dialog. Kept out of report_html.cc
// so the page's layout can change without touching it.
#pragma once

#include <string_view>

namespace camwatch {

/// A <style> element: the rules the provenance section needs on screen (report_provenance.h)
/// and the whole @media print sheet.
std::string_view printStyleSheet();

}  // namespace camwatch
