// Alerts end to end: the real camwatch binary replays the generated camera-VLAN capture (the
// bytes of `camwatch-testgen demo`, committed as demo/camera-vlan-demo.pcap) with a ground-truth
// configuration and must raise exactly the expected alerts; the evidence, learning, drift and
// the lifecycle are checked through the files a user would look at. Delivery to the sinks and a
// real Alertmanager: alert_delivery_test.cc.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/alerts_fixture.h"
#include "integration/ground_truth.h"
#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

TEST_F(AlertsTest, GroundTruthCaptureRaisesExactlyTheExpectedAlerts) {
  std::string first;
  for (const char* workers : {"1", "3"}) {
    const CommandResult run = replay(kGroundTruth, std::string("--workers ") + workers);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    if (first.empty()) {
      first = readFile(dir_.path("alerts.jsonl"));
    } else {
      EXPECT_EQ(readFile(dir_.path("alerts.jsonl")), first)
          << "alerts differ between 1 and 3 workers";
    }
  }
  EXPECT_EQ(describeAll(alerts()), kGroundTruthAlerts);
}

TEST_F(AlertsTest, GroundTruthAlertsNameWhoOperatesTheDestinationAndWhoseLawReachesIt) {
  // With the test GeoIP (tests/support/make_test_mmdb.pl: 52.5/16 AS14618, 47.88/16 and 47.254/16
  // AS45102, 43.130/16 AS132203, 93.184.215/24 AS15133, 9.9.9/24 AS19281, 8.8.8/24 AS15169,
  // 1.1.1/24 AS13335) and config/operators.csv: the same alerts,
  // each naming the operator and its parent's home country as worked out from those two files.
  // 47.254.33.45 is located in DE but run by Alibaba (CN): the point of operator_country.
  const std::string config = writeGroundTruthConfigWithGeo(dir_);
  ASSERT_EQ(replay(config).exit_code, 0);
  EXPECT_EQ(describeAll(alerts()), kGroundTruthAlerts);
  const std::map<std::string, std::string> expected = {
      {"52.5.124.127", "US AWS US"},
      {"47.88.29.110", "SG Alibaba CN"},
      {"43.130.155.63", "HK Tencent CN"},
      {"47.254.33.45", "DE Alibaba CN"},
      {"93.184.215.14", "US  "},  // Edgecast: not in the operators file
      {"9.9.9.9", "CH  "},        // Quad9: not in the operators file
      {"47.254.130.17", "DE Alibaba CN"},
      {"8.8.8.8", "US Google US"},
      {"1.1.1.1", "US Cloudflare US"},
      {"192.168.10.1", "  "},  // the local resolver: no operator
  };
  for (const json& alert : alerts()) {
    const json& destination = alert.at("destination");
    if (destination.at("ip").is_null()) {
      EXPECT_EQ(destination.at("operator"), "") << alert.dump();
      continue;
    }
    const std::string ip = destination.at("ip").get<std::string>();
    ASSERT_TRUE(expected.contains(ip)) << ip;
    EXPECT_EQ(destination.at("country").get<std::string>() + " " +
                  destination.at("operator").get<std::string>() + " " +
                  destination.at("operator_country").get<std::string>(),
              expected.at(ip))
        << alert.dump();
  }
}

TEST_F(AlertsTest, AlertJsonNamesTheCameraTheDestinationAndTheEvidence) {
  ASSERT_EQ(replay(kGroundTruth).exit_code, 0);
  const json all = alerts();
  ASSERT_FALSE(all.empty());
  const json& cloud = all.at(0);
  EXPECT_EQ(cloud.at("camera").at("name"), "cam-lobby");
  EXPECT_EQ(cloud.at("camera").at("group"), "hikvision");
  EXPECT_EQ(cloud.at("camera").at("vendor"),
            "Hikvision (Hangzhou Hikvision Digital Technology Co.,Ltd.)");
  EXPECT_EQ(cloud.at("camera").at("mac"), "44:19:b6:3a:51:21");
  EXPECT_EQ(cloud.at("destination").at("hostname"), "litedev.hik-connect.com");
  EXPECT_EQ(cloud.at("destination").at("port"), 443);
  EXPECT_EQ(cloud.at("protocol").at("app"), "HikConnect");
  EXPECT_EQ(cloud.at("protocol").at("master"), "TLS");
  EXPECT_EQ(cloud.at("protocol").at("l4"), "tcp");
  EXPECT_GT(cloud.at("evidence").at("bytes").get<int>(), 300);  // the ClientHello at least
  EXPECT_EQ(cloud.at("sensor"), "ground-truth");
  EXPECT_EQ(cloud.at("dedup_key"), "192.168.10.21|vendor_cloud|52.5.124.127");

  for (const json& alert : all) {
    if (alert.at("kind") == "egress_volume") {
      // 30 MB uploaded against a 2 MB budget per 10 minutes.
      EXPECT_GT(alert.at("evidence").at("bytes").get<std::uint64_t>(), 2'000'000U);
      EXPECT_EQ(alert.at("camera").at("name"), "cam-yard");
      EXPECT_EQ(alert.at("dedup_key"), "192.168.10.24|egress_volume|-");
    }
    if (alert.at("kind") == "external_resolver") {
      // The resolver is the destination, the question a field of its own.
      EXPECT_EQ(alert.at("camera").at("name"), "cam-dock");
      EXPECT_EQ(alert.at("destination").at("ip"), "9.9.9.9");
      EXPECT_EQ(alert.at("destination").at("port"), 53);
      EXPECT_EQ(alert.at("destination").at("dns_query"), "p2p.easy4ipcloud.com");
      EXPECT_EQ(alert.at("destination").at("hostname"), "");
      EXPECT_EQ(alert.at("dedup_key"), "192.168.10.31|external_resolver|9.9.9.9");
    }
    if (alert.at("kind") == "encrypted_dns" && alert.at("camera").at("name") == "cam-stairs") {
      EXPECT_EQ(alert.at("destination").at("ip"), "8.8.8.8");
      EXPECT_EQ(alert.at("destination").at("hostname"), "dns.google");
      EXPECT_EQ(alert.at("destination").at("dns_query"), "");  // hidden by the encryption
      EXPECT_EQ(alert.at("protocol").at("app"), "DoH_DoT");
      EXPECT_EQ(alert.at("rule"), "encrypted_dns:DoH");
    }
    if (alert.at("kind") == "unknown_camera") {
      EXPECT_EQ(alert.at("camera").at("name"), "");
      EXPECT_EQ(alert.at("camera").at("group"), "default");
      EXPECT_EQ(alert.at("camera").at("mac"), "16:7a:2e:91:c4:03");
    }
  }
  // The summary lists every camera, the discovered laptop marked as not listed.
  const json summary = json::parse(readFile(dir_.path("summary.json")));
  std::set<std::string> cameras;
  for (const json& camera : summary.at("cameras")) {
    cameras.insert(camera.at("ip").get<std::string>() +
                   (camera.at("listed").get<bool>() ? "" : "?"));
  }
  EXPECT_EQ(cameras, (std::set<std::string>{"192.168.10.21", "192.168.10.22", "192.168.10.23",
                                            "192.168.10.24", "192.168.10.31", "192.168.10.32",
                                            "192.168.10.33", "192.168.10.34", "192.168.10.57?"}));
}

// Issue 18 point 7: the upload is judged by its first three packets (419 bytes), and its alert
// is sent again, the same alert, when the flow has ended, with the whole 30 MB as evidence.
TEST_F(AlertsTest, TheUploadsAlertEndsWithTheWholeFlowAsEvidence) {
  ASSERT_EQ(replay(kGroundTruth).exit_code, 0);
  std::vector<json> upload;
  for (const json& alert : alerts()) {
    if (alert.at("dedup_key") == "192.168.10.24|hardcoded_address|47.254.33.45") {
      upload.push_back(alert);
    }
  }
  ASSERT_EQ(upload.size(), 2U);
  EXPECT_EQ(upload[0].at("evidence").at("packets"), 3);
  EXPECT_EQ(upload[0].at("evidence").at("bytes"), 419);
  const json& update = upload[1];
  EXPECT_EQ(update.at("evidence").at("packets").get<std::uint64_t>(), kUploadPackets);
  EXPECT_EQ(update.at("evidence").at("bytes").get<std::uint64_t>(), kUploadBytes);
  EXPECT_EQ(update.at("status"), "firing");
  EXPECT_EQ(update.at("repeat_count"), 0) << "an update is not a repeat";
  // The flow's last packet 46.245 s after its first, the update at its end (the closed timeout,
  // 10 s, after that last packet).
  EXPECT_EQ(update.at("evidence").at("first_seen"), "2026-01-15T09:03:20.000000000Z");
  EXPECT_EQ(update.at("evidence").at("last_seen"), "2026-01-15T09:04:06.245000000Z");
  EXPECT_EQ(update.at("time"), "2026-01-15T09:04:16.245000000Z");
  // Everything but the time and the evidence is the first notification's.
  json same = update;
  same["time"] = upload[0].at("time");
  same["evidence"] = upload[0].at("evidence");
  EXPECT_EQ(same, upload[0]);
}

TEST_F(AlertsTest, LifecycleResolvesQuietAlertsAndStartsNewEpisodes) {
  const std::string config = configWith(dir_, "lifecycle.yaml",
                                        "alerts:\n  suppression_window: 1m\n  resolve_after: 2m\n");
  ASSERT_EQ(replay(config).exit_code, 0);
  // The STUN lookups at 90 s and 390 s: fired, resolved 2 minutes later, fired again, resolved.
  std::vector<std::string> stun;
  for (const json& alert : alerts()) {
    if (alert.at("kind") == "p2p_or_relay") {
      stun.push_back(alert.at("status").get<std::string>() + "@" +
                     alert.at("time").get<std::string>().substr(11, 8) +
                     (alert.at("ends_at").is_null()
                          ? ""
                          : " ends " + alert.at("ends_at").get<std::string>().substr(11, 8)));
    }
  }
  ASSERT_EQ(stun.size(), 4U) << ::testing::PrintToString(stun);
  EXPECT_EQ(stun[0].substr(0, 10), "firing@09:");
  EXPECT_EQ(stun[1].substr(0, 10), "resolved@0");
  EXPECT_EQ(stun[2].substr(0, 10), "firing@09:");
  EXPECT_EQ(stun[3].substr(0, 10), "resolved@0");
  // Notifications come out in time order.
  std::string previous;
  for (const json& alert : alerts()) {
    EXPECT_LE(previous, alert.at("time").get<std::string>());
    previous = alert.at("time").get<std::string>();
  }
}

TEST_F(AlertsTest, LearningRecordsThenEnforcesNewDestinations) {
  // Learn for the first 150 s of the capture (cloud check-ins, NTP, STUN, cam-31's Dahua cloud),
  // then enforce: the upload to a bare IP (200 s) and the laptop's browsing (421 s) are new. The
  // policy's own alerts (STUN, cameras that bypass the site's resolver) are raised all along.
  const std::string state = dir_.path("baseline.json");
  const std::string learning =
      "learning:\n  mode: learn\n  period: 150s\n  state_file: " + state + "\n";
  const std::string config = configWith(dir_, "learn.yaml", learning,
                                        kSourceDir + "/tests/integration/configs/learning.yaml");
  const CommandResult learn = replay(config);
  ASSERT_EQ(learn.exit_code, 0) << learn.err;
  // Each alert about a TLS flow again when its flow ends, with the whole flow (an update): the
  // DoH and DoT sessions (ending after their last lookups, 165 s and 170 s), the upload, the
  // laptop's browsing.
  const std::vector<std::string> expected = {
      "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com external_resolver "
      "warning firing x1",
      "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
      "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
      "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
      "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",  // update
      "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",  // update
      "new_destination 192.168.10.24 -> 47.254.33.45 baseline:address warning firing x1",
      "new_destination 192.168.10.24 -> 47.254.33.45 baseline:address warning firing x1",
      "new_destination 192.168.10.57 -> 93.184.215.14 baseline:domain warning firing x1",
      "new_destination 192.168.10.57 -> 93.184.215.14 baseline:domain warning firing x1",
  };
  EXPECT_EQ(describeAll(alerts()), expected);
  const json saved = json::parse(readFile(state));
  EXPECT_EQ(saved.at("version"), 1);
  const json& group = saved.at("groups").at("default");
  EXPECT_EQ(group.at("domains"),
            json({"litedev.hik-connect.com", "p2p.easy4ipcloud.com", "www.easy4ipcloud.com"}));
  EXPECT_EQ(group.at("addresses"), json({"162.159.200.123"}));

  // A restart in learn mode continues the same period (its start is in the state file): the
  // same phases, the same alerts, nothing new to save.
  const std::string learnt = readFile(state);
  ASSERT_EQ(replay(config).exit_code, 0);
  EXPECT_EQ(describeAll(alerts()), expected);
  EXPECT_EQ(readFile(state), learnt);

  // Enforce with what was learnt: the same two destinations are new, the learnt ones are not.
  const std::string enforce_config =
      configWith(dir_, "enforce.yaml", "learning:\n  mode: enforce\n  state_file: " + state + "\n",
                 kSourceDir + "/tests/integration/configs/learning.yaml");
  const std::string before = readFile(state);
  ASSERT_EQ(replay(enforce_config).exit_code, 0);
  EXPECT_EQ(describeAll(alerts()), expected);
  EXPECT_EQ(readFile(state), before) << "enforce must not change the state file";

  const CommandResult check =
      runCommand(kCamwatch + " check-config -c " + shellQuote(enforce_config));
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("litedev.hik-connect.com"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("162.159.200.123"), std::string::npos) << check.out;
}

TEST_F(AlertsTest, ALearntNameThatLeadsElsewhereDrifts) {
  // Learn the whole capture with the drift watch on: litedev.hik-connect.com led to AS14618 in
  // the US (the test GeoIP's 52.5.0.0/16). Then the state file says it led to Alibaba's AS45102
  // in Singapore while learning, as if the vendor had moved since: enforcing, both check-ins of
  // camera .21 (30 s, 330 s) are a drift of a learnt name, said with where it led before.
  const std::string state = dir_.path("baseline.json");
  // The learning config's last section is policy.default: the key joins it.
  // The test GeoIP (tests/support/make_test_mmdb.pl) gives the demo's servers an AS and country.
  const std::string geo = dir_.path("geo");
  std::filesystem::create_directories(geo);
  const CommandResult mmdb =
      runCommand(shellQuote(CAMWATCH_PERL) + " " + shellQuote(CAMWATCH_MAKE_TEST_MMDB) + " " +
                 shellQuote(geo));
  ASSERT_EQ(mmdb.exit_code, 0) << mmdb.err;
  const std::string drift_watch = "    destination_drift: critical\ngeoip:\n  country_db: " + geo +
                                  "/demo-geo.mmdb\n  asn_db: " + geo + "/demo-geo.mmdb\n";
  const std::string learn_config = configWith(
      dir_, "learn.yaml",
      drift_watch + "learning:\n  mode: learn\n  period: 1h\n  state_file: " + state + "\n",
      kSourceDir + "/tests/integration/configs/learning.yaml");
  const CommandResult learn = replay(learn_config);
  ASSERT_EQ(learn.exit_code, 0) << learn.err;
  json saved = json::parse(readFile(state));
  json& places = saved.at("groups").at("default").at("places");
  ASSERT_EQ(places.value("litedev.hik-connect.com", json()),
            json({{"asns", {14618}}, {"countries", {"US"}}}))
      << saved.dump(1);
  // While learning only what the policy denies alerts (public resolvers, STUN); nothing drifts
  // (learning takes every place).
  EXPECT_EQ(describeAll(alerts()),
            (std::vector<std::string>{
                "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com "
                "external_resolver warning firing x1",
                "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
                "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
                "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
                // The DoH and DoT sessions' updates when they end (evidence that grows).
                "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
                "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1"}));

  places["litedev.hik-connect.com"] = {{"asns", {45102}}, {"countries", {"SG"}}};
  std::ofstream(state) << saved.dump(2) << "\n";
  const std::string enforce_config =
      configWith(dir_, "enforce.yaml",
                 drift_watch + "learning:\n  mode: enforce\n  state_file: " + state + "\n",
                 kSourceDir + "/tests/integration/configs/learning.yaml");
  ASSERT_EQ(replay(enforce_config).exit_code, 0);
  EXPECT_EQ(describeAll(alerts()),
            (std::vector<std::string>{
                "destination_drift 192.168.10.21 -> 52.5.124.127 drift:learnt critical firing x1",
                // cam-mast calls the same name (its beacon), so it drifts with cam-lobby.
                "destination_drift 192.168.10.34 -> 52.5.124.127 drift:learnt critical firing x1",
                // Each check-in's flow ends: the updates, cam-mast's first (10 s after its FIN,
                // 42 s) before cam-lobby's (42.5 s).
                "destination_drift 192.168.10.34 -> 52.5.124.127 drift:learnt critical firing x1",
                "destination_drift 192.168.10.21 -> 52.5.124.127 drift:learnt critical firing x1",
                "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com "
                "external_resolver warning firing x1",
                "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
                "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
                "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
                "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
                "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
            }));
  for (const json& alert : alerts()) {
    if (alert.at("kind") != "destination_drift") continue;
    const json& destination = alert.at("destination");
    EXPECT_EQ(destination.at("hostname"), "litedev.hik-connect.com");
    EXPECT_EQ(destination.at("asn"), 14618);
    EXPECT_EQ(destination.at("country"), "US");
    EXPECT_EQ(destination.at("previous_asns"), json({45102}));
    EXPECT_EQ(destination.at("previous_countries"), json({"SG"}));
  }
}

}  // namespace
}  // namespace camwatch::integration
