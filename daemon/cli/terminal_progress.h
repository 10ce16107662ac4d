// terminal_progress: what `camwatch replay` shows the person at the terminal while it runs (the
// progress line on standard error) and how it lingers after it (--linger, until a signal).
#pragma once

#include <chrono>

#include "pipeline/replay_pipeline.h"

namespace camwatch::cli {

// replay's progress line on standard error, only when it is a terminal (a log or a pipe gets
// nothing, so scripts see the same stderr as before). Redrawn in place with '\r' and erased at
// the end, so the summary that follows starts on a clean line.
class TerminalProgress {
 public:
  static bool wanted();

  // ReplayOptions::on_input: the replay's reading thread.
  void draw(const InputProgress& progress);

  void erase();

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

// replay --linger: the final figures stay up for `seconds`, so Prometheus scrapes them at least
// once more; SIGTERM or SIGINT end the wait early (and the replay exits as it would have).
void catchLingerSignals();

void linger(double seconds);

}  // namespace camwatch::cli
