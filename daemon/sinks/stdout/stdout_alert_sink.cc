#include "sinks/stdout/stdout_alert_sink.h"

#include <fmt/format.h>

#include "sinks/json_lines_writer.h"
#include "util/durable_file.h"

namespace camwatch {

Result<void> StdoutAlertSink::deliver(std::span<const Alert> alerts) {
  return writeAll(fd_, alertsToJsonLines(alerts), fmt::format("alert sink {}", name_));
}

}  // namespace camwatch
