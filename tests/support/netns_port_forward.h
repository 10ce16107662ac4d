// NetnsPortForward: a TCP port on the host's loopback that leads to a port on the loopback of a
// network namespace, for a server in the host namespace (Prometheus) that must reach servers
// the tests run inside namespaces (a sensor's /metrics on 127.0.0.1 of its receiver namespace).
// The test process relays the bytes itself: no host interface, address or route is made, and
// nothing listens anywhere but 127.0.0.1.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace camwatch::testkit {

class NetnsPortForward {
 public:
  /// Connections to port() are relayed to 127.0.0.1:`target_port` inside namespace `ns`.
  NetnsPortForward(std::string ns, int target_port);
  /// Stops accepting, ends every relayed connection and joins its threads.
  ~NetnsPortForward();
  NetnsPortForward(const NetnsPortForward&) = delete;
  NetnsPortForward& operator=(const NetnsPortForward&) = delete;

  /// Listens on 127.0.0.1:0 of the host namespace. @return "" or what failed.
  std::string start();
  /// The host port it listens on (0 before start()).
  int port() const { return port_; }

 private:
  void acceptLoop();
  // Copies bytes both ways until either side closes or the forward stops; closes both.
  void relay(int client, int upstream);

  std::string ns_;
  int target_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> relays_;  // guarded by mutex_
};

}  // namespace camwatch::testkit
