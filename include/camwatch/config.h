// config: the one YAML file that configures camwatch (docs/configuration.md). Loaded on the
// control thread; every error names the file, line, key and what was expected, and unknown keys
// are errors (with a "did you mean").
#pragma once

#include <string>

#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

namespace camwatch {

struct Config {
  std::string source = "(built-in defaults)";  ///< the file it came from
  std::string sensor_name;                     ///< default: the host name
  unsigned workers = 0;                        ///< 0 = one per CPU core
  FlowTableConfig flows;
  DpiConfig dpi;  ///< protocols_file is resolved against the config file's folder
  DnsCacheConfig dns;
  GeoDatabasePaths geoip;                 ///< resolved against the config file's folder; "" = none
  std::uint32_t geo_cache_size = 16'384;  ///< entries per worker
  std::string oui_file;                   ///< MAC prefix -> vendor CSV; "" = none
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
