#include "alert/delivery_thread.h"

namespace camwatch {

Result<std::unique_ptr<DeliveryThread>> DeliveryThread::start(const AlertsConfig& config,
                                                              std::vector<AlertSinkPtr> sinks,
                                                              DeliveryLog log) {
  AlertSpoolOptions spool;
  spool.max_bytes = config.spool_max_bytes;
  spool.segment_bytes = config.spool_segment_bytes;
  DeliveryOptions options;
  options.batch_size = config.batch_size;
  options.retry.base = config.retry_base;
  options.retry.cap = config.retry_max;
  auto delivery = AlertDelivery::create(config.spool_dir, spool, std::move(sinks), options);
  if (!delivery) return tl::unexpected(delivery.error());
  for (const std::string& line : (*delivery)->spool().recoveryWarnings()) {
    log("alert spool: " + line);
  }
  std::unique_ptr<DeliveryThread> thread(new DeliveryThread(std::move(*delivery), std::move(log)));
  thread->thread_ = std::thread([raw = thread.get()] { raw->loop(); });
  return thread;
}

DeliveryThread::~DeliveryThread() { stop(); }

void DeliveryThread::loop() {
  while (true) {
    const DeliveryStep step = delivery_->runOnce(DeliveryClock::now());
    for (const std::string& line : step.log_lines) log_(line);
    if (!delivery_->waitForWork(step.next_due)) return;
  }
}

std::uint64_t DeliveryThread::pending() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < delivery_->sinkCount(); ++i) {
    total += delivery_->counters(i).pending.load(std::memory_order_relaxed);
  }
  return total;
}

bool DeliveryThread::drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void DeliveryThread::stop() {
  if (!thread_.joinable()) return;
  delivery_->stop();
  thread_.join();
}

}  // namespace camwatch
