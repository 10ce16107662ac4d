// AlertDeduplicator: one alert per dedup key (camera, kind, destination) per suppression window;
// later raises inside the window only count as repeats of the alert already out. Times are packet
// times, so a replay gives the same alerts as the live sensor would. Thread: the one thread that
// collects raised alerts (the app's main thread); raises must come in packet-time order.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <camwatch/alert.h>

namespace camwatch {

class AlertDeduplicator {
 public:
  explicit AlertDeduplicator(Timestamp suppression_window) : window_(suppression_window) {}

  /// Takes a raised alert (dedup_key filled in). Returns true when it is a new alert (appended to
  /// alerts()); false when it was folded into an earlier one as a repeat.
  bool raise(Alert alert);

  /// Every distinct alert so far, in the order raised, with repeat counts and the last repeat's
  /// evidence time.
  const std::vector<Alert>& alerts() const { return alerts_; }
  std::uint64_t repeats() const { return repeats_; }

 private:
  Timestamp window_;
  std::unordered_map<std::string, std::size_t> latest_;  // dedup key -> index in alerts_
  std::vector<Alert> alerts_;
  std::uint64_t repeats_ = 0;
};

}  // namespace camwatch
