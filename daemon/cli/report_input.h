// report_input: what `replay --report` and `--report-pdf` say about their inputs besides the
// replay itself (docs/report.md): camwatch's version, the config's path, text and SHA-256, each
// capture file's size and SHA-256, and the data sources the judgement was built from, each with
// its version or entry counts and its file's SHA-256 (report/report_provenance.h). Files are read
// again after the replay, off the packet path; one that cannot be is named on standard error and
// listed without a digest.
#pragma once

#include <camwatch/inventory.h>
#include <camwatch/operators.h>

#include "cli/replay_command.h"
#include "config/config.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/replay_pipeline.h"
#include "report/report_html.h"

namespace camwatch::cli {

/// What the judgement was loaded with, as replay keeps it for the report.
struct LoadedSources {
  const JudgementSources* sources = nullptr;
  const OperatorTable* operators = nullptr;  ///< null without geoip.operators_file
  const OuiTable* oui = nullptr;             ///< null without inventory.oui_file
};

ReportInput reportInput(const ReplayArgs& args, const Config& config, const ReplayResult& result,
                        const LoadedSources& loaded);

}  // namespace camwatch::cli
