#include "export/collector_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace camwatch {

CollectorConnection::CollectorConnection(IpfixCollector collector,
                                         std::chrono::milliseconds timeout)
    : collector_(std::move(collector)), timeout_(timeout) {
  const bool v6 = collector_.host.find(':') != std::string::npos;
  name_ = fmt::format("{}{}{}:{}/{}", v6 ? "[" : "", collector_.host, v6 ? "]" : "",
                      collector_.port, ipfixTransportName(collector_.transport));
}

CollectorConnection::~CollectorConnection() { close(); }

void CollectorConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<void> CollectorConnection::fail(const std::string& what, int error) {
  return makeError(fmt::format("IPFIX collector {}: {}: {}", name_, what, std::strerror(error)));
}

Result<void> CollectorConnection::open() {
  close();
  const bool tcp = collector_.transport == IpfixTransport::kTcp;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(collector_.port);
  if (const int rc = ::getaddrinfo(collector_.host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    return makeError(fmt::format("IPFIX collector {}: cannot resolve '{}': {}", name_,
                                 collector_.host, ::gai_strerror(rc)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  const addrinfo& address = *addresses;
  fd_ = ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                 address.ai_protocol);
  if (fd_ < 0) return fail("socket", errno);
  if (::connect(fd_, address.ai_addr, address.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const int error = errno;
      close();
      return fail("connect", error);
    }
    // A TCP connect in progress: wait for it, at most the timeout.
    pollfd wait{fd_, POLLOUT, 0};
    const int ready = ::poll(&wait, 1, static_cast<int>(timeout_.count()));
    int error = ETIMEDOUT;
    if (ready > 0) {
      socklen_t length = sizeof error;
      if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    }
    if (error != 0) {
      close();
      return fail("connect", error);
    }
  }
  // Sends block from now on, each at most the timeout.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
  return {};
}

bool CollectorConnection::peerClosed() const {
  if (fd_ < 0 || collector_.transport != IpfixTransport::kTcp) return false;
  char byte = 0;
  const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

Result<void> CollectorConnection::send(std::span<const std::uint8_t> message) {
  if (fd_ < 0) return makeError(fmt::format("IPFIX collector {}: not connected", name_));
  std::size_t sent = 0;
  while (sent < message.size()) {
    const ssize_t n = ::send(fd_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno == EAGAIN ? ETIMEDOUT : errno;
      if (collector_.transport == IpfixTransport::kTcp) close();
      return fail("send", error);
    }
    sent += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace camwatch
