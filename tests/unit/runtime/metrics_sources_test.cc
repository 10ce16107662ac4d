// MetricsSources: the layout and snapshot the app gets from the live objects (worker and capture
// counters, the alert counters, a real AlertDelivery with its spool, the DNS cache), folded into
// a registry as the metrics thread does it.
#include "runtime/metrics_sources.h"

#include <gtest/gtest.h>

#include "unit/alert/alert_test_util.h"
#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testing::sampleAlert;
using testing::ScratchDir;
using testing::value;

/// Accepts everything, or fails while `down` is set.
class SwitchableSink final : public AlertSink {
 public:
  SwitchableSink(std::string name, bool* down) : name_(std::move(name)), down_(down) {}
  Result<void> deliver(std::span<const Alert> /*alerts*/) override {
    if (*down_) return makeError(name_ + ": down");
    return {};
  }
  std::string_view name() const override { return name_; }

 private:
  std::string name_;
  bool* down_;
};

TEST(MetricsSourcesTest, LayoutAndSnapshotComeFromTheLiveObjects) {
  ScratchDir dir;
  bool down = true;
  bool up = false;
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::make_unique<SwitchableSink>("flaky", &down));
  sinks.push_back(std::make_unique<SwitchableSink>("steady", &up));
  DeliveryOptions delivery_options;
  delivery_options.retry.jitter = false;
  auto delivery = AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), delivery_options);
  ASSERT_TRUE(delivery) << delivery.error().message;

  WorkerCounters worker0;
  WorkerCounters worker1;
  CaptureStats capture0;
  AlertCounters alerts;
  DnsCache dns;
  MetricsSources sources;
  sources.workers = {&worker0, &worker1};
  sources.captures = {{{"eth1", 0}, &capture0}};
  sources.alerts = &alerts;
  sources.delivery = delivery->get();
  sources.dns_cache = &dns;

  const MetricsLayout layout = layoutOf(sources);
  EXPECT_EQ(layout.workers, 2U);
  ASSERT_EQ(layout.captures.size(), 1U);
  EXPECT_EQ(layout.captures[0].interface, "eth1");
  EXPECT_EQ(layout.sinks, (std::vector<std::string>{"flaky", "steady"}));
  MetricsRegistry metrics(layout, {});

  worker1.packets.add(77);
  capture0.updateFromPcap(1000, 3, 0);
  const Alert alert = sampleAlert(1);
  alerts.recordNotification(alert);
  ASSERT_FALSE((*delivery)->enqueue(alert).write_error);
  ASSERT_FALSE((*delivery)->enqueue(sampleAlert(2)).write_error);
  (*delivery)->runOnce(DeliveryClock::now());  // steady takes both, flaky fails once
  dns.insert(*IpAddress::parse("203.0.113.7"), "cloud.example.com", 600, 1 * kNanosPerSecond);

  MetricsSnapshot snapshot;
  takeSnapshot(sources, snapshot);
  EXPECT_EQ(snapshot.workers[1].packets, 77U);
  EXPECT_EQ(snapshot.captures[0].received, 1000U);
  ASSERT_EQ(snapshot.sinks.size(), 2U);
  EXPECT_EQ(snapshot.sinks, sinkSnapshots(**delivery));
  EXPECT_EQ(snapshot.dns_cache_entries, 1U);
  EXPECT_EQ(snapshot.dns_cache_capacity, dns.capacity());
  metrics.update(snapshot);

  EXPECT_EQ(value(metrics, "camwatch_worker_packets_total{worker=\"1\"}"), 77);
  EXPECT_EQ(
      value(metrics, "camwatch_capture_received_packets_total{interface=\"eth1\",worker=\"0\"}"),
      1000);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_queued_total{sink=\"flaky\"}"), 2);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_failures_total{sink=\"flaky\"}"), 1);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_pending{sink=\"flaky\"}"), 2);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_sent_total{sink=\"steady\"}"), 2);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_pending{sink=\"steady\"}"), 0);
  EXPECT_EQ(value(metrics,
                  "camwatch_alerts_total{kind=\"vendor_cloud\",severity=\"critical\","
                  "status=\"firing\"}"),
            1);
  EXPECT_EQ(value(metrics, "camwatch_dns_cache_entries"), 1);

  // The flaky sink comes back: its retry delivers, pending drops to 0, sent follows.
  down = false;
  (*delivery)->runOnce(DeliveryClock::now() + std::chrono::hours(1));
  takeSnapshot(sources, snapshot);
  metrics.update(snapshot);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_sent_total{sink=\"flaky\"}"), 2);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_retries_total{sink=\"flaky\"}"), 1);
  EXPECT_EQ(value(metrics, "camwatch_alert_sink_pending{sink=\"flaky\"}"), 0);
}

TEST(MetricsSourcesTest, AbsentSourcesGiveZeros) {
  MetricsSources sources;
  sources.workers = {nullptr};
  sources.dpi_memory = false;
  EXPECT_EQ(layoutOf(sources).workers, 1U);
  EXPECT_TRUE(layoutOf(sources).sinks.empty());
  MetricsSnapshot snapshot;
  snapshot.sinks.resize(3);  // a reused snapshot shrinks to the sources
  takeSnapshot(sources, snapshot);
  EXPECT_EQ(snapshot.workers, std::vector<WorkerCountersSnapshot>(1));
  EXPECT_TRUE(snapshot.sinks.empty());
  EXPECT_EQ(snapshot.dpi_memory_bytes, 0U);
  EXPECT_EQ(snapshot.dns_cache_entries, 0U);
}

}  // namespace
}  // namespace camwatch
