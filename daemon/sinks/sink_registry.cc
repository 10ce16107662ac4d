#include "sinks/sink_registry.h"

#include <iterator>

#include <fmt/format.h>

#include "sinks/jsonl/jsonl_reopen.h"

namespace camwatch {

// Each defined in sinks/<type>/<type>_sink_type.cc.
extern const SinkType kJsonlSinkType;
extern const SinkType kStdoutSinkType;
extern const SinkType kSyslogSinkType;
extern const SinkType kWebhookSinkType;
extern const SinkType kAlertmanagerSinkType;

namespace {

// The list: one line per sink type, in the order docs/alerts.md and the errors name them.
const SinkType* const kSinkTypes[] = {
    &kJsonlSinkType, &kStdoutSinkType, &kSyslogSinkType, &kWebhookSinkType, &kAlertmanagerSinkType,
};

}  // namespace

std::span<const SinkType* const> sinkTypes() { return kSinkTypes; }

const SinkType* findSinkType(std::string_view type) {
  for (const SinkType* candidate : kSinkTypes) {
    if (candidate->type == type) return candidate;
  }
  return nullptr;
}

std::string sinkTypeNames() {
  std::string names;
  for (std::size_t i = 0; i < std::size(kSinkTypes); ++i) {
    if (i > 0) names += i + 1 == std::size(kSinkTypes) ? " or " : ", ";
    names += kSinkTypes[i]->type;
  }
  return names;
}

Result<std::vector<AlertSinkPtr>> makeAlertSinks(const std::vector<SinkSpec>& specs) {
  std::vector<AlertSinkPtr> sinks;
  SinkContext context;
  for (const SinkSpec& sink : specs) {
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
