#include "alert/alert_output.h"

#include <fmt/format.h>

#include "sinks/jsonl/jsonl_reopen.h"
#include "sinks/sink_types.h"

namespace camwatch {

Result<std::vector<AlertSinkPtr>> makeAlertSinks(const std::vector<AlertSinkConfig>& specs) {
  std::vector<AlertSinkPtr> sinks;
  SinkContext context;
  for (const AlertSinkConfig& sink : specs) {
    const SinkType* type = findSinkType(sink.type);
    Result<AlertSinkPtr> made =
        type != nullptr ? type->make(sink, context) : makeError("unknown sink type");
    if (!made) {
      return makeError(
          fmt::format("alert sink '{}' ({}): {}", sink.name, sink.type, made.error().message));
    }
    sinks.push_back(std::move(*made));
  }
  // Only now that every sink opened: the SIGHUP handler never sees a half list.
  reopenOnSighup(context.reopen_on_sighup);
  return sinks;
}

}  // namespace camwatch
