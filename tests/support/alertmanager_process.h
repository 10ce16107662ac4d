// AlertmanagerProcess: the real Alertmanager (Debian's prometheus-alertmanager) on a free
// loopback port, for tests that check through its own API what camwatch delivered. No mock: the
// v2 API's validation is the point. Never listens anywhere but 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <string>

#include <nlohmann/json.hpp>

namespace camwatch::testkit {

/// A TCP port on 127.0.0.1 nobody listens on right now (bound to 0, read, closed). The race with
/// other processes taking it a moment later is harmless on a test machine.
int freeLoopbackPort();

class AlertmanagerProcess {
 public:
  /// `directory` holds its config, data and log; it must outlive the process.
  explicit AlertmanagerProcess(std::string directory,
                               std::string binary = "/usr/bin/prometheus-alertmanager");
  ~AlertmanagerProcess();
  AlertmanagerProcess(const AlertmanagerProcess&) = delete;
  AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Starts it (again, on the same port) and waits up to 15 s for /-/ready.
  /// @return "" when ready, else what went wrong with the end of its log.
  std::string start();
  /// SIGKILL and wait.
  void kill();
  /// GET /api/v2/alerts: the active alerts as Alertmanager holds them; [] when unreachable.
  nlohmann::json alerts() const;
  std::string log() const;

 private:
  std::string directory_;
  std::string binary_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
