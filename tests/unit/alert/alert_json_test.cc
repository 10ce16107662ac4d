#include <gtest/gtest.h>

#include <camwatch/alert_json.h>

#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::sampleAlert;

TEST(AlertJsonTest, RoundTripKeepsEveryField) {
  Alert alert = sampleAlert();
  alert.destination.network_operator = "Alibaba";
  alert.destination.operator_country = "CN";
  alert.destination.dns_query = "p2p.example-cloud.com";
  alert.evidence.beacon =
      Beacon{30'012 * (kNanosPerSecond / 1000), 607 * (kNanosPerSecond / 1000), 19};
  auto back = alertFromJson(alertToJson(alert));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, alert);

  // Through text too, as the spool stores it.
  auto reparsed = alertFromJson(nlohmann::json::parse(alertToJson(alert).dump()));
  ASSERT_TRUE(reparsed) << reparsed.error().message;
  EXPECT_EQ(*reparsed, alert);
}

TEST(AlertJsonTest, RoundTripOfResolvedAlertWithoutDestinationIp) {
  Alert alert = sampleAlert();
  alert.kind = AlertKind::kDnsLookupBlocked;
  alert.status = AlertStatus::kResolved;
  alert.ends_at = alert.time + 60 * kNanosPerSecond;
  alert.destination.ip.reset();
  alert.camera.ip = *IpAddress::parse("fd00::20");
  alert.protocol.risks.clear();
  alert.dedup_key = dedupKey(alert);
  auto back = alertFromJson(alertToJson(alert));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, alert);
}

TEST(AlertJsonTest, ADriftSaysWhereTheNameLedBefore) {
  Alert alert = sampleAlert();
  alert.kind = AlertKind::kDestinationDrift;
  alert.destination.previous_asns = {16509, 14618};
  alert.destination.previous_countries = {"DE", "IE"};
  const nlohmann::json json = alertToJson(alert);
  EXPECT_EQ(json["kind"], "destination_drift");
  EXPECT_EQ(json["destination"]["previous_asns"], nlohmann::json({16509, 14618}));
  EXPECT_EQ(json["destination"]["previous_countries"], nlohmann::json({"DE", "IE"}));
  auto back = alertFromJson(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, alert);
  // Spooled before the fields existed: none.
  nlohmann::json old = alertToJson(sampleAlert());
  old["destination"].erase("previous_asns");
  old["destination"].erase("previous_countries");
  back = alertFromJson(old);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->destination.previous_asns.empty());
  nlohmann::json bad = json;
  bad["destination"]["previous_asns"] = {"AS1"};
  EXPECT_FALSE(alertFromJson(bad));
}

TEST(AlertJsonTest, HasTheDocumentedSchema) {
  const nlohmann::json json = alertToJson(sampleAlert());
  EXPECT_EQ(json["version"], 1);
  EXPECT_EQ(json["time"], "2026-01-15T09:00:01.123456789Z");
  EXPECT_EQ(json["severity"], "critical");
  EXPECT_EQ(json["kind"], "vendor_cloud");
  EXPECT_EQ(json["status"], "firing");
  EXPECT_TRUE(json["ends_at"].is_null());
  EXPECT_EQ(json["camera"], (nlohmann::json{{"ip", "192.168.10.21"},
                                            {"mac", "44:19:b6:00:00:01"},
                                            {"name", "lobby-1"},
                                            {"vendor", "Hikvision"},
                                            {"group", "lobby"}}));
  EXPECT_EQ(json["destination"], (nlohmann::json{{"ip", "203.0.113.1"},
                                                 {"port", 443},
                                                 {"hostname", "p2p.example-cloud.com"},
                                                 {"hostname_source", "sni"},
                                                 {"dns_query", ""},
                                                 {"country", "DE"},
                                                 {"asn", 64500},
                                                 {"org", "Example Cloud GmbH"},
                                                 {"operator", ""},
                                                 {"operator_country", ""},
                                                 {"previous_asns", nlohmann::json::array()},
                                                 {"previous_countries", nlohmann::json::array()}}));
  EXPECT_EQ(json["protocol"],
            (nlohmann::json{{"l4", "tcp"},
                            {"app", "Hikvision"},
                            {"master", "TLS"},
                            {"category", "IoT-Scada"},
                            {"risks", {"known_proto_on_non_std_port", "self_signed_cert"}}}));
  EXPECT_EQ(json["evidence"], (nlohmann::json{{"first_seen", "2026-01-15T08:59:56.123456789Z"},
                                              {"last_seen", "2026-01-15T09:00:01.123456789Z"},
                                              {"packets", 12},
                                              {"bytes", 3456},
                                              {"beacon", nullptr}}));
  EXPECT_EQ(json["rule"], "deny-vendor-cloud");
  EXPECT_EQ(json["sensor"], "sensor-1");
  EXPECT_EQ(json["dedup_key"], "192.168.10.21|vendor_cloud|203.0.113.1");
  EXPECT_EQ(json["repeat_count"], 2);
  EXPECT_EQ(json.size(), 14U) << "a field was added: document it in docs/alerts.md";
}

TEST(AlertJsonTest, ABeaconIsWrittenInSecondsAndReadBack) {
  Alert alert = sampleAlert();
  alert.evidence.beacon =
      Beacon{30'012 * (kNanosPerSecond / 1000), 607 * (kNanosPerSecond / 1000), 19};
  const nlohmann::json json = alertToJson(alert);
  EXPECT_EQ(json["evidence"]["beacon"],
            (nlohmann::json{{"period_s", 30.012}, {"jitter_s", 0.607}, {"contacts", 19}}));
  EXPECT_EQ(json["evidence"]["beacon"].dump(),
            R"({"contacts":19,"jitter_s":0.607,"period_s":30.012})");

  nlohmann::json bad = json;
  bad["evidence"]["beacon"]["period_s"] = "30 s";
  auto read = alertFromJson(bad);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message, "alert.evidence.beacon.period_s: not a number of seconds");
  bad = json;
  bad["evidence"]["beacon"].erase("contacts");
  read = alertFromJson(bad);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().message, "alert.evidence.beacon.contacts: missing");
}

TEST(AlertJsonTest, DedupKeyIgnoresPortAndFallsBackToHostname) {
  Alert alert = sampleAlert();
  const std::string key = dedupKey(alert);
  alert.destination.port = 8443;
  alert.evidence.packets = 99;
  EXPECT_EQ(dedupKey(alert), key);
  alert.destination.ip.reset();
  EXPECT_EQ(dedupKey(alert), "192.168.10.21|vendor_cloud|dns:p2p.example-cloud.com");
  alert.destination.hostname.clear();
  alert.kind = AlertKind::kEgressVolume;
  EXPECT_EQ(dedupKey(alert), "192.168.10.21|egress_volume|-");
  // An empty dedup_key is filled in on the way out.
  alert.dedup_key.clear();
  EXPECT_EQ(alertToJson(alert)["dedup_key"], "192.168.10.21|egress_volume|-");
}

TEST(AlertJsonTest, TimesRoundTripAtNanosecondPrecision) {
  // The parser is capture/'s parseTimestamp (tests/unit/capture/timestamp_test.cc has its
  // cases); here: the alert's own time text is one it reads back exactly.
  for (Timestamp ts : {Timestamp{0}, Timestamp{1}, Timestamp{1'768'467'600'123'456'789LL},
                       Timestamp{-1'500'000'000LL}}) {
    auto parsed = parseTimestamp(formatAlertTime(ts));
    ASSERT_TRUE(parsed) << formatAlertTime(ts);
    EXPECT_EQ(*parsed, ts);
  }
  EXPECT_EQ(formatAlertTime(1'768'467'600'500'000'000LL), "2026-01-15T09:00:00.500000000Z");
}

TEST(AlertJsonTest, ErrorsNameTheField) {
  nlohmann::json json = alertToJson(sampleAlert());
  json["destination"].erase("port");
  auto missing = alertFromJson(json);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "alert.destination.port: missing");

  json = alertToJson(sampleAlert());
  json["kind"] = "teleport";
  auto kind = alertFromJson(json);
  ASSERT_FALSE(kind);
  EXPECT_EQ(kind.error().message, "alert.kind: unknown kind teleport");

  json = alertToJson(sampleAlert());
  json["camera"]["ip"] = "not-an-ip";
  EXPECT_FALSE(alertFromJson(json));
  json = alertToJson(sampleAlert());
  json["version"] = 2;
  EXPECT_FALSE(alertFromJson(json));
  EXPECT_FALSE(alertFromJson(nlohmann::json::array()));
}

// An alert spooled by a camwatch without operators, DNS queries or beacons (no such keys) still
// reads back, with them empty: the spool survives an upgrade.
TEST(AlertJsonTest, AlertSpooledBeforeOperatorsReadsBack) {
  Alert alert = sampleAlert();
  nlohmann::json json = alertToJson(alert);
  json["destination"].erase("operator");
  json["destination"].erase("operator_country");
  json["destination"].erase("dns_query");
  json["evidence"].erase("beacon");
  auto back = alertFromJson(json);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, alert);
  EXPECT_EQ(back->destination.network_operator, "");
}

}  // namespace
}  // namespace camwatch
