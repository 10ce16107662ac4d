#include "support/listening_ports.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace camwatch::testkit {
namespace {

// The inodes of the sockets among `pid`'s open files ("socket:[12345]" links in /proc/PID/fd).
std::set<unsigned long> socketInodes(pid_t pid) {
  std::set<unsigned long> inodes;
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(fd_dir.c_str());
  if (dir == nullptr) return inodes;
  while (const dirent* entry = ::readdir(dir)) {
    char target[64];
    const std::string link = fd_dir + "/" + entry->d_name;
    const ssize_t length = ::readlink(link.c_str(), target, sizeof(target) - 1);
    if (length <= 0) continue;  // "." and "..", or a descriptor closed meanwhile
    target[length] = '\0';
    unsigned long inode = 0;
    if (std::sscanf(target, "socket:[%lu]", &inode) == 1) inodes.insert(inode);
  }
  ::closedir(dir);
  return inodes;
}

// Adds the local ports of the LISTEN rows of a /proc/net/tcp or tcp6 table whose socket is one
// of `inodes`. Rows: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
// ...", with the local address as HEXADDR:HEXPORT and the state in hex (0A is LISTEN).
void addListening(const std::string& table, const std::set<unsigned long>& inodes,
                  std::set<int>& ports) {
  std::ifstream file(table);
  std::string line;
  std::getline(file, line);  // the header
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode)) {
      continue;
    }
    if (state != "0A" || inodes.count(inode) == 0) continue;
    const std::size_t colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    ports.insert(static_cast<int>(std::stoul(local.substr(colon + 1), nullptr, 16)));
  }
}

}  // namespace

std::vector<int> listeningTcpPorts(pid_t pid) {
  const std::set<unsigned long> inodes = socketInodes(pid);
  if (inodes.empty()) return {};
  std::set<int> ports;
  const std::string net = "/proc/" + std::to_string(pid) + "/net/";
  addListening(net + "tcp", inodes, ports);
  addListening(net + "tcp6", inodes, ports);  // absent without IPv6: nothing added
  return {ports.begin(), ports.end()};
}

SpawnedServer spawnServer(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log_path) {
  // Everything the child needs is made before fork: it only makes system calls after it.
  std::vector<std::string> words = {binary};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return {-1, log_path + ": cannot open the server's log: " + std::strerror(errno)};
  // Closed by a successful exec (O_CLOEXEC): EOF tells the exec happened, an errno that it failed.
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    return {-1, binary + ": pipe: " + std::strerror(errno)};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(log_fd, 1);  // dup2's copies are not close-on-exec
    ::dup2(log_fd, 2);
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      for (int fd = 3; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // kernel before 5.11
    }
    ::execv(argv[0], argv.data());
    const int exec_errno = errno;
    (void)!::write(exec_pipe[1], &exec_errno, sizeof(exec_errno));
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(log_fd);
  ::close(exec_pipe[1]);
  if (pid < 0) {
    ::close(exec_pipe[0]);
    return {-1, binary + ": fork: " + std::strerror(fork_errno)};
  }
  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(exec_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);
  if (got > 0) {
    ::waitpid(pid, nullptr, 0);
    return {-1, binary + ": cannot execute: " + std::strerror(exec_errno)};
  }
  return {pid, ""};
}

int freeLoopbackPort(int type) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  return bound ? ntohs(address.sin_port) : 0;
}

RefusingLoopbackPort::RefusingLoopbackPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    throw std::runtime_error(std::string("refusing loopback port: socket: ") +
                             std::strerror(errno));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("refusing loopback port: cannot bind 127.0.0.1:0: " + error);
  }
  port_ = ntohs(address.sin_port);
}

RefusingLoopbackPort::~RefusingLoopbackPort() { ::close(fd_); }

}  // namespace camwatch::testkit
