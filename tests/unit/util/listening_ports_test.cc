// The test-support port helpers (tests/support/listening_ports) that the Alertmanager and
// Prometheus tests find their servers' ports with: listening sockets of this process and of a
// child are found (IPv4 and IPv6), bound-only and connected ones are not; a spawned server's
// port is its own; and a refusing port refuses connections and cannot be bound by anyone else
// while it is held.
#include "support/listening_ports.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch::testkit {
namespace {

bool contains(const std::vector<int>& ports, int port) {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// A TCP socket bound to 127.0.0.1:0, listening unless `listen` is false; closed when it goes.
class Socket {
 public:
  explicit Socket(bool listen = true) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
          (!listen || ::listen(fd_, 4) == 0) &&
          ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    port_ = ntohs(address.sin_port);
  }
  ~Socket() { close(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool ok() const { return ok_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  bool ok_ = false;
};

// connect() to 127.0.0.1:port: 0, or the errno it failed with.
int connectTo(int port, int* fd_out = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const int result =
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 ? 0 : errno;
  if (fd_out != nullptr && result == 0) {
    *fd_out = fd;
  } else {
    ::close(fd);
  }
  return result;
}

TEST(ListeningPortsTest, FindsThisProcesssListeningSocketUntilItCloses) {
  Socket listening;
  ASSERT_TRUE(listening.ok());
  // A connection to it adds sockets on the same local port that are not LISTEN ones.
  int client = -1;
  ASSERT_EQ(connectTo(listening.port(), &client), 0);
  const std::vector<int> ports = listeningTcpPorts(::getpid());
  EXPECT_TRUE(contains(ports, listening.port())) << listening.port();
  EXPECT_TRUE(std::is_sorted(ports.begin(), ports.end()));
  EXPECT_EQ(std::adjacent_find(ports.begin(), ports.end()), ports.end()) << "a port twice";
  ::close(client);
  listening.close();
  EXPECT_FALSE(contains(listeningTcpPorts(::getpid()), listening.port()));
}

TEST(ListeningPortsTest, IgnoresASocketThatIsBoundButNotListening) {
  Socket bound(/*listen=*/false);
  ASSERT_TRUE(bound.ok());
  EXPECT_FALSE(contains(listeningTcpPorts(::getpid()), bound.port()));
}

TEST(ListeningPortsTest, FindsAnIpv6ListeningSocket) {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) GTEST_SKIP() << "no IPv6 sockets here";
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    GTEST_SKIP() << "cannot bind [::1]:0 (no IPv6 loopback here)";
  }
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin6_port);
  EXPECT_TRUE(contains(listeningTcpPorts(::getpid()), port)) << port;
  ::close(fd);
}

// The case the helper is for: another process's port, and only that process's.
TEST(ListeningPortsTest, FindsExactlyTheOnePortOfAChildProcess) {
  Socket ours;  // listening in this process: not the child's, so not in its list
  ASSERT_TRUE(ours.ok());
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ours.close();
    Socket listening;
    const int port = listening.ok() ? listening.port() : 0;
    (void)!::write(ready[1], &port, sizeof(port));
    ::pause();  // until the test kills it
    ::_exit(0);
  }
  ::close(ready[1]);
  int port = 0;
  ASSERT_EQ(::read(ready[0], &port, sizeof(port)), static_cast<ssize_t>(sizeof(port)));
  ::close(ready[0]);
  EXPECT_EQ(listeningTcpPorts(child), std::vector<int>{port});
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  // Reaped: its /proc entry is gone, and so is its port.
  EXPECT_EQ(listeningTcpPorts(child), std::vector<int>{});
  EXPECT_NE(port, 0);
}

// A "server" (Python, listening on 127.0.0.1:0 and logging the port it got) started the way the
// Alertmanager and Prometheus tests start theirs: its port is found, and a listening socket of
// the test's, not close-on-exec, is neither passed on nor reported as the server's.
TEST(SpawnServerTest, ReportsTheServersOwnPortOnly) {
  const std::string python = "/usr/bin/python3";
  ASSERT_EQ(::access(python.c_str(), X_OK), 0)
      << python << " is missing: run scripts/setup.sh (Debian package python3)";
  const int ours = ::socket(AF_INET, SOCK_STREAM, 0);  // inheritable, unlike the helpers' sockets
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(ours, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(ours, 4), 0);
  ASSERT_EQ(::getsockname(ours, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int our_port = ntohs(address.sin_port);

  const std::string log =
      std::filesystem::temp_directory_path() / ("spawn-test-" + std::to_string(::getpid()));
  std::filesystem::remove(log);
  const SpawnedServer server = spawnServer(python,
                                           {"-c",
                                            "import socket, time\n"
                                            "s = socket.socket()\n"
                                            "s.bind(('127.0.0.1', 0))\n"
                                            "s.listen()\n"
                                            "print(s.getsockname()[1], flush=True)\n"
                                            "time.sleep(60)\n"},
                                           log);
  ASSERT_GT(server.pid, 0) << server.error;
  std::vector<int> ports;
  for (int i = 0; i < 200 && ports.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ports = listeningTcpPorts(server.pid);
  }
  std::ifstream logged(log);
  int logged_port = 0;
  logged >> logged_port;
  EXPECT_EQ(ports, std::vector<int>{logged_port});
  EXPECT_FALSE(contains(ports, our_port));
  ::kill(server.pid, SIGKILL);
  ::waitpid(server.pid, nullptr, 0);
  ::close(ours);
  std::filesystem::remove(log);
}

TEST(SpawnServerTest, AMissingBinaryIsNamed) {
  const SpawnedServer server = spawnServer("/nonexistent/server", {"--flag"}, "/dev/null");
  EXPECT_EQ(server.pid, -1);
  EXPECT_NE(server.error.find("/nonexistent/server"), std::string::npos) << server.error;
  EXPECT_NE(server.error.find("No such file"), std::string::npos) << server.error;
}

TEST(RefusingLoopbackPortTest, RefusesConnectionsAndCannotBeBoundByAnyoneElse) {
  RefusingLoopbackPort refusing;
  ASSERT_GT(refusing.port(), 0);
  EXPECT_EQ(refusing.url(), "http://127.0.0.1:" + std::to_string(refusing.port()));
  EXPECT_EQ(connectTo(refusing.port()), ECONNREFUSED);
  EXPECT_FALSE(contains(listeningTcpPorts(::getpid()), refusing.port()));

  // Another socket asking to share the port (as Go's and civetweb's listeners do) still cannot
  // take it, so nobody starts listening there while it is held.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ASSERT_EQ(::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(refusing.port()));
  EXPECT_NE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  EXPECT_EQ(errno, EADDRINUSE);
  ::close(fd);
}

}  // namespace
}  // namespace camwatch::testkit
