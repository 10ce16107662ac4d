// The summary's shared helpers: byte counts for people, replay's progress line, peak memory.
// summaryToJson() is in summary_json.cc, summaryToText() in summary_text.cc.
#include "report/summary.h"

#include <algorithm>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace camwatch {

std::uint64_t peakResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    // "VmHWM:\t  123456 kB"
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::uint64_t kib = 0;
    for (const char c : line) {
      if (c >= '0' && c <= '9') kib = kib * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return kib * 1024;
  }
  return 0;
}

std::string humanBytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string progressLine(const InputProgress& progress, double elapsed_seconds) {
  const double rate =
      elapsed_seconds > 0 ? static_cast<double>(progress.packets) / elapsed_seconds : 0.0;
  std::string line =
      fmt::format("{} packets  {}", progress.packets, humanBytes(progress.wire_bytes));
  if (progress.input_size > 0) {
    // Whole percents, never 100 before the end: a bar that says 100% must be done.
    std::uint64_t percent = progress.input_bytes_read * 100 / progress.input_size;
    if (percent >= 100 && progress.input_bytes_read < progress.input_size) percent = 99;
    line += fmt::format("  {}% of input", std::min<std::uint64_t>(percent, 100));
  }
  line += fmt::format("  {:.0f} packets/s", rate);
  return line;
}

}  // namespace camwatch
