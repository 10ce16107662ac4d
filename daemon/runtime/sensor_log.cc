#include "runtime/run_service.h"

namespace camwatch::run_service {

std::string describeAlert(const Alert& alert) {
  std::string camera = alert.camera.name.empty() ? alert.camera.ip.toString() : alert.camera.name;
  std::string destination;
  if (alert.destination.ip) {
    destination =
        alert.destination.hostname.empty()
            ? alert.destination.ip->toString()
            : fmt::format("{} ({})", alert.destination.hostname, alert.destination.ip->toString());
    if (alert.destination.port != 0) destination += fmt::format(" port {}", alert.destination.port);
  } else if (!alert.destination.hostname.empty()) {
    destination = alert.destination.hostname;
  }
  return fmt::format("alert {} {} {}: camera {}{}{} (rule {})", alertStatusName(alert.status),
                     alertKindName(alert.kind), severityName(alert.severity), camera,
                     destination.empty() ? "" : " -> ", destination, alert.rule);
}

LogFields alertLogFields(const Alert& alert) {
  LogFields fields = {{"alert_status", std::string(alertStatusName(alert.status))},
                      {"alert_kind", std::string(alertKindName(alert.kind))},
                      {"severity", std::string(severityName(alert.severity))},
                      {"camera_ip", alert.camera.ip.toString()},
                      {"rule", alert.rule}};
  if (!alert.camera.name.empty()) fields["camera"] = alert.camera.name;
  if (alert.destination.ip) fields["destination_ip"] = alert.destination.ip->toString();
  if (!alert.destination.hostname.empty()) fields["hostname"] = alert.destination.hostname;
  if (alert.destination.port != 0) fields["port"] = alert.destination.port;
  fields["dedup_key"] = alert.dedup_key.empty() ? dedupKey(alert) : alert.dedup_key;
  return fields;
}

}  // namespace camwatch::run_service
