// Issue 8, hostile input: names a camera's traffic carries (a DNS answer, an HTTP Host, a TLS
// SNI) are bytes off the wire. A DNS answer whose name held a byte that is not UTF-8 made every
// JSON writer (nlohmann's dump) throw, so `camwatch replay` aborted, and `camwatch run` would
// have died writing the alert to its spool. Names are now escaped where they are read (RFC 1035
// "\DDD" for anything but printable ASCII), and every JSON writer replaces invalid UTF-8 too.
#include <string>

#include <gtest/gtest.h>

#include <camwatch/decode.h>

#include "integration/run_command.h"
#include "support/app_payloads.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"
#include "support/scenarios.h"

namespace camwatch::integration {
namespace {

using testkit::Frame;

const std::string kCamwatch = CAMWATCH_BINARY;
const testkit::Mac kCameraMac = {0x44, 0x19, 0xb6, 0x3a, 0x51, 0x21};  // cam-lobby
const testkit::Mac kGatewayMac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};

TEST(HostileNamesTest, NamesWithBytesThatAreNotUtf8AreEscapedAndEveryOutputIsWritten) {
  TempDir dir;
  const std::string capture = dir.path("hostile.pcap");
  {
    testkit::PcapWriter writer(capture);
    Timestamp ts = testkit::kScenarioEpoch;
    // The resolver answers a name with 0xff, a control byte, a space and a backslash in it.
    const std::string name = std::string("b\xff\x01 d\\x") + ".example.com";
    writer.write(ts, Frame()
                         .eth(kGatewayMac, kCameraMac)
                         .ipv4("192.168.10.1", "192.168.10.21")
                         .udp(53, 40000)
                         .payload(testkit::dnsResponse(
                             7, name, testkit::kDnsTypeA,
                             {testkit::DnsRecord{name, testkit::kDnsTypeA, "45.33.0.5", 300}}))
                         .build());
    // The camera then talks to that address: the flow is named from the answer.
    for (int i = 0; i < 3; ++i) {
      ts += kNanosPerSecond;
      writer.write(ts, Frame()
                           .eth(kCameraMac, kGatewayMac)
                           .ipv4("192.168.10.21", "45.33.0.5")
                           .udp(40001, 4444)
                           .payload(64)
                           .build());
    }
    // An HTTP request and a TLS ClientHello with such bytes in Host and SNI.
    ts += kNanosPerSecond;
    writer.write(ts, Frame()
                         .eth(kCameraMac, kGatewayMac)
                         .ipv4("192.168.10.21", "45.33.0.6")
                         .tcp(40002, 80, kTcpPsh | kTcpAck)
                         .payload(testkit::httpGet("h\xfe\"q.example.net"))
                         .build());
    ts += kNanosPerSecond;
    testkit::ClientHelloOptions hello;
    hello.sni = "s\xc3\x28\x7f.example.org";
    writer.write(ts, Frame()
                         .eth(kCameraMac, kGatewayMac)
                         .ipv4("192.168.10.21", "45.33.0.7")
                         .tcp(40003, 443, kTcpPsh | kTcpAck)
                         .payload(testkit::tlsClientHello(hello))
                         .build());
    writer.close();
  }
  const std::string config = writeGroundTruthConfigWithGeo(dir);
  const CommandResult run = runCommand(
      kCamwatch + " replay " + shellQuote(capture) + " -c " + shellQuote(config) + " --flows " +
      shellQuote(dir.path("flows.jsonl")) + " --alerts " + shellQuote(dir.path("alerts.jsonl")) +
      " --summary " + shellQuote(dir.path("summary.json")) + " --destinations " +
      shellQuote(dir.path("destinations.csv")) + " --report " +
      shellQuote(dir.path("report.html")));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  // Every JSON output parses (nlohmann's parser rejects invalid UTF-8).
  const nlohmann::json flows = readJsonLines(dir.path("flows.jsonl"));
  const nlohmann::json alerts = readJsonLines(dir.path("alerts.jsonl"));
  const nlohmann::json summary = nlohmann::json::parse(readFile(dir.path("summary.json")));
  EXPECT_EQ(summary["packets"], 6);
  ASSERT_EQ(flows.size(), 4U);  // DNS, the named flow, HTTP, TLS
  std::string named;
  for (const auto& flow : flows) {
    if (flow["dst_ip"] == "45.33.0.5") named = flow["hostname"];
    // Whatever nDPI made of the Host and SNI, no byte outside printable ASCII reaches a record.
    for (const char c : flow["hostname"].get<std::string>()) {
      EXPECT_TRUE(c > 0x20 && c < 0x7f) << flow.dump();
    }
  }
  EXPECT_EQ(named, "b\\255\\001\\032d\\092x.example.com");
  EXPECT_FALSE(alerts.empty());  // the ground-truth policy alerts on these destinations
  EXPECT_NE(readFile(dir.path("destinations.csv")).find("b\\255\\001\\032d\\092x.example.com"),
            std::string::npos);
}

}  // namespace
}  // namespace camwatch::integration
