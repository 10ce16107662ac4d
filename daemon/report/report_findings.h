// The report's first section: the findings (findings.h) as a numbered list, most severe first,
// each with its level as a word (colour is never the only cue), its sentence, its lines of detail
// with links to the cameras, and a link to its evidence.
#pragma once

#include <string>
#include <vector>

#include "report/findings.h"

namespace camwatch {

/// Appends `<section id="findings">` with every finding, in the given order.
void appendFindings(std::string& html, const std::vector<Finding>& findings);

}  // namespace camwatch
