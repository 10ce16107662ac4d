// Ports without bind-then-close picking (issue 15): a server a test starts binds port 0 itself
// and the test asks the kernel which port it got (listeningTcpPorts), and a URL that must refuse
// connections points at a port the test holds (RefusingLoopbackPort). A port picked by binding 0
// and closing again may be taken by a parallel test before the server binds it; freeLoopbackPort
// does that, for the servers that must be told their port and cannot bind 0 and say which.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace camwatch::testkit {

/// The TCP ports process `pid` listens on (IPv4 and IPv6, any address), ascending, each once:
/// the inodes of its sockets (the "socket:[N]" links in /proc/PID/fd) matched against the LISTEN
/// rows of /proc/PID/net/tcp and tcp6 (its own network namespace's tables). Empty before it has
/// bound, or when /proc/PID cannot be read (it exited). Unlike a server's log line, this does not
/// depend on what its version prints for ":0".
std::vector<int> listeningTcpPorts(pid_t pid);

struct SpawnedServer {
  pid_t pid = -1;     ///< -1 when it could not be started
  std::string error;  ///< why not, naming the binary
};

/// Starts `binary` with `args`, its standard output and error appended to `log_path`, and
/// returns once the exec has happened. Until then the child is a copy of the test process
/// holding every socket the test has open, listening ones included, which listeningTcpPorts
/// would report as the server's; and none of the test's descriptors is passed on to the server.
SpawnedServer spawnServer(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path);

/// A port on 127.0.0.1 nobody uses now: the kernel's pick for a socket of `type` (SOCK_STREAM,
/// SOCK_DGRAM), released again; 0 when none could be bound. Bind-then-close (see above): only for
/// a server that takes its port on the command line or in its config and cannot report a port it
/// picked (nfcapd, rsyslogd), or for a UDP port nothing should listen on.
int freeLoopbackPort(int type);

/// A TCP port on 127.0.0.1 that refuses connections for as long as this object lives: a socket
/// bound to a port the kernel picks that never listens, so a connection gets a reset. It is
/// bound without SO_REUSEADDR, so no one else can bind the port meanwhile (Linux lets a second
/// socket share a port only when both ask for it). For "the server is down" URLs in tests.
class RefusingLoopbackPort {
 public:
  /// Throws std::runtime_error when no socket can be bound.
  RefusingLoopbackPort();
  ~RefusingLoopbackPort();
  RefusingLoopbackPort(const RefusingLoopbackPort&) = delete;
  RefusingLoopbackPort& operator=(const RefusingLoopbackPort&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:PORT"
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace camwatch::testkit
