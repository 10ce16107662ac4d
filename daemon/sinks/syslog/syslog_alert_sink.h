// sinks/syslog/: the syslog sink: one message per alert to the local syslog socket, the
// message format and the unix datagram sender; its config keys and its factory.
//
// SyslogAlertSink: one syslog message per alert, sent on the sink's own unix datagram socket to a
// local syslog daemon (`socket`, default /dev/log): "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG" with
// PRI from `facility` and the alert's severity (critical → crit, warning → warning, info → info),
// TAG = `ident`, MSG = the alert JSON. Unlike syslog(3) it reports a failed send, so the delivery
// keeps the batch in the spool and retries it, and each sink has its own socket and settings
// (several syslog sinks may coexist).
//
// The transport is the local datagram socket only. Room for issue 21 (RFC 5424 over UDP, TCP or
// TLS): the message format (syslog_message.h) and the sender are separate pieces, so a
// `transport` option would pick another sender and the RFC 5424 format beside these.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <camwatch/alert.h>
#include <camwatch/result.h>

#include "sinks/syslog/unix_datagram_sender.h"

namespace camwatch {

struct SyslogSinkOptions {
  std::string name = "syslog";
  std::string ident = "camwatch";   ///< the TAG: letters, digits, '_', '.', '-'; at most 32
  std::string facility = "daemon";  ///< "daemon", "user", "local0" ... "local7"
  std::string socket = "/dev/log";  ///< a unix datagram socket
  /// How long one send may wait for a receiver whose queue is full before the batch fails.
  std::chrono::milliseconds send_timeout{5000};
};

class SyslogAlertSink final : public AlertSink {
 public:
  /// Checks the options; does not connect (the receiver may start later: the first deliveries
  /// then fail and are retried). Control thread.
  /// @return the sink, or an error naming the sink and the bad facility, ident or socket path.
  static Result<std::unique_ptr<SyslogAlertSink>> open(const SyslogSinkOptions& options);

  // camwatch::AlertSink
  /// Sends the alerts in order, one datagram each. Stops at the first that cannot be sent and
  /// fails the batch with an error naming the socket and the errno text; the whole batch is
  /// offered again later (the alerts sent before the failure then arrive twice: at-least-once,
  /// which loses nothing if the receiver died with them unread).
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

 private:
  SyslogAlertSink(const SyslogSinkOptions& options, int facility_code);

  const SyslogSinkOptions options_;
  const int facility_code_;
  UnixDatagramSender sender_;
};

}  // namespace camwatch
