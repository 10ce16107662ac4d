#include "sinks/syslog/syslog_message.h"

#include <array>
#include <cctype>
#include <ctime>
#include <utility>

#include <fmt/format.h>

namespace camwatch {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 10> kFacilities = {{
    {"user", 1},
    {"daemon", 3},
    {"local0", 16},
    {"local1", 17},
    {"local2", 18},
    {"local3", 19},
    {"local4", 20},
    {"local5", 21},
    {"local6", 22},
    {"local7", 23},
}};

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr std::size_t kMaxIdentLength = 32;

}  // namespace

std::optional<int> syslogFacilityCode(std::string_view name) {
  for (const auto& [known, code] : kFacilities) {
    if (known == name) return code;
  }
  return std::nullopt;
}

int syslogSeverityCode(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return 2;
    case Severity::kWarning:
      return 4;
    case Severity::kInfo:
      return 6;
  }
  return 4;
}

std::optional<std::string> syslogIdentProblem(std::string_view ident) {
  if (ident.empty()) return "must not be empty";
  if (ident.size() > kMaxIdentLength) {
    return fmt::format("'{}' is longer than {} characters", ident, kMaxIdentLength);
  }
  for (const char c : ident) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.' && c != '-') {
      return fmt::format("'{}': use letters, digits, '_', '.' and '-' only", ident);
    }
  }
  return std::nullopt;
}

std::string formatLocalSyslogMessage(int facility, int severity, const std::tm& local_time,
                                     std::string_view ident, long pid, std::string_view text) {
  const auto month = static_cast<std::size_t>(local_time.tm_mon) % kMonths.size();
  // The day is padded with a space ("Jan  5"), as RFC 3164 and syslog(3) write it.
  return fmt::format("<{}>{} {:>2} {:02}:{:02}:{:02} {}[{}]: {}", facility * 8 + severity,
                     kMonths[month], local_time.tm_mday, local_time.tm_hour, local_time.tm_min,
                     local_time.tm_sec, ident, pid, text);
}

std::string escapeSdParamValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (const char c : value) {
    if (c == '"' || c == '\\' || c == ']') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string structuredDataElement(std::string_view sd_id,
                                  const std::vector<std::pair<std::string, std::string>>& params) {
  std::string element = fmt::format("[{}", sd_id);
  for (const auto& [name, value] : params) {
    element += fmt::format(" {}=\"{}\"", name, escapeSdParamValue(value));
  }
  element += ']';
  return element;
}

std::string alertStructuredData(const Alert& alert, std::uint32_t enterprise_number) {
  const AlertDestination& destination = alert.destination;
  // The destination as the dedup key names it: the address, else the name asked for, else "-".
  std::string where = "-";
  if (destination.ip) {
    where = destination.ip->toString();
  } else if (!destination.hostname.empty()) {
    where = destination.hostname;
  }
  const std::vector<std::pair<std::string, std::string>> params = {
      {"kind", std::string(alertKindName(alert.kind))},
      {"severity", std::string(severityName(alert.severity))},
      {"status", std::string(alertStatusName(alert.status))},
      {"camera", alert.camera.ip.toString()},
      {"camera_name", alert.camera.name},
      {"camera_group", alert.camera.group},
      {"destination", where},
      {"port", std::to_string(destination.port)},
      {"hostname", destination.hostname},
      {"country", destination.country},
      {"operator", destination.network_operator},
      {"operator_country", destination.operator_country},
      {"rule", alert.rule},
      {"sensor", alert.sensor},
      {"dedup_key", alert.dedup_key.empty() ? dedupKey(alert) : alert.dedup_key},
  };
  return structuredDataElement(fmt::format("camwatch@{}", enterprise_number), params);
}

std::string syslogHeaderField(std::string_view text, std::size_t max) {
  std::string field;
  for (const char c : text) {
    if (field.size() == max) break;
    if (c > ' ' && c < 127) field += c;  // PRINTUSASCII (33..126)
  }
  return field.empty() ? "-" : field;
}

std::string formatRfc5424Message(int facility, int severity, Timestamp utc,
                                 std::string_view hostname, std::string_view app_name, long pid,
                                 std::string_view msgid, std::string_view structured_data,
                                 std::string_view text) {
  const auto seconds = static_cast<std::time_t>(utc / kNanosPerSecond);
  const auto micros = static_cast<long>((utc % kNanosPerSecond) / 1000);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  return fmt::format("<{}>1 {:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z {} {} {} {} {} {}",
                     facility * 8 + severity, parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                     parts.tm_hour, parts.tm_min, parts.tm_sec, micros, hostname, app_name, pid,
                     msgid, structured_data, text);
}

std::string octetCountedFrame(std::string_view message) {
  return fmt::format("{} {}", message.size(), message);
}

}  // namespace camwatch
