// The flow records' enrichment, end to end through the binary: a name learnt from a DNS answer
// names a later flow to that address (on whichever worker), the server side gets country and AS
// from MMDBs of either schema, private addresses are labelled and not looked up, and the client's
// MAC names its vendor.
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/run_command.h"
#include "support/app_payloads.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace camwatch::testkit;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kPerl = CAMWATCH_PERL;
const std::string kMakeTestMmdb = CAMWATCH_MAKE_TEST_MMDB;

constexpr Timestamp kStart = 1'768'467'600 * kNanosPerSecond;  // 2026-01-15T09:00:00Z
const Mac kCameraMac = parseMac("04:03:12:aa:bb:01");          // a Hikvision OUI
const Mac kGatewayMac = parseMac("00:00:5e:00:01:0a");

class EnrichmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CommandResult mmdb =
        runCommand(kPerl + " " + shellQuote(kMakeTestMmdb) + " " + shellQuote(dir_.path("")));
    ASSERT_EQ(mmdb.exit_code, 0) << mmdb.err;
    writeCapture();
  }

  Bytes udp(const std::string& src, std::uint16_t sport, const std::string& dst,
            std::uint16_t dport, const Bytes& payload, bool from_camera = true) const {
    return Frame()
        .eth(from_camera ? kCameraMac : kGatewayMac, from_camera ? kGatewayMac : kCameraMac)
        .vlan(10)
        .ipv4(src, dst)
        .udp(sport, dport)
        .payload(payload)
        .build();
  }

  // t=1 s: a flow to 9.9.9.9 before any DNS answer names it.
  // t=2 s: the camera resolves relay.cam-cloud.example -> 81.2.69.10 (and quad9 -> 9.9.9.9).
  // t=3 s: UDP to 81.2.69.10 and 9.9.9.9 (new port), no SNI: named from the DNS cache.
  // t=4 s: UDP to 10.0.0.5: private, must not be looked up (the test MMDBs map 10/8 to a trap).
  void writeCapture() {
    PcapWriter writer(capture());
    const Bytes ping(40, 0x5a);
    writer.write(kStart + kNanosPerSecond, udp("192.168.10.21", 40001, "9.9.9.9", 9000, ping));
    writer.write(kStart + 2 * kNanosPerSecond, udp("192.168.10.21", 53001, "192.168.10.1", 53,
                                                   dnsQuery(7, "relay.cam-cloud.example")));
    writer.write(
        kStart + 2 * kNanosPerSecond + 1000,
        udp("192.168.10.1", 53, "192.168.10.21", 53001,
            dnsResponse(7, "relay.cam-cloud.example", kDnsTypeA,
                        {DnsRecord{"relay.cam-cloud.example", kDnsTypeA, "81.2.69.10", 60}}),
            false));
    writer.write(kStart + 2 * kNanosPerSecond + 2000,
                 udp("192.168.10.1", 53, "192.168.10.21", 53002,
                     dnsResponse(8, "dns.quad9.example", kDnsTypeA,
                                 {DnsRecord{"dns.quad9.example", kDnsTypeA, "9.9.9.9", 60}}),
                     false));
    writer.write(kStart + 3 * kNanosPerSecond,
                 udp("192.168.10.21", 40002, "81.2.69.10", 9000, ping));
    writer.write(kStart + 3 * kNanosPerSecond + 1,
                 udp("192.168.10.21", 40003, "9.9.9.9", 9000, ping));
    writer.write(kStart + 4 * kNanosPerSecond, udp("192.168.10.21", 40004, "10.0.0.5", 9000, ping));
  }

  std::string capture() const { return dir_.path("enrich.pcap"); }

  std::string config(const std::string& country_db, const std::string& asn_db) const {
    const std::string path = dir_.path("cfg.yaml");
    runCommand(
        "printf 'geoip:\\n  country_db: %s\\n  asn_db: %s\\ninventory:\\n  oui_file: %s\\n' " +
        shellQuote(dir_.path(country_db)) + " " + shellQuote(dir_.path(asn_db)) + " " +
        shellQuote(kSourceDir + "/config/camera-oui.csv") + " > " + shellQuote(path));
    return path;
  }

  // The flow record to `dst_ip`:`dst_port`.
  json replayFlow(const std::string& config_path, const std::string& dst_ip, std::uint16_t dst_port,
                  const std::string& workers = "1") {
    const CommandResult run = runCommand(
        kCamwatch + " replay --workers " + workers + " -c " + shellQuote(config_path) +
        " --flows " + shellQuote(dir_.path("flows.jsonl")) + " " + shellQuote(capture()));
    EXPECT_EQ(run.exit_code, 0) << run.err;
    last_stderr_ = run.err;
    std::istringstream lines(readFile(dir_.path("flows.jsonl")));
    for (std::string line; std::getline(lines, line);) {
      const json flow = json::parse(line);
      if (flow.at("dst_ip") == dst_ip && flow.at("dst_port") == dst_port) return flow;
    }
    ADD_FAILURE() << "no flow to " << dst_ip << ":" << dst_port;
    return json::object();
  }

  TempDir dir_;
  std::string last_stderr_;
};

TEST_F(EnrichmentTest, DnsAnswerNamesALaterFlowWithoutSniOnAnyWorker) {
  const std::string cfg = config("maxmind-city.mmdb", "maxmind-asn.mmdb");
  for (const char* workers : {"1", "4"}) {
    SCOPED_TRACE(workers);
    const json named = replayFlow(cfg, "81.2.69.10", 9000, workers);
    EXPECT_EQ(named.at("hostname"), "relay.cam-cloud.example");
    EXPECT_EQ(named.at("hostname_source"), "dns_cache");
  }
}

TEST_F(EnrichmentTest, AFlowBeforeTheAnswerIsNotNamedFromTheFuture) {
  const std::string cfg = config("maxmind-city.mmdb", "maxmind-asn.mmdb");
  const CommandResult run =
      runCommand(kCamwatch + " replay --workers 4 -c " + shellQuote(cfg) + " --flows " +
                 shellQuote(dir_.path("flows.jsonl")) + " " + shellQuote(capture()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(readFile(dir_.path("flows.jsonl")));
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    const json flow = json::parse(line);
    if (flow.at("dst_ip") != "9.9.9.9") continue;
    ++checked;
    if (flow.at("src_port") == 40001) {
      EXPECT_EQ(flow.at("hostname"), "") << "this flow started before the DNS answer";
    } else {
      EXPECT_EQ(flow.at("hostname"), "dns.quad9.example");
    }
  }
  EXPECT_EQ(checked, 2);
}

TEST_F(EnrichmentTest, MaxmindSchemaGivesCountryAsnAndOrganisation) {
  const json flow = replayFlow(config("maxmind-city.mmdb", "maxmind-asn.mmdb"), "81.2.69.10", 9000);
  EXPECT_EQ(flow.at("dst_scope"), "public");
  EXPECT_EQ(flow.at("dst_country"), "GB");
  EXPECT_EQ(flow.at("dst_asn"), 64501);
  EXPECT_EQ(flow.at("dst_org"), "Example UK Limited");
  EXPECT_EQ(flow.at("client_mac"), "04:03:12:aa:bb:01");
  EXPECT_NE(flow.at("client_vendor").get<std::string>().find("Hikvision"), std::string::npos);
}

TEST_F(EnrichmentTest, IpLocationDbSchemaGivesCountryAsnAndOrganisation) {
  const json flow =
      replayFlow(config("iplocation-country.mmdb", "iplocation-asn.mmdb"), "9.9.9.9", 9000);
  EXPECT_EQ(flow.at("dst_country"), "CH");
  EXPECT_EQ(flow.at("dst_asn"), 19281);
  EXPECT_EQ(flow.at("dst_org"), "Quad9");
}

TEST_F(EnrichmentTest, PrivateAddressesAreLabelledNotLookedUp) {
  const json flow =
      replayFlow(config("iplocation-country.mmdb", "iplocation-asn.mmdb"), "10.0.0.5", 9000);
  EXPECT_EQ(flow.at("dst_scope"), "private");
  EXPECT_EQ(flow.at("dst_country"), "") << "10/8 is a trap entry in the test databases";
  EXPECT_EQ(flow.at("dst_asn"), 0);
}

TEST_F(EnrichmentTest, MissingDatabaseMeansNoGeoAndOneWarningNamingIt) {
  const json flow = replayFlow(config("absent-country.mmdb", "absent-asn.mmdb"), "9.9.9.9", 9000);
  EXPECT_EQ(flow.at("dst_country"), "");
  EXPECT_EQ(flow.at("dst_asn"), 0);
  EXPECT_NE(last_stderr_.find("absent-country.mmdb"), std::string::npos) << last_stderr_;
  EXPECT_NE(last_stderr_.find("absent-asn.mmdb"), std::string::npos) << last_stderr_;
}

TEST_F(EnrichmentTest, CorruptDatabaseIsAConfigErrorNamingIt) {
  runCommand("printf 'not an mmdb' > " + shellQuote(dir_.path("broken.mmdb")));
  const CommandResult run =
      runCommand(kCamwatch + " replay -c " + shellQuote(config("broken.mmdb", "maxmind-asn.mmdb")) +
                 " " + shellQuote(capture()));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("broken.mmdb"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace camwatch::integration
