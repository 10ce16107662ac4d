// SyslogAlertSink: the message format, the option checks, the errors of a send that fails, and
// delivery to Debian's real rsyslogd (tests/support/rsyslog_process.h) on a socket of the test's
// own: facility, severity, tag and text as rsyslog parses them, and a receiver that is down and
// comes back without an alert lost (the delivery's spool keeps and retries them).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/alert_json.h>

#include "alert/alert_delivery.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/syslog/syslog_message.h"
#include "support/rsyslog_process.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using namespace std::chrono_literals;
using testing::sampleAlert;
using testing::ScratchDir;
using testkit::RsyslogProcess;
using testkit::SyslogRecord;

std::string alertText(const Alert& alert) {
  return alertToJson(alert).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Alert alertWithSeverity(int n, Severity severity) {
  Alert alert = sampleAlert(n);
  alert.severity = severity;
  return alert;
}

std::string mustContain(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos ? "" : "'" + part + "' missing from: " + text;
}

// --- Format and options: no receiver needed --------------------------------------------------

TEST(SyslogMessageTest, PriorityIsFacilityTimesEightPlusSeverity) {
  EXPECT_EQ(syslogFacilityCode("user"), 1);
  EXPECT_EQ(syslogFacilityCode("daemon"), 3);
  EXPECT_EQ(syslogFacilityCode("local0"), 16);
  EXPECT_EQ(syslogFacilityCode("local3"), 19);
  EXPECT_EQ(syslogFacilityCode("local7"), 23);
  EXPECT_EQ(syslogFacilityCode("kern"), std::nullopt);
  EXPECT_EQ(syslogFacilityCode("LOCAL3"), std::nullopt);
  EXPECT_EQ(syslogSeverityCode(Severity::kCritical), 2);
  EXPECT_EQ(syslogSeverityCode(Severity::kWarning), 4);
  EXPECT_EQ(syslogSeverityCode(Severity::kInfo), 6);

  std::tm time{};
  time.tm_mon = 0;
  time.tm_mday = 5;
  time.tm_hour = 9;
  time.tm_min = 3;
  time.tm_sec = 7;
  // daemon.crit = 3 * 8 + 2; the day padded with a space, as syslog(3) writes it.
  EXPECT_EQ(formatLocalSyslogMessage(3, 2, time, "camwatch", 42, "{\"a\":1}"),
            "<26>Jan  5 09:03:07 camwatch[42]: {\"a\":1}");
  time.tm_mon = 11;
  time.tm_mday = 31;
  time.tm_hour = 23;
  EXPECT_EQ(formatLocalSyslogMessage(23, 6, time, "cw", 7, "x"), "<190>Dec 31 23:03:07 cw[7]: x");
}

TEST(SyslogMessageTest, IdentMustBeAPlainTag) {
  EXPECT_EQ(syslogIdentProblem("camwatch"), std::nullopt);
  EXPECT_EQ(syslogIdentProblem("camwatch-north_1.b"), std::nullopt);
  EXPECT_EQ(syslogIdentProblem(std::string(32, 'a')), std::nullopt);
  EXPECT_EQ(syslogIdentProblem(""), "must not be empty");
  EXPECT_NE(syslogIdentProblem(std::string(33, 'a')), std::nullopt);
  for (const char* bad : {"cam watch", "cam:watch", "cam[1]", "cam/watch"}) {
    ASSERT_NE(syslogIdentProblem(bad), std::nullopt) << bad;
    EXPECT_EQ(mustContain(*syslogIdentProblem(bad), bad), "");
  }
}

TEST(SyslogSinkOptionsTest, MistakesNameTheSinkAndTheValue) {
  SyslogSinkOptions options;
  options.name = "syslog-soc";
  options.facility = "kern";
  auto sink = SyslogAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().message,
            "alert sink syslog-soc: unknown syslog facility 'kern' (daemon, user, local0..local7)");

  options = SyslogSinkOptions{};
  options.name = "syslog-soc";
  options.ident = "cam watch";
  sink = SyslogAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_EQ(mustContain(sink.error().message, "alert sink syslog-soc: syslog ident 'cam watch'"),
            "");

  options = SyslogSinkOptions{};
  options.socket = "/tmp/" + std::string(120, 's');
  sink = SyslogAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_EQ(mustContain(sink.error().message, options.socket), "");
}

TEST(SyslogSinkErrorTest, NoSocketFailsNamingThePathAndTheErrno) {
  ScratchDir dir;
  SyslogSinkOptions options;
  options.socket = dir.path("no-such.sock");
  auto sink = SyslogAlertSink::open(options);
  ASSERT_TRUE(sink) << sink.error().message;  // opening never needs the receiver
  auto delivered = (*sink)->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(delivered);
  EXPECT_EQ(delivered.error().message,
            "alert 1 of 1: unix socket " + options.socket + ": connect: No such file or directory");
}

/// A unix datagram socket bound at `path` by the test itself: a receiver that reads only when
/// told to, for the errors a real daemon does not produce on demand.
class BoundSocket {
 public:
  explicit BoundSocket(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), path.size());
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~BoundSocket() { close(); }
  BoundSocket(const BoundSocket&) = delete;
  BoundSocket& operator=(const BoundSocket&) = delete;
  bool bound() const { return bound_; }
  /// The queued datagrams, without waiting.
  std::vector<std::string> drain() {
    std::vector<std::string> datagrams;
    char buffer[65536];
    for (ssize_t got; (got = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT)) >= 0;) {
      datagrams.emplace_back(buffer, static_cast<std::size_t>(got));
    }
    return datagrams;
  }
  /// Closes the socket; its file stays, so a connect is refused.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool bound_ = false;
};

TEST(SyslogSinkErrorTest, ClosedSocketFailsWithConnectionRefused) {
  ScratchDir dir;
  BoundSocket receiver(dir.path("log.sock"));
  ASSERT_TRUE(receiver.bound());
  receiver.close();
  SyslogSinkOptions options;
  options.socket = dir.path("log.sock");
  auto sink = std::move(*SyslogAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(delivered);
  EXPECT_EQ(delivered.error().message,
            "alert 1 of 1: unix socket " + options.socket + ": connect: Connection refused");
}

TEST(SyslogSinkErrorTest, AStreamSocketIsNamedAsTheWrongType) {
  ScratchDir dir;
  const std::string path = dir.path("stream.sock");
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.data(), path.size());
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  SyslogSinkOptions options;
  options.socket = path;
  auto sink = std::move(*SyslogAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ::close(listener);
  ASSERT_FALSE(delivered);
  EXPECT_EQ(delivered.error().message,
            "alert 1 of 1: unix socket " + path + ": connect: Protocol wrong type for socket");
}

TEST(SyslogSinkErrorTest, AReceiverThatDoesNotReadFailsTheBatchAfterTheSendTimeout) {
  ScratchDir dir;
  BoundSocket receiver(dir.path("log.sock"));
  ASSERT_TRUE(receiver.bound());
  SyslogSinkOptions options;
  options.socket = dir.path("log.sock");
  options.facility = "local3";
  options.send_timeout = 50ms;
  auto sink = std::move(*SyslogAlertSink::open(options));
  // The kernel queues only a few datagrams for a socket nobody reads (net.unix.max_dgram_qlen,
  // 10 by default, and the receive buffer), so 2000 alerts fill it whatever the settings.
  // (sampleAlert(n) makes addresses from n: it stays below 200.)
  std::vector<Alert> alerts;
  alerts.reserve(2000);
  for (int i = 0; i < 2000; ++i) alerts.push_back(alertWithSeverity(i % 200, Severity::kWarning));
  auto delivered = sink->deliver(alerts);
  ASSERT_FALSE(delivered);
  EXPECT_EQ(mustContain(delivered.error().message, "unix socket " + options.socket +
                                                       ": send: Resource temporarily unavailable "
                                                       "(the receiver did not take the message "
                                                       "within 50 ms)"),
            "");
  // What was queued is what syslog(3) would have written: local3.warning = 19 * 8 + 4.
  const auto datagrams = receiver.drain();
  ASSERT_FALSE(datagrams.empty());
  const std::string& datagram = datagrams[0];
  const std::string tag = " camwatch[" + std::to_string(::getpid()) + "]: ";
  ASSERT_GT(datagram.size(), 20 + tag.size()) << datagram;
  EXPECT_EQ(datagram.substr(0, 5), "<156>") << datagram;
  // "Mmm dd hh:mm:ss" (the clock's, so only its shape), then the tag and the alert JSON.
  const std::string stamp = datagram.substr(5, 15);
  EXPECT_NE(std::string("JanFebMarAprMayJunJulAugSepOctNovDec").find(stamp.substr(0, 3)),
            std::string::npos)
      << stamp;
  EXPECT_EQ(stamp.substr(3, 1) + stamp.substr(6, 1) + stamp.substr(9, 1) + stamp.substr(12, 1),
            "  ::")
      << stamp;
  EXPECT_EQ(datagram.substr(20, tag.size()), tag);
  EXPECT_EQ(datagram.substr(20 + tag.size()), alertText(alerts[0]));
  // Once the receiver reads again the same sink sends again.
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{alerts[0]}));
}

// --- The real rsyslogd -----------------------------------------------------------------------

class SyslogSinkRsyslogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A missing rsyslogd fails here, naming the Debian package: these tests are not optional.
    const std::string started = rsyslog_.start();
    ASSERT_EQ(started, "") << started;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "rsyslogd log:\n" << rsyslog_.log() << '\n';
  }

  SyslogSinkOptions optionsFor(const std::string& name, const std::string& ident,
                               const std::string& facility) const {
    SyslogSinkOptions options;
    options.name = name;
    options.ident = ident;
    options.facility = facility;
    options.socket = rsyslog_.socketPath();
    return options;
  }

  /// What rsyslog keeps as the text: RFC 3164 puts a space after "TAG[PID]:" and rsyslog's
  /// `msg` property starts with it.
  /// (Built by append: GCC 12 -O3 warns -Wrestrict on `" " + string`, a false positive.)
  static std::string receivedText(const Alert& alert) {
    std::string text = " ";
    return text.append(alertText(alert));
  }

  ScratchDir dir_;
  RsyslogProcess rsyslog_{dir_.path(), CAMWATCH_RSYSLOGD};
};

TEST_F(SyslogSinkRsyslogTest, EverySeverityArrivesWithFacilityTagAndText) {
  auto sink = SyslogAlertSink::open(optionsFor("syslog", "camwatch-test", "local3"));
  ASSERT_TRUE(sink) << sink.error().message;
  const std::vector<Alert> alerts = {alertWithSeverity(1, Severity::kCritical),
                                     alertWithSeverity(2, Severity::kWarning),
                                     alertWithSeverity(3, Severity::kInfo)};
  auto delivered = (*sink)->deliver(alerts);
  ASSERT_TRUE(delivered) << delivered.error().message;

  const std::vector<SyslogRecord> records = rsyslog_.waitForRecords(3);
  ASSERT_EQ(records.size(), 3U);
  const std::string tag = "camwatch-test[" + std::to_string(::getpid()) + "]:";
  const std::vector<std::string> severities = {"crit", "warning", "info"};
  const std::vector<int> priorities = {19 * 8 + 2, 19 * 8 + 4, 19 * 8 + 6};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(records[i].facility, "local3");
    EXPECT_EQ(records[i].severity, severities[i]);
    EXPECT_EQ(records[i].pri, priorities[i]);
    EXPECT_EQ(records[i].programname, "camwatch-test");
    EXPECT_EQ(records[i].tag, tag);
    EXPECT_EQ(records[i].msg, receivedText(alerts[i]));
    EXPECT_EQ(*alertFromJson(nlohmann::json::parse(records[i].msg)), alerts[i]);
  }
}

TEST_F(SyslogSinkRsyslogTest, SinksKeepTheirOwnFacilityAndIdent) {
  // syslog(3) has one process-wide ident and facility; each of these sinks has its own.
  auto soc = std::move(*SyslogAlertSink::open(optionsFor("syslog-soc", "camwatch-soc", "local5")));
  auto ops = std::move(*SyslogAlertSink::open(optionsFor("syslog-ops", "camwatch-ops", "daemon")));
  ASSERT_TRUE(soc->deliver(std::vector<Alert>{alertWithSeverity(1, Severity::kCritical)}));
  ASSERT_EQ(rsyslog_.waitForRecords(1).size(), 1U);
  ASSERT_TRUE(ops->deliver(std::vector<Alert>{alertWithSeverity(2, Severity::kInfo)}));
  const auto records = rsyslog_.waitForRecords(2);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].facility, "local5");
  EXPECT_EQ(records[0].severity, "crit");
  EXPECT_EQ(records[0].programname, "camwatch-soc");
  EXPECT_EQ(records[0].msg, receivedText(alertWithSeverity(1, Severity::kCritical)));
  EXPECT_EQ(records[1].facility, "daemon");
  EXPECT_EQ(records[1].severity, "info");
  EXPECT_EQ(records[1].programname, "camwatch-ops");
  EXPECT_EQ(records[1].msg, receivedText(alertWithSeverity(2, Severity::kInfo)));
}

TEST_F(SyslogSinkRsyslogTest, ARestartedReceiverIsFoundAgainWithoutAFailure) {
  auto sink = std::move(*SyslogAlertSink::open(optionsFor("syslog", "camwatch", "local3")));
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{sampleAlert(1)}));
  ASSERT_EQ(rsyslog_.waitForRecords(1).size(), 1U);
  // rsyslogd makes a new socket at the same path: the sink's connection points at the old one.
  rsyslog_.stop();
  ASSERT_EQ(rsyslog_.start(), "");
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(2)});
  ASSERT_TRUE(delivered) << delivered.error().message;
  const auto records = rsyslog_.waitForRecords(2);
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].msg, receivedText(sampleAlert(1)));
  EXPECT_EQ(records[1].msg, receivedText(sampleAlert(2)));
}

TEST_F(SyslogSinkRsyslogTest, ReceiverDownAndBackLosesNoAlert) {
  const SyslogSinkOptions options = optionsFor("syslog", "camwatch", "local3");
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::move(*SyslogAlertSink::open(options)));
  DeliveryOptions delivery_options;
  delivery_options.batch_size = 4;
  delivery_options.retry.jitter = false;
  auto created = AlertDelivery::create(dir_.path("spool"), AlertSpoolOptions{}, std::move(sinks),
                                       delivery_options);
  ASSERT_TRUE(created) << created.error().message;
  AlertDelivery& delivery = **created;
  // The clock is the test's: each step is an hour later, past any backoff.
  auto now = DeliveryClock::time_point{} + 1h;

  std::vector<Alert> alerts;
  const Severity severities[] = {Severity::kCritical, Severity::kWarning, Severity::kInfo};
  const char* const severity_names[] = {"crit", "warning", "info"};
  alerts.reserve(10);
  for (int i = 0; i < 10; ++i) alerts.push_back(alertWithSeverity(i, severities[i % 3]));

  // Down, stopped: rsyslogd removed its socket (ENOENT).
  rsyslog_.stop();
  ASSERT_FALSE(delivery.enqueueAll(std::span(alerts).first(6)).write_error);
  DeliveryStep step = delivery.runOnce(now);
  ASSERT_EQ(step.log_lines.size(), 1U);
  EXPECT_EQ(mustContain(step.log_lines[0],
                        "unix socket " + options.socket + ": connect: No such file or directory"),
            "");
  EXPECT_EQ(delivery.spool().pendingCount(0), 6U);

  // Down, killed: the socket file is left with nobody reading it (ECONNREFUSED).
  ASSERT_EQ(rsyslog_.start(), "");
  rsyslog_.kill();
  ASSERT_FALSE(delivery.enqueueAll(std::span(alerts).subspan(6)).write_error);
  now += 1h;
  step = delivery.runOnce(now);
  ASSERT_EQ(step.log_lines.size(), 1U);
  EXPECT_EQ(mustContain(step.log_lines[0],
                        "unix socket " + options.socket + ": connect: Connection refused"),
            "");
  EXPECT_EQ(delivery.spool().pendingCount(0), 10U);
  EXPECT_EQ(delivery.counters(0).failed.load(), 2U);
  EXPECT_EQ(delivery.counters(0).sent.load(), 0U);
  EXPECT_TRUE(rsyslog_.records().empty());

  // Back: the delivery loop's next runs send every spooled alert.
  ASSERT_EQ(rsyslog_.start(), "");
  for (int i = 0; i < 20 && delivery.spool().pendingCount(0) > 0; ++i) {
    now += 1h;
    step = delivery.runOnce(now);
    for (const std::string& line : step.log_lines) std::cerr << line << '\n';
  }
  EXPECT_EQ(delivery.spool().pendingCount(0), 0U);
  EXPECT_EQ(delivery.counters(0).sent.load(), 10U);
  EXPECT_EQ(delivery.counters(0).failed.load(), 2U);

  // A last alert sent after them marks the end: when it is there, everything before it is too,
  // so "exactly once" is not a matter of how long the test waited.
  const Alert last = alertWithSeverity(99, Severity::kInfo);
  auto marker = SyslogAlertSink::open(options);
  ASSERT_TRUE((*marker)->deliver(std::vector<Alert>{last}));
  const auto records = rsyslog_.waitForRecords(alerts.size() + 1);
  ASSERT_EQ(records.size(), alerts.size() + 1);
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    EXPECT_EQ(records[i].msg, receivedText(alerts[i])) << "record " << i;
    EXPECT_EQ(records[i].severity, severity_names[i % 3]);
    EXPECT_EQ(records[i].facility, "local3");
  }
  EXPECT_EQ(records.back().msg, receivedText(last));
}

}  // namespace
}  // namespace camwatch
