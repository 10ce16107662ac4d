#include "sinks/stdout/stdout_alert_sink.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace camwatch {

Result<void> StdoutAlertSink::deliver(std::span<const Alert> alerts) {
  std::string lines;
  for (const Alert& alert : alerts) lines += alertToJson(alert).dump() + "\n";
  std::string_view rest = lines;
  while (!rest.empty()) {
    const ssize_t written = ::write(fd_, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return makeError(fmt::format("alert sink {}: write: {}", name_, std::strerror(errno)));
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

}  // namespace camwatch
