// PrometheusProcess: the real Prometheus server (Debian's prometheus) on a free loopback port,
// scraping one target every second and evaluating rule files, for tests that run PromQL through
// its HTTP API as Grafana would. No mock: Prometheus's own parser and evaluator are the point.
// Never listens anywhere but 127.0.0.1.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace camwatch::testkit {

class PrometheusProcess {
 public:
  /// `directory` holds its config, data (TSDB) and log; it must outlive the process.
  explicit PrometheusProcess(std::string directory, std::string binary = "/usr/bin/prometheus");
  ~PrometheusProcess();
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Writes prometheus.yml (job "camwatch" scraping `target`, "host:port", every second; rules
  /// evaluated every second from `rule_files`), starts Prometheus and waits up to 20 s for
  /// /-/ready. @return "" when ready, else what went wrong with the end of its log.
  std::string start(const std::string& target, const std::vector<std::string>& rule_files);
  /// SIGKILL and wait.
  void kill();
  /// POST /api/v1/query with `promql` evaluated now: the JSON answer ({"status": "success",
  /// "data": {"resultType": ..., "result": [...]}} or {"status": "error", "error": ...}); an
  /// answer that is not JSON or no answer gives {"status": "error", "error": <why>}.
  nlohmann::json query(const std::string& promql) const;
  std::string log() const;

 private:
  std::string directory_;
  std::string binary_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
