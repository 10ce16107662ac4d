// alerts_config: the `alerts:` and `learning:` sections of the config file as the alert side
// takes them (the engine's lifecycle, the spool and delivery, the learned baseline). The sinks
// of `alerts.sinks` are not here: sinks/ owns them (sinks/sink_registry.h), and alert/ only
// ever sees them opened.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/packet.h>

namespace camwatch {

/// `learning:`. Off: no baseline. Learn: for `period` from the first egress flow (kept in the
/// state file, so restarts continue the period) record each group's destinations, then enforce.
/// Enforce: alert `new_destination` on what the baseline does not hold.
enum class LearningMode : std::uint8_t { kOff, kLearn, kEnforce };
std::string_view learningModeName(LearningMode mode);

struct LearningConfig {
  LearningMode mode = LearningMode::kOff;
  Timestamp period = 7 * 24 * 3600 * kNanosPerSecond;
  std::string state_file;  ///< required unless mode is off; resolved against the config folder
};

/// `alerts:` but its sinks: lifecycle, spool and delivery (docs/alerts.md).
struct AlertsConfig {
  Timestamp suppression_window = 3600 * kNanosPerSecond;
  Timestamp renotify_interval = 0;  ///< 0 = never
  Timestamp resolve_after = 3600 * kNanosPerSecond;
  /// Most active alerts one camera may have; more go to its overflow alert (0 = no cap).
  std::size_t max_active_per_camera = 256;
  /// Most active alerts in all; more go to the sensor-wide overflow alert of their kind.
  std::size_t max_active = 65'536;
  std::string spool_dir = "/var/lib/camwatch/spool";
  std::uint64_t spool_max_bytes = 64ULL << 20U;
  std::uint64_t spool_segment_bytes = 1ULL << 20U;
  std::size_t batch_size = 100;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{300000};
  /// `camwatch replay`: how long to wait at the end for the sinks to take every alert; what is
  /// left stays in the spool for the next start.
  std::chrono::milliseconds drain_timeout{30000};
};

}  // namespace camwatch
