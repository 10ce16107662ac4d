// The syslog sink's network keys (docs/alerts.md, "syslog"): `transport`, `server`, `format`,
// `enterprise_number` and the TLS files, read by value, and each mistake by its message.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"
#include "sinks/sink_registry.h"
#include "sinks/syslog/syslog_alert_sink.h"

namespace camwatch {
namespace {

class SyslogNetworkConfigTest : public ::testing::Test {
 protected:
  SyslogNetworkConfigTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("camwatch-syslog-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  ~SyslogNetworkConfigTest() override { std::filesystem::remove_all(dir_); }

  Result<Config> load(const std::string& yaml) {
    std::ofstream(file()) << yaml;
    return loadConfig(file());
  }
  std::string error(const std::string& sink) {
    auto config = load("alerts:\n  sinks:\n    - " + sink + "\n");
    return config ? std::string("(loaded)") : config.error().message;
  }
  std::string file() const { return (dir_ / "camwatch.yaml").string(); }

  std::filesystem::path dir_;
};

TEST_F(SyslogNetworkConfigTest, NetworkTransportsAreRead) {
  auto config = load(R"(
alerts:
  sinks:
    - {type: syslog, name: siem-udp, transport: udp, server: 192.0.2.5}
    - {type: syslog, name: siem-tcp, transport: tcp, server: "siem.example.net:1514"}
    - {type: syslog, name: siem-tls, transport: tls, server: "[2001:db8::5]", tls_ca_file: ca.pem,
       enterprise_number: 64500}
    - {type: syslog, name: local, format: rfc5424}
)");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->alert_sinks.size(), 4U);
  const auto& udp = sinkOptions<SyslogSinkOptions>(config->alert_sinks[0]);
  EXPECT_EQ(udp.transport, SyslogTransport::kUdp);
  EXPECT_EQ(udp.server_host, "192.0.2.5");
  EXPECT_EQ(udp.server_port, 514);  // RFC 5426's port
  EXPECT_TRUE(udp.rfc5424);
  const auto& tcp = sinkOptions<SyslogSinkOptions>(config->alert_sinks[1]);
  EXPECT_EQ(tcp.transport, SyslogTransport::kTcp);
  EXPECT_EQ(tcp.server_host, "siem.example.net");
  EXPECT_EQ(tcp.server_port, 1514);
  const auto& tls = sinkOptions<SyslogSinkOptions>(config->alert_sinks[2]);
  EXPECT_EQ(tls.transport, SyslogTransport::kTls);
  EXPECT_EQ(tls.server_host, "2001:db8::5");
  EXPECT_EQ(tls.server_port, 6514);  // RFC 5425's port
  EXPECT_EQ(tls.tls_ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(tls.enterprise_number, 64500U);
  const std::string describe = describeConfig(*config);
  EXPECT_NE(describe.find("      transport: tls\n      server: '[2001:db8::5]:6514'\n"
                          "      format: rfc5424\n      enterprise_number: 64500\n"
                          "      tls_ca_file: '" +
                          (dir_ / "ca.pem").string() + "'\n"),
            std::string::npos)
      << describe;
  const auto& local = sinkOptions<SyslogSinkOptions>(config->alert_sinks[3]);
  EXPECT_EQ(local.transport, SyslogTransport::kUnix);
  EXPECT_TRUE(local.rfc5424);
  EXPECT_EQ(local.enterprise_number, 32473U);
}

TEST_F(SyslogNetworkConfigTest, MistakesNameTheKey) {
  EXPECT_EQ(error("{type: syslog, transport: tcp}"),
            file() + ":3:7: alerts.sinks[0].server: missing: the syslog collector's HOST:PORT");
  EXPECT_EQ(
      error("{type: syslog, transport: relp, server: a}"),
      file() + ":3:33: alerts.sinks[0].transport: expected unix, udp, tcp or tls, got 'relp'");
  EXPECT_EQ(
      error("{type: syslog, server: a:514}"),
      file() + ":3:30: alerts.sinks[0].server: set transport: udp, tcp or tls to use a server");
  EXPECT_EQ(error("{type: syslog, transport: udp, server: 'a:0'}"),
            file() + ":3:46: alerts.sinks[0].server: 'a:0': the port is not 1 to 65535");
  EXPECT_EQ(error("{type: syslog, transport: tcp, server: a, format: rfc3164}"),
            file() +
                ":3:57: alerts.sinks[0].format: a network transport sends RFC 5424 (the "
                "structured data a SIEM files)");
  EXPECT_EQ(error("{type: syslog, transport: tcp, server: a, tls_ca_file: ca.pem}"),
            file() + ":3:62: alerts.sinks[0].tls_ca_file: only for transport: tls");
}

}  // namespace
}  // namespace camwatch
