// config/: the composition root of the configuration: Config (every section), its loading and
// `check-config` text, and each component's options cut from it (component_options.h).
//
// The one YAML file that configures camwatch (docs/configuration.md). Loaded on the
// control thread; every error names the file, line, key and what was expected, and unknown keys
// are errors (with a "did you mean").
//
// Config is the composition of every section, so it is private to the composition root: only
// cli/, config/ and runtime/ include it (scripts/layout_lint.sh). The other components take
// their own section or options, cut from it by config/component_options.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/egress_budget.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/logging_config.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

#include "alert/alerts_config.h"
#include "export/ipfix_exporter.h"
#include "sinks/sink_registry.h"

namespace camwatch {

/// `capture:`, the live sensor's interfaces (read by `camwatch run`).
struct CaptureConfig {
  std::vector<std::string> interfaces;  ///< camera VLAN mirror/SPAN ports; required by `run`
  std::uint32_t snaplen = 262'144;      ///< bytes kept per packet
  std::uint32_t buffer_mib = 64;        ///< kernel ring per worker
  std::string bpf;                      ///< capture filter; "" = everything
  bool promiscuous = true;
  unsigned workers = 0;  ///< fanout workers per interface; 0 = one per CPU core
};

/// `groups.<name>`: which cameras belong to a group, and its egress budget.
struct CameraGroupConfig {
  CameraGroupSpec membership;
  EgressBudget egress_budget;  ///< bytes 0 = no budget
};

/// `metrics:`, the Prometheus endpoint of `camwatch run`.
struct MetricsConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:9108";  ///< host:port; the sensor's own address to be scraped
  std::uint32_t max_destinations = 1000;  ///< cap on per-destination label sets (cardinality)
  std::string username;                   ///< basic auth on /metrics; empty = none
  std::string password_file;              ///< the password, read at start; required with username
};

/// `replay:` what a replay's summary, report and destinations CSV itemise at most, so its memory
/// stays bounded whatever the capture holds; flows beyond are in every total, and counted.
struct ReplayLimitsConfig {
  std::size_t max_hosts = 100'000;             ///< addresses: top talkers, Internet destinations
  std::size_t max_destination_rows = 100'000;  ///< camera x destination rows
  std::size_t max_timelines = 1'000;           ///< cameras with an egress timeline in the report
};

struct Config {
  std::string source = "(built-in defaults)";  ///< the file it came from
  /// `source` and every file it includes, in the order read (yaml/config_document.h).
  std::vector<std::string> source_files;
  /// Values from secret-named environment variables (`${AM_PASSWORD}`), which describeConfig()
  /// prints as `<hidden>`; longest first.
  std::vector<std::string> hidden_values;
  std::string sensor_name;  ///< default: the host name
  /// `sensor.country`: the site's home country (ISO 3166-1 alpha-2, upper case), so the report
  /// can say which operators' jurisdictions are foreign; "" = not set.
  std::string sensor_country;
  /// `sensor.user`: the user `camwatch run` switches to once its capture handles are open, when
  /// started as root; "" = stay (systemd starts it as its own user already).
  std::string run_as_user;
  unsigned workers = 0;              ///< 0 = one per CPU core
  ReplayLimitsConfig replay_limits;  ///< `replay:` max_hosts, max_destination_rows, max_timelines
  FlowTableConfig flows;
  DpiConfig dpi;  ///< protocols_file is resolved against the config file's folder
  DnsCacheConfig dns;
  GeoDatabasePaths geoip;                 ///< resolved against the config file's folder; "" = none
  std::uint32_t geo_cache_size = 16'384;  ///< entries per worker
  /// AS -> operator, parent and the parent's country (geoip.operators_file); "" = none.
  std::string operators_file;
  CaptureConfig capture;
  std::string oui_file;  ///< MAC prefix -> vendor CSV; "" = none
  /// `inventory:` minus the OUI file, plus the groups' membership rules from `groups:`.
  InventoryConfig inventory;
  bool alert_unknown_devices = false;  ///< `inventory.alert_unknown_devices`
  /// `inventory.max_cameras`: cameras each worker and the alert engine keep state for; a camera
  /// seen beyond it is still judged and alerted, but not listed, budgeted or reported as new.
  std::size_t max_cameras = 16'384;
  Severity unknown_device_severity = Severity::kWarning;
  std::vector<CameraGroupConfig> groups;  ///< `groups:`, in file order
  EgressBudget default_egress_budget;     ///< `groups.default.egress_budget`
  LearningConfig learning;
  AlertsConfig alerts;
  std::vector<SinkSpec> alert_sinks;  ///< `alerts.sinks`; none: only `--alerts`, summary
  MetricsConfig metrics;
  /// `export.ipfix`: the flow records to an IPFIX collector (docs/ipfix.md); unset = none.
  std::optional<IpfixExportOptions> ipfix_export;
  LoggingConfig logging;
  /// `policy:`, one entry per camera group; without the section, one group "default" with the
  /// vendor-cloud catalog on and every other egress denied (alerted). loadConfig() validates it
  /// through PolicyEngine::create, so a loaded config always makes a valid engine.
  std::vector<GroupPolicy> policy_groups;
};

/// The configuration used when no file is given.
Config defaultConfig();

/// Loads and validates `path`.
Result<Config> loadConfig(const std::string& path);

/// The effective configuration as YAML, for `camwatch check-config`.
std::string describeConfig(const Config& config);

}  // namespace camwatch
