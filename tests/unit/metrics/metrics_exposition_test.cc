// The registry as Prometheus sees it: family names, types, help and label sets in the text
// format (prometheus::TextSerializer over Collect()).
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <camwatch/metrics.h>

#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testing::samples;
using testing::serialize;

MetricsOptions fixedOptions() {
  MetricsOptions options;
  options.sensor = "lab-sensor";
  options.build = {"9.9.9", "0123456789ab", "4.6.0-test"};
  options.start_time_seconds = 1'700'000'000;
  return options;
}

MetricsLayout smallLayout() {
  MetricsLayout layout;
  layout.workers = 1;
  layout.captures = {{"eth1", 0}, {"eth2", 0}};
  layout.sinks = {"jsonl", "alertmanager"};
  return layout;
}

/// The series of `family` in `text` ("name{labels}"), with the values left out.
std::set<std::string> seriesOf(const std::string& text, const std::string& family) {
  std::set<std::string> out;
  for (const auto& [series, ignored] : samples(text)) {
    if (series == family || series.starts_with(family + "{")) out.insert(series);
  }
  return out;
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(MetricsExpositionTest, InfoMetricsCarryBuildAndSensorLabels) {
  MetricsRegistry metrics(smallLayout(), fixedOptions());
  const std::string text = serialize(metrics);
  EXPECT_TRUE(hasLine(text, "# TYPE camwatch_build_info gauge")) << text;
  EXPECT_TRUE(hasLine(
      text, R"(camwatch_build_info{git="0123456789ab",ndpi="4.6.0-test",version="9.9.9"} 1)"))
      << text;
  EXPECT_TRUE(hasLine(text, R"(camwatch_sensor_info{sensor="lab-sensor"} 1)")) << text;
  EXPECT_TRUE(hasLine(text, "camwatch_start_time_seconds 1700000000")) << text;
  EXPECT_EQ(metrics.textExposition(), text);
}

TEST(MetricsExpositionTest, CurrentBuildInfoNamesThisBuild) {
  const BuildInfo build = currentBuildInfo();
  EXPECT_FALSE(build.version.empty());
  EXPECT_TRUE(build.git == "unknown" || build.git.size() == 12U) << build.git;
  EXPECT_FALSE(build.ndpi.empty());
  EXPECT_NE(build.ndpi, "unknown");
}

TEST(MetricsExpositionTest, CountersEndInTotalAndDeclareTheirType) {
  MetricsRegistry metrics(smallLayout(), fixedOptions());
  const std::string text = serialize(metrics);
  EXPECT_TRUE(hasLine(text, "# TYPE camwatch_worker_packets_total counter")) << text;
  EXPECT_TRUE(hasLine(text, "# HELP camwatch_worker_packets_total Packets the worker read."));
  EXPECT_TRUE(hasLine(text, "# TYPE camwatch_flows_active gauge"));
  for (const auto& [series, ignored] : samples(text)) {
    EXPECT_TRUE(series.starts_with("camwatch_")) << series;
  }
  // Every "# TYPE x counter" names a family ending in _total; no gauge does.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("# TYPE ")) continue;
    const std::string name = line.substr(7, line.find(' ', 7) - 7);
    const bool counter = line.ends_with(" counter");
    EXPECT_EQ(name.ends_with("_total"), counter) << line;
  }
}

TEST(MetricsExpositionTest, PerWorkerCaptureAndSinkLabelSets) {
  MetricsRegistry metrics(smallLayout(), fixedOptions());
  const std::string text = serialize(metrics);
  EXPECT_EQ(seriesOf(text, "camwatch_worker_packets_total"),
            (std::set<std::string>{R"(camwatch_worker_packets_total{worker="0"})"}));
  EXPECT_EQ(seriesOf(text, "camwatch_geoip_lookups_total"),
            (std::set<std::string>{R"(camwatch_geoip_lookups_total{result="hit",worker="0"})",
                                   R"(camwatch_geoip_lookups_total{result="miss",worker="0"})"}));
  EXPECT_EQ(seriesOf(text, "camwatch_capture_received_packets_total"),
            (std::set<std::string>{
                R"(camwatch_capture_received_packets_total{interface="eth1",worker="0"})",
                R"(camwatch_capture_received_packets_total{interface="eth2",worker="0"})"}));
  EXPECT_EQ(seriesOf(text, "camwatch_alert_sink_pending"),
            (std::set<std::string>{R"(camwatch_alert_sink_pending{sink="alertmanager"})",
                                   R"(camwatch_alert_sink_pending{sink="jsonl"})"}));
  EXPECT_EQ(seriesOf(text, "camwatch_dpi_memory_bytes"),
            (std::set<std::string>{"camwatch_dpi_memory_bytes"}));
}

TEST(MetricsExpositionTest, EveryAnomalyAndAlertKindHasASeriesFromTheStart) {
  MetricsRegistry metrics(smallLayout(), fixedOptions());
  const std::string text = serialize(metrics);
  const auto anomalies = seriesOf(text, "camwatch_decode_anomalies_total");
  EXPECT_EQ(anomalies.size(), kAnomalyCount - 1);
  EXPECT_TRUE(
      anomalies.contains(R"(camwatch_decode_anomalies_total{anomaly="truncated_vlan_header"})"));
  // 13 kinds x 3 severities x 2 statuses.
  const auto alerts = seriesOf(text, "camwatch_alerts_total");
  EXPECT_EQ(alerts.size(), 13U * 3U * 2U);
  EXPECT_TRUE(alerts.contains(
      R"(camwatch_alerts_total{kind="dns_lookup_blocked",severity="critical",status="resolved"})"));
}

TEST(MetricsExpositionTest, EgressSeriesAppearWithTheirFourLabels) {
  MetricsRegistry metrics(smallLayout(), fixedOptions());
  metrics.egress().add({"door \"2\"", "CN", 37963, "TLS.HikConnect", "", ""}, 42, 1);
  const std::string text = serialize(metrics);
  // Label values are escaped as the text format requires.
  EXPECT_TRUE(hasLine(
      text,
      R"(camwatch_egress_bytes_total{asn="37963",camera="door \"2\"",country="CN",operator="unknown",operator_country="unknown",protocol="TLS.HikConnect"} 42)"))
      << text;
}

}  // namespace
}  // namespace camwatch
