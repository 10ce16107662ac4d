// `camwatch replay --metrics FILE` against counts the tests write down from the captures they
// make: one definition of a packet, and egress series that hold every camera byte and flow.
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/metrics_text.h"
#include "integration/run_command.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;

class ReplayMetricsTest : public ::testing::Test {
 protected:
  CommandResult replay(const std::string& captures, const std::string& flags = "") {
    return runCommand(kCamwatch + " replay " + flags + " --summary " + shellQuote(summary_path()) +
                      " " + captures);
  }
  std::string summary_path() const { return dir_.path("summary.json"); }
  json summary() const { return json::parse(readFile(summary_path())); }

  TempDir dir_;
};

// One definition of a packet (docs/metrics.md "What counts"): the per-worker counters of
// `--metrics` add up to the summary's figures, whatever the frames were and however many workers
// shared them. Written here: 12 UDP frames over 6 flows, 2 ARP, 1 LLDP, 1 later fragment whose
// first one is missing, 1 frame cut inside its IPv4 header.
TEST_F(ReplayMetricsTest, MetricsFileCountsEveryPacketLikeTheSummary) {
  using namespace camwatch::testkit;
  const Mac camera = parseMac("00:11:22:33:44:55");
  const Mac gateway = parseMac("66:77:88:99:aa:bb");
  const std::string capture = dir_.path("mixed.pcap");
  std::uint64_t wire_bytes = 0;
  {
    PcapWriter writer(capture);
    Timestamp ts = 1'700'000'000 * kNanosPerSecond;
    const auto write = [&](const std::vector<std::uint8_t>& frame) {
      writer.write(ts, frame);
      wire_bytes += frame.size();
      ts += kNanosPerSecond / 10;
    };
    for (int i = 0; i < 12; ++i) {
      write(Frame()
                .eth(camera, gateway)
                .ipv4("192.168.10.21", "203.0.113.7")
                .udp(static_cast<std::uint16_t>(40000 + i % 6), 9000)
                .payload(100)
                .build());
    }
    ArpSpec arp;
    arp.sender_mac = camera;
    arp.sender_ip = "192.168.10.21";
    arp.target_ip = "192.168.10.1";
    write(Frame().eth(camera, parseMac("ff:ff:ff:ff:ff:ff")).arp(arp).build());
    arp.op = 2;
    write(Frame().eth(gateway, camera).arp(arp).build());
    write(Frame().eth(camera, parseMac("01:80:c2:00:00:0e")).lldp(camera, "eth0").build());
    Ipv4Options fragmented;
    fragmented.id = 7;
    const auto fragments = Frame()
                               .eth(camera, gateway)
                               .ipv4("192.168.10.21", "203.0.113.7", fragmented)
                               .udp(41000, 9000)
                               .payload(400)
                               .buildFragments(200);
    ASSERT_GE(fragments.size(), 2U);
    write(fragments[1]);  // the first fragment never comes
    std::vector<std::uint8_t> cut =
        Frame().eth(camera, gateway).ipv4("192.168.10.21", "203.0.113.7").udp(1, 2).build();
    cut.resize(14 + 12);  // Ethernet header and 12 bytes of the 20-byte IPv4 header
    write(cut);
  }
  const std::string metrics_path = dir_.path("replay.prom");
  for (const char* workers : {"1", "3"}) {
    SCOPED_TRACE(std::string("workers ") + workers);
    const CommandResult run =
        replay(shellQuote(capture),
               std::string("--workers ") + workers + " --metrics " + shellQuote(metrics_path));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json s = summary();
    EXPECT_EQ(s.at("packets"), 17);
    EXPECT_EQ(s.at("bytes"), wire_bytes);
    EXPECT_EQ(s.at("ip_packets"), 12);
    EXPECT_EQ(s.at("fragments_unmatched"), 1);
    std::uint64_t non_ip = 0;
    for (const auto& [ethertype, count] : s.at("non_ip_packets").items())
      non_ip += count.get<std::uint64_t>();
    EXPECT_EQ(non_ip, 3U) << s.at("non_ip_packets");
    const std::string metrics = readFile(metrics_path);
    EXPECT_EQ(metricSum(metrics, "camwatch_worker_packets_total"), 17) << metrics;
    EXPECT_EQ(metricSum(metrics, "camwatch_worker_bytes_total"), static_cast<double>(wire_bytes));
    EXPECT_EQ(metricSum(metrics, "camwatch_worker_ip_packets_total"), 12);
    EXPECT_EQ(metricSum(metrics, "camwatch_decode_anomalies_total"), 1);
    // The 5 frames that reached no flow are worker 0's, as on a sensor with one worker; a worker
    // with only flows counts exactly its IP packets.
    const double first_packets =
        metricSumWith(metrics, "camwatch_worker_packets_total", "worker=\"0\"");
    const double first_ip =
        metricSumWith(metrics, "camwatch_worker_ip_packets_total", "worker=\"0\"");
    EXPECT_EQ(first_packets - first_ip, 5);
  }
}

// The egress series of `replay --metrics FILE` come from the same egress summaries as a sensor's,
// not from the report's destination rows: a replay whose rows stop at replay.max_destination_rows
// still exports every camera byte and flow. Written here: one camera, 5 public destinations
// (documentation ranges such as 203.0.113/24 are not egress), 3
// frames each; the report keeps 2 rows.
TEST_F(ReplayMetricsTest, MetricsFileEgressIsCompleteBeyondMaxDestinationRows) {
  using namespace camwatch::testkit;
  const std::string capture = dir_.path("five.pcap");
  std::uint64_t egress_bytes = 0;
  {
    PcapWriter writer(capture);
    Timestamp ts = 1'700'000'000 * kNanosPerSecond;
    for (int destination = 0; destination < 5; ++destination) {
      for (int packet = 0; packet < 3; ++packet) {
        const std::vector<std::uint8_t> frame =
            Frame()
                .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                .ipv4("192.168.10.21", "47.254.33." + std::to_string(10 + destination))
                .udp(40000, 9000)
                .payload(100)
                .build();
        writer.write(ts, frame);
        egress_bytes += frame.size();
        ts += kNanosPerSecond / 10;
      }
    }
  }
  const std::string config = dir_.path("rows.yaml");
  std::ofstream(config) << "replay:\n  max_destination_rows: 2\n";
  const std::string metrics_path = dir_.path("replay.prom");
  const CommandResult run =
      replay(shellQuote(capture), "-c " + shellQuote(config) + " --destinations " +
                                      shellQuote(dir_.path("rows.csv")) + " --metrics " +
                                      shellQuote(metrics_path));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string csv = readFile(dir_.path("rows.csv"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3) << csv;  // header + 2 rows
  const std::string metrics = readFile(metrics_path);
  EXPECT_EQ(metricSum(metrics, "camwatch_egress_bytes_total"), static_cast<double>(egress_bytes))
      << metrics;
  EXPECT_EQ(metricSum(metrics, "camwatch_egress_flows_total"), 5) << metrics;
  EXPECT_EQ(metricSumWith(metrics, "camwatch_egress_flows_total", "camera=\"192.168.10.21\""), 5);
}

}  // namespace
}  // namespace camwatch::integration
