#include "support/netns_pair.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace camwatch::testkit {
namespace {

int run(const std::string& command) { return std::system(command.c_str()); }

std::string runOrSay(const std::string& command) {
  return run(command + " >/dev/null 2>&1") == 0 ? "" : "failed: " + command;
}

}  // namespace

std::string netnsUnavailableReason() {
  if (geteuid() != 0) return "needs root: creates network namespaces and captures packets";
  if (run("ip netns list >/dev/null 2>&1") != 0)
    return "`ip netns` is unavailable (iproute2 missing or no netns support)";
  if (run("command -v tcpreplay >/dev/null 2>&1") != 0) return "tcpreplay is not installed";
  return "";
}

NetnsPair::NetnsPair(const std::string& tag)
    : sender_ns_("cwlive-s-" + tag),
      receiver_ns_("cwlive-r-" + tag),
      sender_if_("cws" + tag),
      receiver_if_("cwr" + tag) {}

NetnsPair::~NetnsPair() {
  if (!created_) return;
  run("ip netns del " + sender_ns_ + " >/dev/null 2>&1");
  run("ip netns del " + receiver_ns_ + " >/dev/null 2>&1");
}

std::string NetnsPair::create() {
  if (receiver_if_.size() > 15) return "interface name too long: " + receiver_if_;
  created_ = true;
  for (const std::string& ns : {sender_ns_, receiver_ns_}) {
    if (auto failed = runOrSay("ip netns add " + ns); !failed.empty()) return failed;
    run("ip netns exec " + ns +
        " sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; "
        "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null");
    if (auto failed = runOrSay("ip -n " + ns + " link set lo up"); !failed.empty()) return failed;
  }
  return recreateVeth();
}

std::string NetnsPair::removeVeth() {
  return runOrSay(fmt::format("ip -n {} link del {}", sender_ns_, sender_if_));
}

std::string NetnsPair::recreateVeth() {
  const std::string steps[] = {
      fmt::format("ip -n {} link add {} address 02:00:00:78:00:01 type veth peer name {} address "
                  "02:00:00:78:00:02 netns {}",
                  sender_ns_, sender_if_, receiver_if_, receiver_ns_),
      fmt::format("ip -n {} link set {} up", sender_ns_, sender_if_),
      fmt::format("ip -n {} link set {} up", receiver_ns_, receiver_if_)};
  for (const std::string& step : steps) {
    if (auto failed = runOrSay(step); !failed.empty()) return failed;
  }
  return "";
}

ScopedNetns::ScopedNetns(const std::string& name) {
  self_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = ::open(("/var/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  entered_ = self_ >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0;
  if (target >= 0) ::close(target);
}

ScopedNetns::~ScopedNetns() {
  if (entered_ && setns(self_, CLONE_NEWNET) != 0) std::abort();  // never run on elsewhere
  if (self_ >= 0) ::close(self_);
}

std::string httpGetInNetns(const std::string& ns, int port, const std::string& path,
                           const std::string& authorization, int* status) {
  if (status != nullptr) *status = 0;
  int fd = -1;
  {
    ScopedNetns in(ns);
    if (!in.entered()) return "";
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return "";
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n";
  if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
  request += "\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return "";
  }
  std::string response;
  char buffer[65536];
  ssize_t got = 0;
  while ((got = ::recv(fd, buffer, sizeof(buffer), 0)) > 0)
    response.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  int code = 0;
  if (std::sscanf(response.c_str(), "HTTP/%*s %d", &code) != 1) return "";
  if (status != nullptr) *status = code;
  const std::size_t body = response.find("\r\n\r\n");
  if (code != 200 || body == std::string::npos) return "";
  return response.substr(body + 4);
}

BackgroundProcess::BackgroundProcess(const std::string& command, const std::string& log_path)
    : log_path_(log_path) {
  pid_ = ::fork();
  if (pid_ == 0) {
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    // The test may have blocked signals; the child starts with a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
}

void BackgroundProcess::signal(int number) const {
  if (pid_ > 0 && !exited_) ::kill(pid_, number);
}

bool BackgroundProcess::running() {
  if (pid_ <= 0 || exited_) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

int BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  if (!waitUntil([this] { return !running(); }, timeout)) return -1;
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string BackgroundProcess::log() const {
  std::ifstream file(log_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace camwatch::testkit
