// alert_output: opens the configured alert sinks, each through its sink type
// (sinks/sink_types.h). The delivery thread that feeds them is alert/delivery_thread.h.
#pragma once

#include <vector>

#include <camwatch/result.h>

#include "config/config.h"

namespace camwatch {

/// One sink per entry of `specs` (`alerts.sinks`), opened (files created, token files read); the
/// jsonl ones then reopen their file on SIGHUP (sinks/jsonl/jsonl_reopen.h). Control thread.
/// @return the sinks, or an error naming the sink and what failed.
Result<std::vector<AlertSinkPtr>> makeAlertSinks(const std::vector<AlertSinkConfig>& specs);

}  // namespace camwatch
