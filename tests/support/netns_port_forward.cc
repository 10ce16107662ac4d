#include "support/netns_port_forward.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "support/netns_pair.h"

namespace camwatch::testkit {
namespace {

// Checked this often for stop(): a relay or the acceptor ends within it.
constexpr int kPollMillis = 100;

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// Writes all of `size` bytes. @return false when the peer is gone.
bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    size -= static_cast<std::size_t>(sent);
  }
  return true;
}

}  // namespace

NetnsPortForward::NetnsPortForward(std::string ns, int target_port)
    : ns_(std::move(ns)), target_port_(target_port) {}

NetnsPortForward::~NetnsPortForward() {
  stopping_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> relays;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    relays.swap(relays_);
  }
  for (std::thread& relay : relays) relay.join();
  if (listener_ >= 0) ::close(listener_);
}

std::string NetnsPortForward::start() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) return std::string("socket: ") + std::strerror(errno);
  const sockaddr_in address = loopback(0);
  if (::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener_, 16) != 0) {
    return std::string("cannot listen on 127.0.0.1:0: ") + std::strerror(errno);
  }
  sockaddr_in bound{};
  socklen_t length = sizeof(bound);
  if (::getsockname(listener_, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    return std::string("getsockname: ") + std::strerror(errno);
  }
  port_ = ntohs(bound.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
  return "";
}

void NetnsPortForward::acceptLoop() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, kPollMillis) <= 0) continue;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    // The upstream socket is made inside the namespace (only this thread enters it), so its
    // 127.0.0.1 is the namespace's loopback.
    int upstream = -1;
    {
      ScopedNetns in(ns_);
      if (in.entered()) upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    }
    const sockaddr_in target = loopback(target_port_);
    if (upstream < 0 ||
        ::connect(upstream, reinterpret_cast<const sockaddr*>(&target), sizeof(target)) != 0) {
      // As a closed port would: the client sees the connection end.
      if (upstream >= 0) ::close(upstream);
      ::close(client);
      continue;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    relays_.emplace_back([this, client, upstream] { relay(client, upstream); });
  }
}

void NetnsPortForward::relay(int client, int upstream) {
  char buffer[65536];
  pollfd ends[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  bool open = true;
  while (open && !stopping_) {
    if (::poll(ends, 2, kPollMillis) <= 0) continue;
    for (int side = 0; side < 2 && open; ++side) {
      if ((ends[side].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::recv(ends[side].fd, buffer, sizeof(buffer), 0);
      open = got > 0 && writeAll(ends[1 - side].fd, buffer, static_cast<std::size_t>(got));
    }
  }
  ::close(client);
  ::close(upstream);
}

}  // namespace camwatch::testkit
