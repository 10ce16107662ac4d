// The replay report's Provenance section (docs/report.md): what the report was made from, so a
// reader of the page or of its PDF can check it later: camwatch's version, the SHA-256 of every
// file the config was built from (the main file and each it includes) and of every capture file,
// and each data source the judgement used (GeoIP databases with
// their MMDB metadata, the operators file, the vendor-cloud catalog, the OUI file, the Public
// Suffix List, nDPI) with its version or entry counts and its file's SHA-256. A section of its
// own, self-contained, so the page's layout can move it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/replay_outcome.h"

namespace camwatch {

struct ReportInput;

/// One file or library the replay's judgement came from.
struct DataSource {
  std::string name;        ///< what it is: "GeoIP country database", "operators", "nDPI"
  std::string path;        ///< the file as configured; empty for a library or when none is set
  std::string version;     ///< what says which content it is, besides the digest: MMDB type and
                           ///< build date, entry counts, a library's version; or why it is absent
  std::uint64_t size = 0;  ///< bytes on disk; 0 without a file
  std::string sha256;      ///< of the bytes on disk when the report was written; "" without
};

/// The section, from <h2 id="provenance"> on: HTML-escaped, no wall-clock time.
std::string provenanceSection(const ReplayOutcome& result, const ReportInput& input);

}  // namespace camwatch
