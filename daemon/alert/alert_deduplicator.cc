#include "alert/alert_deduplicator.h"

#include <algorithm>
#include <utility>

namespace camwatch {

bool AlertDeduplicator::raise(Alert alert) {
  auto found = latest_.find(alert.dedup_key);
  if (found != latest_.end()) {
    Alert& earlier = alerts_[found->second];
    if (alert.time - earlier.time < window_) {
      // Inside the window: the on-call engineer already has it; count, and widen its evidence.
      ++earlier.repeat_count;
      earlier.evidence.last_seen = std::max(earlier.evidence.last_seen, alert.evidence.last_seen);
      earlier.evidence.packets += alert.evidence.packets;
      earlier.evidence.bytes += alert.evidence.bytes;
      ++repeats_;
      return false;
    }
  }
  latest_[alert.dedup_key] = alerts_.size();
  alerts_.push_back(std::move(alert));
  return true;
}

}  // namespace camwatch
