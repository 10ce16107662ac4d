#include "app/cli.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <maxminddb.h>
#include <ndpi/ndpi_api.h>
#include <pcap/pcap.h>

#include <camwatch/alert.h>
#include <camwatch/build_info.h>
#include <camwatch/config.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>

#include "app/replay_pipeline.h"
#include "app/summary.h"
#include "sinks/flow_json.h"
#include "sinks/json_lines_writer.h"

namespace camwatch {
namespace {

struct ReplayArgs {
  std::string config_path;
  std::optional<unsigned> workers;
  std::string flows_path;
  std::string alerts_path;
  std::string summary_path;
  std::vector<std::string> captures;
};

Result<Config> configFrom(const std::string& path) {
  if (path.empty()) return defaultConfig();
  return loadConfig(path);
}

bool writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::out | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "camwatch: " << path << ": cannot write: " << std::strerror(errno) << '\n';
    return false;
  }
  return true;
}

int replayCommand(const ReplayArgs& args) {
  auto config = configFrom(args.config_path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  ReplayOptions options;
  options.captures = args.captures;
  options.flows = config->flows;
  options.dpi = config->dpi;
  options.dns = config->dns;
  options.geo_cache_size = config->geo_cache_size;
  if (!config->geoip.country_db.empty() || !config->geoip.asn_db.empty()) {
    // A configured database that is missing means no geo, said once; a broken one is an error.
    auto geo = MaxmindGeoLookup::open(config->geoip, GeoDatabaseMissing::kWarn);
    if (!geo) {
      std::cerr << "camwatch: " << geo.error().message << '\n';
      return kExitUsage;
    }
    for (const std::string& warning : (*geo)->warnings())
      std::cerr << "camwatch: " << warning << '\n';
    if ((*geo)->hasCountry() || (*geo)->hasAsn()) options.geo = std::move(*geo);
  }
  auto policy = PolicyEngine::create(config->policy_groups);
  if (!policy) {
    std::cerr << "camwatch: " << config->source << ": policy: " << policy.error().message << '\n';
    return kExitUsage;
  }
  options.policy = std::make_shared<const PolicyEngine>(std::move(*policy));
  options.sensor_name = config->sensor_name;
  std::shared_ptr<const OuiTable> oui;
  if (!config->oui_file.empty()) {
    auto table = OuiTable::load(config->oui_file);
    if (!table) {
      std::cerr << "camwatch: " << table.error().message << '\n';
      return kExitUsage;
    }
    oui = std::make_shared<const OuiTable>(std::move(*table));
  }
  options.oui = oui;
  unsigned workers = args.workers.value_or(config->workers);
  if (workers == 0) workers = std::max(1U, std::thread::hardware_concurrency());
  options.workers = workers;

  auto result = runReplay(options);
  if (!result) {
    std::cerr << "camwatch: " << result.error().message << '\n';
    return kExitFailure;
  }
  bool ok = result->errors.empty();
  const nlohmann::ordered_json summary = summaryToJson(*result);
  for (const std::string& error : result->errors) std::cerr << "camwatch: " << error << '\n';
  if (!args.flows_path.empty()) {
    const FlowNaming naming{result->namer.get(), options.geo.get(), oui.get()};
    if (auto written = writeFlowsJsonLines(args.flows_path, result->flows, naming); !written) {
      std::cerr << "camwatch: " << written.error().message << '\n';
      ok = false;
    }
  }
  if (!args.alerts_path.empty()) {
    // One JSON object per line (docs/alerts.md); with no alerts the file exists and is empty, so
    // a script can tell "nothing to report" from "not run".
    ok = writeTextFile(args.alerts_path, alertsToJsonLines(result->alerts)) && ok;
  }
  if (!args.summary_path.empty()) {
    ok = writeTextFile(args.summary_path, summary.dump(2) + "\n") && ok;
  }
  std::cout << summaryToText(*result, summary);
  return ok ? kExitOk : kExitFailure;
}

int checkConfigCommand(const std::string& path) {
  auto config = loadConfig(path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  std::cout << path << ": OK\n" << describeConfig(*config);
  return kExitOk;
}

int versionCommand() {
  std::cout << fmt::format("camwatch {} (git {})\n  nDPI {}\n  {}\n  libmaxminddb {}\n",
                           CAMWATCH_VERSION, CAMWATCH_GIT_HASH, ndpi_revision(), pcap_lib_version(),
                           MMDB_lib_version());
  return kExitOk;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"camwatch: watches the egress of camera VLANs and says when a camera phones home"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");

  ReplayArgs replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Replay capture files (pcap, pcapng) through the pipeline and print a summary");
  replay_cmd->add_option("-c,--config", replay.config_path, "Config file (YAML)")
      ->check(CLI::ExistingFile);
  replay_cmd
      ->add_option("--workers", replay.workers,
                   "Worker threads (default: from the config, else one per core)")
      ->check(CLI::Range(1, 256));
  replay_cmd->add_option("--flows", replay.flows_path,
                         "Write every flow as a JSON line to FILE ('-' for stdout)");
  replay_cmd->add_option("--alerts", replay.alerts_path, "Write alerts as JSON lines to FILE");
  replay_cmd->add_option("--summary", replay.summary_path, "Write the summary as JSON to FILE");
  replay_cmd
      ->add_option("CAPTURE", replay.captures,
                   "Capture files; several are merged in timestamp order")
      ->required();

  std::string run_config;
  std::string check_config;
  CLI::App* run_cmd = app.add_subcommand("run", "Run the live sensor");
  run_cmd->add_option("-c,--config", run_config, "Config file (YAML)")->required();
  CLI::App* check_cmd =
      app.add_subcommand("check-config", "Validate a config file and print the effective config");
  check_cmd->add_option("-c,--config", check_config, "Config file (YAML)")->required();
  CLI::App* version_cmd =
      app.add_subcommand("version", "Print versions of camwatch and its libraries");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (replay_cmd->parsed()) return replayCommand(replay);
  if (check_cmd->parsed()) return checkConfigCommand(check_config);
  if (version_cmd->parsed()) return versionCommand();
  if (run_cmd->parsed()) {
    std::cerr << "camwatch run: live capture is not built yet; use 'camwatch replay' on a "
                 "capture file\n";
    return kExitFailure;
  }
  return kExitUsage;
}

}  // namespace camwatch
