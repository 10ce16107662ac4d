// RsyslogProcess: Debian's real rsyslogd (package rsyslog) in the foreground with a private
// config, for tests that check what a syslog sender delivered as a real syslog daemon parses it.
// It listens only on a unix datagram socket in the test's directory (the system socket /dev/log
// is off, so a system rsyslogd or journald is neither used nor disturbed) and writes each
// message it receives there as one JSON line: facility, severity, program name, tag and text.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace camwatch::testkit {

/// One message as rsyslogd parsed it.
struct SyslogRecord {
  int pri = -1;             ///< facility * 8 + severity
  std::string facility;     ///< "local3"
  std::string severity;     ///< "crit", "warning", "info"
  std::string programname;  ///< the TAG without "[PID]:"
  std::string tag;          ///< "camwatch[1234]:"
  std::string msg;          ///< the text after the tag, as rsyslog keeps it (leading space)
};

class RsyslogProcess {
 public:
  /// `directory` holds its config, socket, output and logs; it must outlive the process.
  explicit RsyslogProcess(std::string directory, std::string binary = "/usr/sbin/rsyslogd");
  ~RsyslogProcess();
  RsyslogProcess(const RsyslogProcess&) = delete;
  RsyslogProcess& operator=(const RsyslogProcess&) = delete;

  /// The unix datagram socket it reads (it exists only while rsyslogd runs, or after kill()).
  std::string socketPath() const { return directory_ + "/log.sock"; }

  /// Starts it (again: the output file is kept and appended to) and waits up to 15 s for its
  /// socket. @return "" when ready, else what went wrong with its log.
  std::string start();
  /// SIGTERM and wait: rsyslogd finishes its queue and removes its socket (then a sender's
  /// connect fails with ENOENT). SIGKILL if it has not ended after 15 s.
  void stop();
  /// SIGKILL and wait: the socket file stays with nobody reading it (ECONNREFUSED).
  void kill();
  bool running() const { return pid_ > 0; }

  /// Every message written so far, oldest first (a line not yet complete is left out).
  std::vector<SyslogRecord> records() const;
  /// Waits until at least `count` messages were written or `timeout` passed (a generous bound
  /// for a busy machine, not a measurement). @return records() at that moment.
  std::vector<SyslogRecord> waitForRecords(
      std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  /// Its standard output and error, and its own messages (config errors, warnings).
  std::string log() const;

 private:
  void writeConfig() const;
  void signalAndWait(int signal);

  std::string directory_;
  std::string binary_;
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
