// The stdout sink type: no settings besides its name.
#include "sinks/sink_registry.h"
#include "sinks/stdout/stdout_alert_sink.h"

namespace camwatch {
namespace {

std::shared_ptr<const SinkOptions> read(const ConfigReader& /*reader*/, const YAML::Node& /*node*/,
                                        const std::string& /*path*/) {
  return nullptr;
}

void describe(const SinkOptions* /*options*/, std::string& /*yaml*/) {}

Result<AlertSinkPtr> make(const SinkSpec& sink, SinkContext& /*context*/) {
  return std::make_unique<StdoutAlertSink>(sink.name);
}

}  // namespace

extern const SinkType kStdoutSinkType = {"stdout", {}, read, describe, make};

}  // namespace camwatch
