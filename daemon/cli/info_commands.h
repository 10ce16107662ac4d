// info_commands: the two commands that only print, `camwatch check-config` (the effective config
// and what was learnt so far) and `camwatch version` (camwatch's and its libraries' versions).
#pragma once

#include <string>

namespace camwatch::cli {

/// `camwatch check-config -c PATH`. @return the exit code (cli/cli.h).
int checkConfigCommand(const std::string& path);

/// `camwatch version`. @return kExitOk.
int versionCommand();

}  // namespace camwatch::cli
