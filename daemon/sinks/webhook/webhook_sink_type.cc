// The webhook sink type: one `url`, `one_per_request`, and the HTTP keys every HTTP sink has
// (sinks/http/http_sink_settings.h).
#include "sinks/http/http_sink_settings.h"
#include "sinks/sink_registry.h"
#include "sinks/webhook/webhook_alert_sink.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

constexpr std::string_view kKeys[] = {
    "url", "headers", "bearer_token_file", "one_per_request", "connect_timeout", "timeout"};

std::shared_ptr<const SinkOptions> read(const ConfigReader& reader, const YAML::Node& node,
                                        const std::string& path) {
  WebhookSinkOptions options;
  if (!node["url"]) reader.fail(node, path + ".url", "a webhook sink needs a url");
  options.url = reader.scalar(node["url"], path + ".url");
  checkHttpUrl(reader, node["url"], path + ".url", options.url);
  readHttpAuth(reader, node, path, options.headers, options.bearer_token_file);
  if (node["one_per_request"]) {
    options.one_per_request = reader.boolean(node["one_per_request"], path + ".one_per_request");
  }
  readHttpTimeouts(reader, node, path, options.timeouts);
  return std::make_shared<const TypedSinkOptions<WebhookSinkOptions>>(std::move(options));
}

void describe(const SinkOptions* options, std::string& yaml) {
  const auto& webhook = dynamic_cast<const TypedSinkOptions<WebhookSinkOptions>&>(*options).value;
  yaml += fmt::format("      url: [{}]\n", webhook.url);
  describeHttpAuth(webhook.headers, webhook.bearer_token_file, yaml);
  describeHttpTimeouts(webhook.timeouts, yaml);
}

Result<AlertSinkPtr> make(const SinkSpec& sink, SinkContext& /*context*/) {
  WebhookSinkOptions options = sinkOptions<WebhookSinkOptions>(sink);
  options.name = sink.name;
  auto opened = WebhookAlertSink::open(options);
  if (!opened) return tl::unexpected(opened.error());
  return AlertSinkPtr(std::move(*opened));
}

}  // namespace

extern const SinkType kWebhookSinkType = {"webhook", kKeys, read, describe, make};

}  // namespace camwatch
