// sinks/syslog/: the syslog sink: one message per alert to the local syslog socket or to a
// syslog collector over UDP, TCP or TLS; the message formats and the senders; its config keys
// and its factory.
//
// SyslogAlertSink: one syslog message per alert. `transport: unix` (the default) sends on the
// sink's own unix datagram socket to a local syslog daemon (`socket`, default /dev/log) in the
// RFC 3164 style syslog(3) writes: "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG". `transport: udp`, `tcp`
// or `tls` sends to `server` (a SIEM's syslog input) in RFC 5424 with the alert as structured
// data, `[camwatch@PEN kind="..." severity="..." camera="..." ...]`, which the SIEM files as
// fields, and the alert JSON as MSG; TCP and TLS frame each message by octet counting (RFC 6587,
// RFC 5425). PRI comes from `facility` and the alert's severity (critical → crit, warning →
// warning, info → info). Unlike syslog(3) it reports a failed send, so the delivery keeps the
// batch in the spool and retries it, and each sink has its own socket and settings (several
// syslog sinks may coexist).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <camwatch/alert.h>
#include <camwatch/result.h>

#include "sinks/syslog/network_syslog_sender.h"
#include "sinks/syslog/syslog_sender.h"

namespace camwatch {

struct SyslogSinkOptions {
  std::string name = "syslog";
  std::string ident = "camwatch";   ///< the TAG: letters, digits, '_', '.', '-'; at most 32
  std::string facility = "daemon";  ///< "daemon", "user", "local0" ... "local7"
  std::string socket = "/dev/log";  ///< transport unix: a unix datagram socket
  /// unix (the local daemon), udp, tcp or tls (a collector at `server`).
  SyslogTransport transport = SyslogTransport::kUnix;
  std::string server_host;        ///< udp, tcp, tls: the collector
  std::uint16_t server_port = 0;  ///< 0: 514 (udp, tcp) or 6514 (tls)
  /// RFC 5424 (with structured data) instead of RFC 3164; always for the network transports.
  bool rfc5424 = false;
  std::uint32_t enterprise_number = 32473;  ///< the SD-ID's camwatch@PEN (RFC 5612's by default)
  std::string tls_ca_file;    ///< tls: the CAs the collector's certificate chains to; "" = system
  std::string tls_cert_file;  ///< tls: a client certificate; "" = none
  std::string tls_key_file;
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
  /// Sends the alerts in order, one message each. Stops at the first that cannot be sent and
  /// fails the batch with an error naming the socket and the errno text; the whole batch is
  /// offered again later (the alerts sent before the failure then arrive twice: at-least-once,
  /// which loses nothing if the receiver died with them unread).
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

 private:
  SyslogAlertSink(const SyslogSinkOptions& options, int facility_code);
  std::string format(const Alert& alert, long pid) const;

  const SyslogSinkOptions options_;
  const int facility_code_;
  const std::string hostname_;  // RFC 5424's HOSTNAME
  std::unique_ptr<SyslogSender> sender_;
};

}  // namespace camwatch
