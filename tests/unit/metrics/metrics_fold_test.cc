// The hot-path counters and the fold of their snapshots into prometheus-cpp: counters follow the
// absolute values (delta since the last fold), never go down, gauges are set.
#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <camwatch/metrics.h>

#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testing::value;

const std::string kPackets0 = "camwatch_worker_packets_total{worker=\"0\"}";
const std::string kPackets1 = "camwatch_worker_packets_total{worker=\"1\"}";

MetricsLayout twoWorkers() {
  MetricsLayout layout;
  layout.workers = 2;
  layout.captures = {{"eth1", 0}, {"eth1", 1}};
  layout.sinks = {"webhook-soc"};
  return layout;
}

MetricsSnapshot emptySnapshot(const MetricsLayout& layout) {
  MetricsSnapshot snapshot;
  snapshot.workers.resize(layout.workers);
  snapshot.captures.resize(layout.captures.size());
  snapshot.sinks.resize(layout.sinks.size());
  return snapshot;
}

TEST(MetricsCountersTest, SingleWriterCounterAddsAndSets) {
  SingleWriterCounter counter;
  EXPECT_EQ(counter.load(), 0U);
  counter.add();
  counter.add(41);
  EXPECT_EQ(counter.load(), 42U);
  counter.set(7);
  EXPECT_EQ(counter.load(), 7U);
}

TEST(MetricsCountersTest, WorkerSnapshotReadsEveryField) {
  WorkerCounters counters;
  counters.packets.add(3);
  counters.wire_bytes.add(1500);
  counters.ip_packets.add(2);
  counters.non_ip_packets.add(15);
  counters.fragments_unmatched.add(16);
  counters.publishFlowTable(FlowTableStats{.created = 10, .ended = 7, .evicted = 2}, 3);
  counters.dpi_flow_states.set(4);
  counters.dns_responses.add(5);
  counters.dns_answers.add(6);
  counters.dns_malformed.add(1);
  counters.dns_cache_hits.add(8);
  counters.dns_cache_misses.add(9);
  counters.publishGeoCache(GeoCacheStats{.hits = 11, .misses = 12});
  counters.busy_ns.add(13);
  counters.idle_ns.add(14);
  counters.countAnomaly(Anomaly::kTruncatedVlanHeader);
  counters.countAnomaly(Anomaly::kTruncatedVlanHeader);
  counters.countAnomaly(Anomaly::kNone);  // not an anomaly: not counted

  WorkerCountersSnapshot expected;
  expected.packets = 3;
  expected.wire_bytes = 1500;
  expected.ip_packets = 2;
  expected.non_ip_packets = 15;
  expected.fragments_unmatched = 16;
  expected.flows_created = 10;
  expected.flows_ended = 7;
  expected.flows_evicted = 2;
  expected.flows_active = 3;
  expected.dpi_flow_states = 4;
  expected.dns_responses = 5;
  expected.dns_answers = 6;
  expected.dns_malformed = 1;
  expected.dns_cache_hits = 8;
  expected.dns_cache_misses = 9;
  expected.geo_hits = 11;
  expected.geo_misses = 12;
  expected.busy_ns = 13;
  expected.idle_ns = 14;
  expected.anomalies[static_cast<std::size_t>(Anomaly::kTruncatedVlanHeader)] = 2;
  EXPECT_EQ(counters.snapshot(), expected);
}

TEST(MetricsCountersTest, CaptureStatsExtendPcapCountsAcrossTheirWrap) {
  CaptureStats stats;
  stats.updateFromPcap(4'294'967'290U, 100, 1);
  EXPECT_EQ(stats.snapshot(), (CaptureStatsSnapshot{4'294'967'290U, 100, 1}));
  // ps_recv wrapped: 6 to reach 2^32, then 5 more.
  stats.updateFromPcap(5, 100, 3);
  EXPECT_EQ(stats.snapshot(), (CaptureStatsSnapshot{4'294'967'301ULL, 100, 3}));
  // The handle was reopened: its counts restart at zero.
  stats.resetPcapBaseline();
  stats.updateFromPcap(10, 2, 0);
  EXPECT_EQ(stats.snapshot(), (CaptureStatsSnapshot{4'294'967'311ULL, 102, 3}));
}

TEST(MetricsCountersTest, AlertCountersCountNotificationsByKindSeverityStatus) {
  AlertCounters counters;
  Alert alert;
  alert.kind = AlertKind::kVendorCloud;
  alert.severity = Severity::kCritical;
  counters.recordNotification(alert);
  alert.repeat_count = 3;
  counters.recordNotification(alert);
  alert.status = AlertStatus::kResolved;
  counters.recordNotification(alert);
  counters.publishEngine(9, 6);
  const AlertCountsSnapshot snapshot = counters.snapshot();
  const auto kind = static_cast<std::size_t>(AlertKind::kVendorCloud);
  const auto critical = static_cast<std::size_t>(Severity::kCritical);
  EXPECT_EQ(snapshot.notifications[kind][critical][0], 2U);  // firing
  EXPECT_EQ(snapshot.notifications[kind][critical][1], 1U);  // resolved
  EXPECT_EQ(snapshot.notifications[kind][0][0], 0U);
  EXPECT_EQ(snapshot.raised, 9U);
  EXPECT_EQ(snapshot.repeats, 6U);
}

TEST(MetricsFoldTest, SeriesExistAtZeroBeforeTheFirstUpdate) {
  MetricsRegistry metrics(twoWorkers(), {});
  EXPECT_EQ(value(metrics, kPackets0), 0);
  EXPECT_EQ(value(metrics, kPackets1), 0);
  EXPECT_EQ(
      value(metrics, "camwatch_capture_dropped_packets_total{interface=\"eth1\",worker=\"1\"}"), 0);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_sent_total{sink=\"webhook-soc\"}"), 0);
  EXPECT_EQ(
      value(metrics,
            "camwatch_alerts_total{kind=\"unknown_camera\",severity=\"info\",status=\"firing\"}"),
      0);
  EXPECT_EQ(value(metrics, "camwatch_worker_packets_total{worker=\"2\"}"), -1);  // no such worker
}

TEST(MetricsFoldTest, CountersFollowTheAbsoluteValuesOfTheSnapshots) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  snapshot.workers[0].packets = 10;
  snapshot.workers[1].packets = 4;
  snapshot.workers[0].busy_ns = 1'500'000'000;
  snapshot.workers[0].dns_cache_hits = 3;
  snapshot.workers[0].geo_misses = 2;
  snapshot.captures[1].dropped = 17;
  snapshot.sinks[0].sent = 5;
  snapshot.alerts.raised = 8;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, kPackets0), 10);
  EXPECT_EQ(value(metrics, kPackets1), 4);
  EXPECT_DOUBLE_EQ(value(metrics, "camwatch_worker_busy_seconds_total{worker=\"0\"}"), 1.5);
  EXPECT_EQ(value(metrics, "camwatch_dns_cache_lookups_total{result=\"hit\",worker=\"0\"}"), 3);
  EXPECT_EQ(value(metrics, "camwatch_dns_cache_lookups_total{result=\"miss\",worker=\"0\"}"), 0);
  EXPECT_EQ(value(metrics, "camwatch_geoip_lookups_total{result=\"miss\",worker=\"0\"}"), 2);
  EXPECT_EQ(
      value(metrics, "camwatch_capture_dropped_packets_total{interface=\"eth1\",worker=\"1\"}"),
      17);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_sent_total{sink=\"webhook-soc\"}"), 5);
  EXPECT_EQ(value(metrics, "camwatch_alert_raises_total"), 8);

  // The same snapshot again adds nothing; a later one adds only the difference.
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, kPackets0), 10);
  snapshot.workers[0].packets = 25;
  snapshot.workers[0].busy_ns = 2'000'000'000;
  snapshot.sinks[0].sent = 6;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, kPackets0), 25);
  EXPECT_EQ(value(metrics, kPackets1), 4);
  EXPECT_DOUBLE_EQ(value(metrics, "camwatch_worker_busy_seconds_total{worker=\"0\"}"), 2.0);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_sent_total{sink=\"webhook-soc\"}"), 6);
}

TEST(MetricsFoldTest, CountersNeverGoDownWhenASourceStartsAgain) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  snapshot.workers[0].packets = 100;
  metrics.update(snapshot);
  // The worker's counters restarted from zero and have counted 30 since: all 30 are new.
  snapshot.workers[0].packets = 30;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, kPackets0), 130);
  snapshot.workers[0].packets = 40;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, kPackets0), 140);
}

TEST(MetricsFoldTest, GaugesAreSetNotAdded) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  snapshot.workers[1].flows_active = 50;
  snapshot.workers[1].dpi_flow_states = 7;
  snapshot.sinks[0].pending = 12;
  snapshot.dpi_memory_bytes = 1 << 20;
  snapshot.dns_cache_entries = 300;
  snapshot.dns_cache_capacity = 65536;
  metrics.update(snapshot);
  snapshot.workers[1].flows_active = 20;
  snapshot.sinks[0].pending = 0;
  snapshot.dpi_memory_bytes = 4096;
  snapshot.dns_cache_entries = 200;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, "camwatch_flows_active{worker=\"1\"}"), 20);
  EXPECT_EQ(value(metrics, "camwatch_dpi_flow_states{worker=\"1\"}"), 7);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_pending{sink=\"webhook-soc\"}"), 0);
  EXPECT_EQ(value(metrics, "camwatch_dpi_memory_bytes"), 4096);
  EXPECT_EQ(value(metrics, "camwatch_dns_cache_entries"), 200);
  EXPECT_EQ(value(metrics, "camwatch_dns_cache_capacity"), 65536);
}

TEST(MetricsFoldTest, AnomaliesAreSummedOverWorkersEachFoldedOnItsOwn) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  const auto vlan = static_cast<std::size_t>(Anomaly::kTruncatedVlanHeader);
  const std::string series = "camwatch_decode_anomalies_total{anomaly=\"truncated_vlan_header\"}";
  snapshot.workers[0].anomalies[vlan] = 3;
  snapshot.workers[1].anomalies[vlan] = 5;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, series), 8);
  // Worker 0 restarted (1 new); worker 1 counted 2 more: 8 + 1 + 2.
  snapshot.workers[0].anomalies[vlan] = 1;
  snapshot.workers[1].anomalies[vlan] = 7;
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, series), 11);
  EXPECT_EQ(value(metrics, "camwatch_decode_anomalies_total{anomaly=\"truncated_tcp\"}"), 0);
  EXPECT_EQ(value(metrics, "camwatch_decode_anomalies_total{anomaly=\"none\"}"), -1);
}

TEST(MetricsFoldTest, UntrackedPacketsPerWorkerAndReasonAddUpToThePackets) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  // Worker 1 read 20 frames: 10 to flows, 4 not IP, 3 + 2 malformed, 1 fragment without its first.
  WorkerCountersSnapshot& one = snapshot.workers[1];
  one.packets = 20;
  one.ip_packets = 10;
  one.non_ip_packets = 4;
  one.anomalies[static_cast<std::size_t>(Anomaly::kTruncatedVlanHeader)] = 3;
  one.anomalies[static_cast<std::size_t>(Anomaly::kTruncatedTcp)] = 2;
  one.fragments_unmatched = 1;
  metrics.update(snapshot);
  const auto untracked = [&](const char* worker, const char* reason) {
    return value(metrics, fmt::format("camwatch_worker_untracked_packets_total{{reason=\"{}\","
                                      "worker=\"{}\"}}",
                                      reason, worker));
  };
  EXPECT_EQ(untracked("1", "not_ip"), 4);
  EXPECT_EQ(untracked("1", "malformed"), 5);
  EXPECT_EQ(untracked("1", "fragment_without_first"), 1);
  EXPECT_EQ(value(metrics, "camwatch_worker_ip_packets_total{worker=\"1\"}") +
                untracked("1", "not_ip") + untracked("1", "malformed") +
                untracked("1", "fragment_without_first"),
            value(metrics, "camwatch_worker_packets_total{worker=\"1\"}"));
  // Worker 0's series exist at zero.
  EXPECT_EQ(untracked("0", "not_ip"), 0);
  EXPECT_EQ(untracked("0", "malformed"), 0);
  EXPECT_EQ(untracked("0", "fragment_without_first"), 0);
}

TEST(MetricsFoldTest, AlertNotificationsGetTheirKindSeverityAndStatus) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  AlertCounters counters;
  Alert alert;
  alert.kind = AlertKind::kEgressVolume;
  alert.severity = Severity::kWarning;
  counters.recordNotification(alert);
  alert.status = AlertStatus::kResolved;
  counters.recordNotification(alert);
  counters.recordNotification(alert);
  MetricsSnapshot snapshot = emptySnapshot(layout);
  snapshot.alerts = counters.snapshot();
  metrics.update(snapshot);
  EXPECT_EQ(
      value(metrics,
            "camwatch_alerts_total{kind=\"egress_volume\",severity=\"warning\",status=\"firing\"}"),
      1);
  EXPECT_EQ(
      value(
          metrics,
          "camwatch_alerts_total{kind=\"egress_volume\",severity=\"warning\",status=\"resolved\"}"),
      2);
}

TEST(MetricsFoldTest, SnapshotEntriesBeyondTheLayoutAreIgnoredMissingOnesKept) {
  const MetricsLayout layout = twoWorkers();
  MetricsRegistry metrics(layout, {});
  MetricsSnapshot snapshot = emptySnapshot(layout);
  snapshot.workers[1].packets = 9;
  metrics.update(snapshot);
  MetricsSnapshot shorter;
  shorter.workers.resize(4);  // more workers than the layout, and no captures or sinks
  shorter.workers[0].packets = 2;
  shorter.workers[1].packets = 9;
  shorter.workers[3].packets = 1000;
  metrics.update(shorter);
  EXPECT_EQ(value(metrics, kPackets0), 2);
  EXPECT_EQ(value(metrics, kPackets1), 9);
  EXPECT_EQ(value(metrics, "camwatch_worker_packets_total{worker=\"3\"}"), -1);
}

// A worker bumping its counters while the metrics thread folds: every fold sees a value at least
// as large as the one before, and the last fold sees every packet. (Run under TSan, this also
// shows the relaxed single-writer scheme is race-free.)
TEST(MetricsFoldTest, FoldsWhileAWorkerCountsSeeMonotonicValuesAndTheFinalTotal) {
  MetricsLayout layout;
  layout.workers = 1;
  MetricsRegistry metrics(layout, {});
  WorkerCounters counters;
  constexpr std::uint64_t kPackets = 200'000;
  std::atomic<bool> done{false};
  std::thread worker([&] {
    for (std::uint64_t i = 0; i < kPackets; ++i) {
      counters.packets.add();
      counters.wire_bytes.add(60);
    }
    done.store(true, std::memory_order_release);
  });
  MetricsSnapshot snapshot;
  snapshot.workers.resize(1);
  double last = 0;
  bool finished = false;
  while (!finished) {
    finished = done.load(std::memory_order_acquire);
    snapshot.workers[0] = counters.snapshot();
    metrics.update(snapshot);
    const double now = value(metrics, kPackets0);
    ASSERT_GE(now, last);
    last = now;
  }
  worker.join();
  EXPECT_EQ(value(metrics, kPackets0), static_cast<double>(kPackets));
  EXPECT_EQ(value(metrics, "camwatch_worker_bytes_total{worker=\"0\"}"),
            static_cast<double>(kPackets * 60));
}

}  // namespace
}  // namespace camwatch
