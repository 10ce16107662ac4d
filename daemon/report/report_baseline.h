// report_baseline: the report's "baseline" section, for a replay that learnt or enforced a learned
// baseline (learning.mode learn or enforce): per group what the baseline holds at the end of the
// replay, as `camwatch baseline show` lists it, so that it can be reviewed before it is exported
// and enforced (docs/enforcement.md). Nothing when learning is off.
#pragma once

#include <string>

#include "report/replay_outcome.h"

namespace camwatch {

/// Appends the section (an h2 with id "baseline", then a table per group) when the replay
/// learnt; nothing otherwise.
void appendBaseline(std::string& html, const ReplayOutcome& result);

/// " &middot; <a href="#baseline">baseline</a>" for the report's table of contents when the
/// section is there; "" otherwise.
std::string baselineNavLink(const ReplayOutcome& result);

}  // namespace camwatch
