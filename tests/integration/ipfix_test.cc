// IPFIX export (docs/ipfix.md) checked by the tools people collect flows with: Debian's nfdump
// collector (nfcapd on a loopback port, read back with `nfdump -o json`) gets every flow of a
// generated capture with the 5-tuple, VLAN and both directions' packets and bytes the generator
// says (camwatch-testgen --expect); libfixbuf's own ipfixDump reads a TCP session camwatch sent
// and finds camwatch's enterprise elements (camera, group, cloud, country, operator, verdict,
// rule) as the ground-truth config and the test GeoIP give them; and with no collector at all
// (TCP refused, UDP port unreachable) the replay still writes everything else and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/live_run_fixture.h"
#include "integration/run_command.h"
#include "support/listening_ports.h"
#include "support/netns_pair.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testkit::BackgroundProcess;
using testkit::freeLoopbackPort;
using testkit::waitUntil;

const std::string kTestgen = CAMWATCH_TESTGEN;
const std::string kElementFile = kSourceDir + "/config/camwatch-ipfix-elements.xml";

// Whether a UDP socket is bound to 127.0.0.1:`port` (in the namespace `prefix` enters, "ip
// netns exec NS ", or this one): nfcapd says nothing when it is ready, /proc/net/udp does.
bool udpPortBound(int port, const std::string& prefix = "") {
  const CommandResult table = runCommand(prefix + "cat /proc/net/udp");
  return table.out.find(fmt::format("0100007F:{:04X}", port)) != std::string::npos;
}

// One flow as the generator's expectation or nfdump names it, comparable as text.
std::string flowRow(int proto, const std::string& src, int src_port, const std::string& dst,
                    int dst_port, int vlan, std::uint64_t packets, std::uint64_t bytes,
                    std::uint64_t reverse_packets, std::uint64_t reverse_bytes) {
  return fmt::format("proto {} {}:{} -> {}:{} vlan {} out {}/{} back {}/{}", proto, src, src_port,
                     dst, dst_port, vlan, packets, bytes, reverse_packets, reverse_bytes);
}

int protocolNumber(const std::string& l4) {
  static const std::map<std::string, int> kNumbers = {
      {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"icmpv6", 58}};
  const auto found = kNumbers.find(l4);
  return found != kNumbers.end() ? found->second : -1;
}

std::vector<std::string> expectedRows(const json& flows) {
  std::vector<std::string> rows;
  for (const json& flow : flows) {
    rows.push_back(flowRow(protocolNumber(flow.at("l4").get<std::string>()),
                           flow.at("src_ip").get<std::string>(), flow.at("src_port").get<int>(),
                           flow.at("dst_ip").get<std::string>(), flow.at("dst_port").get<int>(),
                           flow.at("vlan").get<int>(),
                           flow.at("packets_to_server").get<std::uint64_t>(),
                           flow.at("bytes_to_server").get<std::uint64_t>(),
                           flow.at("packets_to_client").get<std::uint64_t>(),
                           flow.at("bytes_to_client").get<std::uint64_t>()));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// nfdump's JSON of every file in `dir`, as rows. ICMP has no ports: nfdump shows its type and
// code instead, which camwatch does not export (0).
std::vector<std::string> nfdumpRows(const std::string& dir, std::string& raw) {
  const CommandResult dumped = runCommand("nfdump -R " + shellQuote(dir) + " -o json");
  raw = dumped.out + dumped.err;
  std::vector<std::string> rows;
  const json records = json::parse(dumped.out, nullptr, false);
  if (!records.is_array()) return rows;
  for (const json& record : records) {
    if (record.value("type", "") != "FLOW") continue;
    const bool v6 = record.contains("src6_addr");
    const int proto = record.at("proto").get<int>();
    const bool icmp = proto == 1 || proto == 58;
    rows.push_back(flowRow(proto, record.at(v6 ? "src6_addr" : "src4_addr").get<std::string>(),
                           icmp ? 0 : record.value("src_port", 0),
                           record.at(v6 ? "dst6_addr" : "dst4_addr").get<std::string>(),
                           icmp ? 0 : record.value("dst_port", 0), record.value("src_vlan", 0),
                           record.value("in_packets", std::uint64_t{0}),
                           record.value("in_bytes", std::uint64_t{0}),
                           record.value("out_packets", std::uint64_t{0}),
                           record.value("out_bytes", std::uint64_t{0})));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Debian's nfcapd on 127.0.0.1:`port`, writing into `dir` (optionally inside a namespace).
std::unique_ptr<BackgroundProcess> startNfcapd(const std::string& dir, int port,
                                               const std::string& log,
                                               const std::string& prefix = "") {
  std::filesystem::create_directories(dir);
  return std::make_unique<BackgroundProcess>(
      fmt::format("{}nfcapd -b 127.0.0.1 -p {} -w {}", prefix, port, shellQuote(dir)), log);
}

// Reads one TCP connection to the end into a file: what an IPFIX file is (RFC 5655), for
// ipfixDump. With `drop_first`, that many connections are closed first, each once it brought a
// byte: a collector that goes away under the exporter.
class TcpSessionRecorder {
 public:
  explicit TcpSessionRecorder(std::string path, int drop_first = 0) : path_(std::move(path)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;  // port() stays 0: the test's connect fails, naming it
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, drop_first] {
      char buffer[65536];
      for (int dropped = 0; dropped < drop_first; ++dropped) {
        const int connection = ::accept(listener_, nullptr, nullptr);
        if (connection < 0) return;
        (void)::read(connection, buffer, 1);
        ::close(connection);
      }
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      std::ofstream out(path_, std::ios::binary);
      ssize_t n = 0;
      while ((n = ::read(connection, buffer, sizeof buffer)) > 0) out.write(buffer, n);
      ::close(connection);
    });
  }
  ~TcpSessionRecorder() {
    ::shutdown(listener_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  // Waits for the sender to close the connection.
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::string path_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// ipfixDump's data records as name -> value maps (strings without their "(len: N) ").
std::vector<std::map<std::string, std::string>> ipfixDumpRecords(const std::string& text) {
  std::vector<std::map<std::string, std::string>> records;
  std::istringstream lines(text);
  std::string line;
  bool in_record = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("--- data record")) {
      records.emplace_back();
      in_record = true;
      continue;
    }
    if (line.starts_with("---")) in_record = false;
    const std::size_t close = line.find(')');
    const std::size_t colon = line.find(" : ");
    if (!in_record || line.find("\t(") != 0 || close == std::string::npos ||
        colon == std::string::npos) {
      continue;
    }
    std::string name = line.substr(close + 1, colon - close - 1);
    name.erase(0, name.find_first_not_of(' '));
    std::string value = line.substr(colon + 3);
    if (value.starts_with("(len: ")) value.erase(0, value.find(") ") + 2);
    if (!value.empty() && value.back() == ' ') value.pop_back();
    records.back()[name] = value;
  }
  return records;
}

class IpfixTest : public ::testing::Test {
 protected:
  // Makes a scenario capture and its expectations; returns the capture path.
  std::string generate(const std::string& scenario) {
    std::string capture = dir_.path(scenario + ".pcap");
    const CommandResult gen =
        runCommand(kTestgen + " " + scenario + " " + shellQuote(capture) + " --expect " +
                   shellQuote(dir_.path(scenario + ".expect.json")));
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    expected_ = json::parse(readFile(dir_.path(scenario + ".expect.json")));
    return capture;
  }

  TempDir dir_;
  json expected_;
};

TEST_F(IpfixTest, NfdumpCollectorGetsEveryFlowWithItsCountsBothWays) {
  const std::string capture = generate("basic");
  const int port = freeLoopbackPort(SOCK_DGRAM);
  auto nfcapd = startNfcapd(dir_.path("nfcapd"), port, dir_.path("nfcapd.log"));
  ASSERT_TRUE(
      waitUntil([&] { return udpPortBound(port) || !nfcapd->running(); }, milliseconds(10000)))
      << nfcapd->log();
  ASSERT_TRUE(nfcapd->running()) << nfcapd->log();

  const CommandResult run =
      runCommand(fmt::format("{} replay --workers 2 --ipfix 127.0.0.1:{}/udp {}",
                             shellQuote(kBinary), port, shellQuote(capture)));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("IPFIX collector"), std::string::npos) << run.err;
  // SIGTERM: nfcapd writes what it holds and closes its file.
  nfcapd->signal(SIGTERM);
  ASSERT_EQ(nfcapd->wait(milliseconds(15000)), 0) << nfcapd->log();

  std::string raw;
  const std::vector<std::string> received = nfdumpRows(dir_.path("nfcapd"), raw);
  const std::vector<std::string> expected = expectedRows(expected_.at("flows"));
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(received, expected) << raw << nfcapd->log();
}

TEST_F(IpfixTest, IpfixDumpReadsCamwatchsEnterpriseElementsOverTcp) {
  // The demo capture under the ground-truth config with the test GeoIP
  // (tests/support/make_test_mmdb.pl: 52.5/16 is US, AS14618; 47.88/16 SG, AS45102) and
  // config/operators.csv (AS14618 AWS of the US, AS45102 Alibaba of CN): cam-lobby (.21, group
  // hikvision) reaches Hik-Connect, cam-gate (.23, no group: default) the Dahua cloud; both
  // are vendor-cloud egress the catalog denies (alerted). The NVR's RTSP pulls are local.
  const std::string config = writeGroundTruthConfigWithGeo(dir_);
  const std::string capture = generate("demo");
  const std::string session = dir_.path("session.ipfix");
  TcpSessionRecorder recorder(session);
  const CommandResult run =
      runCommand(fmt::format("{} replay -c {} --ipfix 127.0.0.1:{}/tcp {}", shellQuote(kBinary),
                             shellQuote(config), recorder.port(), shellQuote(capture)));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  recorder.join();

  const CommandResult dumped = runCommand(fmt::format(
      "ipfixDump --element-file {} --in {}", shellQuote(kElementFile), shellQuote(session)));
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  const auto records = ipfixDumpRecords(dumped.out);
  ASSERT_EQ(records.size(), expected_.at("flows").size()) << dumped.out;

  const auto find = [&](const std::string& src, const std::string& dst, const std::string& port) {
    for (const auto& record : records) {
      if (record.at("sourceIPv4Address") == src && record.at("destinationIPv4Address") == dst &&
          record.at("destinationTransportPort") == port) {
        return record;
      }
    }
    ADD_FAILURE() << "no record " << src << " -> " << dst << ":" << port << "\n" << dumped.out;
    return std::map<std::string, std::string>{};
  };
  const std::vector<std::pair<std::string, std::string>> lobby = {
      {"camwatchCameraName", "cam-lobby"},       {"camwatchCameraGroup", "hikvision"},
      {"camwatchVendorCloud", "HikConnect"},     {"camwatchCountry", "US"},
      {"bgpDestinationAsNumber", "14618"},       {"camwatchOperator", "AWS"},
      {"camwatchOperatorCountry", "US"},         {"camwatchVerdict", "deny"},
      {"camwatchRule", "catalog:HikConnect"},    {"vlanId", "10"},
      {"sourceMacAddress", "44:19:b6:3a:51:21"}, {"protocolIdentifier", "6"}};
  const auto cam_lobby = find("192.168.10.21", "52.5.124.127", "443");
  for (const auto& [name, value] : lobby) {
    EXPECT_EQ(cam_lobby.contains(name) ? cam_lobby.at(name) : "(missing)", value) << name;
  }
  const std::vector<std::pair<std::string, std::string>> gate = {
      {"camwatchCameraName", "cam-gate"},    {"camwatchCameraGroup", "default"},
      {"camwatchVendorCloud", "Dahua_Imou"}, {"camwatchCountry", "SG"},
      {"bgpDestinationAsNumber", "45102"},   {"camwatchOperator", "Alibaba"},
      {"camwatchOperatorCountry", "CN"},     {"camwatchVerdict", "deny"},
      {"camwatchRule", "catalog:Dahua_Imou"}};
  bool gate_found = false;
  for (const auto& record : records) {
    if (record.at("sourceIPv4Address") != "192.168.10.23" ||
        record.at("destinationIPv4Address") != "47.88.29.110") {
      continue;
    }
    gate_found = true;
    for (const auto& [name, value] : gate) {
      EXPECT_EQ(record.contains(name) ? record.at(name) : "(missing)", value) << name;
    }
  }
  EXPECT_TRUE(gate_found) << dumped.out;
  // A local flow (the NVR pulls RTSP from a camera) is no camera's egress: no verdict, no cloud.
  for (const auto& record : records) {
    if (record.at("sourceIPv4Address") != "192.168.10.200") continue;
    EXPECT_EQ(record.at("camwatchCameraName"), "");
    EXPECT_EQ(record.at("camwatchVerdict"), "");
    EXPECT_EQ(record.at("camwatchVendorCloud"), "");
  }
}

TEST_F(IpfixTest, ReplayGoesOnWithoutACollector) {
  const std::string capture = generate("basic");
  const std::size_t flows = expected_.at("flows").size();
  for (const char* transport : {"tcp", "udp"}) {
    // Nothing listens on the port: TCP is refused, UDP answered with ICMP port unreachable.
    const int port = freeLoopbackPort(std::string(transport) == "tcp" ? SOCK_STREAM : SOCK_DGRAM);
    const std::string flows_path = dir_.path(std::string(transport) + "-flows.jsonl");
    const std::string metrics_path = dir_.path(std::string(transport) + ".prom");
    const CommandResult run = runCommand(
        fmt::format("{} replay --workers 2 --ipfix 127.0.0.1:{}/{} --flows {} --metrics {} {}",
                    shellQuote(kBinary), port, transport, shellQuote(flows_path),
                    shellQuote(metrics_path), shellQuote(capture)));
    EXPECT_EQ(run.exit_code, 0) << transport << ": " << run.err;
    EXPECT_EQ(readJsonLines(flows_path).size(), flows) << transport;
    const std::string collector = fmt::format("IPFIX collector 127.0.0.1:{}/{}", port, transport);
    EXPECT_NE(
        run.err.find(collector + ": " + (std::string(transport) == "tcp" ? "connect" : "send") +
                     ": Connection refused"),
        std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find(" dropped, "), std::string::npos) << run.err;
    // Counted as a sensor counts it: TCP sent nothing, every record of the capture dropped.
    const std::string metrics = readFile(metrics_path);
    EXPECT_GE(metricSum(metrics, "camwatch_ipfix_export_errors_total"), 1) << metrics;
    if (std::string(transport) == "tcp") {
      EXPECT_EQ(metricSum(metrics, "camwatch_ipfix_records_dropped_total"),
                static_cast<double>(flows))
          << metrics;
      EXPECT_EQ(metricSum(metrics, "camwatch_ipfix_records_exported_total"), 0) << metrics;
    }
  }
}

TEST_F(IpfixTest, UnknownTransportIsAUsageError) {
  const CommandResult run = runCommand(fmt::format("{} replay --ipfix 127.0.0.1:4739/sctp {}",
                                                   shellQuote(kBinary), shellQuote(kDemo)));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("IPFIX collector '127.0.0.1:4739/sctp': unknown transport 'sctp'"),
            std::string::npos)
      << run.err;
}

// `camwatch run` with export.ipfix: the sensor (in its namespace) exports to an nfcapd in the
// same namespace; every flow of the demo reaches it, as the replay of the same capture has them.
class LiveIpfixTest : public LiveRunTest {};

TEST_F(LiveIpfixTest, RunExportsEveryFlowToNfcapd) {
  const int port = 4739;  // the namespace is the test's own: the IANA port is free there
  const std::string in_namespace = fmt::format("ip netns exec {} ", pair_->receiverNs());
  auto nfcapd = startNfcapd(dir_.path("nfcapd"), port, dir_.path("nfcapd.log"), in_namespace);
  ASSERT_TRUE(waitUntil([&] { return udpPortBound(port, in_namespace) || !nfcapd->running(); },
                        milliseconds(10000)))
      << nfcapd->log();
  ASSERT_TRUE(nfcapd->running()) << nfcapd->log();
  startSensor(groundTruthConfig(
      fmt::format("export:\n  ipfix:\n    collector: 127.0.0.1:{}\n    transport: udp\n"
                  "    template_refresh: 10s\n",
                  port)));
  sendCapture(static_cast<double>(packets_));
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  EXPECT_NE(sensor_->log().find("exporting flows over IPFIX to 127.0.0.1:4739/udp"),
            std::string::npos)
      << sensor_->log();
  nfcapd->signal(SIGTERM);
  ASSERT_EQ(nfcapd->wait(milliseconds(15000)), 0) << nfcapd->log();

  // The same capture replayed: its flows (replay --flows is checked against the generator by
  // replay_test.cc) are what the collector must hold.
  const CommandResult replay =
      runCommand(fmt::format("{} replay --workers 2 --flows {} {}", shellQuote(kBinary),
                             shellQuote(dir_.path("flows.jsonl")), shellQuote(capture_)));
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  std::string raw;
  EXPECT_EQ(nfdumpRows(dir_.path("nfcapd"), raw),
            expectedRows(readJsonLines(dir_.path("flows.jsonl"))))
      << raw << sensor_->log();
}

TEST_F(LiveIpfixTest, TcpCollectorThatClosesTheConnectionIsConnectedAgain) {
  // The demo's ten minutes in six seconds with idle timeouts of 2 s (as in live_run_test.cc):
  // flows end all along, so records go out in many rounds. The collector closes the first
  // connection once it got a byte; the sensor finds it closed before its next round, connects
  // again and sends the templates and the later records on the new connection.
  capture_ = dir_.path("demo-x100.pcap");
  packets_ = writeCompressedDemo(capture_, 100);
  std::unique_ptr<TcpSessionRecorder> recorder;
  {
    const testkit::ScopedNetns in_namespace(pair_->receiverNs());
    ASSERT_TRUE(in_namespace.entered());
    recorder = std::make_unique<TcpSessionRecorder>(dir_.path("second.ipfix"), 1);
  }
  startSensor(groundTruthConfig(fmt::format(
      "flows:\n  tcp_idle_timeout: 2s\n  udp_idle_timeout: 2s\n  tcp_closed_timeout: 1s\n"
      "export:\n  ipfix:\n    collector: 127.0.0.1:{}/tcp\n",
      recorder->port())));
  sendCapture(static_cast<double>(packets_), {}, "--multiplier=1");
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  recorder->join();
  const std::string log = sensor_->log();
  // Found closed before a send ("the collector closed the connection") or by the send itself
  // ("Connection reset by peer"), as the timing goes: either way said, and counted.
  EXPECT_NE(log.find("records are dropped until it works"), std::string::npos) << log;
  EXPECT_NE(
      log.find(fmt::format("IPFIX collector 127.0.0.1:{}/tcp: connected again", recorder->port())),
      std::string::npos)
      << log;
  const CommandResult dumped =
      runCommand(fmt::format("ipfixDump --stats --in {}", shellQuote(dir_.path("second.ipfix"))));
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  // A session of its own: both templates first, then records.
  EXPECT_NE(dumped.out.find("2 Template Records"), std::string::npos) << dumped.out;
  EXPECT_EQ(dumped.out.find(" 0 Data Records"), std::string::npos) << dumped.out;
}

TEST_F(LiveIpfixTest, NoCollectorIsCountedAndLoggedOnceAndTheSensorGoesOn) {
  // Flows end all along (the demo in six seconds, idle timeouts of 2 s), each round of records
  // meets a refused connect: the sensor counts it on /metrics, logs it once (at most once a
  // minute), and still raises its alerts.
  capture_ = dir_.path("demo-x100.pcap");
  packets_ = writeCompressedDemo(capture_, 100);
  const int port = 4739;  // nothing listens on it in the sensor's namespace
  startSensor(groundTruthConfig(fmt::format(
      "flows:\n  tcp_idle_timeout: 2s\n  udp_idle_timeout: 2s\n  tcp_closed_timeout: 1s\n"
      "alerts:\n  spool_dir: {}\n  sinks:\n    - type: jsonl\n      path: {}\n"
      "export:\n  ipfix:\n    collector: 127.0.0.1:{}/tcp\n",
      dir_.path("spool"), dir_.path("alerts.jsonl"), port)));
  sendCapture(static_cast<double>(packets_), {}, "--multiplier=1");
  std::string metrics;
  const bool counted = waitUntil(
      [&] {
        metrics = scrape();
        return metricSum(metrics, "camwatch_ipfix_export_errors_total") >= 1 &&
               metricSum(metrics, "camwatch_ipfix_records_dropped_total") >= 1;
      },
      milliseconds(15000));
  EXPECT_TRUE(counted) << metrics;
  EXPECT_EQ(metricSum(metrics, "camwatch_ipfix_records_exported_total"), 0) << metrics;
  ASSERT_EQ(stopSensor(), 0) << sensor_->log();
  const std::string log = sensor_->log();
  EXPECT_EQ(
      linesWith(log, "IPFIX collector 127.0.0.1:4739/tcp: connect: Connection refused").size(), 1U)
      << log;
  EXPECT_FALSE(readJsonLines(dir_.path("alerts.jsonl")).empty()) << log;
}

}  // namespace
}  // namespace camwatch::integration
