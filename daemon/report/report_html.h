// `replay --report FILE.html`: one self-contained HTML page about a replay (docs/report.md).
// Everything is inline (CSS, SVG charts drawn here, a small sorting/filtering script), so the
// file opens offline and fetches nothing. Every string that came from the input (hostnames,
// names, file names, config text) is HTML-escaped: DNS answers and SNI are written by the
// devices being watched. No wall-clock time goes in: the same input gives the same bytes.
//
// This file assembles the page from its sections, one function each, in reading order: the
// title, the findings (report_findings.h), the facts of the run, the charts (report_charts.h),
// the ranked cameras (report_cameras.h), the alerts, the capture files and the config.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report/destinations_csv.h"
#include "report/html_cells.h"  // htmlEscape
#include "report/replay_outcome.h"
#include "report/report_charts.h"  // timelineBucket
#include "report/report_provenance.h"

namespace camwatch {

/// A capture file as the report lists it (ReplayResult::files plus what is on disk).
struct ReportCaptureFile {
  std::uint64_t size = 0;  ///< bytes on disk
  std::string sha256;      ///< hex; empty when the file could not be read again
};

/// A file the config was built from, as the report lists it: the main config file, then each file
/// it includes (Config::source_files, in the order the loader read them).
struct ReportConfigFile {
  std::string path;        ///< as the loader named it; "(built-in defaults)" without `-c`
  std::uint64_t size = 0;  ///< bytes the digest is of
  std::string sha256;      ///< hex; empty when the file could not be read again
  /// An included file's text, shown in the Configuration section (the main file's is
  /// ReportInput::config_text); empty when it could not be read again.
  std::string text;
};

struct ReportInput {
  std::string version;  ///< "0.1.0 (git abc123)"
  std::string sensor_name;
  std::string home_country;  ///< sensor.country (ISO 3166-1 alpha-2); "" = not set
  std::string config_path;   ///< or "(built-in defaults)"
  std::string config_text;   ///< the file as read, or the effective defaults
  /// The main file first (its digest of config_text), then each included file; never empty.
  std::vector<ReportConfigFile> config_files;
  std::vector<ReportCaptureFile> files;  ///< parallel to ReplayResult::files
  std::vector<DataSource> data_sources;  ///< what the judgement came from (Provenance)
};

/// The whole page.
std::string reportToHtml(const ReplayOutcome& result, const std::vector<DestinationRow>& rows,
                         const ReportInput& input);

}  // namespace camwatch
