#include "support/rsyslog_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace camwatch::testkit {

using namespace std::chrono_literals;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

RsyslogProcess::RsyslogProcess(std::string directory, std::string binary, RsyslogNetwork network)
    : directory_(std::move(directory)), binary_(std::move(binary)), network_(std::move(network)) {}

RsyslogProcess::~RsyslogProcess() { kill(); }

void RsyslogProcess::writeConfig() const {
  const std::string& d = directory_;
  std::ofstream config(d + "/rsyslog.conf");
  // maxMessageSize: an alert JSON may pass rsyslog's default of 8 KiB, which would cut it.
  // RateLimit.Interval 0: a test sends bursts that imuxsock's rate limit would thin out.
  // The messages go through a ruleset of their own, so rsyslogd's own messages (start, stop,
  // warnings) land in rsyslogd-internal.log for log() and never among the records.
  const RsyslogNetwork& net = network_;
  config << R"(global(workDirectory=")" << d << R"(" maxMessageSize="64k")";
  if (net.tls_port != 0) {
    config << "\n  DefaultNetstreamDriverCAFile=\"" << net.tls_ca_file
           << "\"\n  DefaultNetstreamDriverCertFile=\"" << net.tls_cert_file
           << "\"\n  DefaultNetstreamDriverKeyFile=\"" << net.tls_key_file << "\"";
  }
  config << R"()
module(load="imuxsock" SysSock.Use="off")
module(load="mmpstrucdata")
)";
  if (net.udp_port != 0) config << "module(load=\"imudp\")\n";
  if (net.tcp_port != 0 || net.tls_port != 0) config << "module(load=\"imtcp\")\n";
  config << R"(template(name="camwatch_test" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="programname" name="programname" format="jsonf")
  property(outname="tag" name="syslogtag" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="hostname" name="hostname" format="jsonf")
  property(outname="appname" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="sd" name="$!rfc5424-sd" format="jsonf")
}
ruleset(name="camwatch_test") {
  action(type="mmpstrucdata")
  action(type="omfile" file=")"
         << d << R"(/messages.jsonl" template="camwatch_test")
}
input(type="imuxsock" Socket=")"
         << socketPath() << R"(" RateLimit.Interval="0" Ruleset="camwatch_test")
)";
  if (net.udp_port != 0) {
    config << R"(input(type="imudp" address="127.0.0.1" port=")" << net.udp_port
           << R"(" ruleset="camwatch_test"))" << '\n';
  }
  if (net.tcp_port != 0) {
    config << R"(input(type="imtcp" address="127.0.0.1" port=")" << net.tcp_port
           << R"(" ruleset="camwatch_test"))" << '\n';
  }
  if (net.tls_port != 0) {
    // RFC 5425: TLS on its own port; the client checks our certificate, we ask for none.
    config << R"(input(type="imtcp" address="127.0.0.1" port=")" << net.tls_port
           << R"(" ruleset="camwatch_test" streamDriver.name="gtls" streamDriver.mode="1" )"
           << R"(streamDriver.authMode="anon"))" << '\n';
  }
  config << R"(action(type="omfile" file=")" << d << R"(/rsyslogd-internal.log")
)";
}

std::string RsyslogProcess::start() {
  if (::access(binary_.c_str(), X_OK) != 0) {
    return binary_ + " is missing: run scripts/setup.sh (Debian package rsyslog)";
  }
  if (directory_.find('"') != std::string::npos) {
    return "rsyslogd test directory '" + directory_ + "' holds a '\"' (its config cannot)";
  }
  if (running()) return "rsyslogd is already running";
  writeConfig();
  // After kill() the old socket file is still there: readiness below means the new one.
  std::filesystem::remove(socketPath());
  const std::string config = directory_ + "/rsyslog.conf";
  const std::string pid_file = directory_ + "/rsyslogd.pid";
  const std::string log_path = directory_ + "/rsyslogd.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(binary_.c_str(), binary_.c_str(), "-n", "-f", config.c_str(), "-i", pid_file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid_ < 0) return "fork failed";
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    // imuxsock binds its socket when it activates the config, before the input thread reads:
    // datagrams sent from now on wait in the socket's queue.
    if (std::filesystem::exists(socketPath()) && portsOpen()) return "";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "rsyslogd exited; log:\n" + log();
    }
    std::this_thread::sleep_for(20ms);
  }
  return "rsyslogd made no socket " + socketPath() + " within 15 s; log:\n" + log();
}

// Whether every network input listens: its socket in /proc/net/udp or /proc/net/tcp (TCP in
// state 0A, LISTEN).
bool RsyslogProcess::portsOpen() const {
  const auto listed = [](const char* table, int port, bool listening) {
    std::ifstream file(table);
    char local[32];
    std::snprintf(local, sizeof local, "0100007F:%04X", port);
    std::string line;
    while (std::getline(file, line)) {
      if (line.find(local) == std::string::npos) continue;
      if (!listening || line.find(" 0A ") != std::string::npos) return true;
    }
    return false;
  };
  return (network_.udp_port == 0 || listed("/proc/net/udp", network_.udp_port, false)) &&
         (network_.tcp_port == 0 || listed("/proc/net/tcp", network_.tcp_port, true)) &&
         (network_.tls_port == 0 || listed("/proc/net/tcp", network_.tls_port, true));
}

void RsyslogProcess::signalAndWait(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  pid_ = -1;
}

void RsyslogProcess::stop() { signalAndWait(SIGTERM); }

void RsyslogProcess::kill() { signalAndWait(SIGKILL); }

std::vector<SyslogRecord> RsyslogProcess::records() const {
  std::vector<SyslogRecord> records;
  std::ifstream file(directory_ + "/messages.jsonl");
  std::string line;
  while (std::getline(file, line)) {
    if (file.eof()) break;  // no '\n' yet: omfile is still writing it
    const auto json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_discarded()) continue;
    SyslogRecord record;
    record.pri = std::stoi(json.value("pri", "-1"));
    record.facility = json.value("facility", "");
    record.severity = json.value("severity", "");
    record.programname = json.value("programname", "");
    record.tag = json.value("tag", "");
    record.msg = json.value("msg", "");
    record.hostname = json.value("hostname", "");
    record.appname = json.value("appname", "");
    record.procid = json.value("procid", "");
    record.msgid = json.value("msgid", "");
    record.sd = json.value("sd", "");
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<SyslogRecord> RsyslogProcess::waitForRecords(std::size_t count,
                                                         std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto found = records();
  while (found.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    found = records();
  }
  return found;
}

std::string RsyslogProcess::log() const {
  return readFile(directory_ + "/rsyslogd.log") + readFile(directory_ + "/rsyslogd-internal.log");
}

}  // namespace camwatch::testkit
