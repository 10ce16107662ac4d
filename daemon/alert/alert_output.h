// alert_output: opens the configured alert sinks, each through its sink type
// (sinks/sink_types.h). The delivery thread that feeds them is alert/delivery_thread.h.
#pragma once

#include <vector>

#include <camwatch/config.h>
#include <camwatch/result.h>

namespace camwatch {

/// One sink per `alerts.sinks` entry, opened (files created, token files read); the jsonl ones
/// then reopen their file on SIGHUP (sinks/jsonl/jsonl_reopen.h). Control thread.
/// @return the sinks, or an error naming the sink and what failed.
Result<std::vector<AlertSinkPtr>> makeAlertSinks(const AlertsConfig& config);

}  // namespace camwatch
