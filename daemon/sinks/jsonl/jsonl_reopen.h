// jsonl_reopen: the jsonl sinks a SIGHUP makes reopen their files (logrotate renames a file,
// then signals camwatch). A fixed list written once before the handler is installed, so the
// handler only reads it.
#pragma once

#include <span>

namespace camwatch {

class JsonlAlertSink;

/// Registers `sinks` (at most 16; the first call with any sinks wins) and installs the SIGHUP
/// handler. Call only once every sink opened, so the handler never sees a half list. The sinks
/// must outlive the process's use of SIGHUP. Control thread.
void reopenOnSighup(std::span<JsonlAlertSink* const> sinks);

/// Makes the registered jsonl sinks reopen their files before their next write, as a SIGHUP does
/// (for a process that takes SIGHUP itself, with sigwait, like `camwatch run`). Any thread.
void reopenAlertLogFiles();

}  // namespace camwatch
