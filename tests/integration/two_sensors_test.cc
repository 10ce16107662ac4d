// Two sites, one Prometheus (issue 21, docs/scale-out.md): two `camwatch run` sensors, each in
// its own pair of network namespaces fed its own site's capture over its own veth, scraped by one
// real Prometheus (through a port forward each, to their namespace's loopback; site-b's /metrics
// listens on every address of its namespace, site-a's on loopback only) that evaluates
// dashboards/prometheus/camwatch-rules.yml. Every dashboard query is asked for each sensor and for
// both: each sensor's answer holds only its own series, and the answer for both is their union, or
// where the query adds sensors up, the sum. The figures are the generator's facts of each site's
// capture (`camwatch-testgen demo --expect` for site-a with the ground-truth inventory,
// `camwatch-testgen branch --expect` for site-b with configs/branch.yaml): the two differ in every
// count, so a sensor answering with the other's series shows. Both have the test GeoIP database, so
// egress by country and AS is checked too.
//
// Both sites have a camera called cam-gate, as two real sites would: a query that counts cameras
// by name alone counts one, and its egress for both is the sum of the two cameras'.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/dashboard_files.h"
#include "integration/live_run_fixture.h"
#include "integration/run_command.h"
#include "support/netns_pair.h"
#include "support/netns_port_forward.h"
#include "support/prometheus_process.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testkit::BackgroundProcess;
using testkit::waitUntil;

const std::string kRules = kSourceDir + "/dashboards/prometheus/camwatch-rules.yml";

// One site: its capture and what the generator says of it, its namespaces and veth, its sensor,
// and the host port Prometheus scrapes it on.
struct Site {
  std::string name;  // sensor.name
  std::string capture;
  CaptureExpectation expected;
  double expected_egress = 0;  // over all its cameras
  std::unique_ptr<testkit::NetnsPair> pair;
  std::unique_ptr<BackgroundProcess> sensor;
  std::unique_ptr<testkit::NetnsPortForward> forward;
  int port = 0;        // the sensor's metrics port inside its receiver namespace
  std::string target;  // "127.0.0.1:PORT" on the host: the instance label Prometheus gives it

  std::string scrape() const {
    return testkit::httpGetInNetns(pair->receiverNs(), port, "/metrics");
  }
};

std::vector<json> seriesOf(const json& answer) {
  if (answer.value("status", "") != "success") return {};
  const json& result = answer.at("data").at("result");
  return std::vector<json>(result.begin(), result.end());
}

double valueOf(const json& series) {
  return std::stod(series.at("value").at(1).get<std::string>());
}

// An answer as label set (its JSON, keys sorted) -> value.
std::map<std::string, double> byLabels(const json& answer) {
  std::map<std::string, double> out;
  for (const json& series : seriesOf(answer)) out[series.at("metric").dump()] = valueOf(series);
  return out;
}

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// What demo-geo.mmdb (tests/support/make_test_mmdb.pl) says of a public address: its country
// and AS number, "unknown" for both outside its networks (the branch site's NTP pool, STUN
// server and telemetry host).
std::pair<std::string, std::string> testGeoOf(const std::string& ip) {
  static const struct {
    const char* prefix;
    const char* country;
    const char* asn;
  } kNetworks[] = {
      {"162.159.200.", "US", "13335"}, {"52.5.", "US", "14618"},  {"93.184.215.", "US", "15133"},
      {"47.254.", "DE", "45102"},      {"47.88.", "SG", "45102"}, {"43.130.", "HK", "132203"},
      {"9.9.9.", "CH", "19281"},       {"8.8.8.", "US", "15169"}, {"1.1.1.", "US", "13335"},
  };
  for (const auto& network : kNetworks) {
    if (ip.starts_with(network.prefix)) return {network.country, network.asn};
  }
  return {"unknown", "unknown"};
}

double now() {
  timespec time{};
  clock_gettime(CLOCK_REALTIME, &time);
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) / 1e9;
}

class TwoSensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string reason = testkit::netnsUnavailableReason(); !reason.empty()) {
      GTEST_SKIP() << reason;
    }
  }

  // Starts site `index`'s sensor on its receiver veth with the test config `config_file` and
  // `extra` (a geoip: section first, if any), its sensor name made `site.name`.
  void startSite(Site& site, int index, const std::string& config_file, const std::string& extra,
                 const std::string& listen) {
    site.pair =
        std::make_unique<testkit::NetnsPair>(fmt::format("{}m{}", getpid() % 100000, index));
    ASSERT_EQ(site.pair->create(), "");
    std::string config = testConfig(
        config_file,
        fmt::format("{}alerts:\n  spool_dir: {}\n  sinks:\n    - type: jsonl\n      path: {}\n",
                    extra, dir_.path(site.name + "-spool"),
                    dir_.path(site.name + "-alerts.jsonl")));
    const std::string key = "sensor:\n  name: ";
    const std::size_t at = config.find(key);
    ASSERT_NE(at, std::string::npos);
    const std::size_t from = at + key.size();
    config.replace(from, config.find('\n', from) - from, site.name);
    const std::string path = dir_.path(site.name + ".yaml");
    std::ofstream(path) << config;
    site.sensor = std::make_unique<BackgroundProcess>(
        fmt::format("ip netns exec {} {} run -c {} --interface {} --metrics {}",
                    site.pair->receiverNs(), shellQuote(kBinary), shellQuote(path),
                    site.pair->receiverInterface(), listen),
        dir_.path(site.name + ".log"));
    const bool bound = waitUntil(
        [&] {
          return (site.port = metricsPortInLog(site.sensor->log())) != 0 || !site.sensor->running();
        },
        milliseconds(20000));
    ASSERT_TRUE(bound && site.port != 0) << site.sensor->log();
    ASSERT_TRUE(waitUntil([&] { return !site.scrape().empty() || !site.sensor->running(); },
                          milliseconds(20000)));
    ASSERT_TRUE(site.sensor->running()) << site.sensor->log();
    site.forward = std::make_unique<testkit::NetnsPortForward>(site.pair->receiverNs(), site.port);
    ASSERT_EQ(site.forward->start(), "");
    site.target = fmt::format("127.0.0.1:{}", site.forward->port());
  }

  TempDir dir_;
};

TEST_F(TwoSensorsTest, EveryDashboardQueryAnswersPerSensorAndForBothAndTheRulesAddSitesUp) {
  Site sites[2];
  sites[0].name = "site-a";
  sites[0].expected = expectDemo(dir_);
  ASSERT_EQ(sites[0].expected.egress.size(), 9U);  // cameras .21-.24, .31-.34, the laptop .57
  sites[1].name = "site-b";
  sites[1].expected = expectBranch(dir_);
  ASSERT_EQ(sites[1].expected.egress.size(), 5U);  // cameras .11-.15, every one with egress
  // The captures 50 times faster with idle and closed timeouts of 3 s (150 s of capture time):
  // every flow ends on its own, so each sensor's egress is final before the queries. Flows are
  // cut by packet times, which a stalled sender shifts: the longest pause inside a flow is 10 s
  // in the demo and 20 s in the branch capture (0.4 s here), the shortest between two flows of
  // one 5-tuple 300 s (the demo's STUN: 6 s here), so a stall may last 2.6 s inside a flow before
  // it splits, and 3 s between the two STUN flows before they merge (at 100 times with 2 s, one
  // stall of 2 s on a loaded machine split the demo's four RTSP sessions at once: 61 flows, not
  // 57).
  const std::string originals[2] = {kDemo, dir_.path("branch.pcap")};
  for (int i = 0; i < 2; ++i) {
    Site& site = sites[i];
    for (const auto& [camera, egress] : site.expected.egress) site.expected_egress += egress.first;
    site.capture = dir_.path(site.name + "-x50.pcap");
    ASSERT_EQ(static_cast<double>(writeCompressedCapture(originals[i], site.capture, 50)),
              site.expected.packets);
  }
  // The two captures differ in every figure the test compares, or a mix-up could pass unseen.
  ASSERT_NE(sites[0].expected.packets, sites[1].expected.packets);
  ASSERT_NE(sites[0].expected.bytes, sites[1].expected.bytes);
  ASSERT_NE(sites[0].expected.flows, sites[1].expected.flows);
  ASSERT_NE(sites[0].expected.egress.at("cam-gate"), sites[1].expected.egress.at("cam-gate"));
  // Both with the test GeoIP (tests/support/make_test_mmdb.pl's demo-geo.mmdb), so the country
  // and AS panels have something to add up.
  const std::string mmdb = makeTestGeo(dir_);
  const std::string extra = fmt::format(
      "geoip:\n  country_db: {0}\n  asn_db: {0}\n"
      "capture:\n  workers: 2\n"
      "flows:\n  tcp_idle_timeout: 3s\n  udp_idle_timeout: 3s\n  tcp_closed_timeout: 3s\n",
      mmdb);

  const std::string prom_dir = dir_.path("prometheus");
  std::filesystem::create_directory(prom_dir);
  testkit::PrometheusProcess prometheus(prom_dir);
  const std::string started = prometheus.start({kRules});
  if (started.find("is missing") != std::string::npos) GTEST_SKIP() << started;
  ASSERT_EQ(started, "");

  // site-b's /metrics listens on every address of its namespace, as a sensor scraped across the
  // network without a TLS front would: its log says what that exposes; site-a's says nothing.
  startSite(sites[0], 0, kGroundTruth, extra, "127.0.0.1:0");
  startSite(sites[1], 1, kBranchConfig, extra, "0.0.0.0:0");
  const std::string exposed = "warning: metrics on 0.0.0.0:0 without basic auth, in plain HTTP";
  EXPECT_EQ(sites[0].sensor->log().find("warning: metrics on"), std::string::npos)
      << sites[0].sensor->log();
  EXPECT_TRUE(waitUntil([&] { return sites[1].sensor->log().find(exposed) != std::string::npos; },
                        milliseconds(5000)))
      << sites[1].sensor->log();
  ASSERT_EQ(prometheus.setTargets({sites[0].target, sites[1].target}), "");
  const auto answer = [&](const std::string& promql) { return prometheus.query(promql); };
  ASSERT_TRUE(waitUntil(
      [&] {
        const auto up = seriesOf(answer("count(up{job=\"camwatch\"} == 1)"));
        return !up.empty() && valueOf(up[0]) == 2;
      },
      milliseconds(30000)))
      << answer("up").dump() << prometheus.log();

  // Each site's capture into its own sensor, one after the other: two senders at once beside two
  // sensors and Prometheus would ask more of a busy 2-core machine than the test is about.
  CommandResult sent[2];
  for (int i = 0; i < 2; ++i) {
    sent[i] = runCommand(fmt::format("ip netns exec {} tcpreplay -q -i {} --multiplier=1 {} 2>&1",
                                     sites[i].pair->senderNs(), sites[i].pair->senderInterface(),
                                     shellQuote(sites[i].capture)));
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(sent[i].exit_code, 0) << sent[i].out + sent[i].err;
    std::string metrics;
    const bool final = waitUntil(
        [&] {
          metrics = sites[i].scrape();
          return metricSum(metrics, "camwatch_worker_packets_total") >= sites[i].expected.packets &&
                 metricSum(metrics, "camwatch_flows_active") == 0 &&
                 metricSum(metrics, "camwatch_egress_bytes_total") >= sites[i].expected_egress;
        },
        milliseconds(20000));
    ASSERT_TRUE(final) << sites[i].name << "\n" << metrics << sites[i].sensor->log();
  }
  // Prometheus has scraped both sensors' final figures, and the rules have run on them a few
  // times since.
  const std::map<std::string, double> egress_by_instance = {
      {json{{"instance", sites[0].target}}.dump(), sites[0].expected_egress},
      {json{{"instance", sites[1].target}}.dump(), sites[1].expected_egress}};
  ASSERT_TRUE(waitUntil(
      [&] {
        return byLabels(answer("sum by (instance) (camwatch_egress_bytes_total)")) ==
               egress_by_instance;
      },
      milliseconds(30000)))
      << answer("sum by (instance) (camwatch_egress_bytes_total)").dump();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  // Every answer below is evaluated at this one instant, so they can be compared exactly.
  const double at = now() - 1.0;
  const auto ask = [&](const std::string& promql) { return prometheus.queryAt(promql, at); };

  // The sensor and instance variables, resolved as Grafana does.
  const auto labelValues = [&](const std::string& promql, const std::string& label) {
    std::set<std::string> values;
    for (const json& series : seriesOf(ask(promql))) {
      if (series.at("metric").contains(label)) values.insert(series.at("metric").at(label));
    }
    return std::vector<std::string>(values.begin(), values.end());
  };
  ASSERT_EQ(labelValues("camwatch_sensor_info", "sensor"),
            (std::vector<std::string>{"site-a", "site-b"}));
  struct Choice {
    std::string what;
    std::vector<int> sites;
    std::string instance;  // the $instance value Grafana sends
    std::string sensor;    // the $sensor value
  };
  std::vector<Choice> choices;
  for (const std::vector<int>& chosen : {std::vector<int>{0}, {1}, {0, 1}}) {
    std::vector<std::string> names;
    std::vector<std::string> targets;
    for (const int i : chosen) {
      names.push_back(sites[i].name);
      targets.push_back(sites[i].target);
    }
    const std::string sensor = dashboards::alternation(names);
    std::sort(targets.begin(), targets.end());
    EXPECT_EQ(labelValues("camwatch_sensor_info{sensor=~\"" + sensor + "\"}", "instance"), targets);
    choices.push_back(
        {chosen.size() == 1 ? names[0] : "both", chosen, dashboards::alternation(targets), sensor});
  }

  // The generator's figures: each sensor's own, and for both the sum of the two sites' (the
  // cam-gate of each site adds up under one name).
  for (const Choice& choice : choices) {
    SCOPED_TRACE(choice.what);
    CaptureExpectation expected;
    for (const int i : choice.sites) {
      expected.packets += sites[i].expected.packets;
      expected.bytes += sites[i].expected.bytes;
      expected.flows += sites[i].expected.flows;
      for (const auto& [camera, egress] : sites[i].expected.egress) {
        expected.egress[camera].first += egress.first;
        expected.egress[camera].second += egress.second;
      }
    }
    const auto total = [&](const std::string& family) {
      const auto series =
          seriesOf(ask(fmt::format("sum({}{{instance=~\"{}\"}})", family, choice.instance)));
      return series.size() == 1 ? valueOf(series[0]) : -1;
    };
    EXPECT_EQ(total("camwatch_worker_packets_total"), expected.packets);
    EXPECT_EQ(total("camwatch_worker_bytes_total"), expected.bytes);
    EXPECT_EQ(total("camwatch_flows_created_total"), expected.flows);
    EXPECT_EQ(total("camwatch_capture_dropped_packets_total"), 0.0);
    const auto bytes = byLabels(ask(fmt::format(
        "sum by (camera) (camwatch_egress_bytes_total{{instance=~\"{}\"}})", choice.instance)));
    const auto flows = byLabels(ask(fmt::format(
        "sum by (camera) (camwatch_egress_flows_total{{instance=~\"{}\"}})", choice.instance)));
    EXPECT_EQ(bytes.size(), expected.egress.size());
    for (const auto& [camera, egress] : expected.egress) {
      const std::string labels = json{{"camera", camera}}.dump();
      EXPECT_EQ(bytes.contains(labels) ? bytes.at(labels) : -1, egress.first) << camera;
      EXPECT_EQ(flows.contains(labels) ? flows.at(labels) : -1, egress.second) << camera;
    }
    // By country and by AS: each destination's bytes under what the test database says of it.
    std::map<std::string, double> by_country;
    std::map<std::string, double> by_asn;
    for (const int i : choice.sites) {
      for (const auto& [destination, egress] : sites[i].expected.egress_to) {
        const auto [country, asn] = testGeoOf(destination);
        by_country[json{{"country", country}}.dump()] += egress.first;
        by_asn[json{{"asn", asn}}.dump()] += egress.first;
      }
    }
    EXPECT_EQ(byLabels(ask(
                  fmt::format("sum by (country) (camwatch_egress_bytes_total{{instance=~\"{}\"}})",
                              choice.instance))),
              by_country);
    EXPECT_EQ(
        byLabels(ask(fmt::format("sum by (asn) (camwatch_egress_bytes_total{{instance=~\"{}\"}})",
                                 choice.instance))),
        by_asn);
  }

  // Every panel's query, for each sensor and for both. A series that names its sensor (an
  // instance label) is in the answer of that sensor only, and in the answer for both with the
  // same value; a series that adds sensors up (no instance label) is, for both, the sum of each
  // sensor's, except the capture-loss ratio, which lies between the two.
  std::set<std::string> camera_names;
  for (const Site& site : sites) {
    for (const auto& [camera, egress] : site.expected.egress) camera_names.insert(camera);
  }
  const std::vector<std::string> cameras(camera_names.begin(), camera_names.end());
  std::map<std::string, std::string> values = {
      {"$__rate_interval", "30s"}, {"$__interval", "5s"},
      {"$__range", "10m"},         {"$home_country", "GB"},
      {"$finding", "all"},         {"$camera", dashboards::alternation(cameras)},
  };
  const auto resolve = [&](std::string expr, const Choice& choice) {
    values["$instance"] = choice.instance;
    values["$sensor"] = choice.sensor;
    // Longest names first: $__range must not eat $__range_s, nor $camera a $cameras.
    for (const char* name : {"$__rate_interval", "$__interval", "$__range", "$instance", "$sensor",
                             "$home_country", "$finding", "$camera"}) {
      expr = dashboards::replaceAll(expr, name, values.at(name));
    }
    return expr;
  };
  int checked = 0;
  for (const dashboards::Dashboard& dashboard : dashboards::loadDashboards()) {
    for (const auto& [where, raw] : dashboards::dashboardExprs(dashboard)) {
      if (where.find("/ variable ") != std::string::npos) continue;  // resolved above and below
      SCOPED_TRACE(where + ": " + raw);
      std::map<std::string, double> answers[3];
      for (std::size_t c = 0; c < 3; ++c) {
        const std::string expr = resolve(raw, choices[c]);
        ASSERT_EQ(expr.find('$'), std::string::npos) << "unresolved variable in " << expr;
        const json reply = ask(expr);
        ASSERT_EQ(reply.value("status", ""), "success") << expr << "\n" << reply.dump();
        answers[c] = byLabels(reply);
      }
      const auto& both = answers[2];
      // Empty for both only where empty for each (Prometheus's own alerts may not have fired).
      EXPECT_EQ(both.empty(), answers[0].empty() && answers[1].empty());
      for (int c = 0; c < 2; ++c) {
        for (const auto& [labels, value] : answers[c]) {
          const json metric = json::parse(labels);
          if (!metric.contains("instance")) continue;
          EXPECT_EQ(metric.at("instance"), sites[c].target) << labels;
          EXPECT_TRUE(both.contains(labels) && same(both.at(labels), value))
              << labels << " = " << value << " for " << sites[c].name << ", for both "
              << (both.contains(labels) ? std::to_string(both.at(labels)) : "missing");
        }
      }
      for (const auto& [labels, value] : both) {
        const json metric = json::parse(labels);
        if (metric.contains("instance")) {
          EXPECT_TRUE(answers[0].contains(labels) || answers[1].contains(labels)) << labels;
          continue;
        }
        const double a = answers[0].contains(labels) ? answers[0].at(labels) : 0;
        const double b = answers[1].contains(labels) ? answers[1].at(labels) : 0;
        if (where.ends_with("/ Capture loss")) {
          EXPECT_TRUE(std::isnan(value) ? std::isnan(a) && std::isnan(b)
                                        : value >= std::min(a, b) && value <= std::max(a, b))
              << labels << ": " << value << " for both, " << a << " and " << b;
        } else {
          EXPECT_TRUE(same(value, a + b))
              << labels << ": " << value << " for both, " << a << " + " << b << " each";
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);

  // The camera counts, from the generator: nine cameras at site-a, five at site-b, fourteen for
  // both (each site's cam-gate counts).
  const auto camerasAt = [&](const Choice& choice) {
    std::size_t count = 0;
    for (const int i : choice.sites) count += sites[i].expected.egress.size();
    return static_cast<double>(count);
  };
  const dashboards::Dashboard overview =
      dashboards::dashboardNamed(dashboards::loadDashboards(), "camwatch-overview.json");
  int counted = 0;
  dashboards::forEachPanel(overview.body.at("panels"), [&](const json& panel) {
    if (panel.value("title", "") != "Cameras seen") return;
    ++counted;
    for (const Choice& choice : choices) {
      const auto series =
          seriesOf(ask(resolve(panel.at("targets").at(0).value("expr", ""), choice)));
      ASSERT_EQ(series.size(), 1U) << choice.what;
      EXPECT_EQ(valueOf(series[0]), camerasAt(choice)) << choice.what;
    }
  });
  EXPECT_EQ(counted, 1);
  // The Camera detail's camera list (its query_result() query, finding "all") names the
  // generator's cameras of each sensor, and of both.
  const dashboards::Dashboard detail =
      dashboards::dashboardNamed(dashboards::loadDashboards(), "camwatch-camera-detail.json");
  const std::string camera_query =
      dashboards::variableNamed(detail, "camera").value("definition", "");
  ASSERT_TRUE(camera_query.starts_with("query_result(") && camera_query.ends_with(")"));
  for (const Choice& choice : choices) {
    std::set<std::string> names;
    for (const int i : choice.sites) {
      for (const auto& [camera, egress] : sites[i].expected.egress) names.insert(camera);
    }
    EXPECT_EQ(
        labelValues(resolve(camera_query.substr(13, camera_query.size() - 14), choice), "camera"),
        std::vector<std::string>(names.begin(), names.end()))
        << choice.what;
  }

  // The recording rules: the per-sensor ones keep each site's cameras apart (nine series for
  // site-a, five for site-b, not thirteen names in all), the job: ones add the sites up.
  const std::map<std::string, double> cameras_by_instance = {
      {json{{"instance", sites[0].target}}.dump(), 9.0},
      {json{{"instance", sites[1].target}}.dump(), 5.0}};
  EXPECT_EQ(byLabels(ask("count by (instance) (camwatch_camera:egress_bytes:rate5m)")),
            cameras_by_instance);
  const auto single = [&](const std::string& promql) {
    const auto series = seriesOf(ask(promql));
    EXPECT_EQ(series.size(), 1U) << promql;
    return series.size() == 1 ? valueOf(series[0]) : -1;
  };
  // Cameras sending now: each site's count, added up (which cameras had a rate above 0 in the
  // last 5 minutes depends on when their bytes were scraped, so not a fixed number).
  const auto sending =
      byLabels(ask("count by (instance) (camwatch_camera:egress_bytes:rate5m > 0)"));
  ASSERT_EQ(sending.size(), 2U);
  EXPECT_EQ(single("job:camwatch_cameras_sending:count5m"),
            sending.begin()->second + sending.rbegin()->second);
  const double fleet_egress = single("job:camwatch_egress_bytes:rate5m");
  EXPECT_GT(fleet_egress, 0);
  EXPECT_TRUE(same(fleet_egress, single("sum(camwatch_camera:egress_bytes:rate5m)")));
  EXPECT_EQ(byLabels(ask("instance:camwatch_capture_received_packets:rate5m")).size(), 2U);
  const double fleet_packets = single("job:camwatch_capture_received_packets:rate5m");
  EXPECT_GT(fleet_packets, 0);
  EXPECT_TRUE(
      same(fleet_packets, single("sum(instance:camwatch_capture_received_packets:rate5m)")));
  EXPECT_EQ(single("job:camwatch_capture_dropped_packets:rate5m"), 0.0);

  for (Site& site : sites) {
    site.sensor->signal(SIGTERM);
    EXPECT_EQ(site.sensor->wait(milliseconds(45000)), 0) << site.sensor->log();
  }
}

}  // namespace
}  // namespace camwatch::integration
