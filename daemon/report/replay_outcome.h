// ReplayOutcome: what every replay output (summary, destinations CSV, HTML report) is built from:
// the pipeline's ReplayResult and the FlowDigest the caller folded the flow records into as the
// replay handed them over (ReplayFlowOutput). The pipeline knows nothing of the digest; this
// header is where the two meet, on the report side.
#pragma once

#include <optional>

#include <camwatch/baseline.h>

#include "pipeline/replay_pipeline.h"
#include "report/flow_digest.h"

namespace camwatch {

struct ReplayOutcome : ReplayResult {
  /// Every flow record folded into totals, top lists, destination rows and timelines.
  FlowDigest digest;
  /// The learned baseline at the end, when the replay learnt or enforced one (the report's
  /// baseline section); empty when learning is off.
  std::optional<LearnedBaseline> baseline;
};

}  // namespace camwatch
