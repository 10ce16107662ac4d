// PrometheusProcess: the real Prometheus server (Debian's prometheus) on a loopback port it binds
// itself (127.0.0.1:0, read back from its listening socket), scraping one target every second
// and evaluating rule files, for tests that run PromQL through its HTTP API as Grafana would. No
// mock: Prometheus's own parser and evaluator are the point. Never listens anywhere but
// 127.0.0.1.
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

  /// "http://127.0.0.1:PORT". Throws std::logic_error before a successful start(): the port is
  /// the one Prometheus binds, unknown until then.
  std::string url() const;

  /// Writes prometheus.yml (job "camwatch", scraped every second, its targets read from a file
  /// that setTarget() writes: none yet; rules evaluated every second from `rule_files`), starts
  /// Prometheus on 127.0.0.1:0, reads back its port and waits up to 20 s for /-/ready.
  /// `more_scrape_configs`: YAML list items ("  - job_name: ...\n") appended to scrape_configs
  /// as they are, for jobs with their own scheme, TLS and auth settings (metrics_tls_test.cc).
  /// @return "" when ready, else what went wrong with its log.
  std::string start(const std::vector<std::string>& rule_files,
                    const std::string& more_scrape_configs = "");
  /// Job "camwatch" scrapes `target` ("host:port") from now on, instead of any earlier one.
  /// Prometheus picks the change up within about a second (file discovery). The target may start
  /// after Prometheus, so a server that binds port 0 itself can say its port first.
  /// @return "" or why the targets file could not be written.
  std::string setTarget(const std::string& target);
  /// Job "camwatch" scrapes every one of `targets` from now on (one sensor each), as setTarget().
  std::string setTargets(const std::vector<std::string>& targets);
  /// SIGKILL and wait.
  void kill();
  /// POST /api/v1/query with `promql` evaluated now: the JSON answer ({"status": "success",
  /// "data": {"resultType": ..., "result": [...]}} or {"status": "error", "error": ...}); an
  /// answer that is not JSON or no answer gives {"status": "error", "error": <why>}.
  nlohmann::json query(const std::string& promql) const;
  /// The same, evaluated at `unix_time` (seconds): answers that must agree with each other are
  /// asked at one instant, so rates and rule results cannot move between them.
  nlohmann::json queryAt(const std::string& promql, double unix_time) const;
  std::string log() const;

 private:
  // POST /api/v1/query with `form` (an urlencoded body) as its body.
  nlohmann::json queryForm(const std::string& form) const;

  std::string directory_;
  std::string binary_;
  int port_ = 0;  // 0 until start() has read back the port Prometheus bound
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
