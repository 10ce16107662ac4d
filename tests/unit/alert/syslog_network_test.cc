// The syslog sink over the network, as a SIEM takes it: RFC 5424 with the alert as structured
// data (escaping by RFC 5424 6.3.3, octet-counted framing by RFC 6587), sent over UDP, TCP and
// TLS to Debian's real rsyslogd (tests/support/rsyslog_process.h) on loopback ports, which
// parses the structured data back into fields (mmpstrucdata): its JSON is compared with the
// alert. TLS runs with certificates the test makes with the openssl tool: a CA the sink trusts,
// and a wrong one it must refuse.
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <camwatch/alert_json.h>

#include "sinks/syslog/network_syslog_sender.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/syslog/syslog_message.h"
#include "support/listening_ports.h"
#include "support/rsyslog_process.h"
#include "support/test_certificates.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::sampleAlert;
using testing::ScratchDir;
using testkit::freeLoopbackPort;
using testkit::RsyslogNetwork;
using testkit::RsyslogProcess;
using testkit::SyslogRecord;

// --- The format, worked out by hand ------------------------------------------------------------

TEST(SyslogRfc5424Test, ParamValuesEscapeQuoteBackslashAndBracket) {
  EXPECT_EQ(escapeSdParamValue("plain"), "plain");
  EXPECT_EQ(escapeSdParamValue(R"(a"b\c]d)"), R"(a\"b\\c\]d)");
  EXPECT_EQ(escapeSdParamValue("[x] = y"), R"([x\] = y)");  // '[' and '=' need nothing
}

TEST(SyslogRfc5424Test, HeaderAndFramingAreAsTheRfcsWriteThem) {
  // 2026-01-15T09:00:00.123456Z; local3 (19) * 8 + crit (2) = 154.
  const Timestamp when = 1'768'467'600'123'456'789LL;
  EXPECT_EQ(formatRfc5424Message(19, 2, when, "sensor-1", "camwatch", 4242, "vendor_cloud",
                                 "[camwatch@32473 kind=\"vendor_cloud\"]", "{}"),
            "<154>1 2026-01-15T09:00:00.123456Z sensor-1 camwatch 4242 vendor_cloud "
            "[camwatch@32473 kind=\"vendor_cloud\"] {}");
  EXPECT_EQ(octetCountedFrame("<154>1 - - - - - - x"), "20 <154>1 - - - - - - x");
  EXPECT_EQ(syslogHeaderField("north gate\x01", 255), "northgate");
  EXPECT_EQ(syslogHeaderField("", 255), "-");
  EXPECT_EQ(syslogHeaderField(std::string(40, 'k'), 32), std::string(32, 'k'));
}

TEST(SyslogRfc5424Test, AlertStructuredDataNamesTheAlert) {
  Alert alert = sampleAlert(1);
  alert.destination.network_operator = "Example";
  alert.destination.operator_country = "NL";
  alert.rule = R"(rule:a"b\c]d)";
  EXPECT_EQ(alertStructuredData(alert, 32473),
            "[camwatch@32473 kind=\"vendor_cloud\" severity=\"critical\" status=\"firing\" "
            "camera=\"192.168.10.21\" camera_name=\"lobby-1\" camera_group=\"lobby\" "
            "destination=\"203.0.113.1\" port=\"443\" hostname=\"p2p.example-cloud.com\" "
            "country=\"DE\" operator=\"Example\" operator_country=\"NL\" "
            "rule=\"rule:a\\\"b\\\\c\\]d\" sensor=\"sensor-1\" "
            "dedup_key=\"192.168.10.21|vendor_cloud|203.0.113.1\"]");
  EXPECT_EQ(alertStructuredData(alert, 64500).substr(0, 15), "[camwatch@64500");
}

// --- Through the real rsyslogd -------------------------------------------------------------------

class SyslogNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testkit::makeTestCertificates(directory()))
        << "openssl could not make the test certificates";
    network_.udp_port = freeLoopbackPort(SOCK_DGRAM);
    network_.tcp_port = freeLoopbackPort(SOCK_STREAM);
    network_.tls_port = freeLoopbackPort(SOCK_STREAM);
    network_.tls_ca_file = dir_.path("ca.pem");
    network_.tls_cert_file = dir_.path("server.pem");
    network_.tls_key_file = dir_.path("server.key");
    rsyslog_ = std::make_unique<RsyslogProcess>(directory(), CAMWATCH_RSYSLOGD, network_);
    const std::string started = rsyslog_->start();
    ASSERT_EQ(started, "") << "(rsyslog and rsyslog-gnutls: scripts/setup.sh installs them)";
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "rsyslogd log:\n" << rsyslog_->log() << '\n';
  }

  // The scratch directory, without the trailing '/' rsyslogd would warn about.
  std::string directory() const {
    std::string path = dir_.path("");
    path.pop_back();
    return path;
  }

  SyslogSinkOptions optionsFor(SyslogTransport transport) const {
    SyslogSinkOptions options;
    options.name = "siem";
    options.ident = "camwatch";
    options.facility = "local3";
    options.transport = transport;
    options.server_host = "127.0.0.1";
    options.server_port =
        static_cast<std::uint16_t>(transport == SyslogTransport::kUdp   ? network_.udp_port
                                   : transport == SyslogTransport::kTcp ? network_.tcp_port
                                                                        : network_.tls_port);
    options.tls_ca_file = dir_.path("ca.pem");
    return options;
  }

  // The alerts one test sends: one with the characters RFC 5424 escapes in its rule and name.
  static std::vector<Alert> alerts() {
    std::vector<Alert> sent = {sampleAlert(1), sampleAlert(2)};
    sent[1].severity = Severity::kWarning;
    sent[1].kind = AlertKind::kDisallowedDestination;
    sent[1].rule = R"(rule:no "cloud" \ [test])";
    sent[1].destination.network_operator = "Alibaba";
    sent[1].destination.operator_country = "CN";
    sent[1].camera.name = "gate]cam";
    return sent;
  }

  // What rsyslog must file for `alert`: the structured data's fields, worked out from the alert's
  // members (not from the sink's formatting).
  static std::map<std::string, std::string> expectedFields(const Alert& alert) {
    const char* severity = alert.severity == Severity::kCritical ? "critical" : "warning";
    return {{"kind", std::string(alertKindName(alert.kind))},
            {"severity", severity},
            {"status", "firing"},
            {"camera", alert.camera.ip.toString()},
            {"camera_name", alert.camera.name},
            {"camera_group", alert.camera.group},
            {"destination", alert.destination.ip->toString()},
            {"port", std::to_string(alert.destination.port)},
            {"hostname", alert.destination.hostname},
            {"country", alert.destination.country},
            {"operator", alert.destination.network_operator},
            {"operator_country", alert.destination.operator_country},
            {"rule", alert.rule},
            {"sensor", alert.sensor},
            {"dedup_key", alert.dedup_key}};
  }

  void expectDelivered(SyslogTransport transport) {
    auto sink = SyslogAlertSink::open(optionsFor(transport));
    ASSERT_TRUE(sink) << sink.error().message;
    const std::vector<Alert> sent = alerts();
    auto delivered = (*sink)->deliver(sent);
    ASSERT_TRUE(delivered) << delivered.error().message;
    const std::vector<SyslogRecord> records = rsyslog_->waitForRecords(sent.size());
    ASSERT_EQ(records.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const SyslogRecord& record = records[i];
      const Alert& alert = sent[i];
      SCOPED_TRACE(std::string(syslogTransportName(transport)) + " alert " + std::to_string(i));
      // local3 (19) * 8 + crit (2) or warning (4).
      EXPECT_EQ(record.pri, 19 * 8 + (alert.severity == Severity::kCritical ? 2 : 4));
      EXPECT_EQ(record.appname, "camwatch");
      EXPECT_EQ(record.procid, std::to_string(::getpid()));
      EXPECT_EQ(record.msgid, alertKindName(alert.kind));
      const nlohmann::json sd = nlohmann::json::parse(record.sd, nullptr, false);
      ASSERT_TRUE(sd.is_object()) << record.sd;
      ASSERT_TRUE(sd.contains("camwatch@32473")) << record.sd;
      using Fields = std::map<std::string, std::string>;
      EXPECT_EQ(sd.at("camwatch@32473").get<Fields>(), expectedFields(alert));
      // The message is the alert's JSON, whole.
      EXPECT_EQ(nlohmann::json::parse(record.msg, nullptr, false), alertToJson(alert))
          << record.msg;
    }
  }

  ScratchDir dir_;
  RsyslogNetwork network_;
  std::unique_ptr<RsyslogProcess> rsyslog_;
};

TEST_F(SyslogNetworkTest, UdpDeliversStructuredDataRsyslogParsesBack) {
  expectDelivered(SyslogTransport::kUdp);
}

TEST_F(SyslogNetworkTest, TcpDeliversOctetCountedMessages) {
  expectDelivered(SyslogTransport::kTcp);
}

TEST_F(SyslogNetworkTest, TlsDeliversToAServerTheCaVouchesFor) {
  expectDelivered(SyslogTransport::kTls);
}

TEST_F(SyslogNetworkTest, TlsRefusesAServerAnotherCaSigned) {
  SyslogSinkOptions options = optionsFor(SyslogTransport::kTls);
  options.tls_ca_file = dir_.path("other-ca.pem");
  auto sink = std::move(*SyslogAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(delivered);
  EXPECT_NE(
      delivered.error().message.find("alert 1 of 1: syslog 127.0.0.1:" +
                                     std::to_string(network_.tls_port) + "/tls: TLS handshake: "),
      std::string::npos)
      << delivered.error().message;
  EXPECT_NE(delivered.error().message.find("certificate"), std::string::npos)
      << delivered.error().message;
  EXPECT_TRUE(rsyslog_->records().empty());
}

TEST_F(SyslogNetworkTest, TcpReceiverDownFailsTheBatchAndIsFoundAgain) {
  auto sink = std::move(*SyslogAlertSink::open(optionsFor(SyslogTransport::kTcp)));
  rsyslog_->stop();
  auto refused = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "alert 1 of 1: syslog 127.0.0.1:" + std::to_string(network_.tcp_port) +
                "/tcp: connect: Connection refused");
  ASSERT_EQ(rsyslog_->start(), "");
  // The delivery offers the batch again: it arrives once the receiver is back.
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1), sampleAlert(2)});
  ASSERT_TRUE(delivered) << delivered.error().message;
  // TCP syslog has no acknowledgement: what rsyslogd had not read when it stopped is lost, so
  // it reads them first.
  ASSERT_EQ(rsyslog_->waitForRecords(2).size(), 2U);
  // A receiver restarted under an open connection: the next send finds the new one.
  rsyslog_->stop();
  ASSERT_EQ(rsyslog_->start(), "");
  delivered = sink->deliver(std::vector<Alert>{sampleAlert(3)});
  ASSERT_TRUE(delivered) << delivered.error().message;
  const auto records = rsyslog_->waitForRecords(3);
  ASSERT_EQ(records.size(), 3U);
  EXPECT_EQ(nlohmann::json::parse(records[2].msg), alertToJson(sampleAlert(3)));
}

TEST(SyslogNetworkOptionsTest, ANetworkTransportNeedsAServer) {
  SyslogSinkOptions options;
  options.name = "siem";
  options.transport = SyslogTransport::kTls;
  auto sink = SyslogAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().message, "alert sink siem: syslog over tls needs a server HOST:PORT");
}

}  // namespace
}  // namespace camwatch
