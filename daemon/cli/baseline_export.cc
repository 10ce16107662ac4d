// `camwatch baseline export`: the learned baseline as a MUD file or an nftables ruleset, to
// standard output or --output FILE.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include <camwatch/baseline.h>

#include "cli/baseline_command.h"
#include "cli/cli.h"
#include "config/config.h"
#include "policy/mud.h"
#include "policy/nftables_export.h"

namespace camwatch::cli {
namespace {

Timestamp wallClockNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int writeOut(const std::string& output, const std::string& text) {
  if (output.empty() || output == "-") {
    std::cout << text << std::flush;
    return kExitOk;
  }
  std::ofstream file(output, std::ios::out | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "camwatch: " << output << ": cannot write: " << std::strerror(errno) << '\n';
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int baselineExportCommand(const BaselineArgs& args) {
  auto config = loadConfig(args.config_path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  const std::string& state_file = config->learning.state_file;
  if (state_file.empty()) {
    std::cerr << "camwatch: " << args.config_path
              << ": learning.state_file is not set: the baseline lives there\n";
    return kExitUsage;
  }
  auto baseline = LearnedBaseline::load(state_file);
  if (!baseline) {
    std::cerr << "camwatch: " << baseline.error().message << '\n';
    return kExitUsage;
  }
  const std::vector<std::string> learnt = baseline->groupNames();
  std::string known;
  for (const std::string& name : learnt) known += (known.empty() ? "" : ", ") + name;
  if (!args.group.empty() && std::find(learnt.begin(), learnt.end(), args.group) == learnt.end()) {
    std::cerr << "camwatch: " << state_file << ": no group '" << args.group
              << "' learnt (learnt: " << (known.empty() ? std::string("none") : known) << ")\n";
    return kExitUsage;
  }
  if (args.format == "mud") {
    if (args.group.empty()) {
      std::cerr << "camwatch: --format mud describes one group: name it with --group (learnt: "
                << (known.empty() ? std::string("none") : known) << ")\n";
      return kExitUsage;
    }
    // RFC 8520: MUD URLs use the https scheme.
    if (!args.mud_url.empty() && !args.mud_url.starts_with("https://")) {
      std::cerr << "camwatch: --mud-url " << args.mud_url
                << ": a MUD URL must be an https URL (RFC 8520)\n";
      return kExitUsage;
    }
    MudExportOptions options;
    options.group = args.group;
    options.last_update = wallClockNow();
    options.mud_url = args.mud_url;
    return writeOut(args.output, mudProfileJson(baseline->destinations(args.group), options));
  }
  std::vector<NftablesGroup> groups;
  for (const std::string& name : learnt) {
    if (!args.group.empty() && name != args.group) continue;
    groups.push_back(NftablesGroup{name, baseline->destinations(name)});
  }
  NftablesExportOptions options;
  options.generated = wallClockNow();
  options.local_networks = config->inventory.local_networks;
  return writeOut(args.output, nftablesRuleset(groups, options));
}

}  // namespace camwatch::cli
