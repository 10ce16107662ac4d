// AlertDelivery: takes alerts from the alert engine, spools them durably (AlertSpool) and hands
// them to every configured sink, retrying a failing sink with capped exponential backoff while
// the others carry on. Inputs: enqueue() from the alert thread. Outputs: sink deliveries,
// per-sink counters for the metrics thread, log lines for the caller.
//
// Threads: the delivery loop belongs to daemon/app (the only place that creates threads). It
// calls runOnce(now) and then waitForWork(next_due) until stop(). enqueue() may be called from any
// thread; counters() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/result.h>

#include "alert/alert_spool.h"

namespace camwatch {

using DeliveryClock = std::chrono::steady_clock;

struct RetryPolicy {
  std::chrono::milliseconds base{1000};   ///< delay after the first failure
  std::chrono::milliseconds cap{300000};  ///< delays double up to this
  /// Spread each delay uniformly over [delay/2, delay] so HA peers do not retry in step. Tests
  /// turn it off to check the exact schedule.
  bool jitter = true;
  std::uint64_t jitter_seed = 0x63616d7761746368ULL;
};

struct DeliveryOptions {
  RetryPolicy retry;
  std::size_t batch_size = 100;  ///< alerts per deliver() call
  /// Alerts kept in memory while the spool cannot be written (disk full, I/O error), to be
  /// spooled once it can; past this the oldest held alert is dropped and counted.
  std::size_t max_held = 10'000;
};

/// The spool's health, for the metrics thread (plain atomics, any thread reads them).
struct SpoolWriteCounters {
  std::atomic<std::uint64_t> write_errors{0};  ///< spool writes that failed (ENOSPC, EIO)
  std::atomic<std::uint64_t> held{0};          ///< alerts in memory waiting for the disk (gauge)
  std::atomic<std::uint64_t> held_dropped{0};  ///< held alerts dropped at DeliveryOptions::max_held
};

/// What enqueueAll() did, for the caller's log.
struct EnqueueResult {
  SpoolDrop drop;  ///< what the spool cap dropped to make room ("alert spool full: dropped N")
  /// Set when the spool could not be written: the alerts not spooled are held in memory.
  std::optional<std::string> write_error;
  std::uint64_t held = 0;          ///< alerts held in memory now
  std::uint64_t held_dropped = 0;  ///< held alerts dropped at max_held by this call
  std::uint64_t from_held = 0;     ///< held alerts this call spooled (the disk is back)
};

/// Per-sink counters: monotonic except `pending`, a gauge. Plain atomics: written by the alert and
/// delivery threads, read by the metrics thread without locks.
struct SinkCounters {
  std::atomic<std::uint64_t> queued{0};   ///< alerts spooled for this sink
  std::atomic<std::uint64_t> sent{0};     ///< alerts the sink accepted
  std::atomic<std::uint64_t> retried{0};  ///< deliver() calls that followed a failed one
  std::atomic<std::uint64_t> failed{0};   ///< deliver() calls that failed
  std::atomic<std::uint64_t> dropped{0};  ///< alerts dropped at the spool cap before delivery
  std::atomic<std::uint64_t> pending{0};  ///< alerts spooled and not yet accepted (gauge)
};

/// What one sink did during a run (its SinkCounters at the end), for replay's summary.
struct SinkDeliveryStats {
  std::string name;
  std::uint64_t queued = 0;
  std::uint64_t sent = 0;
  std::uint64_t retried = 0;
  std::uint64_t failed = 0;
  std::uint64_t dropped = 0;
  std::uint64_t pending = 0;
};

/// What one runOnce() did: when to call again, and what to log (failures, retries).
struct DeliveryStep {
  DeliveryClock::time_point next_due = DeliveryClock::time_point::max();
  std::vector<std::string> log_lines;
};

class AlertDelivery {
 public:
  /// Opens the spool in `spool_directory` for `sinks` (their name()s must be unique) and takes
  /// the sinks. Alerts left in the spool by an earlier run are delivered by the first
  /// runOnce() calls. Control thread.
  /// @return the delivery, or the spool's error.
  static Result<std::unique_ptr<AlertDelivery>> create(const std::string& spool_directory,
                                                       const AlertSpoolOptions& spool_options,
                                                       std::vector<AlertSinkPtr> sinks,
                                                       const DeliveryOptions& options);

  /// Spools `alert` for every sink; returns once it is on disk (fdatasync). Wakes the delivery
  /// loop. Any thread. See enqueueAll().
  EnqueueResult enqueue(const Alert& alert);
  /// Spools `alerts` for every sink, with one fdatasync per spool segment instead of one per
  /// alert (an alert storm stays cheap), after any alerts held from an earlier failure, so the
  /// order stays. When the spool cannot be written (disk full, I/O error) the alerts not spooled
  /// are held in memory (at most DeliveryOptions::max_held, oldest dropped first) and spooled by
  /// a later call, an empty one included (retryHeld()); nothing spooled before is touched. Any
  /// thread. @return what to log: spool-cap drops, the write error, held and recovered counts.
  EnqueueResult enqueueAll(std::span<const Alert> alerts);
  /// Tries to spool the held alerts again (call it about once a second while heldCount() > 0).
  EnqueueResult retryHeld() { return enqueueAll({}); }
  /// Alerts held in memory because the spool could not be written. Any thread.
  std::uint64_t heldCount() const { return spool_writes_.held.load(std::memory_order_relaxed); }
  /// The most alerts held in memory (DeliveryOptions::max_held).
  std::size_t maxHeld() const { return options_.max_held; }
  const SpoolWriteCounters& spoolWrites() const { return spool_writes_; }

  /// Offers each sink that is due (not backing off) one batch of its oldest undelivered
  /// alerts; acknowledges on success, schedules a retry on failure. Delivery thread only.
  /// @param now the current time (injected: tests pass their own clock).
  /// @return when to call again (`now` when a sink has more waiting) and lines to log.
  DeliveryStep runOnce(DeliveryClock::time_point now);

  /// Blocks until enqueue() or stop() was called since the last wait, or `deadline` passed.
  /// Delivery thread. @return false once stop() was called.
  bool waitForWork(DeliveryClock::time_point deadline);

  /// Makes waitForWork() return false from now on. Any thread.
  void stop();

  std::size_t sinkCount() const { return sinks_.size(); }
  std::string_view sinkName(std::size_t sink) const { return sinks_[sink]->name(); }
  /// Counters of sink `sink`; the reference lives as long as this object. Any thread.
  const SinkCounters& counters(std::size_t sink) const { return *counters_[sink]; }
  /// When sink `sink` will next be tried (epoch value while it is not backing off). Delivery
  /// thread.
  DeliveryClock::time_point nextAttempt(std::size_t sink) const { return states_[sink].next; }
  /// The delay after `failures` consecutive failures, before jitter: min(cap, base * 2^(n-1)).
  static std::chrono::milliseconds backoffDelay(const RetryPolicy& policy, std::uint32_t failures);
  AlertSpool& spool() { return *spool_; }

 private:
  struct SinkState {
    DeliveryClock::time_point next{};
    std::uint32_t failures = 0;
  };

  AlertDelivery(std::unique_ptr<AlertSpool> spool, std::vector<AlertSinkPtr> sinks,
                const DeliveryOptions& options);
  void deliverTo(std::size_t sink, DeliveryClock::time_point now, DeliveryStep& step);

  std::unique_ptr<AlertSpool> spool_;
  std::vector<AlertSinkPtr> sinks_;
  const DeliveryOptions options_;
  std::vector<std::unique_ptr<SinkCounters>> counters_;
  std::mutex held_mutex_;    // orders enqueueAll() calls and guards held_
  std::vector<Alert> held_;  // not spooled yet (the disk failed), oldest first
  SpoolWriteCounters spool_writes_;
  std::vector<SinkState> states_;  // delivery thread only
  std::mt19937_64 jitter_rng_;     // delivery thread only
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool work_ = false;      // guarded by wake_mutex_
  bool stopping_ = false;  // guarded by wake_mutex_
};

}  // namespace camwatch
