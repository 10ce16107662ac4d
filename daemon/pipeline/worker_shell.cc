#include "pipeline/worker_shell.h"

#include <algorithm>

namespace camwatch {

void WorkerShell::publish() {
  flow_.publish(counters_);
  const auto elapsed =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - started_)
                                     .count());
  const std::uint64_t idle = std::min(idle_ns_, elapsed);
  counters_.idle_ns.set(idle);
  counters_.busy_ns.set(elapsed - idle);
}

}  // namespace camwatch
