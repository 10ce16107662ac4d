// alert_output: builds the configured alert sinks and runs the delivery loop on its own thread
// (the app is the only place that creates threads). Used by `replay` now and by `run` later.
#pragma once

#include <atomic>
#include <chrono>
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

/// Runs AlertDelivery::runOnce/waitForWork on a thread until stop(). Delivery log lines go to
/// standard error. SIGHUP makes the jsonl sinks reopen their files (logrotate).
class DeliveryThread {
 public:
  /// Opens the spool (delivering what an earlier run left in it first) and starts the thread.
  static Result<std::unique_ptr<DeliveryThread>> start(const AlertsConfig& config,
                                                       std::vector<AlertSinkPtr> sinks);
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
  explicit DeliveryThread(std::unique_ptr<AlertDelivery> delivery)
      : delivery_(std::move(delivery)) {}
  void loop();

  std::unique_ptr<AlertDelivery> delivery_;
  std::thread thread_;
};

}  // namespace camwatch
