#include <cmath>

#include <fmt/format.h>

#include <camwatch/alert_json.h>

namespace camwatch {
namespace {

using Json = nlohmann::json;

// Field readers: each names the path of the field it could not read, so a corrupt spool line
// says what was wrong with it.
Result<const Json*> member(const Json& object, const char* key, const std::string& path) {
  if (!object.is_object()) return makeError(path + ": not an object");
  auto found = object.find(key);
  if (found == object.end()) return makeError(path + "." + key + ": missing");
  return &*found;
}

Result<std::string> readString(const Json& object, const char* key, const std::string& path) {
  auto value = member(object, key, path);
  if (!value) return tl::unexpected(value.error());
  if (!(*value)->is_string()) return makeError(path + "." + key + ": not a string");
  return (*value)->get<std::string>();
}

Result<std::uint64_t> readUnsigned(const Json& object, const char* key, const std::string& path,
                                   std::uint64_t max) {
  auto value = member(object, key, path);
  if (!value) return tl::unexpected(value.error());
  // nlohmann stores small non-negative numbers as signed or unsigned depending on their origin.
  if (!(*value)->is_number_integer() ||
      (!(*value)->is_number_unsigned() && (*value)->get<std::int64_t>() < 0)) {
    return makeError(path + "." + key + ": not an unsigned integer");
  }
  const auto number = (*value)->get<std::uint64_t>();
  if (number > max) return makeError(path + "." + key + ": too large");
  return number;
}

Result<Timestamp> readTime(const Json& object, const char* key, const std::string& path) {
  auto text = readString(object, key, path);
  if (!text) return tl::unexpected(text.error());
  auto ts = parseTimestamp(*text);
  if (!ts) return makeError(path + "." + key + ": not an RFC 3339 UTC time: " + *text);
  return *ts;
}

Result<IpAddress> readIp(const Json& object, const char* key, const std::string& path) {
  auto text = readString(object, key, path);
  if (!text) return tl::unexpected(text.error());
  auto ip = IpAddress::parse(*text);
  if (!ip) return makeError(path + "." + key + ": not an IP address: " + *text);
  return *ip;
}

// Expands to "if the read failed, return its error; else assign". A macro keeps the many field
// reads below one line each.
#define CW_READ(target, expr)                       \
  do {                                              \
    auto cw_read_value = (expr);                    \
    if (!cw_read_value) {                           \
      return tl::unexpected(cw_read_value.error()); \
    }                                               \
    target = std::move(*cw_read_value);             \
  } while (false)

}  // namespace

std::string_view alertStatusName(AlertStatus status) {
  return status == AlertStatus::kResolved ? "resolved" : "firing";
}

std::optional<AlertStatus> alertStatusFromName(std::string_view name) {
  if (name == "firing") return AlertStatus::kFiring;
  if (name == "resolved") return AlertStatus::kResolved;
  return std::nullopt;
}

std::string formatAlertTime(Timestamp ts) { return formatTimestamp(ts, 9); }

namespace {

double seconds(Timestamp ts) {
  return static_cast<double>(ts) / static_cast<double>(kNanosPerSecond);
}

// Seconds with the beacon's millisecond precision: {"period_s": 30.012, ...}, or null.
Json beaconJson(const std::optional<Beacon>& beacon) {
  if (!beacon) return nullptr;
  return {{"period_s", seconds(beacon->period)},
          {"jitter_s", seconds(beacon->jitter)},
          {"contacts", beacon->contacts}};
}

}  // namespace

Json alertToJson(const Alert& alert) {
  Json json;
  json["version"] = kAlertSchemaVersion;
  json["time"] = formatAlertTime(alert.time);
  json["severity"] = severityName(alert.severity);
  json["kind"] = alertKindName(alert.kind);
  json["status"] = alertStatusName(alert.status);
  json["ends_at"] = alert.ends_at ? Json(formatAlertTime(*alert.ends_at)) : Json(nullptr);
  json["camera"] = {{"ip", alert.camera.ip.toString()},
                    {"mac", alert.camera.mac},
                    {"name", alert.camera.name},
                    {"vendor", alert.camera.vendor},
                    {"group", alert.camera.group}};
  const AlertDestination& destination = alert.destination;
  json["destination"] = {{"ip", destination.ip ? Json(destination.ip->toString()) : Json(nullptr)},
                         {"port", destination.port},
                         {"hostname", destination.hostname},
                         {"hostname_source", destination.hostname_source},
                         {"dns_query", destination.dns_query},
                         {"country", destination.country},
                         {"asn", destination.asn},
                         {"org", destination.org},
                         {"operator", destination.network_operator},
                         {"operator_country", destination.operator_country},
                         {"previous_asns", destination.previous_asns},
                         {"previous_countries", destination.previous_countries}};
  json["protocol"] = {{"l4", alert.protocol.l4},
                      {"app", alert.protocol.app},
                      {"master", alert.protocol.master},
                      {"category", alert.protocol.category},
                      {"risks", alert.protocol.risks}};
  json["evidence"] = {{"first_seen", formatAlertTime(alert.evidence.first_seen)},
                      {"last_seen", formatAlertTime(alert.evidence.last_seen)},
                      {"packets", alert.evidence.packets},
                      {"bytes", alert.evidence.bytes},
                      {"beacon", beaconJson(alert.evidence.beacon)}};
  json["rule"] = alert.rule;
  json["sensor"] = alert.sensor;
  json["dedup_key"] = alert.dedup_key.empty() ? dedupKey(alert) : alert.dedup_key;
  json["repeat_count"] = alert.repeat_count;
  return json;
}

namespace {

Result<AlertCamera> readCamera(const Json& camera) {
  const std::string camera_path = "alert.camera";
  AlertCamera out;
  CW_READ(out.ip, readIp(camera, "ip", camera_path));
  CW_READ(out.mac, readString(camera, "mac", camera_path));
  CW_READ(out.name, readString(camera, "name", camera_path));
  CW_READ(out.vendor, readString(camera, "vendor", camera_path));
  CW_READ(out.group, readString(camera, "group", camera_path));
  return out;
}

Result<AlertDestination> readDestination(const Json& destination) {
  const std::string dest_path = "alert.destination";
  AlertDestination out;
  const Json* dest_ip = nullptr;
  CW_READ(dest_ip, member(destination, "ip", dest_path));
  if (!dest_ip->is_null()) {
    IpAddress ip;
    CW_READ(ip, readIp(destination, "ip", dest_path));
    out.ip = ip;
  }
  std::uint64_t number = 0;
  CW_READ(number, readUnsigned(destination, "port", dest_path, 65535));
  out.port = static_cast<std::uint16_t>(number);
  CW_READ(out.hostname, readString(destination, "hostname", dest_path));
  CW_READ(out.hostname_source, readString(destination, "hostname_source", dest_path));
  if (destination.contains("dns_query")) {  // absent in alerts spooled before it existed
    CW_READ(out.dns_query, readString(destination, "dns_query", dest_path));
  }
  CW_READ(out.country, readString(destination, "country", dest_path));
  CW_READ(number, readUnsigned(destination, "asn", dest_path, 0xffffffffU));
  out.asn = static_cast<std::uint32_t>(number);
  CW_READ(out.org, readString(destination, "org", dest_path));
  // Spooled before operators existed: absent means not listed.
  if (destination.contains("operator")) {
    CW_READ(out.network_operator, readString(destination, "operator", dest_path));
  }
  if (destination.contains("operator_country")) {
    CW_READ(out.operator_country, readString(destination, "operator_country", dest_path));
  }
  // Spooled before destination_drift existed: absent means none.
  if (const auto asns = destination.find("previous_asns"); asns != destination.end()) {
    if (!asns->is_array()) return makeError("alert.destination.previous_asns: not an array");
    for (const Json& asn : *asns) {
      if (!asn.is_number_unsigned() || asn.get<std::uint64_t>() > 0xffffffffU) {
        return makeError("alert.destination.previous_asns: expected AS numbers");
      }
      out.previous_asns.push_back(asn.get<std::uint32_t>());
    }
  }
  if (const auto countries = destination.find("previous_countries");
      countries != destination.end()) {
    if (!countries->is_array()) {
      return makeError("alert.destination.previous_countries: not an array");
    }
    for (const Json& country : *countries) {
      if (!country.is_string()) {
        return makeError("alert.destination.previous_countries: expected strings");
      }
      out.previous_countries.push_back(country.get<std::string>());
    }
  }
  return out;
}

Result<AlertProtocol> readProtocol(const Json& protocol) {
  const std::string proto_path = "alert.protocol";
  AlertProtocol out;
  CW_READ(out.l4, readString(protocol, "l4", proto_path));
  CW_READ(out.app, readString(protocol, "app", proto_path));
  CW_READ(out.master, readString(protocol, "master", proto_path));
  CW_READ(out.category, readString(protocol, "category", proto_path));
  const Json* risks = nullptr;
  CW_READ(risks, member(protocol, "risks", proto_path));
  if (!risks->is_array()) return makeError("alert.protocol.risks: not an array");
  for (const Json& risk : *risks) {
    if (!risk.is_string()) return makeError("alert.protocol.risks: not a string");
    out.risks.push_back(risk.get<std::string>());
  }
  return out;
}

// Seconds as written by beaconJson(), back to whole milliseconds.
Result<Timestamp> readSeconds(const Json& object, const char* key, const std::string& path) {
  auto value = member(object, key, path);
  if (!value) return tl::unexpected(value.error());
  if (!(*value)->is_number() || (*value)->get<double>() < 0 || (*value)->get<double>() > 1e9) {
    return makeError(path + "." + key + ": not a number of seconds");
  }
  return std::llround((*value)->get<double>() * 1000.0) * (kNanosPerSecond / 1000);
}

Result<Beacon> readBeacon(const Json& beacon) {
  const std::string beacon_path = "alert.evidence.beacon";
  Beacon out;
  CW_READ(out.period, readSeconds(beacon, "period_s", beacon_path));
  CW_READ(out.jitter, readSeconds(beacon, "jitter_s", beacon_path));
  CW_READ(out.contacts, readUnsigned(beacon, "contacts", beacon_path, UINT64_MAX));
  return out;
}

Result<AlertEvidence> readEvidence(const Json& evidence) {
  const std::string evidence_path = "alert.evidence";
  AlertEvidence out;
  CW_READ(out.first_seen, readTime(evidence, "first_seen", evidence_path));
  CW_READ(out.last_seen, readTime(evidence, "last_seen", evidence_path));
  CW_READ(out.packets, readUnsigned(evidence, "packets", evidence_path, UINT64_MAX));
  CW_READ(out.bytes, readUnsigned(evidence, "bytes", evidence_path, UINT64_MAX));
  // Absent in alerts spooled before beacons existed; null when there is none.
  const auto beacon = evidence.find("beacon");
  if (beacon != evidence.end() && !beacon->is_null()) {
    CW_READ(out.beacon, readBeacon(*beacon));
  }
  return out;
}

}  // namespace

Result<Alert> alertFromJson(const Json& json) {
  const std::string root = "alert";
  Alert alert;
  std::uint64_t version = 0;
  CW_READ(version, readUnsigned(json, "version", root, 1000));
  if (version != kAlertSchemaVersion) {
    return makeError(
        fmt::format("alert.version: {} is not supported (want {})", version, kAlertSchemaVersion));
  }
  CW_READ(alert.time, readTime(json, "time", root));
  std::string text;
  CW_READ(text, readString(json, "severity", root));
  auto severity = severityFromName(text);
  if (!severity) return makeError("alert.severity: unknown severity " + text);
  alert.severity = *severity;
  CW_READ(text, readString(json, "kind", root));
  auto kind = alertKindFromName(text);
  if (!kind) return makeError("alert.kind: unknown kind " + text);
  alert.kind = *kind;
  CW_READ(text, readString(json, "status", root));
  auto status = alertStatusFromName(text);
  if (!status) return makeError("alert.status: unknown status " + text);
  alert.status = *status;
  const Json* ends_at = nullptr;
  CW_READ(ends_at, member(json, "ends_at", root));
  if (!ends_at->is_null()) {
    Timestamp end = 0;
    CW_READ(end, readTime(json, "ends_at", root));
    alert.ends_at = end;
  }

  const Json* section = nullptr;
  CW_READ(section, member(json, "camera", root));
  CW_READ(alert.camera, readCamera(*section));
  CW_READ(section, member(json, "destination", root));
  CW_READ(alert.destination, readDestination(*section));
  CW_READ(section, member(json, "protocol", root));
  CW_READ(alert.protocol, readProtocol(*section));
  CW_READ(section, member(json, "evidence", root));
  CW_READ(alert.evidence, readEvidence(*section));

  CW_READ(alert.rule, readString(json, "rule", root));
  CW_READ(alert.sensor, readString(json, "sensor", root));
  CW_READ(alert.dedup_key, readString(json, "dedup_key", root));
  std::uint64_t number = 0;
  CW_READ(number, readUnsigned(json, "repeat_count", root, 0xffffffffU));
  alert.repeat_count = static_cast<std::uint32_t>(number);
  return alert;
}

#undef CW_READ

std::string dedupKey(const IpAddress& camera_ip, AlertKind kind,
                     const AlertDestination& destination) {
  std::string where = "-";
  // A blocked lookup is about the name asked, whichever resolver answered it.
  if (kind == AlertKind::kDnsLookupBlocked && !destination.dns_query.empty()) {
    where = "dns:" + destination.dns_query;
  } else if (destination.ip) {
    where = destination.ip->toString();
  } else if (!destination.hostname.empty()) {
    where = "dns:" + destination.hostname;
  }
  return fmt::format("{}|{}|{}", camera_ip.toString(), alertKindName(kind), where);
}

std::string dedupKey(const Alert& alert) {
  return dedupKey(alert.camera.ip, alert.kind, alert.destination);
}

}  // namespace camwatch
