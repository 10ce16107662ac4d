// component_options: what each component takes, cut from the whole Config. The components know
// only their own options, so a change to the file's layout stays in config/; cli/ and runtime/
// (the composition root) call these and hand the result over. Control thread.
#pragma once

#include "alert/alert_engine.h"
#include "alert/alert_side.h"
#include "config/config.h"
#include "pipeline/judgement_loader.h"

namespace camwatch {

/// The alert engine's part: `alerts:` lifecycle, `learning:`, `inventory:` camera limits and
/// unknown devices, the groups' egress budgets, the sensor name.
AlertEngineOptions alertEngineOptions(const Config& config);
/// The alert side's part: the engine's, plus `alerts:` (spool, delivery) and `learning:`.
AlertSideConfig alertSideConfig(const Config& config);
/// The judgement's part: `policy:`, `inventory:` and the groups' membership, `geoip:`.
JudgementConfig judgementConfig(const Config& config);

}  // namespace camwatch
