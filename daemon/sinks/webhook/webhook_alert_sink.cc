#include "sinks/webhook/webhook_alert_sink.h"

#include <fmt/format.h>

#include <camwatch/alert_json.h>

namespace camwatch {

Result<std::unique_ptr<WebhookAlertSink>> WebhookAlertSink::open(
    const WebhookSinkOptions& options) {
  if (!options.url.starts_with("http://") && !options.url.starts_with("https://")) {
    return makeError(fmt::format("alert sink {}: url '{}' is not http:// or https://", options.name,
                                 options.url));
  }
  std::vector<std::string> headers = {"Content-Type: application/json", "User-Agent: camwatch"};
  for (const std::string& header : options.headers) headers.push_back(header);
  if (!options.bearer_token_file.empty()) {
    auto token = readBearerToken(options.bearer_token_file);
    if (!token) {
      return makeError("alert sink " + options.name + ": " + token.error().message);
    }
    headers.push_back("Authorization: Bearer " + *token);
  }
  return std::unique_ptr<WebhookAlertSink>(new WebhookAlertSink(options, std::move(headers)));
}

Result<void> WebhookAlertSink::post(const std::string& body) {
  auto response = httpRequest("POST", options_.url, headers_, body, options_.timeouts);
  if (!response) {
    return makeError("alert sink " + options_.name + ": " + response.error().message);
  }
  if (response->status < 200 || response->status > 299) {
    return makeError(fmt::format("alert sink {}: POST {}: HTTP {}: {}", options_.name, options_.url,
                                 response->status, bodyExcerpt(response->body)));
  }
  return {};
}

Result<void> WebhookAlertSink::deliver(std::span<const Alert> alerts) {
  if (options_.one_per_request) {
    // A retry resends the whole batch, so a receiver may see the first alerts twice: the
    // dedup_key field lets it tell.
    for (const Alert& alert : alerts) {
      if (auto posted = post(
              alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
          !posted)
        return posted;
    }
    return {};
  }
  nlohmann::json array = nlohmann::json::array();
  for (const Alert& alert : alerts) array.push_back(alertToJson(alert));
  return post(array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace camwatch
