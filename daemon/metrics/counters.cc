// The hot-path side of the metrics: counters one thread writes and the metrics thread reads.
#include <camwatch/metrics.h>

namespace camwatch {

void WorkerCounters::publishFlowTable(const FlowTableStats& stats, std::size_t active) noexcept {
  flows_created.set(stats.created);
  flows_ended.set(stats.ended);
  flows_evicted.set(stats.evicted);
  flows_active.set(active);
}

void WorkerCounters::publishGeoCache(const GeoCacheStats& stats) noexcept {
  geo_hits.set(stats.hits);
  geo_misses.set(stats.misses);
  geo_evictions.set(stats.evictions);
}

WorkerCountersSnapshot WorkerCounters::snapshot() const noexcept {
  WorkerCountersSnapshot out;
  out.packets = packets.load();
  out.wire_bytes = wire_bytes.load();
  out.ip_packets = ip_packets.load();
  out.non_ip_packets = non_ip_packets.load();
  out.fragments_unmatched = fragments_unmatched.load();
  out.flows_created = flows_created.load();
  out.flows_ended = flows_ended.load();
  out.flows_evicted = flows_evicted.load();
  out.flows_active = flows_active.load();
  out.dpi_flow_states = dpi_flow_states.load();
  out.dns_responses = dns_responses.load();
  out.dns_answers = dns_answers.load();
  out.dns_malformed = dns_malformed.load();
  out.dns_cache_hits = dns_cache_hits.load();
  out.dns_cache_misses = dns_cache_misses.load();
  out.geo_hits = geo_hits.load();
  out.geo_misses = geo_misses.load();
  out.geo_evictions = geo_evictions.load();
  out.cameras_untracked = cameras_untracked.load();
  out.busy_ns = busy_ns.load();
  out.idle_ns = idle_ns.load();
  for (std::size_t i = 0; i < kAnomalyCount; ++i) out.anomalies[i] = anomalies[i].load();
  return out;
}

void CaptureStats::updateFromPcap(std::uint32_t ps_recv, std::uint32_t ps_drop,
                                  std::uint32_t ps_ifdrop) noexcept {
  // Unsigned 32-bit subtraction is the distance modulo 2^32: right across one wrap.
  received_.add(static_cast<std::uint32_t>(ps_recv - last_recv_));
  dropped_.add(static_cast<std::uint32_t>(ps_drop - last_drop_));
  interface_dropped_.add(static_cast<std::uint32_t>(ps_ifdrop - last_ifdrop_));
  last_recv_ = ps_recv;
  last_drop_ = ps_drop;
  last_ifdrop_ = ps_ifdrop;
}

CaptureStatsSnapshot CaptureStats::snapshot() const noexcept {
  return {received_.load(), dropped_.load(), interface_dropped_.load()};
}

void AlertCounters::recordNotification(const Alert& notification) noexcept {
  const auto kind = static_cast<std::size_t>(notification.kind);
  const auto severity = static_cast<std::size_t>(notification.severity);
  const auto status = static_cast<std::size_t>(notification.status);
  if (kind < kAlertKindSlots && severity < kSeveritySlots && status < kAlertStatusSlots) {
    notifications_[kind][severity][status].add();
  }
}

AlertCountsSnapshot AlertCounters::snapshot() const noexcept {
  AlertCountsSnapshot out;
  for (std::size_t kind = 0; kind < kAlertKindSlots; ++kind) {
    for (std::size_t severity = 0; severity < kSeveritySlots; ++severity) {
      for (std::size_t status = 0; status < kAlertStatusSlots; ++status) {
        out.notifications[kind][severity][status] = notifications_[kind][severity][status].load();
      }
    }
  }
  out.raised = raised_.load();
  out.repeats = repeats_.load();
  out.overflowed = overflowed_.load();
  out.overflowed_total = overflowed_total_.load();
  out.cameras_untracked = cameras_untracked_.load();
  return out;
}

}  // namespace camwatch
