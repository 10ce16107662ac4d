// judgement_loader: builds what workers judge flows by (policy engine, camera inventory with its
// OUI table, GeoIP databases) from the config's sections that name them (JudgementConfig, cut by
// config/component_options.h). `replay` calls it once; `run` at start and on every SIGHUP, where
// a failure keeps the running judgement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

#include "pipeline/flow_worker.h"

namespace camwatch {

/// What the judgement is built from: `policy:`, `inventory:` with the groups' membership,
/// `geoip:`, and what the workers stamp on what they report.
struct JudgementConfig {
  std::string source;  ///< the config file, named in policy and inventory errors
  std::string sensor_name;
  /// Learning is on: workers report the flows the groups' default allows too, for the baseline.
  bool report_default_allows = false;
  GeoDatabasePaths geoip;  ///< "" = none
  std::uint32_t geo_cache_size = 16'384;
  std::vector<GroupPolicy> policy_groups;
  std::string cloud_names_file;    ///< "" = none (dpi.cloud_names_file)
  std::string doh_resolvers_file;  ///< "" = none (dpi.doh_resolvers_file)
  std::string operators_file;      ///< "" = none (geoip.operators_file)
  std::string oui_file;            ///< "" = none
  InventoryConfig inventory;
};

/// What a judgement was read from besides the config's own text, as the replay report's
/// provenance names it (docs/report.md).
struct JudgementSources {
  std::vector<GeoDatabaseInfo> geo_databases;  ///< the GeoIP databases opened, with their metadata
  std::size_t vendor_cloud_names = 0;          ///< names read from dpi.cloud_names_file
};

struct LoadedJudgement {
  FlowJudgement judgement;
  std::shared_ptr<const OuiTable> oui;  ///< null without inventory.oui_file
  /// Things worth a log line that do not stop the start (a configured GeoIP file missing).
  std::vector<std::string> warnings;
  JudgementSources sources;
};

/// Opens the GeoIP databases and the OUI file and builds the policy engine and inventory.
/// Control thread. @return them, or an error naming the file or section that failed.
Result<LoadedJudgement> loadJudgement(const JudgementConfig& config);

}  // namespace camwatch
