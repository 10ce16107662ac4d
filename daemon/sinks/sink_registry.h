// sinks/: one folder per alert sink type (jsonl, stdout, syslog, webhook, alertmanager; http/ is
// their HTTP client), the list of those types, and the JSON-lines writer they share.
//
// sink_registry: the alert sink types camwatch knows, one explicit list (sink_registry.cc), and
// the opening of the configured sinks through it. Each type lives in its folder,
// sinks/<type>/<type>_sink_type.cc, with its config keys, the reader of its `alerts.sinks` entry,
// its `check-config` text and its factory; the config reader, describeConfig and makeAlertSinks
// only go through this list. Adding a sink type = a folder + its entry in the list (a
// declaration and a line). An entry of `alerts.sinks` is a SinkSpec, owned here: the alert side
// only ever sees the opened sinks (AlertSinkPtr), so alert/ does not depend on sinks/.
//
// A list rather than self-registering statics: camwatch_core is a static library, and the linker
// would drop a sink file nothing refers to, registrar and all.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace YAML {
class Node;
}

namespace camwatch {

class ConfigReader;
class JsonlAlertSink;

/// A sink type's own settings (host, path, timeouts...): each sink type reads, describes and
/// opens its own (sinks/<type>/<type>_sink_type.cc), so this header does not list them.
struct SinkOptions {
  virtual ~SinkOptions() = default;
};

/// One entry of `alerts.sinks`, as read from the config.
struct SinkSpec {
  std::string type;  ///< jsonl, stdout, syslog, webhook, alertmanager (the list, sink_registry.cc)
  std::string name;  ///< default: the type
  std::shared_ptr<const SinkOptions> options;  ///< the type's settings; null for stdout
};

/// What the sinks of one makeAlertSinks() call hand back besides themselves.
struct SinkContext {
  /// jsonl sinks, to reopen their file on SIGHUP (sinks/jsonl/jsonl_reopen.h) once all opened.
  std::vector<JsonlAlertSink*> reopen_on_sighup;
};

struct SinkType {
  std::string_view type;                   ///< the `type:` value, e.g. "jsonl"
  std::span<const std::string_view> keys;  ///< YAML keys besides type and name, in error order
  /// Reads the type's own keys of the entry at `path` ("alerts.sinks[0]"); the keys are checked
  /// already. A mistake throws through ConfigReader::fail(). Null options are allowed.
  std::shared_ptr<const SinkOptions> (*read)(const ConfigReader& reader, const YAML::Node& node,
                                             const std::string& path);
  /// Appends the options' `check-config` lines (indented for a list entry) to `yaml`.
  void (*describe)(const SinkOptions* options, std::string& yaml);
  /// Opens the sink (creates files, reads token files). Control thread.
  Result<AlertSinkPtr> (*make)(const SinkSpec& sink, SinkContext& context);
};

/// Every sink type, in the order the docs and error messages list them.
std::span<const SinkType* const> sinkTypes();
/// The type named `type`, or null.
const SinkType* findSinkType(std::string_view type);
/// "jsonl, stdout, syslog, webhook or alertmanager", from the list.
std::string sinkTypeNames();

/// One sink per entry of `specs`, opened through its type (files created, token files read);
/// the jsonl ones then reopen their file on SIGHUP (sinks/jsonl/jsonl_reopen.h). Control thread.
/// @return the sinks in the order of `specs`, or an error naming the sink and what failed.
Result<std::vector<AlertSinkPtr>> makeAlertSinks(const std::vector<SinkSpec>& specs);

/// The options a sink type's reader stored, as that type's own struct (e.g. JsonlSinkOptions).
template <typename Options>
struct TypedSinkOptions final : SinkOptions {
  explicit TypedSinkOptions(Options value_in) : value(std::move(value_in)) {}
  Options value;
};

/// `sink`'s options as `Options`; the sink's type must be the one whose options these are.
template <typename Options>
const Options& sinkOptions(const SinkSpec& sink) {
  return dynamic_cast<const TypedSinkOptions<Options>&>(*sink.options).value;
}

/// An `alerts.sinks` entry as a reader makes it (tests build sinks this way too).
template <typename Options>
SinkSpec makeSinkSpec(std::string type, std::string name, Options options) {
  return SinkSpec{std::move(type), std::move(name),
                  std::make_shared<const TypedSinkOptions<Options>>(std::move(options))};
}

}  // namespace camwatch
