// loadConfig() on `export.ipfix` (docs/configuration.md, "export") and parseIpfixCollector(),
// which `replay --ipfix` uses too: each accepted form by value, each mistake by its message.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"
#include "export/ipfix_flow.h"

namespace camwatch {
namespace {

class ExportConfigTest : public ::testing::Test {
 protected:
  ExportConfigTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("camwatch-export-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  ~ExportConfigTest() override { std::filesystem::remove_all(dir_); }

  Result<Config> load(const std::string& yaml) {
    std::ofstream(file()) << yaml;
    return loadConfig(file());
  }
  std::string error(const std::string& yaml) {
    auto config = load(yaml);
    return config ? std::string("(loaded)") : config.error().message;
  }
  std::string file() const { return (dir_ / "camwatch.yaml").string(); }

  std::filesystem::path dir_;
};

TEST(IpfixCollectorTest, HostPortAndTransportAreParsed) {
  auto udp = parseIpfixCollector("192.0.2.10:4739");
  ASSERT_TRUE(udp) << udp.error().message;
  EXPECT_EQ(udp->host, "192.0.2.10");
  EXPECT_EQ(udp->port, 4739);
  EXPECT_EQ(udp->transport, IpfixTransport::kUdp);
  auto tcp = parseIpfixCollector("collector.example.net:2055/tcp");
  ASSERT_TRUE(tcp) << tcp.error().message;
  EXPECT_EQ(tcp->host, "collector.example.net");
  EXPECT_EQ(tcp->port, 2055);
  EXPECT_EQ(tcp->transport, IpfixTransport::kTcp);
  auto v6 = parseIpfixCollector("[2001:db8::1]:4739/udp");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "2001:db8::1");
  EXPECT_EQ(v6->transport, IpfixTransport::kUdp);
}

TEST(IpfixCollectorTest, MistakesAreNamed) {
  const auto why = [](const std::string& text) {
    auto parsed = parseIpfixCollector(text);
    return parsed ? std::string("(parsed)") : parsed.error().message;
  };
  const std::string expected = "; expected HOST:PORT, HOST:PORT/udp or HOST:PORT/tcp";
  EXPECT_EQ(why("192.0.2.10"), "IPFIX collector '192.0.2.10': no host or no port" + expected);
  EXPECT_EQ(why("192.0.2.10:0"),
            "IPFIX collector '192.0.2.10:0': port '0' is not 1 to 65535" + expected);
  EXPECT_EQ(why("192.0.2.10:70000"),
            "IPFIX collector '192.0.2.10:70000': port '70000' is not 1 to 65535" + expected);
  EXPECT_EQ(why("192.0.2.10:4739/sctp"),
            "IPFIX collector '192.0.2.10:4739/sctp': unknown transport 'sctp'" + expected);
  EXPECT_EQ(why("2001:db8::1:4739"),
            "IPFIX collector '2001:db8::1:4739': an IPv6 address goes in brackets: [::1]:4739" +
                expected);
}

TEST_F(ExportConfigTest, NoSectionMeansNoExport) {
  auto config = load("sensor: {name: north}\n");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->ipfix_export.has_value());
}

TEST_F(ExportConfigTest, IpfixSectionIsRead) {
  auto config = load(
      "export:\n  ipfix:\n    collector: 192.0.2.10:4739\n    transport: tcp\n"
      "    template_refresh: 5m\n    enterprise_number: 64500\n    observation_domain: 7\n"
      "    timeout: 250ms\n");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_TRUE(config->ipfix_export.has_value());
  const IpfixExportOptions& ipfix = *config->ipfix_export;
  EXPECT_EQ(ipfix.collector.host, "192.0.2.10");
  EXPECT_EQ(ipfix.collector.port, 4739);
  EXPECT_EQ(ipfix.collector.transport, IpfixTransport::kTcp);
  EXPECT_EQ(ipfix.template_refresh, std::chrono::seconds(300));
  EXPECT_EQ(ipfix.enterprise_number, 64500U);
  EXPECT_EQ(ipfix.observation_domain, 7U);
  EXPECT_EQ(ipfix.timeout, std::chrono::milliseconds(250));
  EXPECT_NE(describeConfig(*config).find(
                "export:\n  ipfix:\n    collector: '192.0.2.10:4739'\n    transport: tcp\n"
                "    template_refresh: 300s\n    enterprise_number: 64500\n"
                "    observation_domain: 7\n    timeout: 250ms\n"),
            std::string::npos)
      << describeConfig(*config);

  auto defaults = load("export:\n  ipfix:\n    collector: 192.0.2.10:4739/tcp\n");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->ipfix_export->collector.transport, IpfixTransport::kTcp);
  EXPECT_EQ(defaults->ipfix_export->template_refresh, std::chrono::seconds(60));
  EXPECT_EQ(defaults->ipfix_export->enterprise_number, 32473U);  // RFC 5612's documentation PEN
}

TEST_F(ExportConfigTest, IpfixMistakesNameTheKey) {
  EXPECT_EQ(error("export:\n  ipfix:\n    transport: udp\n"),
            file() + ":3:5: export.ipfix.collector: missing: the collector's HOST:PORT");
  EXPECT_EQ(error("export:\n  ipfix:\n    collector: 192.0.2.10:4739/sctp\n"),
            file() +
                ":3:16: export.ipfix.collector: IPFIX collector '192.0.2.10:4739/sctp': unknown "
                "transport 'sctp'; expected HOST:PORT, HOST:PORT/udp or HOST:PORT/tcp");
  EXPECT_EQ(error("export:\n  ipfix:\n    collector: 192.0.2.10:4739\n    transport: sctp\n"),
            file() + ":4:16: export.ipfix.transport: expected udp or tcp, got 'sctp'");
  EXPECT_NE(error("export:\n  netflow: {}\n").find("export.netflow: unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace camwatch
