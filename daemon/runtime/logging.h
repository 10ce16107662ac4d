// Logging of `camwatch run`: spdlog to standard error, as text or as one JSON object per line
// (`logging.format`), with optional structured fields.
//
// A message logged with fields (logWith) carries them after a record separator; the formatters
// set up here split them off again. Text lines show the message only (it already says the same
// in words); JSON lines put each field beside time, level and message, so a log shipper can
// filter on `interface` or `camera` without parsing prose. Control thread only: building the
// fields allocates.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <camwatch/logging_config.h>

namespace camwatch {

/// Fields of one log line: a JSON object, e.g. {{"interface", "eth1"}, {"workers", 2}}.
using LogFields = nlohmann::ordered_json;

/// Separates a message from its fields inside spdlog's payload (ASCII RS; names in messages are
/// printable ASCII, see dns_parser.h, so it never occurs in one).
inline constexpr char kLogFieldsSeparator = '\x1e';

/// Makes the default spdlog logger: standard error, `logging.format` text
/// (`2026-11-27T19:33:33.369+00:00 info: message`) or json (`{"time":"...Z","level":"info",
/// "message":"...","pid":1,"thread":2,...fields}`), at `logging.level`.
void setUpLogging(const LoggingConfig& logging);

/// Logs `message` at `level` with `fields` (a JSON object; other values are ignored).
void logWith(spdlog::level::level_enum level, const LogFields& fields, std::string_view message);

template <typename... Args>
void logInfo(const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) {
  logWith(spdlog::level::info, fields, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void logWarn(const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) {
  logWith(spdlog::level::warn, fields, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void logError(const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) {
  logWith(spdlog::level::err, fields, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace camwatch
