#include "sinks/jsonl/jsonl_alert_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "sinks/json_lines_writer.h"
#include "util/durable_file.h"

namespace camwatch {

Result<std::unique_ptr<JsonlAlertSink>> JsonlAlertSink::open(const JsonlSinkOptions& options) {
  std::unique_ptr<JsonlAlertSink> sink(new JsonlAlertSink(options));
  if (auto opened = sink->reopen(); !opened) return tl::unexpected(opened.error());
  return sink;
}

JsonlAlertSink::~JsonlAlertSink() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> JsonlAlertSink::reopen() {
  const int fd = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return makeError(
        fmt::format("alert sink {}: {}: open: {}", options_.name, options_.path, errnoText(errno)));
  }
  // Open the new file before closing the old one: if the open fails, alerts still go somewhere.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return {};
}

Result<void> JsonlAlertSink::deliver(std::span<const Alert> alerts) {
  if (reopen_requested_.exchange(false, std::memory_order_relaxed)) {
    if (auto opened = reopen(); !opened) return opened;
  }
  const std::string what = fmt::format("alert sink {}: {}", options_.name, options_.path);
  if (auto written = writeAll(fd_, alertsToJsonLines(alerts), what); !written) return written;
  if (options_.fsync && ::fdatasync(fd_) != 0) {
    return makeError(fmt::format("alert sink {}: {}: fdatasync: {}", options_.name, options_.path,
                                 errnoText(errno)));
  }
  return {};
}

}  // namespace camwatch
