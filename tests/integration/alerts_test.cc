// Alerts end to end: the real camwatch binary replays the generated camera-VLAN capture (the
// bytes of `camwatch-testgen demo`, committed as demo/camera-vlan-demo.pcap) with a ground-truth
// configuration and must raise exactly the expected alerts; learning, the lifecycle, and delivery
// to a real Alertmanager on loopback (stopped mid-run, camwatch killed mid-delivery) are checked
// through the files and APIs a user would look at.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/ground_truth.h"
#include "integration/metrics_text.h"
#include "integration/run_command.h"
#include "support/alertmanager_process.h"
#include "support/listening_ports.h"
#include "support/netns_pair.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
const std::string kGroundTruth = kSourceDir + "/tests/integration/configs/ground-truth.yaml";

std::vector<std::string> describeAll(const json& alerts) {
  std::vector<std::string> rows;
  for (const json& alert : alerts) rows.push_back(describe(alert));
  return rows;
}

// The ground truth config with `extra` appended (later keys of the same section are not
// allowed in YAML, so callers add whole sections the base file does not have).
std::string configWith(const TempDir& dir, const std::string& name, const std::string& extra,
                       const std::string& base = kGroundTruth) {
  const std::string path = dir.path(name);
  std::string text = readFile(base);
  // Relative paths in the base are relative to its folder: make them absolute.
  const std::string folder = std::filesystem::path(base).parent_path().string() + "/";
  for (const char* key : {"protocols_file: ", "cloud_names_file: ", "doh_resolvers_file: ",
                          "oui_file: ", "operators_file: "}) {
    const std::size_t at = text.find(key);
    if (at != std::string::npos) text.insert(at + std::string(key).size(), folder);
  }
  std::ofstream(path) << text << "\n" << extra;
  return path;
}

class AlertsTest : public ::testing::Test {
 protected:
  CommandResult replay(const std::string& config, const std::string& flags = "") {
    return runCommand(kCamwatch + " replay -c " + shellQuote(config) + " --alerts " +
                      shellQuote(dir_.path("alerts.jsonl")) + " --summary " +
                      shellQuote(dir_.path("summary.json")) + " " + flags + " " +
                      shellQuote(kDemo));
  }
  json alerts() const { return readJsonLines(dir_.path("alerts.jsonl")); }

  TempDir dir_;
};

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
      // 5 MB uploaded against a 2 MB budget per 10 minutes.
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
  const std::vector<std::string> expected = {
      "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com external_resolver "
      "warning firing x1",
      "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
      "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
      "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
      "new_destination 192.168.10.24 -> 47.254.33.45 baseline:address warning firing x1",
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
                "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1"}));

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
                "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com "
                "external_resolver warning firing x1",
                "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
                "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
                "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
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

// --- delivery to a real Alertmanager ------------------------------------------------------------

std::string sinkSection(const std::string& url, const std::string& spool) {
  return "alerts:\n  spool_dir: " + spool +
         "\n  retry_base: 200ms\n  retry_max: 1s\n  drain_timeout: 60s\n"
         "  sinks:\n    - type: alertmanager\n      name: am\n      urls: [" +
         url + "]\n      labels: {site: test-site}\n      timeout: 2s\n";
}

// Alertmanager's view: dedup_key -> labels, for the alerts of one sensor.
std::map<std::string, json> alertmanagerAlerts(const testkit::AlertmanagerProcess& am,
                                               const std::string& sensor) {
  std::map<std::string, json> found;
  for (const json& alert : am.alerts()) {
    const json& labels = alert.at("labels");
    if (labels.value("sensor", "") == sensor) found[labels.at("dedup_key")] = labels;
  }
  return found;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

// camwatch replay in the background; its pid, and its output in files.
pid_t startReplay(const TempDir& dir, const std::string& config, const std::string& tag) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string out = dir.path(tag + ".out");
    const std::string err = dir.path(tag + ".err");
    if (std::freopen(out.c_str(), "w", stdout) == nullptr) ::_exit(126);
    if (std::freopen(err.c_str(), "w", stderr) == nullptr) ::_exit(126);
    ::execl(kCamwatch.c_str(), kCamwatch.c_str(), "replay", "-c", config.c_str(), kDemo.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Alerts in the spool's segment files (docs/alerts.md: one line per alert), delivered or not.
std::size_t spooledAlerts(const std::string& spool) {
  std::size_t lines = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(spool, error)) {
    if (entry.path().filename().string().rfind("segment-", 0) != 0) continue;
    const std::string text = readFile(entry.path().string());
    lines += static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return lines;
}

int waitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_F(AlertsTest, ReplayedAlertsReachAlertmanagerWithTheirLabels) {
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  const std::string config = configWith(dir_, "am.yaml", sinkSection(am.url(), dir_.path("spool")));
  const CommandResult run = replay(config);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string all = std::to_string(kGroundTruthAlerts.size());
  EXPECT_NE(run.out.find("Alert sink am: " + all + " queued, " + all + " sent"), std::string::npos)
      << run.out;

  const auto held = alertmanagerAlerts(am, "ground-truth");
  ASSERT_EQ(held.size(), kGroundTruthAlerts.size());
  const json& cloud = held.at("192.168.10.21|vendor_cloud|52.5.124.127");
  EXPECT_EQ(cloud.at("alertname"), "CamwatchVendorCloud");
  EXPECT_EQ(cloud.at("kind"), "vendor_cloud");
  EXPECT_EQ(cloud.at("severity"), "warning");
  EXPECT_EQ(cloud.at("camera"), "192.168.10.21");
  EXPECT_EQ(cloud.at("camera_name"), "cam-lobby");
  EXPECT_EQ(cloud.at("camera_group"), "hikvision");
  EXPECT_EQ(cloud.at("site"), "test-site");
  EXPECT_EQ(held.at("192.168.10.57|dns_lookup_blocked|dns:www.example.com").at("severity"),
            "critical");
}

TEST_F(AlertsTest, AlertmanagerStoppedMidRunGetsEverythingOnceBack) {
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  const std::string spool = dir_.path("spool");
  const std::string first = configWith(dir_, "first.yaml", sinkSection(am.url(), spool));
  ASSERT_EQ(replay(first).exit_code, 0);
  ASSERT_EQ(alertmanagerAlerts(am, "ground-truth").size(), kGroundTruthAlerts.size());

  // Alertmanager goes away; the next run spools its alerts and keeps retrying.
  am.kill();
  std::string second_text = readFile(first);
  second_text.replace(second_text.find("name: ground-truth"), 18, "name: second-run");
  const std::string second = dir_.path("second.yaml");
  std::ofstream(second) << second_text;
  const pid_t camwatch = startReplay(dir_, second, "second");
  ASSERT_TRUE(waitFor(
      [&] { return readFile(dir_.path("second.err")).find("failed") != std::string::npos; }, 60s))
      << readFile(dir_.path("second.err"));
  ASSERT_EQ(am.start(), "");  // on the port it had: the running replay's sink still sends there
  EXPECT_EQ(waitExit(camwatch), 0) << readFile(dir_.path("second.err"));
  const std::string out = readFile(dir_.path("second.out"));
  EXPECT_NE(out.find(std::to_string(kGroundTruthAlerts.size()) + " sent"), std::string::npos)
      << out;
  EXPECT_NE(out.find("0 pending"), std::string::npos) << out;
  EXPECT_EQ(alertmanagerAlerts(am, "second-run").size(), kGroundTruthAlerts.size());
}

TEST_F(AlertsTest, CamwatchKilledMidDeliveryDeliversTheRestAfterRestart) {
  // Alertmanager is down for the first run: its URL refuses every connection.
  const testkit::RefusingLoopbackPort down;
  const std::string spool = dir_.path("spool");
  const std::string config = configWith(dir_, "kill.yaml", sinkSection(down.url(), spool));
  const pid_t camwatch = startReplay(dir_, config, "killed");
  // Wait until every alert is spooled (replay spools them as it reads) and a delivery failed,
  // then kill without warning.
  ASSERT_TRUE(waitFor(
      [&] {
        return spooledAlerts(spool) == kGroundTruthAlerts.size() &&
               readFile(dir_.path("killed.err")).find("failed") != std::string::npos;
      },
      60s))
      << readFile(dir_.path("killed.err"));
  ::kill(camwatch, SIGKILL);
  EXPECT_EQ(waitExit(camwatch), 128 + SIGKILL);
  ASSERT_TRUE(std::filesystem::exists(spool));

  // A restart (another replay with the same spool, different sensor name so its own alerts are
  // told apart) delivers what the killed run left first. Alertmanager is up now, on a port it
  // bound itself; the sink keeps its name "am", by which the spool knows what it delivered, so
  // only its URL changes.
  testkit::AlertmanagerProcess am(dir_.path(""));
  ASSERT_EQ(am.start(), "");
  std::string text = readFile(config);
  text.replace(text.find(down.url()), down.url().size(), am.url());
  text.replace(text.find("name: ground-truth"), 18, "name: after-restart");
  const std::string restart = dir_.path("restart.yaml");
  std::ofstream(restart) << text;
  const CommandResult run = replay(restart);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(alertmanagerAlerts(am, "ground-truth").size(), kGroundTruthAlerts.size())
      << "the killed run's alerts were not delivered after the restart";
  EXPECT_EQ(alertmanagerAlerts(am, "after-restart").size(), kGroundTruthAlerts.size());
}

// Replay hands alerts to the sinks as it reads, as a sensor does, not all at the end: at --pace 60
// the demo's 591 s take about 10 s, and its first alert (30 s into the capture) reaches the jsonl
// sink while the replay still runs.
TEST_F(AlertsTest, ReplayDeliversAlertsToTheSinksWhileItReads) {
  const std::string file = dir_.path("sink.jsonl");
  const std::string config =
      configWith(dir_, "jsonl.yaml",
                 "alerts:\n  spool_dir: " + dir_.path("spool") +
                     "\n  sinks:\n    - type: jsonl\n      path: " + file + "\n");
  testkit::BackgroundProcess replaying(
      kCamwatch + " replay --pace 60 -c " + shellQuote(config) + " " + shellQuote(kDemo),
      dir_.path("replay.log"));
  const bool delivered = testkit::waitUntil(
      [&] { return std::filesystem::exists(file) && !readFile(file).empty(); }, 8s);
  EXPECT_TRUE(delivered) << replaying.log();
  EXPECT_TRUE(replaying.running()) << "the first alert arrived only after the replay ended";
  EXPECT_LT(readJsonLines(file).size(), kGroundTruthAlerts.size());
  ASSERT_EQ(replaying.wait(30s), 0) << replaying.log();
  EXPECT_EQ(describeAll(readJsonLines(file)), kGroundTruthAlerts);
}

TEST_F(AlertsTest, MetricsCountEveryFiringAlertUnderItsCamera) {
  // camwatch_camera_alerts_total (docs/metrics.md, "Alerts per camera") names the camera of each
  // alert the sinks got, by the camera label of the egress series: inventory name, or address.
  const std::string file = dir_.path("sink.jsonl");
  const std::string config =
      configWith(dir_, "jsonl.yaml",
                 "alerts:\n  spool_dir: " + dir_.path("spool") +
                     "\n  sinks:\n    - type: jsonl\n      path: " + file + "\n");
  const std::string metrics = dir_.path("replay.prom");
  ASSERT_EQ(replay(config, "--metrics " + shellQuote(metrics)).exit_code, 0);
  std::map<std::string, double> expected;  // "camera=\"..\",kind=\"..\"" -> notifications
  for (const json& alert : readJsonLines(file)) {
    if (alert.at("status") != "firing") continue;
    const json& camera = alert.at("camera");
    const std::string name = camera.at("name").get<std::string>().empty()
                                 ? camera.at("ip").get<std::string>()
                                 : camera.at("name").get<std::string>();
    expected["camera=\"" + name + "\",kind=\"" + alert.at("kind").get<std::string>() + "\""] += 1;
  }
  ASSERT_EQ(expected.size(), kGroundTruthAlerts.size());  // one of each (camera, kind) here
  EXPECT_TRUE(expected.contains("camera=\"cam-yard\",kind=\"egress_volume\""));
  EXPECT_TRUE(expected.contains("camera=\"192.168.10.57\",kind=\"unknown_camera\""));
  const std::string text = readFile(metrics);
  for (const auto& [labels, count] : expected) {
    EXPECT_EQ(metricSumWith(text, "camwatch_camera_alerts_total", labels), count) << labels;
  }
  EXPECT_EQ(metricSum(text, "camwatch_camera_alerts_total"),
            static_cast<double>(kGroundTruthAlerts.size()))
      << text;
}

TEST_F(AlertsTest, JsonlSinkWritesEveryAlertAndAWrongSinkIsNamed) {
  const std::string file = dir_.path("sink.jsonl");
  const std::string config =
      configWith(dir_, "jsonl.yaml",
                 "alerts:\n  spool_dir: " + dir_.path("spool") +
                     "\n  sinks:\n    - type: jsonl\n      path: " + file + "\n");
  const std::string metrics = dir_.path("replay.prom");
  ASSERT_EQ(replay(config, "--metrics " + shellQuote(metrics)).exit_code, 0);
  EXPECT_EQ(describeAll(readJsonLines(file)), kGroundTruthAlerts);
  // The same counters the live sensor exports (docs/metrics.md), as Prometheus text.
  const std::string text = readFile(metrics);
  const std::string sent = "camwatch_alert_sink_sent_total{sink=\"jsonl\"} " +
                           std::to_string(kGroundTruthAlerts.size()) + "\n";
  for (const std::string& line : {
           sent,
           std::string("camwatch_alert_sink_failures_total{sink=\"jsonl\"} 0\n"),
           std::string("camwatch_alerts_total{kind=\"egress_volume\",severity=\"warning\","
                       "status=\"firing\"} 1\n"),
           std::string("camwatch_alerts_total{kind=\"vendor_cloud\",severity=\"warning\","
                       "status=\"firing\"} 4\n"),
           std::string("camwatch_alerts_total{kind=\"encrypted_dns\",severity=\"warning\","
                       "status=\"firing\"} 2\n"),
           std::string("camwatch_egress_flows_total{asn=\"unknown\",camera=\"cam-lobby\",country="
                       "\"unknown\",operator=\"unknown\",operator_country=\"unknown\","
                       "protocol=\"TLS.HikConnect\"} 2\n"),
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }

  const std::string bad =
      configWith(dir_, "bad.yaml", "alerts:\n  sinks:\n    - type: pagerduty\n");
  const CommandResult check = runCommand(kCamwatch + " check-config -c " + shellQuote(bad));
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("alerts.sinks[0].type: unknown sink type 'pagerduty'"),
            std::string::npos)
      << check.err;
}

}  // namespace
}  // namespace camwatch::integration
