// Where the metrics thread reads its snapshot from: the live counters of the workers, capture
// handles and alert side, the alert delivery and the DNS cache. The app fills a MetricsSources
// at start, makes the registry from layoutOf(sources), and then, on the metrics thread, about
// once a second:
//
//   takeSnapshot(sources, snapshot);
//   registry.update(snapshot);
//
// Nothing here locks anything on the packet path: the counters are single-writer atomics,
// AlertDelivery's counters are atomics, DnsCache::size() takes each cache shard's mutex briefly
// (the reader thread takes them once per DNS answer, never per packet).
#pragma once

#include <string>
#include <vector>

#include <camwatch/dns.h>
#include <camwatch/metrics.h>

#include "alert/alert_delivery.h"
#include "config/config.h"
#include "export/ipfix_exporter.h"
#include "metrics/metrics_endpoint.h"

namespace camwatch {

/// One capture handle's statistics and where they come from.
struct CaptureSourceStats {
  CaptureSource source;
  const CaptureStats* stats = nullptr;
};

/// Pointers to the live counters; each must outlive every takeSnapshot() call. Null = absent
/// (its figures stay 0).
struct MetricsSources {
  std::vector<const WorkerCounters*> workers;  ///< [worker]
  std::vector<CaptureSourceStats> captures;
  const AlertCounters* alerts = nullptr;
  const AlertDelivery* delivery = nullptr;
  const DnsCache* dns_cache = nullptr;
  const IpfixExportCounts* ipfix = nullptr;  ///< export.ipfix's counters
  bool dpi_memory = true;                    ///< read NdpiClassifier::memoryInUse()
};

/// The layout `sources` describe: its workers, capture handles and the delivery's sinks.
/// Control thread, at start.
MetricsLayout layoutOf(const MetricsSources& sources);

/// Reads every source into `out` (its vectors are reused, so a steady loop allocates nothing).
/// Metrics thread.
void takeSnapshot(const MetricsSources& sources, MetricsSnapshot& out);

/// The counters of every sink of `delivery`, in sink order. Any thread.
std::vector<SinkDeliverySnapshot> sinkSnapshots(const AlertDelivery& delivery);

/// What the config says of the metrics endpoint (sensor name, cap, basic auth), served at
/// `listen` (run: metrics.listen; replay: its --metrics address).
MetricsEndpointOptions metricsEndpointOptions(const Config& config, const std::string& listen);

/// MetricsServer::exposureWarning() for the endpoint the config serves at `listen`: "" on
/// loopback, else what the network can read there (run, replay and check-config say it).
std::string metricsExposureWarning(const Config& config, const std::string& listen);

}  // namespace camwatch
