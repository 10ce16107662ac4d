#include "support/alertmanager_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sinks/http/http_client.h"
#include "support/listening_ports.h"

namespace camwatch::testkit {

using namespace std::chrono_literals;

AlertmanagerProcess::AlertmanagerProcess(std::string directory, std::string binary)
    : directory_(std::move(directory)), binary_(std::move(binary)) {
  // group_wait 1h: nothing is ever sent on; the test reads the API only.
  std::ofstream config(directory_ + "/alertmanager.yml");
  config << "route:\n  receiver: devnull\n  group_wait: 1h\nreceivers:\n  - name: devnull\n";
}

AlertmanagerProcess::~AlertmanagerProcess() { kill(); }

void AlertmanagerProcess::setConfig(const std::string& yaml) {
  std::ofstream(directory_ + "/alertmanager.yml") << yaml;
}

void AlertmanagerProcess::joinCluster(std::vector<std::string> peers, std::string peer_timeout) {
  cluster_ = true;
  peers_ = std::move(peers);
  peer_timeout_ = std::move(peer_timeout);
}

std::string AlertmanagerProcess::clusterAddress() const {
  return cluster_port_ == 0 ? std::string() : "127.0.0.1:" + std::to_string(cluster_port_);
}

nlohmann::json AlertmanagerProcess::clusterStatus() const {
  if (port_ == 0) return nlohmann::json::object();
  auto response = httpRequest("GET", url() + "/api/v2/status", {}, "", HttpTimeouts{});
  if (!response || response->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(response->body).value("cluster", nlohmann::json::object());
}

int AlertmanagerProcess::clusterPosition() const {
  const nlohmann::json status = clusterStatus();
  if (!status.contains("name") || !status.contains("peers")) return -1;
  std::vector<std::string> names;
  for (const nlohmann::json& peer : status.at("peers")) names.push_back(peer.at("name"));
  std::sort(names.begin(), names.end());
  const auto self = std::find(names.begin(), names.end(), status.at("name").get<std::string>());
  return self == names.end() ? -1 : static_cast<int>(self - names.begin());
}

std::string AlertmanagerProcess::url() const {
  if (port_ == 0) throw std::logic_error("AlertmanagerProcess::url() before a successful start()");
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::string AlertmanagerProcess::start() {
  if (::access(binary_.c_str(), X_OK) != 0) {
    return binary_ + " is missing: run scripts/setup.sh (Debian package prometheus-alertmanager)";
  }
  // port_ is 0 the first time: Alertmanager binds a port the kernel picks, read back below. A
  // restart binds the port the first start got, so the URL a sink or a running camwatch holds
  // reaches the restarted one. That is a port it already held, not one picked by binding 0 and
  // closing; it is free only between kill() and here. Should a parallel test's bind(0) take it in
  // that moment, this start fails ("address already in use" in the log) rather than talk to the
  // other server: readiness only counts on this process's own listening socket.
  std::vector<std::string> args = {"--config.file=" + directory_ + "/alertmanager.yml",
                                   "--storage.path=" + directory_ + "/alertmanager-data",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
  if (cluster_) {
    // Gossip (TCP and UDP on one port) on loopback only; port 0: the kernel picks it, and
    // memberlist advertises the port it got.
    args.push_back("--cluster.listen-address=127.0.0.1:" + std::to_string(cluster_port_));
    for (const std::string& peer : peers_) args.push_back("--cluster.peer=" + peer);
    args.push_back("--cluster.peer-timeout=" + peer_timeout_);
  } else {
    args.push_back("--cluster.listen-address=");  // no cluster: the web port only
  }
  const SpawnedServer spawned = spawnServer(binary_, args, directory_ + "/alertmanager.log");
  if (spawned.pid < 0) return spawned.error;
  pid_ = spawned.pid;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    // Its only listening socket is the web one, or with the cluster on, the web one and the
    // gossip one: the web port is the one that answers /-/ready.
    const std::vector<int> ports = listeningTcpPorts(pid_);
    const std::size_t expected = cluster_ ? 2 : 1;
    if (port_ == 0 && ports.size() > expected) {
      kill();
      return "alertmanager listens on " + std::to_string(ports.size()) + " ports, expected " +
             std::to_string(expected) + "; log:\n" + log();
    }
    if (port_ == 0 && ports.size() == expected) {
      for (const int port : ports) {
        auto ready = httpRequest("GET", "http://127.0.0.1:" + std::to_string(port) + "/-/ready", {},
                                 "", HttpTimeouts{200ms, 500ms});
        if (ready && ready->status == 200) port_ = port;
      }
      if (port_ != 0 && cluster_)
        cluster_port_ = ports.front() == port_ ? ports.back() : ports.front();
    }
    if (port_ != 0 && std::find(ports.begin(), ports.end(), port_) != ports.end()) {
      auto ready = httpRequest("GET", url() + "/-/ready", {}, "", HttpTimeouts{200ms, 500ms});
      if (ready && ready->status == 200) return "";
    }
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
  if (port_ == 0) return nlohmann::json::array();  // never started: unreachable
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
