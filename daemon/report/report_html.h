// `replay --report FILE.html`: one self-contained HTML page about a replay (docs/report.md).
// Everything is inline (CSS, SVG charts drawn here, a small sorting/filtering script), so the
// file opens offline and fetches nothing. Every string that came from the input (hostnames,
// names, file names, config text) is HTML-escaped: DNS answers and SNI are written by the
// devices being watched. No wall-clock time goes in: the same input gives the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "report/destinations_csv.h"
#include "report/replay_outcome.h"

namespace camwatch {

/// A capture file as the report lists it (ReplayResult::files plus what is on disk).
struct ReportCaptureFile {
  std::uint64_t size = 0;  ///< bytes on disk
  std::string sha256;      ///< hex; empty when the file could not be read again
};

struct ReportInput {
  std::string version;  ///< "0.1.0 (git abc123)"
  std::string sensor_name;
  std::string config_path;  ///< or "(built-in defaults)"
  std::string config_text;  ///< the file as read, or the effective defaults
  std::string config_sha256;
  std::vector<ReportCaptureFile> files;  ///< parallel to ReplayResult::files
};

/// `text` with & < > " ' replaced by character references: safe in element content and in
/// quoted attribute values.
std::string htmlEscape(std::string_view text);

/// The width of a timeline bucket for a capture `span` long: the smallest of 1 s, 5 s, 10 s,
/// 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, 1 d, 7 d that needs at most 60
/// buckets (7 d beyond).
Timestamp timelineBucket(Timestamp span);

/// The whole page.
std::string reportToHtml(const ReplayOutcome& result, const std::vector<DestinationRow>& rows,
                         const ReportInput& input);

}  // namespace camwatch
