#include "support/rsyslog_process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
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

RsyslogProcess::RsyslogProcess(std::string directory, std::string binary)
    : directory_(std::move(directory)), binary_(std::move(binary)) {}

RsyslogProcess::~RsyslogProcess() { kill(); }

void RsyslogProcess::writeConfig() const {
  const std::string& d = directory_;
  std::ofstream config(d + "/rsyslog.conf");
  // maxMessageSize: an alert JSON may pass rsyslog's default of 8 KiB, which would cut it.
  // RateLimit.Interval 0: a test sends bursts that imuxsock's rate limit would thin out.
  // The messages go through a ruleset of their own, so rsyslogd's own messages (start, stop,
  // warnings) land in rsyslogd-internal.log for log() and never among the records.
  config << R"(global(workDirectory=")" << d << R"(" maxMessageSize="64k")
module(load="imuxsock" SysSock.Use="off")
template(name="camwatch_test" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="programname" name="programname" format="jsonf")
  property(outname="tag" name="syslogtag" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="camwatch_test") {
  action(type="omfile" file=")"
         << d << R"(/messages.jsonl" template="camwatch_test")
}
input(type="imuxsock" Socket=")"
         << socketPath() << R"(" RateLimit.Interval="0" Ruleset="camwatch_test")
action(type="omfile" file=")"
         << d << R"(/rsyslogd-internal.log")
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
    if (std::filesystem::exists(socketPath())) return "";
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "rsyslogd exited; log:\n" + log();
    }
    std::this_thread::sleep_for(20ms);
  }
  return "rsyslogd made no socket " + socketPath() + " within 15 s; log:\n" + log();
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
