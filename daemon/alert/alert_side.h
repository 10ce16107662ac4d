// AlertSide: what turns the cameras' events into delivered alerts, started the same way by
// `camwatch run` and `camwatch replay`: the learned baseline, the AlertEngine, the configured
// sinks and the thread that delivers to them. Control thread (replay: the reading thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <camwatch/alert.h>
#include <camwatch/baseline.h>

#include "alert/alert_engine.h"
#include "alert/alert_output.h"
#include "alert/delivery_thread.h"
#include "config/config.h"

namespace camwatch {

/// Why the alert side could not start. kConfig: what the config names cannot be used (a
/// baseline file that does not parse, a sink that cannot be opened): both commands exit 2.
/// kRuntime: the machine failed (the spool directory cannot be made): exit 1.
struct AlertSideError {
  enum class Kind { kConfig, kRuntime };
  Kind kind = Kind::kConfig;
  std::string message;
};

template <typename T>
using AlertSideResult = tl::expected<T, AlertSideError>;

/// First phase, before a sensor gives up its privileges: reads the learned baseline the config
/// names (learning off: an empty one). Warns through `log` when learning.mode is enforce and
/// nothing was learnt yet, since every destination then alerts.
AlertSideResult<LearnedBaseline> loadAlertBaseline(const Config& config, const DeliveryLog& log);

class AlertSide {
 public:
  /// Second phase: the engine (from `baseline`) and, when the config has sinks, the sinks and
  /// the delivery thread (which first delivers what an earlier run left in the spool). `log`
  /// gets the delivery's lines. `config` must outlive the AlertSide.
  static AlertSideResult<std::unique_ptr<AlertSide>> start(const Config& config,
                                                           LearnedBaseline baseline,
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
  AlertSide(const Config& config, std::unique_ptr<AlertEngine> engine)
      : config_(config), engine_(std::move(engine)) {}

  const Config& config_;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<DeliveryThread> delivery_;
};

}  // namespace camwatch
