// Runs Debian's headless Chromium on a report page the way camwatch does (the command line of
// daemon/report/headless_chromium.h, shared with `replay --report-pdf`), for the tests that load,
// screenshot and compare the report.
#pragma once

#include <string>

#include "integration/run_command.h"
#include "report/headless_chromium.h"

namespace camwatch::integration {

/// Debian's chromium package (scripts/setup.sh installs it).
inline const std::string kChromium = "/usr/bin/chromium";

/// Runs kChromium on the local file `page` for `task` with a fresh profile in `profile_dir`,
/// the page's console messages on standard error, killed after 60 s. `environment` is put
/// before the command: "NAME=value " assignments, already quoted.
CommandResult runChromium(const std::string& page, const std::string& profile_dir,
                          HeadlessChromiumTask task, const std::string& environment = "");

}  // namespace camwatch::integration
