// Runs the real Alertmanager (Debian's prometheus-alertmanager) on a loopback port and checks,
// through its own API, what the sink delivered. No mock: the v2 API's validation is the point.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "alert/alert_delivery.h"
#include "sinks/alertmanager/alertmanager_alert_sink.h"
#include "support/alertmanager_process.h"
#include "support/listening_ports.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using namespace std::chrono_literals;
using testing::sampleAlert;
using testing::ScratchDir;

using testkit::AlertmanagerProcess;
using testkit::RefusingLoopbackPort;

const nlohmann::json* findByCamera(const nlohmann::json& alerts, const std::string& camera) {
  for (const auto& alert : alerts) {
    if (alert["labels"].value("camera", "") == camera) return &alert;
  }
  return nullptr;
}

AlertmanagerSinkOptions sinkOptions(std::vector<std::string> urls) {
  AlertmanagerSinkOptions options;
  options.urls = std::move(urls);
  options.generator_url = "http://camwatch.example/alerts";
  options.extra_labels = {{"site", "hq"}};
  options.timeouts = HttpTimeouts{500ms, 2000ms};
  return options;
}

TEST(AlertmanagerSinkTest, BodyFollowsTheV2Schema) {
  Alert resolved = sampleAlert(1);
  resolved.status = AlertStatus::kResolved;
  resolved.ends_at = resolved.time + kNanosPerSecond;
  const std::vector<Alert> alerts = {sampleAlert(1), resolved};
  const auto body =
      AlertmanagerAlertSink::toAlertmanagerJson(alerts, sinkOptions({"http://x:9093"}));
  ASSERT_EQ(body.size(), 2U);
  EXPECT_EQ(body[0]["labels"], (nlohmann::json{{"alertname", "CamwatchVendorCloud"},
                                               {"kind", "vendor_cloud"},
                                               {"severity", "critical"},
                                               {"sensor", "sensor-1"},
                                               {"camera", "192.168.10.21"},
                                               {"camera_name", "lobby-1"},
                                               {"camera_group", "lobby"},
                                               {"destination", "203.0.113.1"},
                                               {"dedup_key",
                                                "192.168.10.21|vendor_cloud|"
                                                "203.0.113.1"},
                                               {"site", "hq"}}));
  const auto& annotations = body[0]["annotations"];
  EXPECT_EQ(annotations["country"], "DE");
  EXPECT_EQ(annotations["asn"], "AS64500");
  EXPECT_EQ(annotations["org"], "Example Cloud GmbH");
  EXPECT_EQ(annotations["hostname"], "p2p.example-cloud.com");
  EXPECT_EQ(annotations["rule"], "deny-vendor-cloud");
  EXPECT_EQ(annotations["protocol"], "tcp/TLS/Hikvision");
  EXPECT_EQ(annotations["summary"],
            "camera lobby-1 vendor_cloud: p2p.example-cloud.com (203.0.113.1)");
  EXPECT_EQ(body[0]["startsAt"], "2026-01-15T08:59:56.123456789Z");
  EXPECT_FALSE(body[0].contains("endsAt"));
  EXPECT_EQ(body[0]["generatorURL"], "http://camwatch.example/alerts");
  EXPECT_EQ(body[1]["endsAt"], "2026-01-15T09:00:02.123456789Z");

  AlertmanagerSinkOptions fixed = sinkOptions({"http://x:9093"});
  fixed.alertname = "CamwatchPhoneHome";
  EXPECT_EQ(AlertmanagerAlertSink::toAlertmanagerJson(alerts, fixed)[0]["labels"]["alertname"],
            "CamwatchPhoneHome");
}

// A drift says where the name led before beside where it leads now; other alerts say nothing of it.
TEST(AlertmanagerSinkTest, ADriftCarriesThePreviousPlaces) {
  Alert drift = sampleAlert(1);
  drift.kind = AlertKind::kDestinationDrift;
  drift.destination.previous_asns = {14618, 16509};
  drift.destination.previous_countries = {"IE", "US"};
  const std::vector<Alert> alerts = {drift, sampleAlert(2)};
  const auto body = AlertmanagerAlertSink::toAlertmanagerJson(alerts, sinkOptions({"http://x"}));
  ASSERT_EQ(body.size(), 2U);
  EXPECT_EQ(body[0]["labels"]["alertname"], "CamwatchDestinationDrift");
  EXPECT_EQ(body[0]["annotations"]["previous_asns"], "AS14618,AS16509");
  EXPECT_EQ(body[0]["annotations"]["previous_countries"], "IE,US");
  EXPECT_EQ(body[0]["annotations"]["asn"], "AS64500");
  EXPECT_FALSE(body[1]["annotations"].contains("previous_asns"));
  EXPECT_FALSE(body[1]["annotations"].contains("previous_countries"));
}

// A beacon in the evidence is an annotation (it appears mid-episode; labels must not change).
TEST(AlertmanagerSinkTest, ABeaconIsAnAnnotation) {
  Alert beacon = sampleAlert(1);
  beacon.evidence.beacon =
      Beacon{30'012 * (kNanosPerSecond / 1000), 607 * (kNanosPerSecond / 1000), 19};
  const std::vector<Alert> alerts = {sampleAlert(1), beacon};
  const auto body =
      AlertmanagerAlertSink::toAlertmanagerJson(alerts, sinkOptions({"http://x:9093"}));
  ASSERT_EQ(body.size(), 2U);
  EXPECT_FALSE(body[0]["annotations"].contains("beacon"));
  EXPECT_EQ(body[1]["annotations"]["beacon"], "every 30.012 s, jitter 0.607 s, 19 contacts");
  EXPECT_EQ(body[1]["labels"], body[0]["labels"]);
}

// Only resolved alerts carry endsAt: Alertmanager resolves an alert at any endsAt it is sent, and
// in packet time a firing alert's ends_at is usually already past.
TEST(AlertmanagerSinkTest, EndsAtOnlyForResolvedAlerts) {
  Alert firing_with_end = sampleAlert(1);
  firing_with_end.ends_at = firing_with_end.time + kNanosPerSecond;
  Alert resolved_without_end = sampleAlert(1);
  resolved_without_end.status = AlertStatus::kResolved;
  Alert resolved_with_end = sampleAlert(1);
  resolved_with_end.status = AlertStatus::kResolved;
  resolved_with_end.ends_at = resolved_with_end.time + 3 * kNanosPerSecond;
  const std::vector<Alert> alerts = {firing_with_end, resolved_without_end, resolved_with_end};
  const auto body =
      AlertmanagerAlertSink::toAlertmanagerJson(alerts, sinkOptions({"http://x:9093"}));
  ASSERT_EQ(body.size(), 3U);
  EXPECT_FALSE(body[0].contains("endsAt")) << body[0].dump();
  EXPECT_EQ(body[1]["endsAt"], "2026-01-15T09:00:01.123456789Z");  // its time
  EXPECT_EQ(body[2]["endsAt"], "2026-01-15T09:00:04.123456789Z");  // its ends_at
}

// Through the real Alertmanager: a firing alert stays active even when it carries a past ends_at;
// its resolved notification (same labels, endsAt in the past) ends it.
TEST(AlertmanagerSinkTest, RealAlertmanagerKeepsFiringAndEndsResolved) {
  ScratchDir dir;
  AlertmanagerProcess alertmanager(dir.path(), CAMWATCH_ALERTMANAGER);
  ASSERT_EQ(alertmanager.start(), "");
  auto sink = std::move(*AlertmanagerAlertSink::open(sinkOptions({alertmanager.url()})));

  Alert firing = sampleAlert(5);
  firing.ends_at = firing.time + kNanosPerSecond;
  auto delivered = sink->deliver(std::vector<Alert>{firing});
  ASSERT_TRUE(delivered) << delivered.error().message;
  nlohmann::json held = alertmanager.alerts();
  const nlohmann::json* active = findByCamera(held, "192.168.10.25");
  ASSERT_NE(active, nullptr) << held.dump(2);
  EXPECT_EQ((*active)["status"]["state"], "active");

  Alert resolved = sampleAlert(5);
  resolved.status = AlertStatus::kResolved;
  resolved.ends_at = resolved.time + kNanosPerSecond;
  delivered = sink->deliver(std::vector<Alert>{resolved});
  ASSERT_TRUE(delivered) << delivered.error().message;
  held = alertmanager.alerts();
  EXPECT_EQ(findByCamera(held, "192.168.10.25"), nullptr) << held.dump(2);
}

TEST(AlertmanagerSinkTest, RealAlertmanagerGetsAlertsAndRetriesSurviveItsRestart) {
  ScratchDir dir;
  AlertmanagerProcess alertmanager(dir.path(), CAMWATCH_ALERTMANAGER);
  ASSERT_EQ(alertmanager.start(), "");

  std::vector<AlertSinkPtr> sinks;
  auto sink = AlertmanagerAlertSink::open(sinkOptions({alertmanager.url()}));
  ASSERT_TRUE(sink) << sink.error().message;
  sinks.push_back(std::move(*sink));
  DeliveryOptions options;
  options.retry.base = 100ms;
  options.retry.cap = 1s;
  options.retry.jitter = false;
  auto delivery = AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), options);
  ASSERT_TRUE(delivery) << delivery.error().message;

  // 1. Delivered and visible through the API with the right labels.
  ASSERT_FALSE((*delivery)->enqueue(sampleAlert(1)).write_error);
  const DeliveryClock::time_point t0{std::chrono::seconds(100)};
  DeliveryStep step = (*delivery)->runOnce(t0);
  ASSERT_EQ((*delivery)->counters(0).sent, 1U) << ::testing::PrintToString(step.log_lines);
  const nlohmann::json before = alertmanager.alerts();
  const nlohmann::json* first = findByCamera(before, "192.168.10.21");
  ASSERT_NE(first, nullptr) << before.dump(2);
  EXPECT_EQ((*first)["labels"]["alertname"], "CamwatchVendorCloud");
  EXPECT_EQ((*first)["labels"]["kind"], "vendor_cloud");
  EXPECT_EQ((*first)["labels"]["severity"], "critical");
  EXPECT_EQ((*first)["labels"]["sensor"], "sensor-1");
  EXPECT_EQ((*first)["labels"]["camera_group"], "lobby");
  EXPECT_EQ((*first)["labels"]["destination"], "203.0.113.1");
  EXPECT_EQ((*first)["labels"]["site"], "hq");
  EXPECT_EQ((*first)["annotations"]["org"], "Example Cloud GmbH");
  EXPECT_EQ((*first)["generatorURL"], "http://camwatch.example/alerts");
  EXPECT_EQ((*first)["status"]["state"], "active");

  // 2. Alertmanager dies: delivery fails, naming the URL, and is retried on schedule.
  alertmanager.kill();
  ASSERT_FALSE((*delivery)->enqueue(sampleAlert(2)).write_error);
  step = (*delivery)->runOnce(t0 + 1s);
  EXPECT_EQ((*delivery)->counters(0).failed, 1U);
  ASSERT_EQ(step.log_lines.size(), 1U);
  EXPECT_NE(step.log_lines[0].find(alertmanager.url() + "/api/v2/alerts"), std::string::npos)
      << step.log_lines[0];
  EXPECT_EQ(step.next_due, t0 + 1s + 100ms);
  step = (*delivery)->runOnce(t0 + 1s + 100ms);
  EXPECT_EQ((*delivery)->counters(0).failed, 2U);
  EXPECT_EQ((*delivery)->counters(0).retried, 1U);
  EXPECT_EQ(step.next_due, t0 + 1s + 300ms);
  EXPECT_EQ((*delivery)->counters(0).pending, 1U);

  // 3. Back up on the port it had, where the sink still sends (its alerts were in memory, so the
  // first one is gone): the retry delivers.
  ASSERT_EQ(alertmanager.start(), "");
  step = (*delivery)->runOnce(t0 + 1s + 300ms);
  EXPECT_EQ((*delivery)->counters(0).sent, 2U) << ::testing::PrintToString(step.log_lines);
  EXPECT_EQ((*delivery)->counters(0).pending, 0U);
  const nlohmann::json after = alertmanager.alerts();
  const nlohmann::json* second = findByCamera(after, "192.168.10.22");
  ASSERT_NE(second, nullptr) << after.dump(2);
  EXPECT_EQ((*second)["labels"]["destination"], "203.0.113.2");
}

TEST(AlertmanagerSinkTest, SeveralUrlsSucceedWhenOneAccepts) {
  ScratchDir dir;
  AlertmanagerProcess alertmanager(dir.path(), CAMWATCH_ALERTMANAGER);
  ASSERT_EQ(alertmanager.start(), "");
  const RefusingLoopbackPort down;  // an Alertmanager that is down
  const std::string dead = down.url();

  auto sink = std::move(*AlertmanagerAlertSink::open(sinkOptions({dead, alertmanager.url()})));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(3)});
  ASSERT_TRUE(delivered) << delivered.error().message;
  const nlohmann::json held = alertmanager.alerts();
  EXPECT_NE(findByCamera(held, "192.168.10.23"), nullptr);

  alertmanager.kill();
  delivered = sink->deliver(std::vector<Alert>{sampleAlert(3)});
  ASSERT_FALSE(delivered);
  EXPECT_NE(delivered.error().message.find(dead + "/api/v2/alerts"), std::string::npos);
  EXPECT_NE(delivered.error().message.find(alertmanager.url() + "/api/v2/alerts"),
            std::string::npos)
      << delivered.error().message;
}

TEST(AlertmanagerSinkTest, RejectedAlertNamesUrlStatusAndBody) {
  ScratchDir dir;
  AlertmanagerProcess alertmanager(dir.path(), CAMWATCH_ALERTMANAGER);
  ASSERT_EQ(alertmanager.start(), "");
  AlertmanagerSinkOptions options = sinkOptions({alertmanager.url() + "/"});
  options.extra_labels = {{"bad-label-name", "x"}};  // not a valid Prometheus label name
  auto sink = std::move(*AlertmanagerAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(4)});
  ASSERT_FALSE(delivered);
  EXPECT_NE(
      delivered.error().message.find("POST " + alertmanager.url() + "/api/v2/alerts: HTTP 400"),
      std::string::npos)
      << delivered.error().message;
}

}  // namespace
}  // namespace camwatch
