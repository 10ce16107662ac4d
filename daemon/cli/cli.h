// The command line: `camwatch replay|run|check-config|version`. main() only calls runCli().
// Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
#pragma once

namespace camwatch {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int runCli(int argc, char** argv);

}  // namespace camwatch
