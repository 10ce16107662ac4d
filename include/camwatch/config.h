// config/: the YAML reader of every section of the one config file and its description for
// `check-config`; errors name the file, line and key.
//
// The one YAML file that configures camwatch (docs/configuration.md). Loaded on the
// control thread; every error names the file, line, key and what was expected, and unknown keys
// are errors (with a "did you mean").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/baseline.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/egress_budget.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/logging_config.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

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

/// `learning:`. Off: no baseline. Learn: for `period` from the first egress flow (kept in the
/// state file, so restarts continue the period) record each group's destinations, then enforce.
/// Enforce: alert `new_destination` on what the baseline does not hold.
enum class LearningMode : std::uint8_t { kOff, kLearn, kEnforce };
std::string_view learningModeName(LearningMode mode);

struct LearningConfig {
  LearningMode mode = LearningMode::kOff;
  Timestamp period = 7 * 24 * 3600 * kNanosPerSecond;
  std::string state_file;  ///< required unless mode is off; resolved against the config folder
};

/// A sink type's own settings (host, path, timeouts...): each sink type reads, describes and
/// opens its own (daemon/sinks/<type>/<type>_sink_type.cc), so this header does not list them.
struct SinkOptions {
  virtual ~SinkOptions() = default;
};

/// One entry of `alerts.sinks`.
struct AlertSinkConfig {
  std::string type;  ///< jsonl, stdout, syslog, webhook, alertmanager (daemon/sinks/sink_types.cc)
  std::string name;  ///< default: the type
  std::shared_ptr<const SinkOptions> options;  ///< the type's settings; null for stdout
};

/// `alerts:`: lifecycle, spool and sinks (docs/alerts.md).
struct AlertsConfig {
  Timestamp suppression_window = 3600 * kNanosPerSecond;
  Timestamp renotify_interval = 0;  ///< 0 = never
  Timestamp resolve_after = 3600 * kNanosPerSecond;
  /// Most active alerts one camera may have; more go to its overflow alert (0 = no cap).
  std::size_t max_active_per_camera = 256;
  /// Most active alerts in all; more go to the sensor-wide overflow alert of their kind.
  std::size_t max_active = 65'536;
  std::string spool_dir = "/var/lib/camwatch/spool";
  std::uint64_t spool_max_bytes = 64ULL << 20U;
  std::uint64_t spool_segment_bytes = 1ULL << 20U;
  std::size_t batch_size = 100;
  std::chrono::milliseconds retry_base{1000};
  std::chrono::milliseconds retry_max{300000};
  /// `camwatch replay`: how long to wait at the end for the sinks to take every alert; what is
  /// left stays in the spool for the next start.
  std::chrono::milliseconds drain_timeout{30000};
  std::vector<AlertSinkConfig> sinks;  ///< none: alerts only go to `--alerts` and the summary
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
  std::string sensor_name;                     ///< default: the host name
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
  MetricsConfig metrics;
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
