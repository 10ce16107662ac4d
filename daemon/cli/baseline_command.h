// baseline_command: `camwatch baseline show|remove|learn|export`, the review of what the learned
// baseline holds and the way from it to enforcement (docs/enforcement.md): list it per group as a
// table or JSON, drop an entry, learn from capture files, and write it as a MUD profile (RFC 8520)
// or an nftables ruleset.
#pragma once

#include <string>
#include <vector>

namespace camwatch::cli {

struct BaselineArgs {
  std::string config_path;
  std::string group;                  ///< --group; empty: every group (show, nftables)
  bool json = false;                  ///< show --json
  std::string entry;                  ///< remove: a hostname or an address
  std::string format;                 ///< export --format: mud or nftables
  std::string output;                 ///< export --output FILE; empty: standard output
  std::string mud_url;                ///< export --mud-url: where the MUD file will be published
  std::string bpf;                    ///< learn --bpf
  std::vector<std::string> captures;  ///< learn
};

/// Each: @return the exit code (cli/cli.h).
int baselineShowCommand(const BaselineArgs& args);
int baselineRemoveCommand(const BaselineArgs& args);
int baselineLearnCommand(const BaselineArgs& args);
int baselineExportCommand(const BaselineArgs& args);

}  // namespace camwatch::cli
