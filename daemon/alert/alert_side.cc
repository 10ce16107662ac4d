#include "alert/alert_side.h"

#include <utility>

namespace camwatch {

AlertSideResult<LearnedBaseline> loadAlertBaseline(const LearningConfig& learning,
                                                   const DeliveryLog& log) {
  if (learning.mode == LearningMode::kOff) return LearnedBaseline{};
  auto state = LearnedBaseline::load(learning.state_file);
  if (!state) {
    return tl::unexpected(AlertSideError{AlertSideError::Kind::kConfig, state.error().message});
  }
  if (learning.mode == LearningMode::kEnforce && state->size() == 0 && log) {
    log("learning.mode is enforce but " + learning.state_file +
        " holds nothing learnt: every destination is new");
  }
  return std::move(*state);
}

AlertSideResult<std::unique_ptr<AlertSide>> AlertSide::start(const AlertSideConfig& config,
                                                             LearnedBaseline baseline,
                                                             std::vector<AlertSinkPtr> sinks,
                                                             DeliveryLog log) {
  auto side = std::unique_ptr<AlertSide>(new AlertSide(
      config.learning, std::make_unique<AlertEngine>(config.engine, std::move(baseline))));
  if (sinks.empty()) return side;
  auto started = DeliveryThread::start(config.alerts, std::move(sinks), std::move(log));
  if (!started) {
    return tl::unexpected(AlertSideError{AlertSideError::Kind::kRuntime, started.error().message});
  }
  side->delivery_ = std::move(*started);
  return side;
}

EnqueueResult AlertSide::enqueue(std::span<const Alert> notifications) {
  if (!delivery_) return {};
  return delivery_->delivery().enqueueAll(notifications);
}

Result<void> AlertSide::saveBaseline() {
  if (learning_.mode == LearningMode::kOff || !engine_->baselineChanged()) return {};
  return engine_->baseline().save(learning_.state_file);
}

std::uint64_t AlertSide::stop(std::chrono::milliseconds budget) {
  if (!delivery_) return 0;
  const std::uint64_t pending = delivery_->drain(budget) ? 0 : delivery_->pending();
  delivery_->stop();
  return pending;
}

std::vector<SinkDeliveryStats> AlertSide::sinkStats() const {
  std::vector<SinkDeliveryStats> out;
  if (!delivery_) return out;
  const AlertDelivery& queue = delivery_->delivery();
  for (std::size_t i = 0; i < queue.sinkCount(); ++i) {
    const SinkCounters& counters = queue.counters(i);
    out.push_back(SinkDeliveryStats{std::string(queue.sinkName(i)), counters.queued.load(),
                                    counters.sent.load(), counters.retried.load(),
                                    counters.failed.load(), counters.dropped.load(),
                                    counters.pending.load()});
  }
  return out;
}

}  // namespace camwatch
