#include "export/collector_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "util/socket_connect.h"

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
  Result<int> fd = connectSocket(collector_.host, collector_.port,
                                 collector_.transport == IpfixTransport::kTcp, timeout_);
  if (!fd) return makeError(fmt::format("IPFIX collector {}: {}", name_, fd.error().message));
  fd_ = *fd;
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
