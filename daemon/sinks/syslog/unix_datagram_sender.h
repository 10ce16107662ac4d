// UnixDatagramSender: sends datagrams to a unix datagram socket (a syslog daemon's /dev/log) on a
// descriptor it owns, reporting every failure; syslog(3) shares one process-wide connection and
// drops a message it cannot send without saying so. Connects lazily and again after any
// failure, so a receiver that was down or restarted is found on the next send.
//
// Threads: one caller at a time (the delivery thread).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <camwatch/result.h>

#include "sinks/syslog/syslog_sender.h"

namespace camwatch {

class UnixDatagramSender final : public SyslogSender {
 public:
  /// The longest socket path (sockaddr_un's sun_path, less its terminating NUL).
  static constexpr std::size_t kMaxPathLength = 107;

  /// Does not connect yet: the receiver may come up later. `send_timeout` bounds a send that
  /// blocks because the receiver's queue is full (it is alive but not reading).
  UnixDatagramSender(std::string path, std::chrono::milliseconds send_timeout);
  ~UnixDatagramSender() override;
  UnixDatagramSender(const UnixDatagramSender&) = delete;
  UnixDatagramSender& operator=(const UnixDatagramSender&) = delete;

  /// Sends one datagram. A connection that worked before and now fails (the receiver restarted
  /// and made a new socket) is replaced once before giving up.
  /// @return an error naming the socket path and the errno text (ENOENT: nobody made the socket;
  /// ECONNREFUSED: nobody reads it; EAGAIN: the receiver did not read within the timeout).
  Result<void> send(std::string_view datagram) override;

  const std::string& path() const { return path_; }

 private:
  Result<void> connect();
  /// One send() on the connected descriptor: 0, or the errno (then disconnected).
  int sendOnce(std::string_view datagram);
  void disconnect();

  const std::string path_;
  const std::chrono::milliseconds send_timeout_;
  int fd_ = -1;
};

}  // namespace camwatch
