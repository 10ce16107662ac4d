// EventMerger: puts the workers' camera events into one order and feeds them to the alert
// engine, for `run` and `replay`; the engine's notifications go to `deliver` after each release.
// Control thread (replay: the reading thread).
#pragma once

#include <functional>
#include <vector>

#include <camwatch/alert.h>

#include "alert/alert_engine.h"

namespace camwatch {

class EventMerger {
 public:
  using Deliver = std::function<void(std::vector<Alert>)>;

  EventMerger(AlertEngine& engine, Deliver deliver)
      : engine_(engine), deliver_(std::move(deliver)) {}

  /// Replay's rule: `round` holds what every worker handed over at the same point of the input
  /// (batch k of each), so it is released at once, in sortCameraEvents() order, and any worker
  /// count gives the same order. The engine's clock moves only with the events (and finish()).
  void releaseRound(std::vector<CameraEvent>& round);

  /// Live's rule, first half: events wait until every worker's clock has passed them.
  void hold(std::vector<CameraEvent>& events);
  /// Live's rule, second half: releases the held events up to `watermark` (the slowest worker's
  /// clock) in sortCameraEvents() order; an event from a worker that lagged behind it is counted
  /// at the merger's clock, which never goes back. Then the engine's clock advances to `now`.
  void releaseUpTo(Timestamp watermark, Timestamp now);

  /// Live's last release, when every worker stopped: everything held goes, then the engine's
  /// clock advances to the latest worker clock `latest` (if that is later) and what is due then
  /// goes out.
  void releaseAll(Timestamp latest);

  /// Ends the run: the engine resolves what is quiet at `now`; the last notifications go out.
  void finish(Timestamp now);

  /// Packet time of the last event released or of the last advance (live).
  Timestamp clock() const { return clock_; }

 private:
  void deliver();

  AlertEngine& engine_;
  Deliver deliver_;
  std::vector<CameraEvent> held_;
  std::vector<CameraEvent> ready_;
  Timestamp clock_ = 0;
};

}  // namespace camwatch
