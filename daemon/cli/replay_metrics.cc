#include "cli/replay_metrics.h"

#include "cli/capture_args.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/egress_summary.h"

namespace camwatch::cli {
namespace {

// The figures of a finished replay as one MetricsSnapshot (the live sensor's families).
MetricsSnapshot replaySnapshot(const Config& config, const ReplayResult& result) {
  MetricsSnapshot snapshot;
  snapshot.workers = result.worker_counters;  // packet counts filled by runReplay
  for (const SinkDeliveryStats& sink : result.deliveries) {
    snapshot.sinks.push_back(SinkDeliverySnapshot{sink.queued, sink.sent, sink.retried, sink.failed,
                                                  sink.dropped, sink.pending});
  }
  AlertCounters alerts;
  for (const Alert& alert : result.alerts) alerts.recordNotification(alert);
  alerts.publishEngine(result.alerts_raised, result.alert_repeats, result.alert_overflowed);
  alerts.publishLimits(result.alert_overflowed_total, result.cameras_untracked);
  snapshot.alerts = alerts.snapshot();
  snapshot.dpi_memory_bytes = result.ndpi_peak_memory;
  snapshot.dns_cache_entries = result.dns_cache_entries;
  snapshot.dns_cache_capacity = config.dns.capacity;
  return snapshot;
}

}  // namespace

Result<std::unique_ptr<ReplayMetrics>> ReplayMetrics::start(const std::string& target,
                                                            const Config& config, unsigned workers,
                                                            AlertSide& side) {
  const bool served = isListenAddress(target);
  MetricsLayout layout;
  layout.workers = workers;
  if (served) layout.captures.push_back(CaptureSource{"replay", 0});
  if (const AlertDelivery* delivery = side.delivery(); delivery != nullptr) {
    for (std::size_t i = 0; i < delivery->sinkCount(); ++i) {
      layout.sinks.emplace_back(delivery->sinkName(i));
    }
  }
  auto metrics = std::unique_ptr<ReplayMetrics>(new ReplayMetrics(config, side.delivery()));
  if (served) {
    auto serving = MetricsEndpoint::start(metricsEndpointOptions(config, target), layout);
    if (!serving) return tl::unexpected(serving.error());
    metrics->endpoint_ = std::move(*serving);
    metrics->registry_ = &metrics->endpoint_->registry();
  } else {
    MetricsOptions options;
    options.sensor = config.sensor_name;
    options.max_destinations = config.metrics.max_destinations;
    metrics->file_registry_ = std::make_unique<MetricsRegistry>(layout, options);
    metrics->registry_ = metrics->file_registry_.get();
  }
  return metrics;
}

void ReplayMetrics::onProgress(ReplayProgress& progress) {
  MetricsSnapshot snapshot;
  snapshot.workers = progress.workers;
  if (served()) snapshot.captures.push_back(CaptureStatsSnapshot{progress.packets, 0, 0});
  if (delivery_ != nullptr) snapshot.sinks = sinkSnapshots(*delivery_);
  snapshot.dpi_memory_bytes = NdpiClassifier::memoryInUse();
  snapshot.dns_cache_entries = progress.dns_cache_entries;
  snapshot.dns_cache_capacity = config_.dns.capacity;
  addEgress(progress.egress);
  addIpfix(snapshot);
  registry_->update(snapshot);
}

void ReplayMetrics::finish(const ReplayResult& result) {
  MetricsSnapshot snapshot = replaySnapshot(config_, result);
  if (served()) snapshot.captures.push_back(CaptureStatsSnapshot{result.decode.packets, 0, 0});
  addEgress(result.egress_summaries);
  addIpfix(snapshot);
  for (const Alert& alert : result.alerts) registry_->cameraAlerts().record(alert);
  registry_->update(snapshot);
}

void ReplayMetrics::addIpfix(MetricsSnapshot& snapshot) const {
  if (ipfix_ == nullptr) return;
  snapshot.ipfix_records_exported = ipfix_->exported.load(std::memory_order_relaxed);
  snapshot.ipfix_records_dropped = ipfix_->dropped.load(std::memory_order_relaxed);
  snapshot.ipfix_export_errors = ipfix_->errors.load(std::memory_order_relaxed);
}

void ReplayMetrics::addEgress(const std::vector<EgressFlowSummary>& summaries) {
  for (const EgressFlowSummary& flow : summaries) addEgressSummary(registry_->egress(), flow);
}

}  // namespace camwatch::cli
