#include "sinks/json_lines_writer.h"

#include <camwatch/alert_json.h>

namespace camwatch {

std::string alertsToJsonLines(std::span<const Alert> alerts) {
  std::string lines;
  for (const Alert& alert : alerts) {
    lines += alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    lines += '\n';
  }
  return lines;
}

}  // namespace camwatch
