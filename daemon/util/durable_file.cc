#include "util/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace camwatch {
namespace {

// Writes `text` to `temp`, flushes it to disk and closes it.
Result<void> writeDurably(const std::string& temp, std::string_view text) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return makeError(fmt::format("{}: open: {}", temp, errnoText(errno)));
  auto written = writeAll(fd, text, temp);
  if (written && ::fsync(fd) != 0) {
    written = makeError(fmt::format("{}: fsync: {}", temp, errnoText(errno)));
  }
  // NFS and some FUSE file systems report a failed write-back only at close.
  if (::close(fd) != 0 && written) {
    written = makeError(fmt::format("{}: close: {}", temp, errnoText(errno)));
  }
  return written;
}

}  // namespace

std::string errnoText(int error) { return std::strerror(error); }

Result<void> writeAll(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return makeError(fmt::format("{}: write: {}", what, errnoText(errno)));
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return {};
}

Result<void> syncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return makeError(fmt::format("{}: open: {}", directory, errnoText(errno)));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return makeError(fmt::format("{}: fsync: {}", directory, errnoText(error)));
  return {};
}

tl::expected<std::string, ReadFileError> readWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(ReadFileError{"open", errno});
  std::string text;
  char chunk[8192];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return tl::unexpected(ReadFileError{"read", error});
    }
    if (got == 0) break;
    text.append(chunk, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

Result<void> writeFileAtomically(const std::string& path, std::string_view text) {
  const std::string temp = path + ".tmp";
  if (auto written = writeDurably(temp, text); !written) {
    ::unlink(temp.c_str());
    return written;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return makeError(fmt::format("{}: rename from {}: {}", path, temp, errnoText(error)));
  }
  // Built in one go: assigning "." afterwards trips GCC 12's -Wrestrict false positive at -O2.
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return syncDirectory(parent.empty() ? std::string(".") : parent.string());
}

}  // namespace camwatch
