#include "sinks/alertmanager/alertmanager_alert_sink.h"

#include <fmt/format.h>

#include "util/text.h"

namespace camwatch {
namespace {

using Json = nlohmann::json;

std::string camelKind(AlertKind kind) {
  std::string name = "Camwatch";
  bool upper = true;
  for (char c : alertKindName(kind)) {
    if (c == '_') {
      upper = true;
      continue;
    }
    name += upper ? upperAscii(c) : c;
    upper = false;
  }
  return name;
}

// Alertmanager treats an empty label value as no label; leaving it out keeps that explicit.
void setIfNotEmpty(Json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

std::string apiUrl(std::string base) {
  while (base.ends_with('/')) base.pop_back();
  return base + "/api/v2/alerts";
}

std::string destinationText(const AlertDestination& destination) {
  if (destination.ip) return destination.ip->toString();
  return destination.hostname;
}

}  // namespace

Json AlertmanagerAlertSink::toAlertmanagerJson(std::span<const Alert> alerts,
                                               const AlertmanagerSinkOptions& options) {
  Json body = Json::array();
  for (const Alert& alert : alerts) {
    Json labels = Json::object();
    for (const auto& [key, value] : options.extra_labels) labels[key] = value;
    labels["alertname"] = options.alertname.empty() ? camelKind(alert.kind) : options.alertname;
    labels["kind"] = alertKindName(alert.kind);
    labels["severity"] = severityName(alert.severity);
    setIfNotEmpty(labels, "sensor", alert.sensor);
    labels["camera"] = alert.camera.ip.toString();
    setIfNotEmpty(labels, "camera_name", alert.camera.name);
    setIfNotEmpty(labels, "camera_group", alert.camera.group);
    setIfNotEmpty(labels, "destination", destinationText(alert.destination));
    labels["dedup_key"] = alert.dedup_key.empty() ? dedupKey(alert) : alert.dedup_key;

    const AlertDestination& destination = alert.destination;
    const std::string where =
        destination.hostname.empty()
            ? destinationText(destination)
            : fmt::format("{} ({})", destination.hostname, destinationText(destination));
    Json annotations = Json::object();
    annotations["summary"] =
        fmt::format("camera {} {}: {}",
                    alert.camera.name.empty() ? alert.camera.ip.toString() : alert.camera.name,
                    alertKindName(alert.kind), where.empty() ? "-" : where);
    annotations["description"] = fmt::format(
        "Camera {} ({}{}) talked to {} port {} ({} {}) : {} packets, {} bytes between {} and {}",
        alert.camera.ip.toString(),
        alert.camera.vendor.empty() ? "unknown vendor" : alert.camera.vendor,
        alert.camera.mac.empty() ? "" : ", " + alert.camera.mac, where.empty() ? "-" : where,
        destination.port, alert.protocol.l4, alert.protocol.app, alert.evidence.packets,
        alert.evidence.bytes, formatAlertTime(alert.evidence.first_seen),
        formatAlertTime(alert.evidence.last_seen));
    setIfNotEmpty(annotations, "rule", alert.rule);
    setIfNotEmpty(annotations, "hostname", destination.hostname);
    setIfNotEmpty(annotations, "hostname_source", destination.hostname_source);
    setIfNotEmpty(annotations, "dns_query", destination.dns_query);
    setIfNotEmpty(annotations, "country", destination.country);
    if (destination.asn != 0) annotations["asn"] = fmt::format("AS{}", destination.asn);
    setIfNotEmpty(annotations, "org", destination.org);
    setIfNotEmpty(annotations, "operator", destination.network_operator);
    setIfNotEmpty(annotations, "operator_country", destination.operator_country);
    std::string previous;
    for (const std::uint32_t asn : destination.previous_asns) {
      previous += fmt::format("{}AS{}", previous.empty() ? "" : ",", asn);
    }
    setIfNotEmpty(annotations, "previous_asns", previous);
    previous.clear();
    for (const std::string& country : destination.previous_countries) {
      previous += (previous.empty() ? "" : ",") + country;
    }
    setIfNotEmpty(annotations, "previous_countries", previous);
    if (destination.port != 0) annotations["port"] = std::to_string(destination.port);
    std::string protocol = alert.protocol.l4;
    if (!alert.protocol.master.empty() && alert.protocol.master != alert.protocol.app) {
      protocol += "/" + alert.protocol.master;
    }
    if (!alert.protocol.app.empty()) protocol += "/" + alert.protocol.app;
    setIfNotEmpty(annotations, "protocol", protocol);
    setIfNotEmpty(annotations, "category", alert.protocol.category);
    std::string risks;
    for (const std::string& risk : alert.protocol.risks) risks += (risks.empty() ? "" : ",") + risk;
    setIfNotEmpty(annotations, "risks", risks);
    annotations["evidence"] = fmt::format(
        "{} packets, {} bytes, first {} last {}", alert.evidence.packets, alert.evidence.bytes,
        formatAlertTime(alert.evidence.first_seen), formatAlertTime(alert.evidence.last_seen));
    if (alert.evidence.beacon) {
      // An annotation, not a label: it may appear and change within an episode.
      const Beacon& beacon = *alert.evidence.beacon;
      annotations["beacon"] =
          fmt::format("every {:.3f} s, jitter {:.3f} s, {} contacts",
                      static_cast<double>(beacon.period) / static_cast<double>(kNanosPerSecond),
                      static_cast<double>(beacon.jitter) / static_cast<double>(kNanosPerSecond),
                      beacon.contacts);
    }
    setIfNotEmpty(annotations, "camera_mac", alert.camera.mac);
    setIfNotEmpty(annotations, "camera_vendor", alert.camera.vendor);
    if (alert.repeat_count != 0) annotations["repeat_count"] = std::to_string(alert.repeat_count);

    Json item;
    item["labels"] = std::move(labels);
    item["annotations"] = std::move(annotations);
    const Timestamp starts =
        alert.evidence.first_seen != 0 ? alert.evidence.first_seen : alert.time;
    item["startsAt"] = formatAlertTime(starts);
    // Only a resolved alert gets an end. A firing one gets none, even when it carries an
    // ends_at: Alertmanager resolves an alert at any endsAt it is sent, which in packet time is
    // usually already past. Without one it keeps the alert active for its resolve_timeout after
    // the last post, and each (re)notification renews it.
    if (alert.status == AlertStatus::kResolved) {
      item["endsAt"] = formatAlertTime(alert.ends_at.value_or(alert.time));
    }
    if (!options.generator_url.empty()) item["generatorURL"] = options.generator_url;
    body.push_back(std::move(item));
  }
  return body;
}

Result<std::unique_ptr<AlertmanagerAlertSink>> AlertmanagerAlertSink::open(
    const AlertmanagerSinkOptions& options) {
  if (options.urls.empty()) return makeError("alert sink " + options.name + ": no urls");
  for (const std::string& url : options.urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return makeError(
          fmt::format("alert sink {}: url '{}' is not http:// or https://", options.name, url));
    }
  }
  std::vector<std::string> headers = {"Content-Type: application/json", "User-Agent: camwatch"};
  for (const std::string& header : options.headers) headers.push_back(header);
  if (!options.bearer_token_file.empty()) {
    auto token = readBearerToken(options.bearer_token_file);
    if (!token) return makeError("alert sink " + options.name + ": " + token.error().message);
    headers.push_back("Authorization: Bearer " + *token);
  }
  return std::unique_ptr<AlertmanagerAlertSink>(
      new AlertmanagerAlertSink(options, std::move(headers)));
}

Result<void> AlertmanagerAlertSink::deliver(std::span<const Alert> alerts) {
  const std::string body = toAlertmanagerJson(alerts, options_)
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string errors;
  bool accepted = false;
  for (const std::string& base : options_.urls) {
    const std::string url = apiUrl(base);
    auto response = httpRequest("POST", url, headers_, body, options_.timeouts);
    std::string error;
    if (!response) {
      error = response.error().message;
    } else if (response->status < 200 || response->status > 299) {
      error =
          fmt::format("POST {}: HTTP {}: {}", url, response->status, bodyExcerpt(response->body));
    } else {
      accepted = true;
      continue;
    }
    errors += (errors.empty() ? "" : "; ") + error;
  }
  // One peer is enough to notify: peers share the notification log, so the cluster sends one
  // notification; a peer that missed this batch is not retried (it sees the next repeat).
  if (accepted) return {};
  return makeError("alert sink " + options_.name +
                   ": no Alertmanager accepted the alerts: " + errors);
}

}  // namespace camwatch
