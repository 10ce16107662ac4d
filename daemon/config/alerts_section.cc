// `alerts:` of the config file: the alert lifecycle, the spool, delivery retries and the sinks.
// A sink entry's `type` picks its SinkType (sinks/sink_registry.h), which reads the rest.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "config/config_sections.h"
#include "sinks/sink_registry.h"

namespace camwatch {
namespace {

const SinkType& readSinkType(const ConfigReader& reader, const YAML::Node& node,
                             const std::string& path) {
  if (!node.IsMap()) reader.fail(node, path, "expected a mapping with a 'type'");
  if (!node["type"]) reader.fail(node, path + ".type", "every sink needs a type");
  const std::string type = reader.scalar(node["type"], path + ".type");
  const SinkType* found = findSinkType(type);
  if (found == nullptr) {
    reader.fail(node["type"], path + ".type",
                fmt::format("unknown sink type '{}'; expected {}", type, sinkTypeNames()));
  }
  return *found;
}

// Names go into metrics labels and spool file names.
std::string readSinkName(const ConfigReader& reader, const YAML::Node& node,
                         const std::string& path, std::string_view type) {
  std::string name = node["name"] ? reader.scalar(node["name"], path + ".name") : std::string(type);
  const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
  });
  if (!name_ok) {
    reader.fail(node["name"] ? node["name"] : node, path + ".name",
                fmt::format("'{}': use letters, digits, '_', '.' and '-' only", name));
  }
  return name;
}

SinkSpec readSink(const ConfigReader& reader, const YAML::Node& node, const std::string& path) {
  const SinkType& type = readSinkType(reader, node, path);
  std::vector<std::string> keys = {"type", "name"};
  keys.insert(keys.end(), type.keys.begin(), type.keys.end());
  reader.checkKeys(node, path, keys);
  SinkSpec sink;
  sink.type = type.type;
  sink.name = readSinkName(reader, node, path, type.type);
  sink.options = type.read(reader, node, path);
  return sink;
}

void readSinks(const ConfigReader& reader, const YAML::Node& sinks, std::vector<SinkSpec>& read) {
  if (!sinks.IsSequence()) reader.fail(sinks, "alerts.sinks", "expected a list of sinks");
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    const std::string path = "alerts.sinks[" + std::to_string(i) + "]";
    SinkSpec sink = readSink(reader, sinks[i], path);
    for (const SinkSpec& earlier : read) {
      if (earlier.name == sink.name) {
        reader.fail(
            sinks[i], path + ".name",
            fmt::format("a second sink named '{}'; give each sink its own name", sink.name));
      }
    }
    read.push_back(std::move(sink));
  }
}

// When an alert is raised again, renotified and resolved, and how many may be active.
void readLifecycle(const ConfigReader& reader, const YAML::Node& node, AlertsConfig& alerts) {
  if (node["suppression_window"]) {
    alerts.suppression_window =
        reader.durationOrZero(node["suppression_window"], "alerts.suppression_window");
  }
  if (node["renotify_interval"]) {
    alerts.renotify_interval =
        reader.durationOrZero(node["renotify_interval"], "alerts.renotify_interval");
  }
  if (node["resolve_after"]) {
    alerts.resolve_after = reader.durationOrZero(node["resolve_after"], "alerts.resolve_after");
  }
  if (node["max_active_per_camera"]) {
    alerts.max_active_per_camera = reader.unsignedValue(
        node["max_active_per_camera"], "alerts.max_active_per_camera", 0, 1'000'000);
  }
  if (node["max_active"]) {
    alerts.max_active =
        reader.unsignedValue(node["max_active"], "alerts.max_active", 1, 16'777'216);
  }
}

// The spool, the delivery batches and their retries.
void readDelivery(const ConfigReader& reader, const YAML::Node& node, AlertsConfig& alerts) {
  if (node["spool_dir"]) alerts.spool_dir = reader.filePath(node["spool_dir"], "alerts.spool_dir");
  if (node["spool_max_bytes"]) {
    alerts.spool_max_bytes =
        reader.byteSize(node["spool_max_bytes"], "alerts.spool_max_bytes", false);
  }
  if (node["spool_segment_bytes"]) {
    alerts.spool_segment_bytes =
        reader.byteSize(node["spool_segment_bytes"], "alerts.spool_segment_bytes", false);
  }
  if (node["batch_size"]) {
    alerts.batch_size = reader.unsignedValue(node["batch_size"], "alerts.batch_size", 1, 10000);
  }
  if (node["retry_base"])
    alerts.retry_base = reader.millis(node["retry_base"], "alerts.retry_base");
  if (node["retry_max"]) alerts.retry_max = reader.millis(node["retry_max"], "alerts.retry_max");
  if (alerts.retry_max < alerts.retry_base) {
    reader.fail(node, "alerts.retry_max", "must not be shorter than alerts.retry_base");
  }
  if (node["drain_timeout"]) {
    alerts.drain_timeout = std::chrono::milliseconds(
        reader.durationOrZero(node["drain_timeout"], "alerts.drain_timeout") /
        (kNanosPerSecond / 1000));
  }
}

}  // namespace

void readAlerts(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  reader.checkKeys(
      node, "alerts",
      {"suppression_window", "renotify_interval", "resolve_after", "max_active_per_camera",
       "max_active", "spool_dir", "spool_max_bytes", "spool_segment_bytes", "batch_size",
       "retry_base", "retry_max", "drain_timeout", "sinks"});
  readLifecycle(reader, node, config.alerts);
  readDelivery(reader, node, config.alerts);
  if (const YAML::Node sinks = node["sinks"]) readSinks(reader, sinks, config.alert_sinks);
}

}  // namespace camwatch
