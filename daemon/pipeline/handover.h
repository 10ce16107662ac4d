// Handover and Mailbox: how a worker hands what it produced to the control side, the same for
// live and replay. A worker posts one Handover per housekeeping round (live, ~100 ms) or per
// batch mark (replay); the lock is taken once per handover, never per packet.
#pragma once

#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include <camwatch/flow.h>

#include "alert/alert_engine.h"
#include "pipeline/flow_worker.h"

namespace camwatch {

struct Handover {
  std::vector<EndedFlow> records;  ///< ended flows (FlowWorkerOptions::keep_flows: replay)
  std::vector<CameraEvent> events;
  std::vector<EgressFlowSummary> egress;  ///< FlowWorkerOptions::summarize_egress only
  /// Every event up to this packet time is in this handover or an earlier one.
  Timestamp clock = 0;
  bool done = false;  ///< the worker ended every flow and stopped
};

/// Moves out what `worker` produced since the last handover; the worker goes on with the
/// vectors of `spare` (empty, with whatever space they had). Worker thread.
Handover takeHandover(FlowWorker& worker, Timestamp clock, bool done, Handover spare = {});

class Mailbox {
 public:
  /// Worker thread.
  void post(Handover handover) {
    const std::lock_guard lock(mutex_);
    posted_.push_back(std::move(handover));
  }

  /// Whether a handover waits. Any thread.
  bool hasHandover() const {
    const std::lock_guard lock(mutex_);
    return !posted_.empty();
  }

  /// The oldest handover (hasHandover() was true). Any thread.
  Handover takeOldest() {
    const std::lock_guard lock(mutex_);
    Handover oldest = std::move(posted_.front());
    posted_.pop_front();
    return oldest;
  }

  /// Every handover posted so far, oldest first. Any thread.
  std::deque<Handover> takeAll() {
    const std::lock_guard lock(mutex_);
    return std::exchange(posted_, {});
  }

  /// Gives back a handover the control side is done with: its vectors are emptied here and
  /// their space goes back to the worker at its next handover (spare()), so a worker's batches
  /// do not grow new vectors from nothing each time. At most kSpares are kept. Any thread.
  void giveBack(Handover handover) {
    handover.records.clear();
    handover.events.clear();
    handover.egress.clear();
    const std::lock_guard lock(mutex_);
    if (spares_.size() < kSpares) spares_.push_back(std::move(handover));
  }

  /// A handover given back (empty vectors with their space), or a new one. Worker thread.
  Handover spare() {
    const std::lock_guard lock(mutex_);
    if (spares_.empty()) return {};
    Handover spare = std::move(spares_.back());
    spares_.pop_back();
    return spare;
  }

 private:
  static constexpr std::size_t kSpares = 4;

  mutable std::mutex mutex_;
  std::deque<Handover> posted_;
  std::vector<Handover> spares_;
};

}  // namespace camwatch
