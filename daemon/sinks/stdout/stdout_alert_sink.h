// sinks/stdout/: the standard-output sink: alerts as JSON lines on standard output; its
// config keys and its factory.
//
// StdoutAlertSink: alerts as JSON lines on standard output (or another descriptor), for
// `camwatch replay` and for running under systemd/journald or a container log collector.
#pragma once

#include <unistd.h>

#include <string>

#include <camwatch/alert.h>

namespace camwatch {

class StdoutAlertSink final : public AlertSink {
 public:
  /// @param name the sink's name; @param fd where to write (not owned; tests pass a pipe).
  explicit StdoutAlertSink(std::string name = "stdout", int fd = STDOUT_FILENO)
      : name_(std::move(name)), fd_(fd) {}

  // camwatch::AlertSink
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return name_; }

 private:
  const std::string name_;
  const int fd_;
};

}  // namespace camwatch
