// sinks/jsonl/: the JSON-lines file sink: alerts appended to a file, reopened on SIGHUP for
// logrotate; its config keys and its factory.
//
// JsonlAlertSink: alerts as JSON lines appended to a file (docs/alerts.md has the schema). The
// file is reopened on request, so logrotate can rename it and send SIGHUP.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace camwatch {

struct JsonlSinkOptions {
  std::string name = "jsonl";  ///< the sink's name (metrics label, spool state file)
  std::string path;            ///< the file; created 0640 when missing, always appended to
  bool fsync = false;          ///< fdatasync after each batch (the spool is durable already)
};

class JsonlAlertSink final : public AlertSink {
 public:
  /// Opens (creates) the file. Control thread. @return the sink or an error naming the file.
  static Result<std::unique_ptr<JsonlAlertSink>> open(const JsonlSinkOptions& options);
  ~JsonlAlertSink() override;
  JsonlAlertSink(const JsonlAlertSink&) = delete;
  JsonlAlertSink& operator=(const JsonlAlertSink&) = delete;

  // camwatch::AlertSink
  Result<void> deliver(std::span<const Alert> alerts) override;
  std::string_view name() const override { return options_.name; }

  /// Asks for the file to be reopened before the next write (after logrotate renamed it).
  /// Async-signal-safe (one atomic store): a SIGHUP handler may call it. Any thread.
  void requestReopen() { reopen_requested_.store(true, std::memory_order_relaxed); }

  /// Closes and reopens the file now. Delivery thread. @return an error naming the file.
  Result<void> reopen();

 private:
  explicit JsonlAlertSink(const JsonlSinkOptions& options) : options_(options) {}

  const JsonlSinkOptions options_;
  int fd_ = -1;
  std::atomic<bool> reopen_requested_{false};
};

}  // namespace camwatch
