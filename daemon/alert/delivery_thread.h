// delivery_thread: runs the alert delivery (spool -> sinks, retries) on a thread of its own, for
// `camwatch run` and `camwatch replay`. One of the few places that start a thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <camwatch/result.h>

#include "alert/alert_delivery.h"
#include "alert/alerts_config.h"

namespace camwatch {

/// Where the delivery's log lines go (a sink failing, a retry, spool recovery): `run` logs them
/// through spdlog (so logging.format applies), `replay` writes them to standard error. Called on
/// the delivery thread and, at start, on the caller's.
using DeliveryLog = std::function<void(const std::string& line)>;

/// Runs AlertDelivery::runOnce/waitForWork on a thread until stop(). Delivery log lines go to
/// `log`.
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
