// judgement_loader: builds what workers judge flows by (policy engine, camera inventory with its
// OUI table, GeoIP databases) from a loaded Config. `replay` calls it once; `run` at start and on
// every SIGHUP, where a failure keeps the running judgement.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <camwatch/inventory.h>
#include <camwatch/result.h>

#include "config/config.h"
#include "pipeline/flow_worker.h"

namespace camwatch {

struct LoadedJudgement {
  FlowJudgement judgement;
  std::shared_ptr<const OuiTable> oui;  ///< null without inventory.oui_file
  /// Things worth a log line that do not stop the start (a configured GeoIP file missing).
  std::vector<std::string> warnings;
};

/// Opens the GeoIP databases and the OUI file and builds the policy engine and inventory.
/// Control thread. @return them, or an error naming the file or section that failed.
Result<LoadedJudgement> loadJudgement(const Config& config);

}  // namespace camwatch
