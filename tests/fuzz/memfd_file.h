// MemFile: the fuzz input as a file with a path (/proc/self/fd/N of a memfd), for the readers
// that open a path (loadConfig, CaptureFile). Nothing touches the disk; closing it frees it.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace camwatch::fuzz {

class MemFile {
 public:
  MemFile(const char* name, const std::uint8_t* data, std::size_t size)
      : fd_(memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    std::size_t done = 0;
    while (done < size) {
      const ssize_t wrote = ::write(fd_, data + done, size - done);
      if (wrote <= 0) {
        std::perror("write");
        std::abort();
      }
      done += static_cast<std::size_t>(wrote);
    }
    ::lseek(fd_, 0, SEEK_SET);
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace camwatch::fuzz
