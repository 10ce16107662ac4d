// replay_metrics: `camwatch replay --metrics FILE|ADDR:PORT`, the live sensor's metric families
// for a replay, served while it runs or written as Prometheus text at the end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <camwatch/metrics.h>

#include "alert/alert_side.h"
#include "config/config.h"
#include "export/ipfix_exporter.h"
#include "pipeline/replay_pipeline.h"
#include "runtime/metrics_sources.h"

namespace camwatch::cli {

// replay --metrics: the live sensor's families, filled by the same path as the sensor's: worker,
// decode, DNS and delivery figures from the replay's progress about once a second, egress from
// the workers' egress summaries (so the `camera` label is the inventory name, as on a sensor,
// and nothing is cut at replay.max_destination_rows), alerts at the end. With an address
// (ADDR:PORT) a MetricsEndpoint serves them while the replay runs, and the reader's packets are
// one capture series, interface "replay", worker "0", never dropping, so drop panels and rules
// see the series a sensor has; with a file, the final figures are written there as Prometheus
// text (for node_exporter's textfile collector, or to compare a capture with a sensor).
class ReplayMetrics {
 public:
  static Result<std::unique_ptr<ReplayMetrics>> start(const std::string& target,
                                                      const Config& config, unsigned workers,
                                                      AlertSide& side);

  bool served() const { return endpoint_ != nullptr; }
  std::string url() const { return endpoint_ ? endpoint_->url() : std::string(); }

  // ReplayOptions::on_progress: on the replay's reading thread.
  void onProgress(ReplayProgress& progress);

  // The final figures, after the replay and the delivery drain. Control thread.
  void finish(const ReplayResult& result);

  std::string textExposition() const { return registry_->textExposition(); }

  // --ipfix: the exporter's counters, read with every update. Control thread, before the replay.
  void setIpfixCounts(const IpfixExportCounts* counts) { ipfix_ = counts; }

 private:
  ReplayMetrics(const Config& config, const AlertDelivery* delivery)
      : config_(config), delivery_(delivery) {}

  void addEgress(const std::vector<EgressFlowSummary>& summaries);
  void addIpfix(MetricsSnapshot& snapshot) const;

  const Config& config_;
  const AlertDelivery* delivery_;
  std::unique_ptr<MetricsEndpoint> endpoint_;       // --metrics ADDR:PORT
  std::unique_ptr<MetricsRegistry> file_registry_;  // --metrics FILE
  MetricsRegistry* registry_ = nullptr;             // one of the two
  const IpfixExportCounts* ipfix_ = nullptr;        // --ipfix; null without
};

}  // namespace camwatch::cli
