#include "sinks/syslog/syslog_alert_sink.h"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include <camwatch/alert_json.h>

#include "sinks/syslog/syslog_message.h"
#include "sinks/syslog/unix_datagram_sender.h"

namespace camwatch {

namespace {

std::string localHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "-";
  return syslogHeaderField(name, 255);
}

std::unique_ptr<SyslogSender> makeSender(const SyslogSinkOptions& options) {
  if (options.transport == SyslogTransport::kUnix) {
    return std::make_unique<UnixDatagramSender>(options.socket, options.send_timeout);
  }
  NetworkSyslogOptions network;
  network.transport = options.transport;
  network.host = options.server_host;
  network.port = options.server_port;
  network.ca_file = options.tls_ca_file;
  network.cert_file = options.tls_cert_file;
  network.key_file = options.tls_key_file;
  network.timeout = options.send_timeout;
  return std::make_unique<NetworkSyslogSender>(network);
}

}  // namespace

SyslogAlertSink::SyslogAlertSink(const SyslogSinkOptions& options, int facility_code)
    : options_(options),
      facility_code_(facility_code),
      hostname_(localHostName()),
      sender_(makeSender(options)) {}

Result<std::unique_ptr<SyslogAlertSink>> SyslogAlertSink::open(const SyslogSinkOptions& options) {
  const std::optional<int> facility = syslogFacilityCode(options.facility);
  if (!facility) {
    return makeError(fmt::format("alert sink {}: unknown syslog facility '{}' ({})", options.name,
                                 options.facility, kSyslogFacilityNames));
  }
  if (auto problem = syslogIdentProblem(options.ident)) {
    return makeError(fmt::format("alert sink {}: syslog ident {}", options.name, *problem));
  }
  if (options.transport != SyslogTransport::kUnix) {
    if (options.server_host.empty() || options.server_port == 0) {
      return makeError(fmt::format("alert sink {}: syslog over {} needs a server HOST:PORT",
                                   options.name, syslogTransportName(options.transport)));
    }
    if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
      return makeError(fmt::format(
          "alert sink {}: a TLS client certificate needs both tls_cert_file and tls_key_file",
          options.name));
    }
    return std::unique_ptr<SyslogAlertSink>(new SyslogAlertSink(options, *facility));
  }
  if (options.socket.empty() || options.socket.size() > UnixDatagramSender::kMaxPathLength) {
    return makeError(
        fmt::format("alert sink {}: syslog socket '{}': the path must have 1 to {} "
                    "characters",
                    options.name, options.socket, UnixDatagramSender::kMaxPathLength));
  }
  return std::unique_ptr<SyslogAlertSink>(new SyslogAlertSink(options, *facility));
}

std::string SyslogAlertSink::format(const Alert& alert, long pid) const {
  const std::string text =
      alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const int severity = syslogSeverityCode(alert.severity);
  if (options_.rfc5424 || options_.transport != SyslogTransport::kUnix) {
    // Stamped when sent, in UTC; the alert's own time is in the JSON. MSGID: the alert kind.
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return formatRfc5424Message(facility_code_, severity,
                                static_cast<Timestamp>(now.tv_sec) * kNanosPerSecond + now.tv_nsec,
                                hostname_, syslogHeaderField(options_.ident, 48), pid,
                                syslogHeaderField(alertKindName(alert.kind), 32),
                                alertStructuredData(alert, options_.enterprise_number), text);
  }
  // Stamped when sent, in local time, as syslog(3) does; the alert's own time is in the JSON.
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return formatLocalSyslogMessage(facility_code_, severity, local, options_.ident, pid, text);
}

Result<void> SyslogAlertSink::deliver(std::span<const Alert> alerts) {
  const long pid = ::getpid();
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    if (auto sent = sender_->send(format(alerts[i], pid)); !sent) {
      return makeError(
          fmt::format("alert {} of {}: {}", i + 1, alerts.size(), sent.error().message));
    }
  }
  return {};
}

}  // namespace camwatch
