// sinks/webhook/: the webhook sink: alerts POSTed as JSON to one URL; its config keys and
// its factory.
//
// WebhookAlertSink: POSTs alerts as JSON to one URL through libcurl. By default one request per
// batch with a JSON array of alert objects; `one_per_request` sends each alert as a single
// object instead (for receivers that take one event per request). 2xx is success; anything
// else fails the whole batch, which the delivery loop retries.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/result.h>

#include "sinks/http/http_client.h"

namespace camwatch {

struct WebhookSinkOptions {
  std::string name = "webhook";
  std::string url;
  std::vector<std::string> headers;  ///< extra "Name: value" headers
  std::string bearer_token_file;     ///< read once at open(); empty = no Authorization header
  bool one_per_request = false;      ///< false: one JSON array per batch
  HttpTimeouts timeouts;
};

class WebhookAlertSink final : public AlertSink {
 public:
  /// Reads the bearer token file (when set). Control thread.
  /// @return the sink, or an error naming the URL or token file.
  static Result<std::unique_ptr<WebhookAlertSink>> open(const WebhookSinkOptions& options);

  // camwatch::AlertSink
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

 private:
  WebhookAlertSink(const WebhookSinkOptions& options, std::vector<std::string> headers)
      : options_(options), headers_(std::move(headers)) {}
  Result<void> post(const std::string& body);

  const WebhookSinkOptions options_;
  const std::vector<std::string> headers_;  // options' headers + content type + token
};

}  // namespace camwatch
