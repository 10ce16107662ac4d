#include "support/prometheus_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sinks/http/http_client.h"
#include "support/listening_ports.h"

namespace camwatch::testkit {
namespace {

using namespace std::chrono_literals;

// application/x-www-form-urlencoded: PromQL is full of characters a form body must escape.
std::string formEncode(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

}  // namespace

PrometheusProcess::PrometheusProcess(std::string directory, std::string binary)
    : directory_(std::move(directory)), binary_(std::move(binary)) {}

PrometheusProcess::~PrometheusProcess() { kill(); }

std::string PrometheusProcess::url() const {
  if (port_ == 0) throw std::logic_error("PrometheusProcess::url() before a successful start()");
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string PrometheusProcess::start(const std::vector<std::string>& rule_files,
                                     const std::string& more_scrape_configs) {
  if (::access(binary_.c_str(), X_OK) != 0) {
    return binary_ + " is missing: run scripts/setup.sh (Debian package prometheus)";
  }
  const std::string written = setTarget("");
  if (!written.empty()) return written;
  {
    // File discovery: Prometheus watches the file (inotify) and rereads it every second anyway.
    std::ofstream config(directory_ + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
           << "rule_files:\n";
    for (const std::string& file : rule_files) config << "  - " << file << "\n";
    config << "scrape_configs:\n  - job_name: camwatch\n    file_sd_configs:\n"
           << "      - files: ['" << directory_ << "/targets.json']\n        refresh_interval: 1s\n"
           << more_scrape_configs;
    if (!config) return directory_ + "/prometheus.yml: cannot write Prometheus's config";
  }
  const SpawnedServer spawned =
      spawnServer(binary_,
                  {"--config.file=" + directory_ + "/prometheus.yml",
                   "--storage.tsdb.path=" + directory_ + "/prometheus-data",
                   "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                  directory_ + "/prometheus.log");
  if (spawned.pid < 0) return spawned.error;
  pid_ = spawned.pid;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    // Its only listening socket is the web one.
    const std::vector<int> ports = listeningTcpPorts(pid_);
    if (port_ == 0 && ports.size() > 1) {
      kill();
      return "prometheus listens on " + std::to_string(ports.size()) +
             " ports, expected only the web one; log:\n" + log();
    }
    if (port_ == 0 && ports.size() == 1) port_ = ports.front();
    if (port_ != 0 && std::find(ports.begin(), ports.end(), port_) != ports.end()) {
      auto ready = httpRequest("GET", url() + "/-/ready", {}, "", HttpTimeouts{200ms, 500ms});
      if (ready && ready->status == 200) return "";
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "prometheus exited; log:\n" + log();
    }
    std::this_thread::sleep_for(50ms);
  }
  return "prometheus not ready after 20 s; log:\n" + log();
}

std::string PrometheusProcess::setTarget(const std::string& target) {
  return setTargets(target.empty() ? std::vector<std::string>{} : std::vector{target});
}

std::string PrometheusProcess::setTargets(const std::vector<std::string>& targets) {
  // Written aside and renamed, so Prometheus never reads half a file.
  const std::string path = directory_ + "/targets.json";
  {
    std::ofstream file(path + ".tmp");
    std::string list;
    for (const std::string& target : targets)
      list += (list.empty() ? "\"" : ", \"") + target + "\"";
    file << "[{\"targets\": [" << list << "]}]\n";
    if (!file) return path + ".tmp: cannot write Prometheus's targets";
  }
  if (std::rename((path + ".tmp").c_str(), path.c_str()) != 0) {
    return path + ": cannot rename the targets into place: " + std::strerror(errno);
  }
  return "";
}

void PrometheusProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

nlohmann::json PrometheusProcess::query(const std::string& promql) const {
  return queryForm("query=" + formEncode(promql));
}

nlohmann::json PrometheusProcess::queryAt(const std::string& promql, double unix_time) const {
  char time[32];
  std::snprintf(time, sizeof(time), "%.3f", unix_time);
  return queryForm("query=" + formEncode(promql) + "&time=" + time);
}

nlohmann::json PrometheusProcess::queryForm(const std::string& form) const {
  if (port_ == 0) return {{"status", "error"}, {"error", "prometheus was never started"}};
  auto response =
      httpRequest("POST", url() + "/api/v1/query",
                  {"Content-Type: application/x-www-form-urlencoded"}, form, HttpTimeouts{});
  if (!response) return {{"status", "error"}, {"error", response.error().message}};
  nlohmann::json answer = nlohmann::json::parse(response->body, nullptr, false);
  if (answer.is_discarded()) {
    return {{"status", "error"},
            {"error", "HTTP " + std::to_string(response->status) + ": " + response->body}};
  }
  return answer;
}

std::string PrometheusProcess::log() const {
  std::ifstream file(directory_ + "/prometheus.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace camwatch::testkit
