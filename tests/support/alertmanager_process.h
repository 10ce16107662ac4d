// AlertmanagerProcess: the real Alertmanager (Debian's prometheus-alertmanager) on a loopback
// port it binds itself (127.0.0.1:0, read back from its listening socket), for tests that check
// through its own API what camwatch delivered. No mock: the v2 API's validation is the point.
// Never listens anywhere but 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

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

  /// Replaces alertmanager.yml (default: one receiver that never sends, group_wait 1h). Call
  /// before start().
  void setConfig(const std::string& yaml);
  /// Cluster mode (docs/alerts.md, "Alertmanager HA"): the next start() gossips on a loopback
  /// port the kernel picks (clusterAddress()) and joins `peers` ("127.0.0.1:PORT", the other
  /// peers' clusterAddress()); `peer_timeout` is Alertmanager's --cluster.peer-timeout, how long
  /// each peer waits per position before it notifies in place of the ones before it.
  void joinCluster(std::vector<std::string> peers, std::string peer_timeout = "15s");
  /// "127.0.0.1:PORT" of the cluster listener; "" until a start() in cluster mode.
  std::string clusterAddress() const;
  /// GET /api/v2/status's "cluster": {"name", "peers": [{"name", "address"}], "status"}.
  nlohmann::json clusterStatus() const;
  /// Its notification position in the cluster: the index of its name among the peers' names,
  /// sorted, as Alertmanager orders them (0 notifies first; -1 when the status is unreachable).
  int clusterPosition() const;

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
  bool cluster_ = false;
  std::vector<std::string> peers_;
  std::string peer_timeout_;
  int cluster_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
