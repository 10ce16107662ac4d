#include "sinks/syslog/syslog_alert_sink.h"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include <camwatch/alert_json.h>

#include "sinks/syslog/syslog_message.h"

namespace camwatch {

SyslogAlertSink::SyslogAlertSink(const SyslogSinkOptions& options, int facility_code)
    : options_(options),
      facility_code_(facility_code),
      sender_(options.socket, options.send_timeout) {}

Result<std::unique_ptr<SyslogAlertSink>> SyslogAlertSink::open(const SyslogSinkOptions& options) {
  const std::optional<int> facility = syslogFacilityCode(options.facility);
  if (!facility) {
    return makeError(fmt::format("alert sink {}: unknown syslog facility '{}' ({})", options.name,
                                 options.facility, kSyslogFacilityNames));
  }
  if (auto problem = syslogIdentProblem(options.ident)) {
    return makeError(fmt::format("alert sink {}: syslog ident {}", options.name, *problem));
  }
  if (options.socket.empty() || options.socket.size() > UnixDatagramSender::kMaxPathLength) {
    return makeError(
        fmt::format("alert sink {}: syslog socket '{}': the path must have 1 to {} "
                    "characters",
                    options.name, options.socket, UnixDatagramSender::kMaxPathLength));
  }
  return std::unique_ptr<SyslogAlertSink>(new SyslogAlertSink(options, *facility));
}

Result<void> SyslogAlertSink::deliver(std::span<const Alert> alerts) {
  const long pid = ::getpid();
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const Alert& alert = alerts[i];
    const std::string text =
        alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // Stamped when sent, in local time, as syslog(3) does; the alert's own time is in the JSON.
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    const std::string message = formatLocalSyslogMessage(
        facility_code_, syslogSeverityCode(alert.severity), local, options_.ident, pid, text);
    if (auto sent = sender_.send(message); !sent) {
      return makeError(
          fmt::format("alert {} of {}: {}", i + 1, alerts.size(), sent.error().message));
    }
  }
  return {};
}

}  // namespace camwatch
