// alert_output: builds the configured alert sinks and runs the delivery loop on its own thread
// (the app is the only place that creates threads). Used by `replay` now and by `run` later.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <camwatch/config.h>
#include <camwatch/result.h>

#include "alert/alert_delivery.h"

namespace camwatch {

/// One sink per `alerts.sinks` entry, opened (files created, token files read). Control thread.
/// @return the sinks, or an error naming the sink and what failed.
Result<std::vector<AlertSinkPtr>> makeAlertSinks(const AlertsConfig& config);

/// Makes the jsonl sinks reopen their files before their next write, as a SIGHUP does (for a
/// process that takes SIGHUP itself, with sigwait, like `camwatch run`). Any thread.
void reopenAlertLogFiles();

/// Where the delivery's log lines go (a sink failing, a retry, spool recovery): `run` logs them
/// through spdlog (so logging.format applies), `replay` writes them to standard error. Called on
/// the delivery thread and, at start, on the caller's.
using DeliveryLog = std::function<void(const std::string& line)>;

/// Runs AlertDelivery::runOnce/waitForWork on a thread until stop(). Delivery log lines go to
/// `log`. SIGHUP makes the jsonl sinks reopen their files (logrotate).
class DeliveryThread {
 public:
  /// Opens the spool (delivering what an earlier run left in it first) and starts the thread.
  static Result<std::unique_ptr<DeliveryThread>> start(const AlertsConfig& config,
                                                       std::vector<AlertSinkPtr> sinks,
                                                       DeliveryLog log);
  ~DeliveryThread();
  DeliveryThread(const DeliveryThread&) = delete;
  DeliveryThread& operator=(const DeliveryThread&) = delete;

  AlertDelivery& delivery() { return *delivery_; }
  /// Waits until every sink has taken every spooled alert, or `timeout` passed.
  /// @return true when nothing is pending.
  bool drain(std::chrono::milliseconds timeout);
  /// Alerts spooled and not yet taken, over all sinks.
  std::uint64_t pending() const;
  void stop();

 private:
  DeliveryThread(std::unique_ptr<AlertDelivery> delivery, DeliveryLog log)
      : delivery_(std::move(delivery)), log_(std::move(log)) {}
  void loop();

  std::unique_ptr<AlertDelivery> delivery_;
  DeliveryLog log_;
  std::thread thread_;
};

}  // namespace camwatch
