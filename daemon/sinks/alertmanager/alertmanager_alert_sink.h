// sinks/alertmanager/: the Alertmanager sink: alerts posted to its v2 API (to every URL of
// an HA cluster), its config keys and its factory.
//
// AlertmanagerAlertSink: posts alerts to Prometheus Alertmanager's v2 API
// (POST <url>/api/v2/alerts, a JSON array of {labels, annotations, startsAt, endsAt,
// generatorURL}). With several URLs (an HA cluster) every batch goes to all of them (the cluster
// deduplicates notifications); the batch counts as delivered when at least one accepted it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <camwatch/alert.h>
#include <camwatch/result.h>

#include "sinks/http/http_client.h"

namespace camwatch {

struct AlertmanagerSinkOptions {
  std::string name = "alertmanager";
  std::vector<std::string> urls;  ///< base URLs, e.g. "http://am-1:9093" (no /api/v2 suffix)
  /// The alertname label. Empty: one name per kind, "Camwatch" + the kind in CamelCase
  /// ("CamwatchVendorCloud").
  std::string alertname;
  std::string generator_url;  ///< generatorURL of every alert; empty = left out
  std::map<std::string, std::string> extra_labels;  ///< added to every alert (site, env)
  std::vector<std::string> headers;                 ///< extra "Name: value" headers
  std::string bearer_token_file;                    ///< read once at open(); empty = none
  HttpTimeouts timeouts;
};

class AlertmanagerAlertSink final : public AlertSink {
 public:
  /// Checks the URLs and reads the token file. Control thread.
  /// @return the sink, or an error naming the bad URL or token file.
  static Result<std::unique_ptr<AlertmanagerAlertSink>> open(
      const AlertmanagerSinkOptions& options);

  /// The v2 API body for `alerts` (documented in docs/alerts.md). Any thread.
  static nlohmann::json toAlertmanagerJson(std::span<const Alert> alerts,
                                           const AlertmanagerSinkOptions& options);

  // camwatch::AlertSink
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

 private:
  AlertmanagerAlertSink(const AlertmanagerSinkOptions& options, std::vector<std::string> headers)
      : options_(options), headers_(std::move(headers)) {}

  const AlertmanagerSinkOptions options_;
  const std::vector<std::string> headers_;
};

}  // namespace camwatch
