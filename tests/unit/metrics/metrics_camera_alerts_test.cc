// CameraAlertTable: firing alert notifications per camera and kind, and its bound on cameras.
#include <string>

#include <gtest/gtest.h>

#include <camwatch/metrics.h>

#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testing::samples;
using testing::serialize;
using testing::value;

std::string series(const std::string& camera, const std::string& kind) {
  return "camwatch_camera_alerts_total{camera=\"" + camera + "\",kind=\"" + kind + "\"}";
}

std::size_t seriesIn(const MetricsRegistry& metrics) {
  std::size_t count = 0;
  for (const auto& [name, ignored] : samples(serialize(metrics))) {
    if (name.starts_with("camwatch_camera_alerts_total{")) ++count;
  }
  return count;
}

// A firing notification of `kind` for the camera at `ip`, named `name` in the inventory ("" =
// not listed).
Alert alertOf(const std::string& ip, const std::string& name, AlertKind kind) {
  Alert alert;
  alert.camera.ip = *IpAddress::parse(ip);
  alert.camera.name = name;
  alert.kind = kind;
  return alert;
}

MetricsOptions capped(std::uint32_t max_destinations) {
  MetricsOptions options;
  options.max_destinations = max_destinations;
  return options;
}

TEST(MetricsCameraAlertsTest, CountsFiringNotificationsPerCameraNameOrAddressAndKind) {
  MetricsRegistry metrics({}, capped(10));
  CameraAlertTable& alerts = metrics.cameraAlerts();
  EXPECT_EQ(seriesIn(metrics), 0U);  // no series until a camera is alerted on
  Alert budget = alertOf("192.168.10.24", "cam-yard", AlertKind::kEgressVolume);
  alerts.record(budget);
  budget.repeat_count = 2;  // notified again after the suppression window: firing, counted
  alerts.record(budget);
  budget.status = AlertStatus::kResolved;  // the episode's end is not a finding
  alerts.record(budget);
  // Not in the inventory: the camera is its address, as in the egress families.
  alerts.record(alertOf("192.168.10.57", "", AlertKind::kUnknownCamera));
  alerts.record(alertOf("192.168.10.24", "cam-yard", AlertKind::kHardcodedAddress));
  EXPECT_EQ(value(metrics, series("cam-yard", "egress_volume")), 2);
  EXPECT_EQ(value(metrics, series("cam-yard", "hardcoded_address")), 1);
  EXPECT_EQ(value(metrics, series("192.168.10.57", "unknown_camera")), 1);
  EXPECT_EQ(value(metrics, series("cam-yard", "unknown_camera")), -1);  // only kinds it had
  EXPECT_EQ(seriesIn(metrics), 3U);
  EXPECT_EQ(alerts.cameras(), 2U);
}

TEST(MetricsCameraAlertsTest, PastTheCapFurtherCamerasAndTheSensorWideOverflowAreOther) {
  MetricsRegistry metrics({}, capped(2));
  CameraAlertTable& alerts = metrics.cameraAlerts();
  alerts.record(alertOf("192.168.10.21", "cam-lobby", AlertKind::kVendorCloud));
  alerts.record(alertOf("192.168.10.22", "cam-car-park", AlertKind::kP2pOrRelay));
  // Two cameras have series: a third one's notifications go to "other", per kind.
  alerts.record(alertOf("192.168.10.23", "cam-gate", AlertKind::kVendorCloud));
  alerts.record(alertOf("192.168.10.99", "", AlertKind::kUnknownCamera));
  // Cameras that have series keep them, with new kinds too.
  alerts.record(alertOf("192.168.10.21", "cam-lobby", AlertKind::kEgressVolume));
  // The sensor-wide overflow alert (alerts.max_active) names no camera.
  Alert overflow;
  overflow.kind = AlertKind::kVendorCloud;
  alerts.record(overflow);
  EXPECT_EQ(value(metrics, series("cam-lobby", "vendor_cloud")), 1);
  EXPECT_EQ(value(metrics, series("cam-lobby", "egress_volume")), 1);
  EXPECT_EQ(value(metrics, series("cam-car-park", "p2p_or_relay")), 1);
  EXPECT_EQ(value(metrics, series("other", "vendor_cloud")), 2);
  EXPECT_EQ(value(metrics, series("other", "unknown_camera")), 1);
  EXPECT_EQ(value(metrics, series("cam-gate", "vendor_cloud")), -1);
  EXPECT_EQ(alerts.cameras(), 2U);
  // Never more than (N + 1) x kinds series, whatever comes.
  for (int i = 0; i < 100; ++i) {
    alerts.record(alertOf("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250), "",
                          AlertKind::kDisallowedDestination));
  }
  EXPECT_EQ(value(metrics, series("other", "disallowed_destination")), 100);
  EXPECT_EQ(seriesIn(metrics), 6U);
}

TEST(MetricsCameraAlertsTest, CapZeroCountsEveryCameraAsOther) {
  MetricsRegistry metrics({}, capped(0));
  metrics.cameraAlerts().record(alertOf("192.168.10.21", "cam-lobby", AlertKind::kVendorCloud));
  metrics.cameraAlerts().record(alertOf("192.168.10.23", "cam-gate", AlertKind::kVendorCloud));
  EXPECT_EQ(value(metrics, series("other", "vendor_cloud")), 2);
  EXPECT_EQ(seriesIn(metrics), 1U);
}

TEST(MetricsCameraAlertsTest, PerKindTheCamerasAddUpToTheFiringNotifications) {
  // The same notifications through AlertCounters (camwatch_alerts_total) and the table: per
  // kind, the cameras' series sum to the firing ones, whatever the severity.
  MetricsRegistry metrics({}, capped(1));
  AlertCounters counters;
  Alert lobby = alertOf("192.168.10.21", "cam-lobby", AlertKind::kVendorCloud);
  Alert gate = alertOf("192.168.10.23", "cam-gate", AlertKind::kVendorCloud);
  gate.severity = Severity::kCritical;
  Alert resolved = lobby;
  resolved.status = AlertStatus::kResolved;
  for (const Alert& alert : {lobby, gate, gate, resolved}) {
    counters.recordNotification(alert);
    metrics.cameraAlerts().record(alert);
  }
  MetricsSnapshot snapshot;
  snapshot.alerts = counters.snapshot();
  metrics.update(snapshot);
  double firing = 0;
  double per_camera = 0;
  for (const auto& [name, count] : samples(serialize(metrics))) {
    if (name.find("kind=\"vendor_cloud\"") == std::string::npos) continue;
    if (name.starts_with("camwatch_alerts_total{") && name.find("firing") != std::string::npos) {
      firing += count;
    }
    if (name.starts_with("camwatch_camera_alerts_total{")) per_camera += count;
  }
  EXPECT_EQ(firing, 3);
  EXPECT_EQ(per_camera, 3);
}

}  // namespace
}  // namespace camwatch
