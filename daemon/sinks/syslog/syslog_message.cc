#include "sinks/syslog/syslog_message.h"

#include <array>
#include <cctype>
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

}  // namespace camwatch
