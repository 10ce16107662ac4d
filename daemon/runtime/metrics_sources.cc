#include "runtime/metrics_sources.h"

#include "dpi/ndpi_classifier.h"

namespace camwatch {
namespace {

SinkDeliverySnapshot sinkSnapshot(const SinkCounters& counters) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  SinkDeliverySnapshot out;
  out.queued = counters.queued.load(kRelaxed);
  out.sent = counters.sent.load(kRelaxed);
  out.retried = counters.retried.load(kRelaxed);
  out.failed = counters.failed.load(kRelaxed);
  out.dropped = counters.dropped.load(kRelaxed);
  out.pending = counters.pending.load(kRelaxed);
  return out;
}

}  // namespace

MetricsLayout layoutOf(const MetricsSources& sources) {
  MetricsLayout layout;
  layout.workers = static_cast<unsigned>(sources.workers.size());
  for (const CaptureSourceStats& capture : sources.captures) {
    layout.captures.push_back(capture.source);
  }
  if (sources.delivery != nullptr) {
    for (std::size_t i = 0; i < sources.delivery->sinkCount(); ++i) {
      layout.sinks.emplace_back(sources.delivery->sinkName(i));
    }
  }
  return layout;
}

void takeSnapshot(const MetricsSources& sources, MetricsSnapshot& out) {
  out.workers.resize(sources.workers.size());
  for (std::size_t i = 0; i < sources.workers.size(); ++i) {
    out.workers[i] =
        sources.workers[i] != nullptr ? sources.workers[i]->snapshot() : WorkerCountersSnapshot{};
  }
  out.captures.resize(sources.captures.size());
  for (std::size_t i = 0; i < sources.captures.size(); ++i) {
    const CaptureStats* stats = sources.captures[i].stats;
    out.captures[i] = stats != nullptr ? stats->snapshot() : CaptureStatsSnapshot{};
  }
  const std::size_t sinks = sources.delivery != nullptr ? sources.delivery->sinkCount() : 0;
  out.sinks.resize(sinks);
  for (std::size_t i = 0; i < sinks; ++i) {
    out.sinks[i] = sinkSnapshot(sources.delivery->counters(i));
  }
  if (sources.delivery != nullptr) {
    const SpoolWriteCounters& writes = sources.delivery->spoolWrites();
    out.spool_write_errors = writes.write_errors.load(std::memory_order_relaxed);
    out.spool_held_alerts = writes.held.load(std::memory_order_relaxed);
    out.spool_held_dropped = writes.held_dropped.load(std::memory_order_relaxed);
  }
  out.alerts = sources.alerts != nullptr ? sources.alerts->snapshot() : AlertCountsSnapshot{};
  out.dpi_memory_bytes = sources.dpi_memory ? NdpiClassifier::memoryInUse() : 0;
  out.dns_cache_entries = sources.dns_cache != nullptr ? sources.dns_cache->size() : 0;
  out.dns_cache_capacity = sources.dns_cache != nullptr ? sources.dns_cache->capacity() : 0;
  out.dns_cache_evictions = sources.dns_cache != nullptr ? sources.dns_cache->evictions() : 0;
  if (sources.ipfix != nullptr) {
    out.ipfix_records_exported = sources.ipfix->exported.load(std::memory_order_relaxed);
    out.ipfix_records_dropped = sources.ipfix->dropped.load(std::memory_order_relaxed);
    out.ipfix_export_errors = sources.ipfix->errors.load(std::memory_order_relaxed);
  }
}

std::vector<SinkDeliverySnapshot> sinkSnapshots(const AlertDelivery& delivery) {
  std::vector<SinkDeliverySnapshot> out;
  out.reserve(delivery.sinkCount());
  for (std::size_t i = 0; i < delivery.sinkCount(); ++i) {
    out.push_back(sinkSnapshot(delivery.counters(i)));
  }
  return out;
}

MetricsEndpointOptions metricsEndpointOptions(const Config& config, const std::string& listen) {
  MetricsEndpointOptions options;
  options.listen = listen;
  options.sensor = config.sensor_name;
  options.max_destinations = config.metrics.max_destinations;
  options.username = config.metrics.username;
  options.password_file = config.metrics.password_file;
  return options;
}

std::string metricsExposureWarning(const Config& config, const std::string& listen) {
  MetricsServerOptions served;
  served.listen = listen;
  served.username = config.metrics.username;
  served.password_file = config.metrics.password_file;
  return MetricsServer::exposureWarning(served);
}

}  // namespace camwatch
