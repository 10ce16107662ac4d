// What the line-oriented alert sinks (jsonl file, stdout) share: alerts as JSON lines. They write
// them with writeAll() from util/durable_file.h.
#pragma once

#include <span>
#include <string>

#include <camwatch/alert.h>

namespace camwatch {

/// One alertToJson() (camwatch/alert_json.h) object per line, each line ending in '\n'.
std::string alertsToJsonLines(std::span<const Alert> alerts);

}  // namespace camwatch
