#include "sinks/syslog/syslog_alert_sink.h"

#include <syslog.h>

#include <array>
#include <utility>

namespace camwatch {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 10> kFacilities = {{
    {"daemon", LOG_DAEMON},
    {"user", LOG_USER},
    {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7},
}};

int priorityOf(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return LOG_CRIT;
    case Severity::kWarning:
      return LOG_WARNING;
    case Severity::kInfo:
      return LOG_INFO;
  }
  return LOG_WARNING;
}

}  // namespace

Result<std::unique_ptr<SyslogAlertSink>> SyslogAlertSink::open(const SyslogSinkOptions& options) {
  int facility = -1;
  for (const auto& [name, value] : kFacilities) {
    if (name == options.facility) facility = value;
  }
  if (facility < 0) {
    return makeError("alert sink " + options.name + ": unknown syslog facility '" +
                     options.facility + "' (daemon, user, local0..local7)");
  }
  std::unique_ptr<SyslogAlertSink> sink(new SyslogAlertSink(options));
  // openlog keeps the pointer: the ident string lives as long as the sink.
  openlog(sink->options_.ident.c_str(), LOG_PID | LOG_NDELAY, facility);
  return sink;
}

SyslogAlertSink::~SyslogAlertSink() { closelog(); }

Result<void> SyslogAlertSink::deliver(std::span<const Alert> alerts) {
  for (const Alert& alert : alerts) {
    const std::string text =
        alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    syslog(priorityOf(alert.severity), "%s", text.c_str());
  }
  return {};
}

}  // namespace camwatch
