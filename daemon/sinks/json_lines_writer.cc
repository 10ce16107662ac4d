#include "sinks/json_lines_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace camwatch {

std::string alertsToJsonLines(std::span<const Alert> alerts) {
  std::string lines;
  for (const Alert& alert : alerts) {
    lines += alertToJson(alert).dump();
    lines += '\n';
  }
  return lines;
}

Result<void> writeFully(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return makeError(fmt::format("{}: write: {}", what, std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

}  // namespace camwatch
