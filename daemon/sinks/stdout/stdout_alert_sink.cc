#include "sinks/stdout/stdout_alert_sink.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "sinks/json_lines_writer.h"

namespace camwatch {

Result<void> StdoutAlertSink::deliver(std::span<const Alert> alerts) {
  return writeFully(fd_, alertsToJsonLines(alerts), fmt::format("alert sink {}", name_));
}

}  // namespace camwatch
