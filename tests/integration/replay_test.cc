// Runs the real camwatch binary on captures that camwatch-testgen (or the test itself) makes, and
// checks exact flows, byte totals, determinism across worker counts, and error handling.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/ground_truth.h"
#include "integration/run_command.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;

// The fields testgen's expectations and camwatch's flow records share.
const char* const kComparedFields[] = {"l4",
                                       "vlan",
                                       "src_ip",
                                       "src_port",
                                       "dst_ip",
                                       "dst_port",
                                       "packets_to_server",
                                       "packets_to_client",
                                       "bytes_to_server",
                                       "bytes_to_client"};

std::vector<std::string> projectFlows(const json& flows) {
  std::vector<std::string> rows;
  for (const json& flow : flows) {
    json row;
    for (const char* field : kComparedFields) row[field] = flow.at(field);
    rows.push_back(row.dump());
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

class ReplayTest : public ::testing::Test {
 protected:
  // Makes a scenario capture and its expectations; returns the capture path.
  std::string generate(const std::string& scenario, const std::string& extra = "") {
    const std::string capture = dir_.path(scenario + ".pcap");
    const CommandResult gen =
        runCommand(kTestgen + " " + scenario + " " + shellQuote(capture) + " --expect " +
                   shellQuote(dir_.path(scenario + ".expect.json")) + " " + extra);
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    expected_ = json::parse(readFile(dir_.path(scenario + ".expect.json")));
    return capture;
  }

  CommandResult replay(const std::string& captures, const std::string& flags = "") {
    return runCommand(kCamwatch + " replay " + flags + " --flows " + shellQuote(flows_path()) +
                      " --summary " + shellQuote(summary_path()) + " " + captures);
  }

  std::string flows_path() const { return dir_.path("flows.jsonl"); }
  std::string summary_path() const { return dir_.path("summary.json"); }
  json summary() const { return json::parse(readFile(summary_path())); }

  void expectFlowsAsGenerated() {
    EXPECT_EQ(projectFlows(readJsonLines(flows_path())), projectFlows(expected_.at("flows")));
    const json s = summary();
    EXPECT_EQ(s.at("packets"), expected_.at("packets"));
    EXPECT_EQ(s.at("bytes"), expected_.at("bytes"));
  }

  TempDir dir_;
  json expected_;
};

TEST_F(ReplayTest, BasicCaptureGivesExactlyTheGeneratedFlows) {
  const std::string capture = generate("basic");
  const CommandResult run = replay(shellQuote(capture), "--workers 1");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expectFlowsAsGenerated();
  EXPECT_NE(run.out.find("Flows:"), std::string::npos) << run.out;
}

// The second site of the many-sensor tests (two_sensors_test.cc): its facts are what they check
// each sensor against, so they must be camwatch's flows exactly, here where no network is between.
TEST_F(ReplayTest, BranchCaptureGivesExactlyTheGeneratedFlows) {
  const std::string capture = generate("branch");
  const CommandResult run =
      replay(shellQuote(capture),
             "--workers 2 -c " + shellQuote(kSourceDir + "/tests/integration/configs/branch.yaml"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expectFlowsAsGenerated();
  EXPECT_EQ(summary().at("flows").at("total"), expected_.at("flows").size());
}

TEST_F(ReplayTest, OutputIsIdenticalForOneAndFourWorkers) {
  const std::string capture = generate("basic");
  ASSERT_EQ(replay(shellQuote(capture), "--workers 1").exit_code, 0);
  const std::string flows_one = readFile(flows_path());
  const std::string summary_one = readFile(summary_path());
  ASSERT_EQ(replay(shellQuote(capture), "--workers 4").exit_code, 0);
  EXPECT_EQ(readFile(flows_path()), flows_one);
  EXPECT_EQ(readFile(summary_path()), summary_one);
}

TEST_F(ReplayTest, DemoCaptureIsIdenticalForOneAndFourWorkers) {
  const std::string demo = shellQuote(kSourceDir + "/demo/camera-vlan-demo.pcap");
  ASSERT_EQ(replay(demo, "--workers 1").exit_code, 0);
  const std::string flows_one = readFile(flows_path());
  ASSERT_EQ(replay(demo, "--workers 4").exit_code, 0);
  EXPECT_EQ(readFile(flows_path()), flows_one);
  EXPECT_GT(summary().at("flows").at("total").get<int>(), 10);
}

TEST_F(ReplayTest, BundledDemoCaptureIsWhatTestgenMakes) {
  // demo/camera-vlan-demo.pcap is committed so that users need no generator; this keeps it the
  // generator's output (regenerate with `camwatch-testgen demo demo/camera-vlan-demo.pcap`).
  const std::string fresh = dir_.path("demo.pcap");
  ASSERT_EQ(runCommand(kTestgen + " demo " + shellQuote(fresh)).exit_code, 0);
  EXPECT_TRUE(readFile(fresh) == readFile(kSourceDir + "/demo/camera-vlan-demo.pcap"))
      << "demo/camera-vlan-demo.pcap differs from `camwatch-testgen demo`";
}

// Ground truth for the out-of-the-box policy on the demo capture (demo/README.md): the two
// vendor clouds (Hik-Connect from two cameras, one calling every 30 s), the STUN relay, the bare-IP
// upload and the laptop's web browsing alert; RTSP to the NVR, DNS to the local resolver, NTP
// (allowed by the example's rule) and ICMP do not. The upload (30 MB in 46 s) passes the
// example's egress budget (20 MB a minute) 30 s in; the cloud check-ins (~2 kB each) do not. Each
// TLS flow's alert is sent again when the flow ends, with the whole flow as evidence
// (docs/alerts.md, "Evidence that grows").
TEST_F(ReplayTest, DemoCaptureRaisesExactlyTheExpectedAlerts) {
  const std::string config = shellQuote(kSourceDir + "/config/camwatch.example.yaml");
  const std::string demo = shellQuote(kSourceDir + "/demo/camera-vlan-demo.pcap");
  const std::string alerts_path = dir_.path("alerts.jsonl");
  std::string first_run;
  for (const char* workers : {"1", "4"}) {
    const CommandResult run =
        runCommand(kCamwatch + " replay --workers " + workers + " -c " + config + " --alerts " +
                   shellQuote(alerts_path) + " " + demo);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    if (first_run.empty()) {
      first_run = readFile(alerts_path);
    } else {
      EXPECT_EQ(readFile(alerts_path), first_run) << "alerts differ between 1 and 4 workers";
    }
  }
  std::vector<std::string> seen;
  for (const json& alert : readJsonLines(alerts_path)) {
    const json& ip = alert.at("destination").at("ip");
    const auto bytes = alert.at("evidence").at("bytes").get<std::uint64_t>();
    seen.push_back(alert.at("kind").get<std::string>() + " " +
                   alert.at("camera").at("ip").get<std::string>() + " " +
                   (ip.is_null() ? "-" : ip.get<std::string>()) + " " +
                   alert.at("rule").get<std::string>() + " x" +
                   std::to_string(alert.at("repeat_count").get<int>() + 1) + " " +
                   (alert.at("kind") == "egress_volume" ? (bytes > 20'000'000 ? "over" : "under")
                                                        : std::to_string(bytes)));
  }
  // The evidence is the flow's bytes from the camera (demo/README.md), up to the ClientHello,
  // then (the update) the whole flow; for the budget, the camera's bytes in the window (over
  // 20 MB).
  const std::vector<std::string> expected = {
      "vendor_cloud 192.168.10.21 52.5.124.127 catalog:HikConnect x1 451",
      // cam-mast's first check-in (SYN 70, ACK 60, ClientHello 321), then the whole flow: its
      // 18 later check-ins fold into the episode silently (the suppression window).
      "vendor_cloud 192.168.10.34 52.5.124.127 catalog:HikConnect x1 451",
      "vendor_cloud 192.168.10.34 52.5.124.127 catalog:HikConnect x1 869",
      "vendor_cloud 192.168.10.21 52.5.124.127 catalog:HikConnect x1 1827",
      "vendor_cloud 192.168.10.23 47.88.29.110 catalog:Dahua_Imou x1 448",
      "vendor_cloud 192.168.10.23 47.88.29.110 catalog:Dahua_Imou x1 1824",
      // The example config keeps cameras to the site's resolvers (external_resolver and
      // encrypted_dns at warning). The query to Quad9 is the only packet cam-dock sends on it.
      "external_resolver 192.168.10.31 9.9.9.9 external_resolver x1 84",
      "vendor_cloud 192.168.10.31 47.254.130.17 catalog:Dahua_Imou x1 448",
      "encrypted_dns 192.168.10.32 8.8.8.8 encrypted_dns:DoH x1 447",
      "vendor_cloud 192.168.10.31 47.254.130.17 catalog:Dahua_Imou x1 1824",
      "encrypted_dns 192.168.10.33 1.1.1.1 encrypted_dns:DoT x1 456",
      "p2p_or_relay 192.168.10.22 43.130.155.63 p2p:STUN x1 66",  // judged when it idles out
      // The DoH session's four lookups (14 packets), the DoT session's three (12 packets).
      "encrypted_dns 192.168.10.32 8.8.8.8 encrypted_dns:DoH x1 1536",
      "encrypted_dns 192.168.10.33 1.1.1.1 encrypted_dns:DoT x1 1332",
      "disallowed_destination 192.168.10.24 47.254.33.45 default x1 419",
      "egress_volume 192.168.10.24 - budget:default x1 over",
      "disallowed_destination 192.168.10.24 47.254.33.45 default x1 " +
          std::to_string(kUploadBytes),
      "disallowed_destination 192.168.10.57 93.184.215.14 default x1 443",
      "disallowed_destination 192.168.10.57 93.184.215.14 default x1 1819",
  };
  EXPECT_EQ(seen, expected);
}

TEST_F(ReplayTest, TimeoutsSplitFlowsAsConfigured) {
  const std::string capture = generate("timeouts");
  const CommandResult run = replay(shellQuote(capture), "--workers 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expectFlowsAsGenerated();
}

struct LinkCase {
  const char* link;
  const char* format;
};

void PrintTo(const LinkCase& link_case, std::ostream* out) {
  *out << link_case.link << "/" << link_case.format;
}

class LinkTypeTest : public ReplayTest, public ::testing::WithParamInterface<LinkCase> {};

TEST_P(LinkTypeTest, EveryLinkTypeAndFormatGivesTheSameFlows) {
  const std::string capture = generate(
      "linktypes", std::string("--link ") + GetParam().link + " --format " + GetParam().format);
  const CommandResult run = replay(shellQuote(capture), "--workers 2");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expectFlowsAsGenerated();
}

INSTANTIATE_TEST_SUITE_P(AllLinks, LinkTypeTest,
                         ::testing::Values(LinkCase{"ethernet", "pcap"},
                                           LinkCase{"ethernet", "pcapng"}, LinkCase{"sll", "pcap"},
                                           LinkCase{"sll2", "pcapng"}, LinkCase{"raw", "pcap"},
                                           LinkCase{"ipv4", "pcap"}, LinkCase{"ipv6", "pcap"}),
                         [](const auto& test) {
                           return std::string(test.param.link) + "_" + test.param.format;
                         });

TEST_F(ReplayTest, SmallSnaplenKeepsWireByteCounts) {
  const std::string capture = generate("linktypes", "--link ethernet --format pcap --snaplen 64");
  const CommandResult run = replay(shellQuote(capture));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  expectFlowsAsGenerated();
}

TEST_F(ReplayTest, SeveralFilesAreMergedInTimestampOrder) {
  // The client's packets are in one file and the server's in another; interleaved in time, they
  // must form one flow whose client is the host that spoke first.
  using namespace camwatch::testkit;
  const std::string client_file = dir_.path("client.pcap");
  const std::string server_file = dir_.path("server.pcap");
  {
    PcapWriter client(client_file);
    PcapWriter server(server_file);
    const Timestamp start = 1'700'000'000 * kNanosPerSecond;
    for (int i = 0; i < 10; ++i) {
      const Timestamp t = start + i * kNanosPerSecond;
      client.write(t, Frame()
                          .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                          .ipv4("192.168.10.21", "203.0.113.7")
                          .udp(40000, 9000)
                          .payload(100)
                          .build());
      server.write(t + kNanosPerSecond / 2,
                   Frame()
                       .eth(parseMac("66:77:88:99:aa:bb"), parseMac("00:11:22:33:44:55"))
                       .ipv4("203.0.113.7", "192.168.10.21")
                       .udp(9000, 40000)
                       .payload(200)
                       .build());
    }
  }
  // The server file first on the command line: order must come from timestamps, not arguments.
  const CommandResult run = replay(shellQuote(server_file) + " " + shellQuote(client_file));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json flows = readJsonLines(flows_path());
  ASSERT_EQ(flows.size(), 1U);
  EXPECT_EQ(flows[0].at("src_ip"), "192.168.10.21");
  EXPECT_EQ(flows[0].at("packets_to_server"), 10);
  EXPECT_EQ(flows[0].at("packets_to_client"), 10);
  EXPECT_EQ(summary().at("packets"), 20);
  EXPECT_EQ(summary().at("files").size(), 2U);
}

TEST_F(ReplayTest, GlobPatternsExpandSortedAndEachFileIsReadOnce) {
  using namespace camwatch::testkit;
  for (const char* name : {"b.pcap", "a.pcap", "c.pcapng.txt"}) {
    PcapWriter writer(dir_.path(name));
    writer.write(1'700'000'000 * kNanosPerSecond,
                 Frame()
                     .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                     .ipv4("192.168.10.21", "203.0.113.7")
                     .udp(40000, 9000)
                     .payload(100)
                     .build());
  }
  // Quoted, so camwatch expands it, not the shell; a.pcap named again is still read once.
  const CommandResult run =
      replay(shellQuote(dir_.path("*.pcap")) + " " + shellQuote(dir_.path("a.pcap")));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json files = summary().at("files");
  ASSERT_EQ(files.size(), 2U) << files.dump();
  EXPECT_EQ(files[0].at("path"), dir_.path("a.pcap"));
  EXPECT_EQ(files[1].at("path"), dir_.path("b.pcap"));
  EXPECT_EQ(summary().at("packets"), 2);

  const std::string nothing = dir_.path("nothing-*.pcap");
  const CommandResult none = runCommand(kCamwatch + " replay " + shellQuote(nothing));
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find(nothing), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("no capture file matches"), std::string::npos) << none.err;
}

TEST_F(ReplayTest, FromAndToKeepOnlyPacketsInTheHalfOpenInterval) {
  using namespace camwatch::testkit;
  const std::string capture = dir_.path("ten.pcap");
  {
    PcapWriter writer(capture);
    for (int i = 0; i < 10; ++i) {  // 2023-11-14T22:13:20Z + i seconds
      writer.write(1'700'000'000 * kNanosPerSecond + i * kNanosPerSecond,
                   Frame()
                       .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                       .ipv4("192.168.10.21", "203.0.113.7")
                       .udp(40000, 9000)
                       .payload(100)
                       .build());
    }
  }
  // Epoch seconds and RFC 3339 (with an offset) mix; packets 3, 4, 5 and 6 are in [from, to).
  const CommandResult run =
      replay(shellQuote(capture), "--from 1700000003 --to 2023-11-14T23:13:27+01:00");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json s = summary();
  EXPECT_EQ(s.at("packets"), 4);
  EXPECT_EQ(s.at("first_ts"), "2023-11-14T22:13:23.000000Z");
  EXPECT_EQ(s.at("last_ts"), "2023-11-14T22:13:26.000000Z");
  EXPECT_EQ(s.at("time_bounds").at("from"), "2023-11-14T22:13:23.000000000Z");
  EXPECT_EQ(s.at("time_bounds").at("to"), "2023-11-14T22:13:27.000000000Z");
  EXPECT_EQ(s.at("time_bounds").at("packets_outside"), 6);
  EXPECT_NE(run.out.find("time bounds: 2023-11-14T22:13:23"), std::string::npos) << run.out;
  const json flows = readJsonLines(flows_path());
  ASSERT_EQ(flows.size(), 1U);
  EXPECT_EQ(flows[0].at("packets_to_server"), 4);

  // Without bounds the summary has no time_bounds at all.
  ASSERT_EQ(replay(shellQuote(capture)).exit_code, 0);
  EXPECT_FALSE(summary().contains("time_bounds"));

  for (const std::string bad :
       {"--from yesterday", "--to 2023-11-14T22:13:27", "--from 2023-02-30T00:00:00Z"}) {
    const CommandResult rejected = replay(shellQuote(capture), bad);
    EXPECT_EQ(rejected.exit_code, 2) << bad;
    EXPECT_NE(rejected.err.find(bad.substr(bad.find(' ') + 1)), std::string::npos) << rejected.err;
  }
  const CommandResult backwards = replay(shellQuote(capture), "--from 1700000005 --to 1700000005");
  EXPECT_EQ(backwards.exit_code, 2);
  EXPECT_NE(backwards.err.find("is not before"), std::string::npos) << backwards.err;
}

TEST_F(ReplayTest, BpfFilterKeepsOnlyMatchingPacketsAndABadOneIsNamed) {
  using namespace camwatch::testkit;
  const std::string capture = dir_.path("two-flows.pcap");
  {
    PcapWriter writer(capture);
    for (int i = 0; i < 10; ++i) {
      writer.write(1'700'000'000 * kNanosPerSecond + i * kNanosPerSecond,
                   Frame()
                       .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                       .ipv4("192.168.10.21", "203.0.113.7")
                       .udp(static_cast<std::uint16_t>(40000 + i % 2), 9000)
                       .payload(100)
                       .build());
    }
  }
  const CommandResult run = replay(shellQuote(capture), "--bpf 'udp src port 40001'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(summary().at("packets"), 5);
  const json flows = readJsonLines(flows_path());
  ASSERT_EQ(flows.size(), 1U);
  EXPECT_EQ(flows[0].at("src_port"), 40001);

  const CommandResult bad = replay(shellQuote(capture), "--bpf 'udpp port 9000'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad BPF filter 'udpp port 9000'"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find(capture), std::string::npos) << bad.err;
}

TEST_F(ReplayTest, ProgressLineOnlyOnATerminalAndErasedAtTheEnd) {
  if (runCommand("command -v script").exit_code != 0) GTEST_SKIP() << "no script(1)";
  const std::string demo = kSourceDir + "/demo/camera-vlan-demo.pcap";
  // Paced to about half a second, so the line is drawn a few times before the end.
  const std::string command = kCamwatch + " replay --pace 1200 " + shellQuote(demo);
  // script(1) gives camwatch a terminal; only its standard error goes to the transcript.
  const CommandResult tty =
      runCommand("script -qec " + shellQuote(command + " 2>&1 >/dev/null") + " /dev/null");
  ASSERT_EQ(tty.exit_code, 0) << tty.out << tty.err;
  EXPECT_NE(tty.out.find("% of input"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("packets/s"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("33212 packets  32.0 MiB  100% of input"), std::string::npos) << tty.out;
  const std::string erase = "\r\033[K";
  ASSERT_GE(tty.out.size(), erase.size());
  EXPECT_EQ(tty.out.substr(tty.out.size() - erase.size()), erase) << "erased at the end";

  const CommandResult piped = runCommand(command);
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "") << "no progress when standard error is not a terminal";
}

TEST_F(ReplayTest, TruncatedFileIsReportedAndWhatCameBeforeStillCounts) {
  using namespace camwatch::testkit;
  const std::string capture = dir_.path("cut.pcap");
  {
    PcapWriter writer(capture);
    for (int i = 0; i < 5; ++i) {
      writer.write(1'700'000'000 * kNanosPerSecond + i * kNanosPerSecond,
                   Frame()
                       .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                       .ipv4("192.168.10.21", "203.0.113.7")
                       .udp(40000, 9000)
                       .payload(300)
                       .build());
    }
  }
  truncateLastRecord(capture);
  const CommandResult run = replay(shellQuote(capture));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(capture), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("packet 5"), std::string::npos) << run.err;
  const json s = summary();
  EXPECT_EQ(s.at("packets"), 4);
  ASSERT_EQ(s.at("errors").size(), 1U);
  const json flows = readJsonLines(flows_path());
  ASSERT_EQ(flows.size(), 1U);
  EXPECT_EQ(flows[0].at("packets_to_server"), 4);
}

TEST_F(ReplayTest, MissingOrUnreadableCaptureFailsNamingTheFile) {
  const CommandResult missing = runCommand(kCamwatch + " replay /nonexistent/x.pcap");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/x.pcap"), std::string::npos) << missing.err;

  const std::string garbage = dir_.path("garbage.pcap");
  runCommand("printf 'this is not a capture' > " + shellQuote(garbage));
  const CommandResult bad = runCommand(kCamwatch + " replay " + shellQuote(garbage));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find(garbage), std::string::npos) << bad.err;
}

TEST(CliTest, HelpVersionAndExitCodes) {
  EXPECT_EQ(runCommand(kCamwatch + " --help").exit_code, 0);
  for (const char* command : {"replay", "run", "check-config", "version"}) {
    const CommandResult help = runCommand(kCamwatch + " " + command + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << command;
  }
  const CommandResult version = runCommand(kCamwatch + " version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("nDPI 4.2"), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("libpcap"), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("libmaxminddb"), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("libpsl "), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("git "), std::string::npos) << version.out;

  EXPECT_EQ(runCommand(kCamwatch).exit_code, 2);
  EXPECT_EQ(runCommand(kCamwatch + " replay").exit_code, 2) << "a capture is required";
  EXPECT_EQ(runCommand(kCamwatch + " replay --workers 0 x.pcap").exit_code, 2);
  EXPECT_EQ(runCommand(kCamwatch + " frobnicate").exit_code, 2);
}

TEST(CliTest, CheckConfigAcceptsTheExampleAndRejectsMistakesWithTheirLocation) {
  const CommandResult ok = runCommand(kCamwatch + " check-config -c " +
                                      shellQuote(kSourceDir + "/config/camwatch.example.yaml"));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("max_flows: 262144"), std::string::npos) << ok.out;

  TempDir dir;
  const std::string bad = dir.path("bad.yaml");
  runCommand("printf 'sensor:\\n  name: x\\nflows:\\n  max_flow: 3\\n' > " + shellQuote(bad));
  const CommandResult typo = runCommand(kCamwatch + " check-config -c " + shellQuote(bad));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find(bad + ":4:3: flows.max_flow"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean 'max_flows'"), std::string::npos) << typo.err;

  const CommandResult replay_bad =
      runCommand(kCamwatch + " replay -c " + shellQuote(bad) + " /dev/null");
  EXPECT_EQ(replay_bad.exit_code, 2);
}

TEST(CliTest, CheckConfigPrintsThePolicyAndRejectsBadRulesNamingThem) {
  TempDir dir;
  const std::string good = dir.path("policy.yaml");
  runCommand(
      "printf 'groups:\\n  cameras: {}\\npolicy:\\n  cameras:\\n    rules:\\n      - name: ntp\\n  "
      "      action: allow\\n"
      "        protocols: NTP\\n        ports: [udp/123]\\n' > " +
      shellQuote(good));
  const CommandResult ok = runCommand(kCamwatch + " check-config -c " + shellQuote(good));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("  cameras:\n    default_action: deny"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("ports: [udp/123]"), std::string::npos) << ok.out;

  const std::string bad_cidr = dir.path("cidr.yaml");
  runCommand(
      "printf 'groups:\\n  cams: {}\\npolicy:\\n  cams:\\n    rules:\\n      - name: x\\n        "
      "cidrs: [10.0.0.0/33]\\n' "
      "> " +
      shellQuote(bad_cidr));
  const CommandResult cidr = runCommand(kCamwatch + " check-config -c " + shellQuote(bad_cidr));
  EXPECT_EQ(cidr.exit_code, 2);
  EXPECT_NE(cidr.err.find("group 'cams', rule 'x'"), std::string::npos) << cidr.err;

  const std::string bad_action = dir.path("action.yaml");
  runCommand(
      "printf 'groups:\\n  cams: {}\\npolicy:\\n  cams:\\n    rules:\\n      - name: x\\n        "
      "action: permit\\n' > " +
      shellQuote(bad_action));
  const CommandResult action = runCommand(kCamwatch + " check-config -c " + shellQuote(bad_action));
  EXPECT_EQ(action.exit_code, 2);
  EXPECT_NE(
      action.err.find(bad_action + ":7:17: policy.cams.rules[0].action: expected allow or deny"),
      std::string::npos)
      << action.err;
}

TEST(CliTest, RunNeedsAnInterfaceAndNamesOneThatDoesNotExist) {
  const std::string example = shellQuote(kSourceDir + "/config/camwatch.example.yaml");
  // The example lists no interface: a config that cannot work exits 2 (systemd does not
  // restart it) and says what to set.
  const CommandResult none = runCommand(kCamwatch + " run -c " + example);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("nothing to capture: set capture.interfaces or pass --interface"),
            std::string::npos)
      << none.err;
  const CommandResult missing =
      runCommand(kCamwatch + " run -c " + example + " --interface cwnosuch0 --metrics 127.0.0.1:0");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("cwnosuch0"), std::string::npos) << missing.err;
  const CommandResult help = runCommand(kCamwatch + " run --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--config", "--interface", "--metrics", "--workers"})
    EXPECT_NE(help.out.find(option), std::string::npos) << option << "\n" << help.out;
}

}  // namespace
}  // namespace camwatch::integration
