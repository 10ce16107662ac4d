#include "support/alertmanager_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "sinks/http/http_client.h"

namespace camwatch::testkit {

using namespace std::chrono_literals;

int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

AlertmanagerProcess::AlertmanagerProcess(std::string directory, std::string binary)
    : directory_(std::move(directory)), binary_(std::move(binary)), port_(freeLoopbackPort()) {
  // group_wait 1h: nothing is ever sent on; the test reads the API only.
  std::ofstream config(directory_ + "/alertmanager.yml");
  config << "route:\n  receiver: devnull\n  group_wait: 1h\nreceivers:\n  - name: devnull\n";
}

AlertmanagerProcess::~AlertmanagerProcess() { kill(); }

std::string AlertmanagerProcess::start() {
  if (::access(binary_.c_str(), X_OK) != 0) {
    return binary_ + " is missing: run scripts/setup.sh (Debian package prometheus-alertmanager)";
  }
  const std::string config = "--config.file=" + directory_ + "/alertmanager.yml";
  const std::string storage = "--storage.path=" + directory_ + "/alertmanager-data";
  const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
  const std::string log_path = directory_ + "/alertmanager.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(binary_.c_str(), binary_.c_str(), config.c_str(), storage.c_str(), listen.c_str(),
            "--cluster.listen-address=", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto ready = httpRequest("GET", url() + "/-/ready", {}, "", HttpTimeouts{200ms, 500ms});
    if (ready && ready->status == 200) return "";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "alertmanager exited; log:\n" + log();
    }
    std::this_thread::sleep_for(50ms);
  }
  return "alertmanager not ready after 15 s; log:\n" + log();
}

void AlertmanagerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

nlohmann::json AlertmanagerProcess::alerts() const {
  auto response = httpRequest("GET", url() + "/api/v2/alerts", {}, "", HttpTimeouts{});
  if (!response || response->status != 200) return nlohmann::json::array();
  return nlohmann::json::parse(response->body);
}

std::string AlertmanagerProcess::log() const {
  std::ifstream file(directory_ + "/alertmanager.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace camwatch::testkit
