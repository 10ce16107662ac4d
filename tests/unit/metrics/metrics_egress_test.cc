// EgressTrafficTable: per-destination egress series, the cardinality cap and its overflow series.
#include <gtest/gtest.h>

#include <camwatch/metrics.h>

#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testing::samples;
using testing::serialize;
using testing::value;

// `operator_country` "" means what the table writes for an unlisted operator: "unknown", or
// "other" in an overflow series.
std::string series(const std::string& family, const std::string& camera, const std::string& country,
                   const std::string& asn, const std::string& protocol,
                   std::string operator_country) {
  const std::string unlisted = country == "other" ? "other" : "unknown";
  const std::string op = operator_country == "CN" ? "Alibaba" : unlisted;
  if (operator_country.empty()) operator_country = unlisted;
  return family + "{asn=\"" + asn + "\",camera=\"" + camera + "\",country=\"" + country +
         "\",operator=\"" + op + "\",operator_country=\"" + operator_country + "\",protocol=\"" +
         protocol + "\"}";
}
std::string bytesSeries(const std::string& camera, const std::string& country,
                        const std::string& asn, const std::string& protocol,
                        const std::string& operator_country = "") {
  return series("camwatch_egress_bytes_total", camera, country, asn, protocol, operator_country);
}
std::string flowsSeries(const std::string& camera, const std::string& country,
                        const std::string& asn, const std::string& protocol,
                        const std::string& operator_country = "") {
  return series("camwatch_egress_flows_total", camera, country, asn, protocol, operator_country);
}

std::size_t egressSeriesIn(const MetricsRegistry& metrics) {
  std::size_t count = 0;
  for (const auto& [series, ignored] : samples(serialize(metrics))) {
    if (series.starts_with("camwatch_egress_bytes_total{")) ++count;
  }
  return count;
}

MetricsOptions capped(std::uint32_t max_destinations) {
  MetricsOptions options;
  options.max_destinations = max_destinations;
  return options;
}

TEST(MetricsEgressTest, AddsBytesAndFlowsPerDestinationLabelSet) {
  MetricsRegistry metrics({}, capped(10));
  EgressTrafficTable& egress = metrics.egress();
  EXPECT_EQ(egressSeriesIn(metrics), 0U);  // no series until a camera sends
  egress.add({"lobby-1", "CN", 37963, "TLS.HikConnect", "CN", "Alibaba"}, 1000, 1);
  egress.add({"lobby-1", "CN", 37963, "TLS.HikConnect", "CN", "Alibaba"}, 500,
             0);                                      // the same flow, later bytes
  egress.add({"lobby-1", "", 0, "", "", ""}, 70, 1);  // nothing known
  EXPECT_EQ(value(metrics, bytesSeries("lobby-1", "CN", "37963", "TLS.HikConnect", "CN")), 1500);
  EXPECT_EQ(value(metrics, flowsSeries("lobby-1", "CN", "37963", "TLS.HikConnect", "CN")), 1);
  EXPECT_EQ(value(metrics, bytesSeries("lobby-1", "unknown", "unknown", "unknown")), 70);
  EXPECT_EQ(egress.destinationSeries(), 2U);
  EXPECT_EQ(egress.overflowSeries(), 0U);
  EXPECT_EQ(value(metrics, "camwatch_egress_series"), 2);
  EXPECT_EQ(value(metrics, "camwatch_egress_overflow_total"), 0);
}

TEST(MetricsEgressTest, PastTheCapNewDestinationsGoToTheCamerasOverflowSeries) {
  MetricsRegistry metrics({}, capped(2));
  EgressTrafficTable& egress = metrics.egress();
  egress.add({"cam-a", "DE", 3320, "HTTP", "", ""}, 100, 1);
  egress.add({"cam-b", "US", 15169, "TLS", "", ""}, 200, 1);
  // The cap is reached: new label sets overflow, per camera.
  egress.add({"cam-a", "FR", 16276, "TLS", "", ""}, 10, 1);
  egress.add({"cam-a", "NL", 60781, "QUIC", "", ""}, 20, 1);
  egress.add({"cam-b", "JP", 2516, "TLS", "", ""}, 30, 1);
  // Label sets that have a series keep counting there, even past the cap.
  egress.add({"cam-a", "DE", 3320, "HTTP", "", ""}, 5, 0);
  EXPECT_EQ(value(metrics, bytesSeries("cam-a", "DE", "3320", "HTTP")), 105);
  EXPECT_EQ(value(metrics, bytesSeries("cam-b", "US", "15169", "TLS")), 200);
  EXPECT_EQ(value(metrics, bytesSeries("cam-a", "other", "other", "other")), 30);
  EXPECT_EQ(value(metrics, flowsSeries("cam-a", "other", "other", "other")), 2);
  EXPECT_EQ(value(metrics, bytesSeries("cam-b", "other", "other", "other")), 30);
  EXPECT_EQ(value(metrics, bytesSeries("cam-a", "FR", "16276", "TLS")), -1);
  EXPECT_EQ(egress.destinationSeries(), 2U);
  EXPECT_EQ(egress.overflowSeries(), 2U);
  EXPECT_EQ(egressSeriesIn(metrics), 4U);
  EXPECT_EQ(value(metrics, "camwatch_egress_series"), 4);
  EXPECT_EQ(value(metrics, "camwatch_egress_overflow_total"), 3);
}

TEST(MetricsEgressTest, PastTheCapOfOverflowSeriesCamerasShareOneGlobalSeries) {
  MetricsRegistry metrics({}, capped(1));
  EgressTrafficTable& egress = metrics.egress();
  egress.add({"cam-a", "DE", 3320, "HTTP", "", ""}, 1, 1);  // the one destination series
  egress.add({"cam-a", "US", 15169, "TLS", "", ""}, 2, 1);  // cam-a's overflow (the one allowed)
  egress.add({"cam-b", "US", 15169, "TLS", "", ""}, 4, 1);  // no room for cam-b's: global
  egress.add({"cam-c", "CN", 4134, "DNS", "", ""}, 8, 1);   // global too
  egress.add({"cam-a", "CN", 4134, "DNS", "", ""}, 16, 1);  // cam-a still has its overflow series
  EXPECT_EQ(value(metrics, bytesSeries("cam-a", "other", "other", "other")), 18);
  EXPECT_EQ(value(metrics, bytesSeries("other", "other", "other", "other")), 12);
  EXPECT_EQ(value(metrics, flowsSeries("other", "other", "other", "other")), 2);
  EXPECT_EQ(egress.overflowSeries(), 2U);
  // Never more than 2N + 1 series, whatever comes.
  for (int i = 0; i < 50; ++i) {
    egress.add({"cam-" + std::to_string(i), "BR", static_cast<std::uint32_t>(i + 1), "TLS", "", ""},
               1, 1);
  }
  EXPECT_EQ(egressSeriesIn(metrics), 3U);
  EXPECT_EQ(value(metrics, "camwatch_egress_series"), 3);
}

TEST(MetricsEgressTest, CapZeroKeepsOnlyTheGlobalSeries) {
  MetricsRegistry metrics({}, capped(0));
  metrics.egress().add({"cam-a", "DE", 3320, "HTTP", "", ""}, 100, 1);
  metrics.egress().add({"cam-b", "US", 15169, "TLS", "", ""}, 1, 1);
  EXPECT_EQ(value(metrics, bytesSeries("other", "other", "other", "other")), 101);
  EXPECT_EQ(egressSeriesIn(metrics), 1U);
}

TEST(MetricsEgressTest, ByteTotalsPerCameraStayExactWithinTheCameraCap) {
  MetricsRegistry metrics({}, capped(3));
  EgressTrafficTable& egress = metrics.egress();
  std::map<std::string, double> sent;
  for (std::uint32_t asn = 1; asn <= 20; ++asn) {
    for (const std::string camera : {"cam-a", "cam-b"}) {
      egress.add({camera, "DE", asn, "TLS", "", ""}, std::uint64_t{asn} * 10, 1);
      sent[camera] += static_cast<double>(asn) * 10;
    }
  }
  std::map<std::string, double> summed;
  for (const auto& [series, bytes] : samples(serialize(metrics))) {
    if (!series.starts_with("camwatch_egress_bytes_total{")) continue;
    const std::size_t start = series.find("camera=\"") + 8;
    summed[series.substr(start, series.find('"', start) - start)] += bytes;
  }
  EXPECT_EQ(summed, sent);
}

}  // namespace
}  // namespace camwatch
