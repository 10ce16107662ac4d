#include "cli/terminal_progress.h"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "report/summary.h"

namespace camwatch::cli {

bool TerminalProgress::wanted() { return isatty(STDERR_FILENO) == 1; }

void TerminalProgress::draw(const InputProgress& progress) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::cerr << "\r\033[K"
            << "camwatch: " << progressLine(progress, elapsed) << std::flush;
  drawn_ = true;
}

void TerminalProgress::erase() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

namespace {

volatile std::sig_atomic_t g_linger_stop = 0;

extern "C" void onLingerSignal(int /*signal*/) { g_linger_stop = 1; }

}  // namespace

void catchLingerSignals() {
  struct sigaction action {};
  action.sa_handler = onLingerSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void linger(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (g_linger_stop == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace camwatch::cli
