// loadConfig() on the sections beyond flows and policy: inventory, groups, learning, alerts,
// capture, metrics, logging. Each accepted form is checked by value, each mistake by its message
// (file, line, key and what was expected).
#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sinks/alertmanager/alertmanager_alert_sink.h"
#include "sinks/jsonl/jsonl_alert_sink.h"
#include "sinks/sink_registry.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/webhook/webhook_alert_sink.h"

namespace camwatch {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("camwatch-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  ~ConfigTest() override { std::filesystem::remove_all(dir_); }

  Result<Config> load(const std::string& yaml) {
    const std::string path = (dir_ / "camwatch.yaml").string();
    std::ofstream(path) << yaml;
    return loadConfig(path);
  }
  std::string error(const std::string& yaml) {
    auto config = load(yaml);
    return config ? std::string("(loaded)") : config.error().message;
  }
  std::string file() const { return (dir_ / "camwatch.yaml").string(); }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsMakeEveryPrivateHostACameraAndSendAlertsNowhere) {
  const Config config = defaultConfig();
  EXPECT_EQ(config.inventory.camera_networks.size(), 7U);
  EXPECT_TRUE(config.inventory.local_networks.empty());
  EXPECT_FALSE(config.alert_unknown_devices);
  EXPECT_EQ(config.learning.mode, LearningMode::kOff);
  EXPECT_TRUE(config.alert_sinks.empty());
  EXPECT_EQ(config.alerts.suppression_window, 3600 * kNanosPerSecond);
  EXPECT_EQ(config.alerts.renotify_interval, 0);
  EXPECT_EQ(config.alerts.resolve_after, 3600 * kNanosPerSecond);
  EXPECT_EQ(config.default_egress_budget.bytes, 0U);
}

TEST_F(ConfigTest, InventoryAndGroupsAreRead) {
  std::ofstream(dir_ / "oui.csv") << "oui,vendor,source\n44:19:B6,Hikvision (Hangzhou),test\n";
  auto config = load(R"(
inventory:
  oui_file: oui.csv
  camera_networks: [192.168.10.0/24, "2001:db8:10::/48"]
  camera_vlans: [10, 20]
  camera_vendors: true
  local_networks: 192.168.10.200
  alert_unknown_devices: true
  unknown_device_severity: critical
  devices:
    - {name: lobby, ip: 192.168.10.21, mac: "44:19:B6:3a:51:21", group: entrance}
    - {name: gate, mac: 3c-ef-8c-12-5a-23, vendor: Dahua}
groups:
  default: {egress_budget: 1GiB, budget_window: 1d}
  entrance:
    networks: [192.168.20.0/24]
    vlans: 20
    vendors: [Hikvision]
    egress_budget: 500MB
    budget_window: 30m
policy:
  entrance:
    default_action: allow
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->inventory.camera_networks.size(), 2U);
  EXPECT_EQ(config->inventory.camera_networks[1].toString(), "2001:db8:10::/48");
  EXPECT_EQ(config->inventory.camera_vlans, (std::vector<std::uint16_t>{10, 20}));
  EXPECT_TRUE(config->inventory.camera_vendors);
  ASSERT_EQ(config->inventory.local_networks.size(), 1U);
  EXPECT_EQ(config->inventory.local_networks[0].toString(), "192.168.10.200/32");
  EXPECT_TRUE(config->alert_unknown_devices);
  EXPECT_EQ(config->unknown_device_severity, Severity::kCritical);
  ASSERT_EQ(config->inventory.devices.size(), 2U);
  const InventoryDevice& lobby = config->inventory.devices[0];
  EXPECT_EQ(lobby.name, "lobby");
  EXPECT_EQ(lobby.ip->toString(), "192.168.10.21");
  EXPECT_EQ((*lobby.mac)[0], 0x44);
  EXPECT_EQ((*lobby.mac)[5], 0x21);
  EXPECT_EQ(lobby.group, "entrance");
  EXPECT_FALSE(config->inventory.devices[1].ip);
  EXPECT_EQ((*config->inventory.devices[1].mac)[0], 0x3c);
  EXPECT_EQ(config->inventory.devices[1].vendor, "Dahua");
  EXPECT_EQ(config->default_egress_budget.bytes, 1ULL << 30U);
  EXPECT_EQ(config->default_egress_budget.window, 24 * 3600 * kNanosPerSecond);
  ASSERT_EQ(config->groups.size(), 1U);
  EXPECT_EQ(config->groups[0].membership.name, "entrance");
  EXPECT_EQ(config->groups[0].membership.vlans, (std::vector<std::uint16_t>{20}));
  EXPECT_EQ(config->groups[0].egress_budget.bytes, 500'000'000U);
  EXPECT_EQ(config->groups[0].egress_budget.window, 30 * 60 * kNanosPerSecond);
  ASSERT_EQ(config->inventory.groups.size(), 1U);
  EXPECT_EQ(config->inventory.groups[0].vendors, (std::vector<std::string>{"Hikvision"}));
}

TEST_F(ConfigTest, InventoryMistakesAreNamed) {
  EXPECT_EQ(error("inventory:\n  camera_networks: [10.0.0.0/33]\n"),
            file() + ":2:21: inventory.camera_networks[0]: '10.0.0.0/33': prefix longer than 32");
  EXPECT_EQ(error("inventory:\n  camera_vlans: [4095]\n"),
            file() + ":2:18: inventory.camera_vlans[0]: 4095 is out of range [1, 4094]");
  EXPECT_EQ(error("inventory:\n  devices:\n    - {name: a, mac: 44:19:b6}\n"),
            file() +
                ":3:22: inventory.devices[0].mac: expected a MAC address such as "
                "44:19:b6:3a:51:21, got '44:19:b6'");
  EXPECT_EQ(error("inventory:\n  devices:\n    - {name: a}\n"),
            file() + ":3:7: inventory.devices[0]: a device needs an ip, a mac or both");
  EXPECT_EQ(error("inventory:\n  devices:\n    - {ip: 10.0.0.1}\n"),
            file() + ":3:7: inventory.devices[0].name: every device needs a name");
  // Cross-checks the inventory makes: an undefined group, a name listed twice.
  const std::string undefined = error(
      "groups:\n  entrance: {}\ninventory:\n  devices:\n    - {name: a, ip: 10.0.0.1, "
      "group: entrence}\n");
  EXPECT_NE(undefined.find("inventory: device 'a': group 'entrence'"), std::string::npos)
      << undefined;
  EXPECT_NE(undefined.find("did you mean 'entrance'?"), std::string::npos) << undefined;
}

// The caps that keep per-camera state and active alerts bounded whatever the traffic.
TEST_F(ConfigTest, CameraAndAlertCapsAreReadAndChecked) {
  const Config defaults = defaultConfig();
  EXPECT_EQ(defaults.max_cameras, 16'384U);
  EXPECT_EQ(defaults.alerts.max_active, 65'536U);
  auto config = load("inventory:\n  max_cameras: 100\nalerts:\n  max_active: 500\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->max_cameras, 100U);
  EXPECT_EQ(config->alerts.max_active, 500U);
  EXPECT_EQ(error("inventory:\n  max_cameras: 0\n"),
            file() + ":2:16: inventory.max_cameras: 0 is out of range [1, 16777216]");
  EXPECT_EQ(error("alerts:\n  max_active: 0\n"),
            file() + ":2:15: alerts.max_active: 0 is out of range [1, 16777216]");
  EXPECT_EQ(error("inventory:\n  max_cameras: many\n"),
            file() + ":2:16: inventory.max_cameras: expected a whole number, got 'many'");
}

TEST_F(ConfigTest, GroupAndPolicyMistakesAreNamed) {
  EXPECT_EQ(error("groups:\n  default: {networks: [10.0.0.0/8]}\n"),
            file() +
                ":2:13: groups.default.networks: unknown key; expected one of: "
                "egress_budget, budget_window");
  EXPECT_EQ(error("groups:\n  cams: {egress_budget: 5 parsecs}\n"),
            file() +
                ":2:25: groups.cams.egress_budget: expected a size such as 500MB, 64MiB or "
                "1GB, got '5 parsecs'");
  EXPECT_EQ(error("groups:\n  cams: {}\npolicy:\n  camz: {default_action: allow}\n"),
            file() +
                ":4:3: policy.camz: no camera group 'camz' in groups: (did you mean "
                "'cams'?)");
}

TEST_F(ConfigTest, LearningNeedsAStateFileAndAKnownMode) {
  EXPECT_EQ(error("learning:\n  mode: learn\n"),
            file() + ":2:3: learning.state_file: required when learning.mode is learn");
  EXPECT_EQ(error("learning:\n  mode: study\n"),
            file() + ":2:9: learning.mode: expected off, learn or enforce, got 'study'");
  auto config = load("learning:\n  mode: enforce\n  period: 14d\n  state_file: state.json\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->learning.mode, LearningMode::kEnforce);
  EXPECT_EQ(config->learning.period, 14 * 24 * 3600 * kNanosPerSecond);
  EXPECT_EQ(config->learning.state_file, (dir_ / "state.json").string());
}

TEST_F(ConfigTest, AlertSinksAreReadAndCheckedPerType) {
  auto config = load(R"(
alerts:
  suppression_window: 30m
  renotify_interval: 4h
  resolve_after: 0
  spool_dir: spool
  spool_max_bytes: 16MiB
  batch_size: 20
  retry_base: 500ms
  retry_max: 2m
  drain_timeout: 0
  sinks:
    - type: jsonl
      path: alerts.jsonl
      fsync: true
    - type: alertmanager
      urls: [http://am-1:9093, http://am-2:9093]
      labels: {site: north}
      headers: {X-Scope-OrgID: cctv}
      timeout: 5s
    - type: webhook
      name: soc
      url: https://hooks.example.org/x
      bearer_token_file: token
      one_per_request: true
    - {type: syslog, facility: local3}
    - {type: stdout}
)");
  ASSERT_TRUE(config) << config.error().message;
  const AlertsConfig& alerts = config->alerts;
  EXPECT_EQ(alerts.suppression_window, 30 * 60 * kNanosPerSecond);
  EXPECT_EQ(alerts.renotify_interval, 4 * 3600 * kNanosPerSecond);
  EXPECT_EQ(alerts.resolve_after, 0);
  EXPECT_EQ(alerts.spool_dir, (dir_ / "spool").string());
  EXPECT_EQ(alerts.spool_max_bytes, 16U << 20U);
  EXPECT_EQ(alerts.batch_size, 20U);
  EXPECT_EQ(alerts.retry_base.count(), 500);
  EXPECT_EQ(alerts.retry_max.count(), 120000);
  EXPECT_EQ(alerts.drain_timeout.count(), 0);
  ASSERT_EQ(config->alert_sinks.size(), 5U);
  EXPECT_EQ(config->alert_sinks[0].name, "jsonl");
  const auto& jsonl = sinkOptions<JsonlSinkOptions>(config->alert_sinks[0]);
  EXPECT_EQ(jsonl.path, (dir_ / "alerts.jsonl").string());
  EXPECT_TRUE(jsonl.fsync);
  const auto& alertmanager = sinkOptions<AlertmanagerSinkOptions>(config->alert_sinks[1]);
  EXPECT_EQ(alertmanager.urls.size(), 2U);
  EXPECT_EQ(alertmanager.extra_labels.at("site"), "north");
  EXPECT_EQ(alertmanager.headers, (std::vector<std::string>{"X-Scope-OrgID: cctv"}));
  EXPECT_EQ(alertmanager.timeouts.total.count(), 5000);
  EXPECT_EQ(alertmanager.timeouts.connect.count(), 3000) << "the default";
  EXPECT_EQ(config->alert_sinks[2].name, "soc");
  const auto& webhook = sinkOptions<WebhookSinkOptions>(config->alert_sinks[2]);
  EXPECT_EQ(webhook.url, "https://hooks.example.org/x");
  EXPECT_EQ(webhook.bearer_token_file, (dir_ / "token").string());
  EXPECT_TRUE(webhook.one_per_request);
  const auto& syslog = sinkOptions<SyslogSinkOptions>(config->alert_sinks[3]);
  EXPECT_EQ(syslog.facility, "local3");
  EXPECT_EQ(syslog.ident, "camwatch");
  EXPECT_EQ(syslog.socket, "/dev/log");
  EXPECT_EQ(config->alert_sinks[4].type, "stdout");
  EXPECT_EQ(config->alert_sinks[4].options, nullptr);
  const std::string describe = describeConfig(*config);
  EXPECT_NE(describe.find("renotify_interval: 4h"), std::string::npos) << describe;
  EXPECT_NE(describe.find("header: X-Scope-OrgID: (set)"), std::string::npos)
      << "header values may be secrets and must not be printed";
  EXPECT_EQ(describe.find("cctv"), std::string::npos);
}

TEST_F(ConfigTest, AlertSinkMistakesAreNamed) {
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: jsonl}\n"),
            file() + ":3:7: alerts.sinks[0].path: a jsonl sink needs a path");
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: alertmanager, urls: [am:9093]}\n"),
            file() + ":3:34: alerts.sinks[0].urls: 'am:9093': expected an http:// or https:// URL");
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: stdout}\n    - {type: stdout}\n"),
            file() +
                ":4:7: alerts.sinks[1].name: a second sink named 'stdout'; give each sink "
                "its own name");
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: webhook, url: http://x, path: y}\n"),
            file() +
                ":3:38: alerts.sinks[0].path: unknown key; expected one of: type, name, url, "
                "headers, bearer_token_file, one_per_request, connect_timeout, timeout");
  EXPECT_EQ(error("alerts:\n  retry_base: 10s\n  retry_max: 1s\n"),
            file() + ":2:3: alerts.retry_max: must not be shorter than alerts.retry_base");
}

TEST_F(ConfigTest, SyslogSinksAreReadAndChecked) {
  auto config = load(R"(
alerts:
  sinks:
    - {type: syslog, name: syslog-soc, ident: camwatch-soc, facility: local5, socket: /run/soc.sock}
    - {type: syslog, name: syslog-local, socket: sockets/log}
)");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->alert_sinks.size(), 2U);
  const auto& soc = sinkOptions<SyslogSinkOptions>(config->alert_sinks[0]);
  EXPECT_EQ(soc.ident, "camwatch-soc");
  EXPECT_EQ(soc.facility, "local5");
  EXPECT_EQ(soc.socket, "/run/soc.sock");
  // Relative, like every other path: to the config file's folder.
  EXPECT_EQ(sinkOptions<SyslogSinkOptions>(config->alert_sinks[1]).socket,
            (dir_ / "sockets/log").string());
  const std::string describe = describeConfig(*config);
  EXPECT_NE(describe.find("socket: '/run/soc.sock'"), std::string::npos) << describe;

  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: syslog, facility: kern}\n"),
            file() +
                ":3:32: alerts.sinks[0].facility: unknown syslog facility 'kern'; expected "
                "daemon, user, local0..local7");
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: syslog, ident: cam watch}\n"),
            file() +
                ":3:29: alerts.sinks[0].ident: 'cam watch': use letters, digits, '_', '.' and "
                "'-' only");
  const std::string long_path = "/run/" + std::string(110, 's');
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: syslog, socket: " + long_path + "}\n"),
            file() + ":3:30: alerts.sinks[0].socket: '" + long_path +
                "': a unix socket path has 1 to 107 characters");
  EXPECT_EQ(error("alerts:\n  sinks:\n    - {type: jsonl, path: a.jsonl, socket: /dev/log}\n"),
            file() +
                ":3:36: alerts.sinks[0].socket: unknown key; expected one of: type, name, path, "
                "fsync");
}

TEST_F(ConfigTest, CaptureMetricsAndLoggingAreRead) {
  auto config = load(R"(
capture: {interfaces: [eth1, eth2], snaplen: 1518, buffer_size: 256MiB, bpf: "not port 22",
          promiscuous: false, workers: 2}
metrics: {listen: "[::]:9200", max_destinations: 50}
logging: {level: debug, format: json}
)");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->capture.interfaces, (std::vector<std::string>{"eth1", "eth2"}));
  EXPECT_EQ(config->capture.snaplen, 1518U);
  EXPECT_EQ(config->capture.buffer_mib, 256U);
  EXPECT_EQ(config->capture.bpf, "not port 22");
  EXPECT_FALSE(config->capture.promiscuous);
  EXPECT_EQ(config->metrics.listen, "[::]:9200");
  EXPECT_EQ(config->metrics.max_destinations, 50U);
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_EQ(config->logging.format, "json");
  // Port 0: the kernel picks one (run logs "metrics at URL" with the port it got).
  auto any_port = load("metrics: {listen: \"127.0.0.1:0\"}\n");
  ASSERT_TRUE(any_port) << any_port.error().message;
  EXPECT_EQ(any_port->metrics.listen, "127.0.0.1:0");
  EXPECT_EQ(error("metrics:\n  listen: 127.0.0.1:65536\n"),
            file() +
                ":2:11: metrics.listen: expected host:port such as 127.0.0.1:9108 or "
                "0.0.0.0:9108, got '127.0.0.1:65536'");
  EXPECT_EQ(error("metrics:\n  listen: localhost\n"),
            file() +
                ":2:11: metrics.listen: expected host:port such as 127.0.0.1:9108 or "
                "0.0.0.0:9108, got 'localhost'");
  // TLS is a front's job (docs/metrics.md): the key is refused with the reason, not as unknown.
  const std::string tls = error("metrics:\n  tls: {certificate: /etc/camwatch/metrics.pem}\n");
  EXPECT_EQ(tls.rfind(file() + ":2:8: metrics.tls: camwatch does not serve TLS itself", 0), 0U)
      << tls;
  EXPECT_NE(tls.find("stunnel"), std::string::npos) << tls;
  EXPECT_EQ(error("logging:\n  level: verbose\n"),
            file() +
                ":2:10: logging.level: expected trace, debug, info, warn or error, got "
                "'verbose'");
}

}  // namespace
}  // namespace camwatch

namespace camwatch {
namespace {

TEST_F(ConfigTest, CloudNamesFileAndRegistrableDomainsAreChecked) {
  std::ofstream(dir_ / "names.csv") << "cloud,name,scope,source\n"
                                       "Dahua_Imou,easy4ipcloud.com,domain,test\n";
  auto config = load(
      "dpi:\n  cloud_names_file: names.csv\npolicy:\n  default:\n    rules:\n"
      "      - name: vendor\n        action: allow\n"
      "        registrable_domains: [hik-connect.com]\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->dpi.cloud_names_file, (dir_ / "names.csv").string());
  ASSERT_EQ(config->policy_groups.size(), 1U);
  ASSERT_EQ(config->policy_groups[0].rules.size(), 1U);
  EXPECT_EQ(config->policy_groups[0].rules[0].registrable_domains,
            (std::vector<std::string>{"hik-connect.com"}));

  std::ofstream(dir_ / "names.csv") << "cloud,name,scope,source\n"
                                       "Dahua_Imou,p2p.easy4ipcloud.com,domain,test\n";
  EXPECT_EQ(error("dpi:\n  cloud_names_file: names.csv\n"),
            file() + ": dpi.cloud_names_file: " + (dir_ / "names.csv").string() +
                ":2: name 'p2p.easy4ipcloud.com': is not a registrable domain: its registrable "
                "domain is 'easy4ipcloud.com'");
  EXPECT_EQ(error("policy:\n  default:\n    rules:\n      - name: r\n"
                  "        registrable_domains: [co.uk]\n"),
            file() +
                ": policy: group 'default', rule 'r': registrable domain 'co.uk': is a public "
                "suffix (anyone can register names under it), not one owner's domain");
}

TEST_F(ConfigTest, DestinationDriftIsOffOrASeverity) {
  auto config = load("policy:\n  default:\n    destination_drift: info\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->policy_groups[0].destination_drift, Severity::kInfo);
  config = load("policy:\n  default:\n    hardcoded_address: warning\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->policy_groups[0].destination_drift.has_value());  // off unless set
  EXPECT_EQ(error("policy:\n  default:\n    destination_drift: yes\n"),
            file() +
                ":3:24: policy.default.destination_drift: expected off, info, warning or critical, "
                "got 'yes'");
}

TEST_F(ConfigTest, HardcodedAddressIsOffOrASeverity) {
  auto config = load("policy:\n  default:\n    hardcoded_address: critical\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->policy_groups[0].hardcoded_address, Severity::kCritical);
  config = load("policy:\n  default:\n    hardcoded_address: off\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->policy_groups[0].hardcoded_address.has_value());
  EXPECT_EQ(error("policy:\n  default:\n    hardcoded_address: loud\n"),
            file() +
                ":3:24: policy.default.hardcoded_address: expected off, info, warning or critical, "
                "got 'loud'");
}

TEST_F(ConfigTest, SensorCountryIsTwoLettersStoredUpperCase) {
  EXPECT_EQ(defaultConfig().sensor_country, "");
  auto config = load("sensor:\n  name: s\n  country: gb\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sensor_country, "GB");
  EXPECT_NE(describeConfig(*config).find("sensor:\n  name: s\n  country: GB\n"), std::string::npos);
  EXPECT_EQ(
      error("sensor:\n  country: GBR\n"),
      file() + ":2:12: sensor.country: 'GBR': expected two letters (ISO 3166-1 alpha-2, e.g. GB)");
  EXPECT_EQ(
      error("sensor:\n  country: \"\"\n"),
      file() + ":2:12: sensor.country: '': expected two letters (ISO 3166-1 alpha-2, e.g. GB)");
}

// resolvers, external_resolver and encrypted_dns per group; dpi.doh_resolvers_file. Mistakes name
// the file, line and key (a bad line of the DoH file names that file's line too).
TEST_F(ConfigTest, ResolversAndEncryptedDnsAreReadAndChecked) {
  auto config = load("policy:\n  default: {}\n");
  ASSERT_TRUE(config) << config.error().message;
  const GroupPolicy& defaults = config->policy_groups[0];
  EXPECT_FALSE(defaults.resolvers.has_value());  // the site's own
  EXPECT_EQ(defaults.external_resolver, Severity::kWarning);
  EXPECT_EQ(defaults.encrypted_dns, Severity::kWarning);
  EXPECT_TRUE(config->dpi.doh_resolvers_file.empty());

  std::ofstream(dir_ / "doh.csv") << "provider,entry,scope,source\n"
                                     "Google,dns.google,host,test\n"
                                     "Google,8.8.8.8,address,test\n";
  config = load(
      "dpi:\n  doh_resolvers_file: doh.csv\npolicy:\n  default:\n"
      "    resolvers: [192.168.10.1, \"2001:db8::/32\"]\n"
      "    external_resolver: critical\n    encrypted_dns: off\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->dpi.doh_resolvers_file, (dir_ / "doh.csv").string());
  const GroupPolicy& group = config->policy_groups[0];
  ASSERT_TRUE(group.resolvers.has_value());
  ASSERT_EQ(group.resolvers->size(), 2U);
  EXPECT_EQ((*group.resolvers)[0].toString(), "192.168.10.1/32");
  EXPECT_EQ(group.external_resolver, Severity::kCritical);
  EXPECT_FALSE(group.encrypted_dns.has_value());
  config = load("policy:\n  default:\n    resolvers: []\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->policy_groups[0].resolvers->empty());  // no resolver at all

  EXPECT_EQ(error("policy:\n  default:\n    resolvers: [192.168.10.1/8]\n"),
            file() +
                ":3:17: policy.default.resolvers[0]: '192.168.10.1/8': host bits set (did you "
                "mean 192.0.0.0/8?)");
  EXPECT_EQ(error("policy:\n  default:\n    encrypted_dns: maybe\n"),
            file() +
                ":3:20: policy.default.encrypted_dns: expected off, info, warning or critical, "
                "got 'maybe'");
  EXPECT_EQ(error("policy:\n  default:\n    external_resolver: [off]\n"),
            file() + ":3:24: policy.default.external_resolver: expected a single value");
  std::ofstream(dir_ / "doh.csv") << "provider,entry,scope,source\n"
                                     "Google,dns.google,host,test\n"
                                     "Google,8.8.8.300,address,test\n";
  EXPECT_EQ(error("dpi:\n  doh_resolvers_file: doh.csv\n"),
            file() + ": dpi.doh_resolvers_file: " + (dir_ / "doh.csv").string() +
                ":3: entry '8.8.8.300': not an IPv4 or IPv6 address");
  EXPECT_EQ(error("dpi:\n  doh_resolvers_file: absent.csv\n"),
            file() + ": dpi.doh_resolvers_file: " + (dir_ / "absent.csv").string() +
                ": cannot open: No such file or directory");
}

}  // namespace
}  // namespace camwatch
