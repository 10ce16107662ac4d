// SyslogAlertSink: one syslog message per alert through syslog(3), priority from the alert's
// severity (critical → LOG_CRIT, warning → LOG_WARNING, info → LOG_INFO), the alert JSON as the
// message text.
#pragma once

#include <memory>
#include <string>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace camwatch {

struct SyslogSinkOptions {
  std::string name = "syslog";
  std::string ident = "camwatch";
  std::string facility = "daemon";  ///< "daemon", "user", "local0" ... "local7"
};

class SyslogAlertSink final : public AlertSink {
 public:
  /// Calls openlog(3) (process-wide: use one syslog sink). Control thread.
  /// @return the sink, or an error naming an unknown facility.
  static Result<std::unique_ptr<SyslogAlertSink>> open(const SyslogSinkOptions& options);
  ~SyslogAlertSink() override;
  SyslogAlertSink(const SyslogAlertSink&) = delete;
  SyslogAlertSink& operator=(const SyslogAlertSink&) = delete;

  // camwatch::AlertSink
  /// Never fails: syslog(3) does not report errors.
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

 private:
  explicit SyslogAlertSink(const SyslogSinkOptions& options) : options_(options) {}

  const SyslogSinkOptions options_;
};

}  // namespace camwatch
