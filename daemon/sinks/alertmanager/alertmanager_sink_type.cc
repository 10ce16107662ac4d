// The alertmanager sink type: `urls` (one per cluster peer), `alertname`, `generator_url`,
// `labels`, and the HTTP keys every HTTP sink has (sinks/http/http_sink_settings.h).
#include "sinks/alertmanager/alertmanager_alert_sink.h"
#include "sinks/http/http_sink_settings.h"
#include "sinks/sink_registry.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

constexpr std::string_view kKeys[] = {"urls",    "alertname",         "generator_url",   "labels",
                                      "headers", "bearer_token_file", "connect_timeout", "timeout"};

void readUrls(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
              AlertmanagerSinkOptions& options) {
  if (!node["urls"]) {
    reader.fail(node, path + ".urls", "an alertmanager sink needs urls (one per cluster peer)");
  }
  options.urls = reader.stringList(node["urls"], path + ".urls");
  if (options.urls.empty()) reader.fail(node["urls"], path + ".urls", "must not be empty");
  for (const std::string& url : options.urls) {
    checkHttpUrl(reader, node["urls"], path + ".urls", url);
  }
}

void readLabels(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
                AlertmanagerSinkOptions& options) {
  if (node["alertname"]) options.alertname = reader.scalar(node["alertname"], path + ".alertname");
  if (node["generator_url"]) {
    options.generator_url = reader.scalar(node["generator_url"], path + ".generator_url");
  }
  if (node["labels"]) {
    const YAML::Node& labels = node["labels"];
    if (!labels.IsMap()) reader.fail(labels, path + ".labels", "expected a mapping");
    for (const auto& label : labels) {
      const auto key = label.first.as<std::string>();
      options.extra_labels[key] = reader.scalar(label.second, path + ".labels." + key);
    }
  }
}

std::shared_ptr<const SinkOptions> read(const ConfigReader& reader, const YAML::Node& node,
                                        const std::string& path) {
  AlertmanagerSinkOptions options;
  readUrls(reader, node, path, options);
  readHttpAuth(reader, node, path, options.headers, options.bearer_token_file);
  readLabels(reader, node, path, options);
  readHttpTimeouts(reader, node, path, options.timeouts);
  return std::make_shared<const TypedSinkOptions<AlertmanagerSinkOptions>>(std::move(options));
}

void describe(const SinkOptions* options, std::string& yaml) {
  const auto& am = dynamic_cast<const TypedSinkOptions<AlertmanagerSinkOptions>&>(*options).value;
  yaml += fmt::format("      urls: [{}]\n", fmt::join(am.urls, ", "));
  describeHttpAuth(am.headers, am.bearer_token_file, yaml);
  if (!am.alertname.empty()) yaml += fmt::format("      alertname: {}\n", am.alertname);
  if (!am.generator_url.empty()) yaml += fmt::format("      generator_url: {}\n", am.generator_url);
  for (const auto& [key, value] : am.extra_labels) {
    yaml += fmt::format("      label: {}={}\n", key, value);
  }
  describeHttpTimeouts(am.timeouts, yaml);
}

Result<AlertSinkPtr> make(const SinkSpec& sink, SinkContext& /*context*/) {
  AlertmanagerSinkOptions options = sinkOptions<AlertmanagerSinkOptions>(sink);
  options.name = sink.name;
  auto opened = AlertmanagerAlertSink::open(options);
  if (!opened) return tl::unexpected(opened.error());
  return AlertSinkPtr(std::move(*opened));
}

}  // namespace

extern const SinkType kAlertmanagerSinkType = {"alertmanager", kKeys, read, describe, make};

}  // namespace camwatch
