// The process exit codes of every command, `camwatch run` (runtime/) as well as the commands of
// cli/: systemd's unit and scripts tell a bad config (no restart) from a failure by them.
#pragma once

namespace camwatch {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< a runtime failure: a capture, file or sink failed
inline constexpr int kExitUsage = 2;    ///< a usage or config error: retrying cannot help

}  // namespace camwatch
