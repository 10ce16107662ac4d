// RsyslogProcess: Debian's real rsyslogd (package rsyslog) in the foreground with a private
// config, for tests that check what a syslog sender delivered as a real syslog daemon parses it.
// It listens on a unix datagram socket in the test's directory (the system socket /dev/log is
// off, so a system rsyslogd or journald is neither used nor disturbed) and, when asked, on
// loopback UDP (imudp), TCP and TLS ports (imtcp, the TLS one with the gtls driver of Debian's
// rsyslog-gnutls); it writes each message it receives as one JSON line: facility, severity,
// program name, tag, text and the RFC 5424 fields, with the structured data parsed into JSON by
// mmpstrucdata (`$!rfc5424-sd`).
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
  std::string hostname;     ///< RFC 5424 HOSTNAME (or the sender's, for RFC 3164)
  std::string appname;      ///< RFC 5424 APP-NAME
  std::string procid;
  std::string msgid;
  /// mmpstrucdata's JSON of the structured data, {"sd-id": {"name": "value", ...}}; "" without.
  std::string sd;
};

/// Network inputs on 127.0.0.1 besides the unix socket; a port of 0 is not opened.
struct RsyslogNetwork {
  int udp_port = 0;
  int tcp_port = 0;
  int tls_port = 0;  ///< needs the three files (PEM): the server's certificate, key and CA
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

class RsyslogProcess {
 public:
  /// `directory` holds its config, socket, output and logs; it must outlive the process.
  explicit RsyslogProcess(std::string directory, std::string binary = "/usr/sbin/rsyslogd",
                          RsyslogNetwork network = {});
  ~RsyslogProcess();
  RsyslogProcess(const RsyslogProcess&) = delete;
  RsyslogProcess& operator=(const RsyslogProcess&) = delete;

  /// The unix datagram socket it reads (it exists only while rsyslogd runs, or after kill()).
  std::string socketPath() const { return directory_ + "/log.sock"; }

  /// Starts it (again: the output file is kept and appended to) and waits up to 15 s for its
  /// socket and network ports. @return "" when ready, else what went wrong with its log.
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

  bool portsOpen() const;

  std::string directory_;
  std::string binary_;
  RsyslogNetwork network_;
  pid_t pid_ = -1;
};

}  // namespace camwatch::testkit
