// The jsonl sink type: `path` (required, relative to the config file) and `fsync`.
#include "sinks/jsonl/jsonl_alert_sink.h"
#include "sinks/sink_registry.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

constexpr std::string_view kKeys[] = {"path", "fsync"};

std::shared_ptr<const SinkOptions> read(const ConfigReader& reader, const YAML::Node& node,
                                        const std::string& path) {
  JsonlSinkOptions options;
  if (!node["path"]) reader.fail(node, path + ".path", "a jsonl sink needs a path");
  options.path = reader.filePath(node["path"], path + ".path");
  if (node["fsync"]) options.fsync = reader.boolean(node["fsync"], path + ".fsync");
  return std::make_shared<const TypedSinkOptions<JsonlSinkOptions>>(std::move(options));
}

void describe(const SinkOptions* options, std::string& yaml) {
  const auto& jsonl = dynamic_cast<const TypedSinkOptions<JsonlSinkOptions>&>(*options).value;
  yaml += fmt::format("      path: '{}'\n      fsync: {}\n", jsonl.path, jsonl.fsync);
}

Result<AlertSinkPtr> make(const SinkSpec& sink, SinkContext& context) {
  JsonlSinkOptions options = sinkOptions<JsonlSinkOptions>(sink);
  options.name = sink.name;
  auto opened = JsonlAlertSink::open(options);
  if (!opened) return tl::unexpected(opened.error());
  context.reopen_on_sighup.push_back(opened->get());
  return AlertSinkPtr(std::move(*opened));
}

}  // namespace

extern const SinkType kJsonlSinkType = {"jsonl", kKeys, read, describe, make};

}  // namespace camwatch
