// info_commands: the two commands that only print, `camwatch check-config` (the effective config
// and what was learnt so far) and `camwatch version` (camwatch's and its libraries' versions).
#pragma once

#include <string>

namespace camwatch::cli {

/// `camwatch check-config -c PATH`: one file, with its effective config; or, when PATH is a
/// directory, every `*.yaml` in it (not below), one line per file ("FILE: OK" or the error),
/// for a fleet's site configs. @return the exit code (cli/cli.h): kExitUsage when any is bad.
int checkConfigCommand(const std::string& path);

/// `camwatch version`. @return kExitOk.
int versionCommand();

}  // namespace camwatch::cli
