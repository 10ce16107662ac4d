#include "sinks/sink_types.h"

#include <iterator>

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

}  // namespace camwatch
