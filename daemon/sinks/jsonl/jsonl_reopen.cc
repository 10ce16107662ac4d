#include "sinks/jsonl/jsonl_reopen.h"

#include <algorithm>
#include <atomic>
#include <csignal>

#include "sinks/jsonl/jsonl_alert_sink.h"

namespace camwatch {
namespace {

// Written before the handler is installed, read only by it.
constexpr std::size_t kMaxReopenSinks = 16;
JsonlAlertSink* g_reopen_sinks[kMaxReopenSinks] = {};
std::atomic<std::size_t> g_reopen_count{0};

extern "C" void onSighup(int /*signal*/) {
  const std::size_t count = g_reopen_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < count; ++i) g_reopen_sinks[i]->requestReopen();
}

}  // namespace

void reopenOnSighup(std::span<JsonlAlertSink* const> sinks) {
  if (sinks.empty() || g_reopen_count.load() != 0) return;
  const std::size_t count = std::min(sinks.size(), kMaxReopenSinks);
  for (std::size_t i = 0; i < count; ++i) g_reopen_sinks[i] = sinks[i];
  g_reopen_count.store(count, std::memory_order_release);
  struct sigaction action = {};
  action.sa_handler = onSighup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &action, nullptr);
}

void reopenAlertLogFiles() { onSighup(SIGHUP); }

}  // namespace camwatch
