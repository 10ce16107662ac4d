// NetnsPair: two network namespaces made for one test, joined by a veth pair, for tests that
// send real packets (tcpreplay) and capture them live. Nothing on the host's own interfaces is
// touched; deleting the namespaces (the destructor) deletes the veth with them. IPv6 is off in
// both so the kernel sends nothing of its own (router solicitations, MLD): the only packets on
// the wire are the ones the test sends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace camwatch::testkit {

/// Why live tests cannot run here ("needs root ..."), or "" when they can.
std::string netnsUnavailableReason();

class NetnsPair {
 public:
  /// Names from `tag` (short: interface names have 15 characters at most).
  explicit NetnsPair(const std::string& tag);
  ~NetnsPair();
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  /// Creates both namespaces and the veth, both ends up. @return "" or what failed.
  std::string create();
  /// Deletes the veth (as when a NIC goes away); recreate() puts it back with the same names.
  std::string removeVeth();
  std::string recreateVeth();

  const std::string& senderNs() const { return sender_ns_; }
  const std::string& receiverNs() const { return receiver_ns_; }
  const std::string& senderInterface() const { return sender_if_; }
  const std::string& receiverInterface() const { return receiver_if_; }

 private:
  std::string sender_ns_;
  std::string receiver_ns_;
  std::string sender_if_;
  std::string receiver_if_;
  bool created_ = false;
};

/// Moves the calling thread into network namespace `name` until destroyed; sockets opened
/// meanwhile stay in that namespace.
class ScopedNetns {
 public:
  explicit ScopedNetns(const std::string& name);
  ~ScopedNetns();
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  bool entered() const { return entered_; }

 private:
  int self_ = -1;
  bool entered_ = false;
};

/// GET http://127.0.0.1:`port``path` from inside namespace `ns` (plain HTTP/1.0, one request).
/// @return the body, or "" when nothing answered with 200. `authorization`: an Authorization
/// header value, "" for none. `status` receives the HTTP status (0: no answer).
std::string httpGetInNetns(const std::string& ns, int port, const std::string& path,
                           const std::string& authorization = "", int* status = nullptr);

/// A program run in the background (fork + exec of /bin/sh -c `command`), its standard output
/// and error going to `log_path`. The destructor kills it (SIGKILL) if it still runs.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& command, const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int number) const;
  bool running();
  /// Waits up to `timeout` for it to exit. @return its exit code, 128 + signal when killed by
  /// one, or -1 when it still runs.
  int wait(std::chrono::milliseconds timeout);
  /// The log so far.
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

/// Waits up to `timeout` for `predicate` to be true, checking every 50 ms.
template <typename Predicate>
bool waitUntil(Predicate predicate, std::chrono::milliseconds timeout);

}  // namespace camwatch::testkit

#include <thread>

template <typename Predicate>
bool camwatch::testkit::waitUntil(Predicate predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}
