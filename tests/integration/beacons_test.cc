// Beacons end to end (issue 18 point 5) on the generated camera-VLAN capture: cam-mast
// (192.168.10.34) calls Hik-Connect (52.5.124.127) every 30 s +-1 s from 32 s on, 19 new TLS
// connections (tests/support/scenarios/demo.cc, demoBeacon).
//
// Worked out by hand from the scenario, nothing else is a beacon. The contacts (egress flow
// starts) per camera and public address are: 192.168.10.21 -> 52.5.124.127 (check-ins at 30 s
// and 330 s) 2, 192.168.10.23 -> 47.88.29.110 2, 192.168.10.22 -> 43.130.155.63 (STUN at 90 s
// and 390 s) 2, each camera -> 162.159.200.123 (NTP at 5 s and 305 s) 2, 192.168.10.24 ->
// 47.254.33.45 (the upload) 1, the laptop -> 93.184.215.14 1: fewer than 4 each. The RTSP
// streams (one long flow per camera, to the NVR), DNS to the gateway, ICMP, DHCP and the
// management flow are local, so no contacts at all.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kDemo = std::string(CAMWATCH_SOURCE_DIR) + "/demo/camera-vlan-demo.pcap";

class BeaconsTest : public ::testing::Test {
 protected:
  CommandResult replay(const std::string& config) {
    return runCommand(kCamwatch + " replay --workers 2 -c " + shellQuote(config) + " --alerts " +
                      shellQuote(dir_.path("alerts.jsonl")) + " --summary " +
                      shellQuote(dir_.path("summary.json")) + " --report " +
                      shellQuote(dir_.path("report.html")) + " " + shellQuote(kDemo));
  }

  TempDir dir_;
};

TEST_F(BeaconsTest, TheSummaryListsExactlyTheCameraThatCallsHome) {
  const CommandResult run = replay(writeGroundTruthConfigWithGeo(dir_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json beacons = json::parse(readFile(dir_.path("summary.json"))).at("beacons");
  ASSERT_EQ(beacons.size(), 1U) << beacons.dump(1);
  const json& found = beacons.at(0);
  EXPECT_EQ(found.at("camera"), "192.168.10.34");
  EXPECT_EQ(found.at("ip"), "52.5.124.127");
  EXPECT_EQ(found.at("hostname"), "litedev.hik-connect.com");
  EXPECT_EQ(found.at("port"), 443);
  EXPECT_EQ(found.at("country"), "US");
  EXPECT_EQ(found.at("contacts"), 19);
  // Every 30 s, each contact moved by up to 1 s either way: intervals of 28..32 s.
  EXPECT_NEAR(found.at("period_s").get<double>(), 30.0, 1.0);
  EXPECT_GT(found.at("jitter_s").get<double>(), 0.0);
  EXPECT_LE(found.at("jitter_s").get<double>(), 2.0);
  EXPECT_EQ(found.at("first_seen").get<std::string>().substr(0, 18), "2026-01-15T09:00:3");
  EXPECT_EQ(found.at("last_seen").get<std::string>().substr(0, 18), "2026-01-15T09:09:3");

  // The text summary and the report say the same.
  EXPECT_NE(run.out.find("Beacons (a camera contacting a destination at a regular interval):\n"
                         "  192.168.10.34   -> 52.5.124.127    litedev.hik-connect.com:443"),
            std::string::npos)
      << run.out;
  const std::string report = readFile(dir_.path("report.html"));
  const std::size_t table = report.find("<table class=\"sortable\" id=\"beacons-table\">");
  ASSERT_NE(table, std::string::npos);
  EXPECT_LT(
      report.find("<td><a href=\"#camera-192.168.10.34\">192.168.10.34 cam-mast</a></td>", table),
      table + 2000);
}

TEST_F(BeaconsTest, AlertEvidenceCarriesTheBeaconOnceItsRaisesAreRegular) {
  // Every raise notifies, so each of the camera's 19 contacts is a notification of its episode,
  // and so is the end of each contact's flow (10 s after its FIN, before the next contact): an
  // update with the whole flow as evidence, no repeat and no new contact.
  const CommandResult run =
      replay(writeGroundTruthConfigWithGeo(dir_, "alerts:\n  suppression_window: 0\n"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> mast;
  for (const json& alert : readJsonLines(dir_.path("alerts.jsonl"))) {
    if (alert.at("camera").at("ip") == "192.168.10.34") {
      mast.push_back(alert);
    } else {
      EXPECT_TRUE(alert.at("evidence").at("beacon").is_null()) << alert.dump();
    }
  }
  ASSERT_EQ(mast.size(), 2U * 19U);
  for (std::size_t k = 0; k < mast.size(); ++k) {
    const std::size_t i = k / 2;  // the contact
    const json& alert = mast[k];
    EXPECT_EQ(alert.at("dedup_key"), "192.168.10.34|vendor_cloud|52.5.124.127");
    EXPECT_EQ(alert.at("repeat_count"), i);
    if (k % 2 == 1) {
      EXPECT_GT(alert.at("evidence").at("bytes"), mast[k - 1].at("evidence").at("bytes"))
          << k << ": the update adds the rest of the flow";
      EXPECT_EQ(alert.at("evidence").at("beacon"), mast[k - 1].at("evidence").at("beacon"))
          << k << ": an update is no contact";
    }
    const json& beacon = alert.at("evidence").at("beacon");
    if (i < 3) {
      EXPECT_TRUE(beacon.is_null()) << i << ": " << alert.dump();  // fewer than 4 contacts
      continue;
    }
    ASSERT_TRUE(beacon.is_object()) << i << ": " << alert.dump();
    // 16 contacts kept per episode; every one is counted.
    EXPECT_EQ(beacon.at("contacts"), i + 1);
    EXPECT_NEAR(beacon.at("period_s").get<double>(), 30.0, 1.0);
    EXPECT_LE(beacon.at("jitter_s").get<double>(), 2.0);
  }
}

}  // namespace
}  // namespace camwatch::integration
