#include "pipeline/event_merger.h"

#include <algorithm>
#include <iterator>
#include <limits>

namespace camwatch {

void EventMerger::releaseRound(std::vector<CameraEvent>& round) {
  sortCameraEvents(round);
  for (CameraEvent& event : round) engine_.onEvent(std::move(event));
  round.clear();
  deliver();
}

void EventMerger::hold(std::vector<CameraEvent>& events) {
  held_.insert(held_.end(), std::make_move_iterator(events.begin()),
               std::make_move_iterator(events.end()));
  events.clear();
}

void EventMerger::releaseUpTo(Timestamp watermark, Timestamp now) {
  auto later = std::stable_partition(held_.begin(), held_.end(),
                                     [&](const CameraEvent& e) { return e.time <= watermark; });
  ready_.assign(std::make_move_iterator(held_.begin()), std::make_move_iterator(later));
  held_.erase(held_.begin(), later);
  sortCameraEvents(ready_);
  for (CameraEvent& event : ready_) {
    if (event.time < clock_) event.time = clock_;
    clock_ = event.time;
    engine_.onEvent(std::move(event));
  }
  ready_.clear();
  if (now != std::numeric_limits<Timestamp>::max() && now > clock_) {
    clock_ = now;
    engine_.finish(now);
  }
  deliver();
}

void EventMerger::releaseAll(Timestamp latest) {
  releaseUpTo(std::numeric_limits<Timestamp>::max(), std::numeric_limits<Timestamp>::max());
  // Also when no worker is later than the last event: the engine sends what waits for the end
  // of its instant (the updates of the alerts of flows that ended then).
  clock_ = std::max(clock_, latest);
  engine_.finish(clock_);
  deliver();
}

void EventMerger::finish(Timestamp now) {
  engine_.finish(now);
  deliver();
}

void EventMerger::deliver() {
  std::vector<Alert> notifications = engine_.takeNotifications();
  if (!notifications.empty()) deliver_(std::move(notifications));
}

}  // namespace camwatch
