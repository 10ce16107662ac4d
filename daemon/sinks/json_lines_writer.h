// What the line-oriented alert sinks (jsonl file, stdout) share: alerts as JSON lines, and a
// write that retries short writes and EINTR until every byte is out.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace camwatch {

/// One alertToJson() object per line, each line ending in '\n'.
std::string alertsToJsonLines(std::span<const Alert> alerts);

/// Writes all of `bytes` to `fd`; on failure the error starts with `what` ("alert sink file: x").
Result<void> writeFully(int fd, std::string_view bytes, std::string_view what);

}  // namespace camwatch
