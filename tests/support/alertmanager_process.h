// AlertmanagerProcess: the real Alertmanager (Debian's prometheus-alertmanager) on a loopback
// port it binds itself (127.0.0.1:0, read back from its listening socket), for tests that check
// through its own API what camwatch delivered. No mock: the v2 API's validation is the point.
// Never listens anywhere but 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <string>

#include <nlohmann/json.hpp>

namespace camwatch::testkit {

class AlertmanagerProcess {
 public:
  /// `directory` holds its config, data and log; it must outlive the process.
  explicit AlertmanagerProcess(std::string directory,
                               std::string binary = "/usr/bin/prometheus-alertmanager");
  ~AlertmanagerProcess();
  AlertmanagerProcess(const AlertmanagerProcess&) = delete;
  AlertmanagerProcess& operator=(const AlertmanagerProcess&) = delete;

  /// "http://127.0.0.1:PORT". Throws std::logic_error before the first successful start(): the
  /// port is the one Alertmanager binds, unknown until then.
  std::string url() const;

  /// Starts it and waits up to 15 s for /-/ready. The first start binds 127.0.0.1:0 and reads
  /// back the port it got; a restart after kill() binds that port again, so a sink (or a running
  /// camwatch) that holds url() reaches the restarted one, as it would a production Alertmanager.
  /// @return "" when ready, else what went wrong with its log.
  std::string start();
  /// SIGKILL and wait.
  void kill();
  /// GET /api/v2/alerts: the active alerts as Alertmanager holds them; [] when unreachable.
  nlohmann::json alerts() const;
  std::string log() const;

 private:
  std::string directory_;
  std::string binary_;
  int port_ = 0;  // 0 until the first start has bound one
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
