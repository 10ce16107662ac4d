#include "support/prometheus_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "sinks/http/http_client.h"
#include "support/alertmanager_process.h"

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
    : directory_(std::move(directory)), binary_(std::move(binary)), port_(freeLoopbackPort()) {}

PrometheusProcess::~PrometheusProcess() { kill(); }

std::string PrometheusProcess::start(const std::string& target,
                                     const std::vector<std::string>& rule_files) {
  if (::access(binary_.c_str(), X_OK) != 0) {
    return binary_ + " is missing: run scripts/setup.sh (Debian package prometheus)";
  }
  {
    std::ofstream config(directory_ + "/prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
           << "rule_files:\n";
    for (const std::string& file : rule_files) config << "  - " << file << "\n";
    config << "scrape_configs:\n  - job_name: camwatch\n    static_configs:\n"
           << "      - targets: ['" << target << "']\n";
  }
  const std::string config = "--config.file=" + directory_ + "/prometheus.yml";
  const std::string storage = "--storage.tsdb.path=" + directory_ + "/prometheus-data";
  const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
  const std::string log_path = directory_ + "/prometheus.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(binary_.c_str(), binary_.c_str(), config.c_str(), storage.c_str(), listen.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ready = httpRequest("GET", url() + "/-/ready", {}, "", HttpTimeouts{200ms, 500ms});
    if (ready && ready->status == 200) return "";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "prometheus exited; log:\n" + log();
    }
    std::this_thread::sleep_for(50ms);
  }
  return "prometheus not ready after 20 s; log:\n" + log();
}

void PrometheusProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

nlohmann::json PrometheusProcess::query(const std::string& promql) const {
  auto response = httpRequest("POST", url() + "/api/v1/query",
                              {"Content-Type: application/x-www-form-urlencoded"},
                              "query=" + formEncode(promql), HttpTimeouts{});
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
