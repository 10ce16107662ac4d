#include "sinks/syslog/unix_datagram_sender.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/durable_file.h"

namespace camwatch {

static_assert(UnixDatagramSender::kMaxPathLength == sizeof(sockaddr_un::sun_path) - 1);

UnixDatagramSender::UnixDatagramSender(std::string path, std::chrono::milliseconds send_timeout)
    : path_(std::move(path)), send_timeout_(send_timeout) {}

UnixDatagramSender::~UnixDatagramSender() { disconnect(); }

void UnixDatagramSender::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<void> UnixDatagramSender::connect() {
  if (path_.empty() || path_.size() > kMaxPathLength) {
    return makeError(fmt::format("unix socket '{}': the path must have 1 to {} characters", path_,
                                 kMaxPathLength));
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return makeError(fmt::format("unix socket {}: socket: {}", path_, errnoText(errno)));
  }
  // Blocking with a timeout rather than non-blocking: a receiver that is only slow gets the time
  // to drain its queue, one that hangs fails the batch after the timeout instead of forever.
  timeval timeout{};
  timeout.tv_sec = static_cast<time_t>(send_timeout_.count() / 1000);
  timeout.tv_usec = static_cast<suseconds_t>((send_timeout_.count() % 1000) * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) != 0) {
    const int error = errno;
    ::close(fd);
    return makeError(fmt::format("unix socket {}: SO_SNDTIMEO: {}", path_, errnoText(error)));
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path_.data(), path_.size());
  while (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    ::close(fd);
    // EPROTOTYPE: a stream socket (some syslog-ng setups); this sender speaks datagrams only.
    return makeError(fmt::format("unix socket {}: connect: {}", path_, errnoText(error)));
  }
  fd_ = fd;
  return {};
}

int UnixDatagramSender::sendOnce(std::string_view datagram) {
  for (;;) {
    if (::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0) return 0;
    if (errno != EINTR) break;
  }
  const int error = errno;
  disconnect();
  return error;
}

Result<void> UnixDatagramSender::send(std::string_view datagram) {
  const bool was_connected = fd_ >= 0;
  if (!was_connected) {
    if (auto connected = connect(); !connected) return connected;
  }
  int error = sendOnce(datagram);
  // A connection that worked before may point at a socket the receiver replaced when it
  // restarted (ECONNREFUSED, ENOTCONN): try a fresh one once. Not after a timeout (the receiver
  // is there but busy) nor for a message too large: a new connection changes neither.
  if (error != 0 && was_connected && error != EAGAIN && error != EWOULDBLOCK && error != EMSGSIZE) {
    if (auto connected = connect(); !connected) return connected;
    error = sendOnce(datagram);
  }
  if (error == 0) return {};
  if (error == EAGAIN || error == EWOULDBLOCK) {
    return makeError(
        fmt::format("unix socket {}: send: {} (the receiver did not take the message within {} ms)",
                    path_, errnoText(error), send_timeout_.count()));
  }
  // EMSGSIZE: larger than the socket takes (net.core.wmem_max).
  return makeError(fmt::format("unix socket {}: send of {} bytes: {}", path_, datagram.size(),
                               errnoText(error)));
}

}  // namespace camwatch
