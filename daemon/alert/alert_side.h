// AlertSide: what turns the cameras' events into delivered alerts, started the same way by
// `camwatch run` and `camwatch replay`: the learned baseline, the AlertEngine, the configured
// sinks and the thread that delivers to them. Control thread (replay: the reading thread).
// It takes its options (AlertSideConfig, cut by config/component_options.h) and the sinks
// already opened (sinks/sink_registry.h), so alert/ depends neither on the whole config nor on
// the sink types.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/baseline.h>

#include "alert/alert_engine.h"
#include "alert/alerts_config.h"
#include "alert/delivery_thread.h"

namespace camwatch {

/// Why the alert side could not start. kConfig: what the config names cannot be used (a
/// baseline file that does not parse): both commands exit 2, as for a sink that cannot be
/// opened (makeAlertSinks, before start()). kRuntime: the machine failed (the spool directory
/// cannot be made): exit 1.
struct AlertSideError {
  enum class Kind { kConfig, kRuntime };
  Kind kind = Kind::kConfig;
  std::string message;
};

template <typename T>
using AlertSideResult = tl::expected<T, AlertSideError>;

/// What the alert side is configured by.
struct AlertSideConfig {
  AlertEngineOptions engine;
  AlertsConfig alerts;      ///< the spool and delivery retries (the lifecycle is in `engine`)
  LearningConfig learning;  ///< where the baseline is read from and saved to
};

/// First phase, before a sensor gives up its privileges: reads the learned baseline `learning`
/// names (learning off: an empty one). Warns through `log` when learning.mode is enforce and
/// nothing was learnt yet, since every destination then alerts.
AlertSideResult<LearnedBaseline> loadAlertBaseline(const LearningConfig& learning,
                                                   const DeliveryLog& log);

class AlertSide {
 public:
  /// Second phase: the engine (from `baseline`) and, when there are `sinks` (opened by the
  /// caller, in the order of alerts.sinks), the delivery thread (which first delivers what an
  /// earlier run left in the spool). `log` gets the delivery's lines.
  static AlertSideResult<std::unique_ptr<AlertSide>> start(const AlertSideConfig& config,
                                                           LearnedBaseline baseline,
                                                           std::vector<AlertSinkPtr> sinks,
                                                           DeliveryLog log);

  AlertEngine& engine() { return *engine_; }
  /// The delivery queue, or null when the config has no sinks.
  AlertDelivery* delivery() { return delivery_ ? &delivery_->delivery() : nullptr; }

  /// Spools `notifications` for every sink (none configured: nothing happens, an empty result).
  EnqueueResult enqueue(std::span<const Alert> notifications);

  /// Writes the learned baseline when learning is on and it changed since the last save.
  Result<void> saveBaseline();

  /// Waits at most `budget` for the sinks to take what is spooled, then stops the delivery
  /// thread. @return the alerts still pending (they stay spooled for the next start).
  std::uint64_t stop(std::chrono::milliseconds budget);

  /// What each sink did, in the order of alerts.sinks (empty without sinks).
  std::vector<SinkDeliveryStats> sinkStats() const;

 private:
  AlertSide(LearningConfig learning, std::unique_ptr<AlertEngine> engine)
      : learning_(std::move(learning)), engine_(std::move(engine)) {}

  const LearningConfig learning_;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<DeliveryThread> delivery_;
};

}  // namespace camwatch
