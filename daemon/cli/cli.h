// cli/: the commands (CLI11): `run`, `replay` and what it writes (flows, alerts, summary, CSV,
// report, metrics), `check-config`, `version` and `baseline` (show, remove, learn, export).
// main() only calls runCli().
// Exit codes (runtime/exit_codes.h): 0 ok, 1 runtime failure, 2 usage or config error.
#pragma once

#include "runtime/exit_codes.h"

namespace camwatch {

int runCli(int argc, char** argv);

}  // namespace camwatch
