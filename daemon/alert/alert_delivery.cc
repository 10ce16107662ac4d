#include "alert/alert_delivery.h"

#include <algorithm>

#include <fmt/format.h>

namespace camwatch {

AlertDelivery::AlertDelivery(std::unique_ptr<AlertSpool> spool, std::vector<AlertSinkPtr> sinks,
                             const DeliveryOptions& options)
    : spool_(std::move(spool)),
      sinks_(std::move(sinks)),
      options_(options),
      states_(sinks_.size()),
      jitter_rng_(options.retry.jitter_seed) {
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    counters_.push_back(std::make_unique<SinkCounters>());
    counters_.back()->pending = spool_->pendingCount(i);
  }
}

Result<std::unique_ptr<AlertDelivery>> AlertDelivery::create(const std::string& spool_directory,
                                                             const AlertSpoolOptions& spool_options,
                                                             std::vector<AlertSinkPtr> sinks,
                                                             const DeliveryOptions& options) {
  std::vector<std::string> names;
  for (const AlertSinkPtr& sink : sinks) names.emplace_back(sink->name());
  auto spool = AlertSpool::open(spool_directory, std::move(names), spool_options);
  if (!spool) return tl::unexpected(spool.error());
  return std::unique_ptr<AlertDelivery>(
      new AlertDelivery(std::move(*spool), std::move(sinks), options));
}

EnqueueResult AlertDelivery::enqueue(const Alert& alert) {
  return enqueueAll(std::span<const Alert>(&alert, 1));
}

EnqueueResult AlertDelivery::enqueueAll(std::span<const Alert> alerts) {
  std::lock_guard held_lock(held_mutex_);
  EnqueueResult result;
  if (alerts.empty() && held_.empty()) return result;
  // Held alerts go first so the spool keeps the order the engine made them in. Without held
  // alerts (the normal case) the caller's span is spooled as it is, with no copy.
  std::span<const Alert> batch = alerts;
  const std::size_t held_before = held_.size();
  if (!held_.empty()) {
    held_.insert(held_.end(), alerts.begin(), alerts.end());
    batch = held_;
  }
  SpoolAppend appended = spool_->appendAll(batch);
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    SinkCounters& counters = *counters_[i];
    counters.queued.fetch_add(appended.appended, std::memory_order_relaxed);
    counters.dropped.fetch_add(appended.drop.per_sink[i], std::memory_order_relaxed);
    counters.pending.store(spool_->pendingCount(i), std::memory_order_relaxed);
  }
  result.from_held = std::min<std::uint64_t>(appended.appended, held_before);
  if (appended.write_error) {
    spool_writes_.write_errors.fetch_add(1, std::memory_order_relaxed);
    // Keep what was not spooled, oldest first, up to max_held.
    const auto done = static_cast<std::ptrdiff_t>(appended.appended);
    if (held_before > 0) {
      held_.erase(held_.begin(), held_.begin() + done);
    } else {
      held_.assign(alerts.begin() + done, alerts.end());
    }
    if (held_.size() > options_.max_held) {
      result.held_dropped = held_.size() - options_.max_held;
      held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(result.held_dropped));
      spool_writes_.held_dropped.fetch_add(result.held_dropped, std::memory_order_relaxed);
    }
    result.write_error = std::move(appended.write_error);
  } else {
    held_.clear();
  }
  result.held = held_.size();
  spool_writes_.held.store(held_.size(), std::memory_order_relaxed);
  result.drop = std::move(appended.drop);
  if (appended.appended > 0) {
    {
      std::lock_guard lock(wake_mutex_);
      work_ = true;
    }
    wake_.notify_one();
  }
  return result;
}

std::chrono::milliseconds AlertDelivery::backoffDelay(const RetryPolicy& policy,
                                                      std::uint32_t failures) {
  if (failures == 0) return std::chrono::milliseconds(0);
  std::chrono::milliseconds delay = policy.base;
  for (std::uint32_t i = 1; i < failures && delay < policy.cap; ++i) delay *= 2;
  return std::min(delay, policy.cap);
}

void AlertDelivery::deliverTo(std::size_t sink, DeliveryClock::time_point now, DeliveryStep& step) {
  SinkState& state = states_[sink];
  SinkCounters& counters = *counters_[sink];
  if (now < state.next) {
    if (spool_->pendingCount(sink) > 0) step.next_due = std::min(step.next_due, state.next);
    return;
  }
  auto batch = spool_->pending(sink, std::max<std::size_t>(options_.batch_size, 1));
  if (!batch) {
    step.log_lines.push_back(fmt::format("alert sink {}: spool read failed: {}",
                                         sinks_[sink]->name(), batch.error().message));
    // A spool read error is as good as a failed delivery: back off rather than spin on it.
    state.next = now + backoffDelay(options_.retry, ++state.failures);
    step.next_due = std::min(step.next_due, state.next);
    return;
  }
  if (batch->empty()) return;
  std::vector<Alert> alerts;
  alerts.reserve(batch->size());
  for (SpooledAlert& spooled : *batch) alerts.push_back(std::move(spooled.alert));

  if (state.failures > 0) counters.retried.fetch_add(1, std::memory_order_relaxed);
  auto delivered = sinks_[sink]->deliver(alerts);
  if (!delivered) {
    counters.failed.fetch_add(1, std::memory_order_relaxed);
    ++state.failures;
    auto delay = backoffDelay(options_.retry, state.failures);
    if (options_.retry.jitter && delay.count() > 1) {
      std::uniform_int_distribution<std::int64_t> spread(delay.count() / 2, delay.count());
      delay = std::chrono::milliseconds(spread(jitter_rng_));
    }
    state.next = now + delay;
    step.next_due = std::min(step.next_due, state.next);
    step.log_lines.push_back(fmt::format(
        "alert sink {}: delivery of {} alert(s) failed (attempt {}), retrying in {} ms: {}",
        sinks_[sink]->name(), alerts.size(), state.failures, delay.count(),
        delivered.error().message));
    return;
  }
  if (auto acked = spool_->markDelivered(sink, batch->back().seq); !acked) {
    // Delivered but not recorded: after a restart these alerts go out again (at-least-once).
    step.log_lines.push_back(fmt::format("alert sink {}: cannot record delivery: {}",
                                         sinks_[sink]->name(), acked.error().message));
  }
  if (state.failures > 0) {
    step.log_lines.push_back(fmt::format("alert sink {}: delivering again after {} failure(s)",
                                         sinks_[sink]->name(), state.failures));
  }
  state.failures = 0;
  state.next = DeliveryClock::time_point{};
  counters.sent.fetch_add(alerts.size(), std::memory_order_relaxed);
  const std::uint64_t left = spool_->pendingCount(sink);
  counters.pending.store(left, std::memory_order_relaxed);
  if (left > 0) step.next_due = now;
}

DeliveryStep AlertDelivery::runOnce(DeliveryClock::time_point now) {
  DeliveryStep step;
  for (std::size_t i = 0; i < sinks_.size(); ++i) deliverTo(i, now, step);
  return step;
}

bool AlertDelivery::waitForWork(DeliveryClock::time_point deadline) {
  // time_point::max() ("nothing due") overflows inside some wait implementations: an hour is
  // as good as forever for a loop that is woken by enqueue() and stop().
  deadline = std::min(deadline, DeliveryClock::now() + std::chrono::hours(1));
  std::unique_lock lock(wake_mutex_);
  wake_.wait_until(lock, deadline, [this] { return work_ || stopping_; });
  work_ = false;
  return !stopping_;
}

void AlertDelivery::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

}  // namespace camwatch
