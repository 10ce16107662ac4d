#include "integration/live_run_fixture.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <thread>
#include <vector>

#include <camwatch/capture.h>

#include "support/pcap_writer.h"

namespace camwatch::integration {

using std::chrono::milliseconds;
using testkit::BackgroundProcess;
using testkit::httpGetInNetns;
using testkit::NetnsPair;
using testkit::waitUntil;

namespace {

// A capture (the demo) written again starting now, each packet at `retime(index, offset)` after
// the start, where offset is its time since the demo's first packet. tcpreplay sends what the
// file holds of a frame: the frames the demo keeps only the start of (its upload, cut to 64
// bytes) are padded with zeros to their length on the wire, so the sensor counts what the
// generator counts.
template <typename Retime>
std::uint64_t writeRetimed(const std::string& from, const std::string& path, const Retime& retime) {
  auto input = CaptureFile::open(from);
  if (!input) return 0;
  testkit::PcapWriter output(path);
  RawPacket packet;
  std::vector<std::uint8_t> whole;
  const Timestamp start = static_cast<Timestamp>(time(nullptr)) * kNanosPerSecond;
  Timestamp first = -1;
  for (Timestamp index = 0; (*input)->next(packet) == ReadStatus::kPacket; ++index) {
    if (first < 0) first = packet.ts;
    std::span<const std::uint8_t> data = packet.data;
    if (data.size() < packet.wire_len) {
      whole.assign(data.begin(), data.end());
      whole.resize(packet.wire_len, 0);
      data = whole;
    }
    output.write(start + retime(index, packet.ts - first), data, packet.wire_len);
  }
  output.close();
  return output.packetsWritten();
}

// A destination outside every private, shared, link-local and multicast range: what camwatch
// calls public (docs/flows.md, dst_scope). The demo's addresses are all IPv4.
bool isPublicIpv4(const std::string& ip) {
  unsigned a = 0;
  unsigned b = 0;
  if (std::sscanf(ip.c_str(), "%u.%u.", &a, &b) != 2) return false;
  return !(a == 10 || a == 127 || a >= 224 || (a == 172 && b >= 16 && b < 32) ||
           (a == 192 && b == 168) || (a == 169 && b == 254) || (a == 100 && b >= 64 && b < 128));
}

}  // namespace

CaptureExpectation expectScenario(const TempDir& dir, const std::string& scenario,
                                  const SiteAddresses& site) {
  const std::string capture = dir.path(scenario + ".pcap");
  const std::string facts = dir.path(scenario + ".json");
  const CommandResult made =
      runCommand(fmt::format("{} {} {} --expect {} 2>&1", shellQuote(CAMWATCH_TESTGEN), scenario,
                             shellQuote(capture), shellQuote(facts)));
  EXPECT_EQ(made.exit_code, 0) << made.out;
  const nlohmann::json expected = nlohmann::json::parse(readFile(facts));
  CaptureExpectation out;
  out.packets = expected.at("packets").get<double>();
  out.bytes = expected.at("bytes").get<double>();
  for (const auto& flow : expected.at("flows")) {
    const std::string src = flow.at("src_ip").get<std::string>();
    const std::string dst = flow.at("dst_ip").get<std::string>();
    const bool camera = src.starts_with(site.camera_prefix) && !site.local_hosts.contains(src);
    if (!camera || !isPublicIpv4(dst)) continue;
    const auto name = site.names.find(src);
    auto& [bytes, flows] = out.egress[name == site.names.end() ? src : name->second];
    bytes += flow.at("bytes_to_server").get<double>();
    flows += 1;
    auto& [to_bytes, to_flows] = out.egress_to[dst];
    to_bytes += flow.at("bytes_to_server").get<double>();
    to_flows += 1;
  }
  out.flows = static_cast<double>(expected.at("flows").size());
  return out;
}

CaptureExpectation expectDemo(const TempDir& dir) {
  // The ground-truth inventory's names; the unknown device keeps its address as its label.
  const SiteAddresses site = {"192.168.10.",
                              {"192.168.10.1", "192.168.10.200"},
                              {{"192.168.10.21", "cam-lobby"},
                               {"192.168.10.22", "cam-car-park"},
                               {"192.168.10.23", "cam-gate"},
                               {"192.168.10.24", "cam-yard"},
                               {"192.168.10.31", "cam-dock"},
                               {"192.168.10.32", "cam-stairs"},
                               {"192.168.10.33", "cam-roof"},
                               {"192.168.10.34", "cam-mast"}}};
  CaptureExpectation demo = expectScenario(dir, "demo", site);
  // The facts are those of the shipped demo capture only if the generator still writes it.
  EXPECT_EQ(readFile(dir.path("demo.pcap")), readFile(kDemo))
      << "demo/camera-vlan-demo.pcap is stale";
  return demo;
}

CaptureExpectation expectBranch(const TempDir& dir) {
  const SiteAddresses site = {"192.168.20.",
                              {"192.168.20.1", "192.168.20.200"},
                              {{"192.168.20.11", "cam-gate"},
                               {"192.168.20.12", "cam-entrance"},
                               {"192.168.20.13", "cam-hall"},
                               {"192.168.20.14", "cam-pool"},
                               {"192.168.20.15", "cam-reception"}}};
  return expectScenario(dir, "branch", site);
}

std::uint64_t writeEvenlySpacedDemo(const std::string& path) {
  return writeRetimed(kDemo, path, [](Timestamp index, Timestamp /*offset*/) {
    return index * (kNanosPerSecond / kPacketsPerSecond);
  });
}

std::uint64_t writeCompressedDemo(const std::string& path, Timestamp factor) {
  return writeCompressedCapture(kDemo, path, factor);
}

std::uint64_t writeCompressedCapture(const std::string& input, const std::string& path,
                                     Timestamp factor) {
  return writeRetimed(input, path,
                      [factor](Timestamp /*index*/, Timestamp offset) { return offset / factor; });
}

std::string groundTruthConfig(const std::string& extra) { return testConfig(kGroundTruth, extra); }

std::string testConfig(const std::string& file, const std::string& extra) {
  std::string text = readFile(file);
  for (std::size_t at = 0; (at = text.find("../../../", at)) != std::string::npos;)
    text.replace(at, 9, kSourceDir + "/");
  // The config has a geoip: section (its operators file): a geoip: section in `extra` joins it.
  const std::string section = "geoip:\n";
  if (!extra.starts_with(section)) return text + extra;
  std::size_t end = section.size();
  while (end < extra.size() && extra.compare(end, 2, "  ") == 0) end = extra.find('\n', end) + 1;
  const std::size_t at = text.find("\n" + section);
  if (at == std::string::npos) return text + extra;
  text.insert(at + 1 + section.size(), extra.substr(section.size(), end - section.size()));
  return text + extra.substr(end);
}

double lineCount(const std::string& text) {
  return static_cast<double>(std::count(text.begin(), text.end(), '\n'));
}

std::vector<std::string> linesWith(const std::string& log, const std::string& text) {
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(text) != std::string::npos) found.push_back(line);
  }
  return found;
}

std::multiset<AlertFacts> alertFacts(const nlohmann::json& alerts) {
  std::multiset<AlertFacts> facts;
  for (const auto& alert : alerts) {
    const auto& destination = alert.at("destination");
    facts.insert({alert.at("kind").get<std::string>(), alert.at("camera").at("ip").dump(),
                  destination.is_null() ? "" : destination.value("ip", nlohmann::json()).dump(),
                  alert.at("rule").get<std::string>(), alert.at("status").get<std::string>()});
  }
  return facts;
}

std::string describe(const std::multiset<AlertFacts>& facts) {
  std::string text;
  for (const auto& [kind, camera, destination, rule, status] : facts)
    text += fmt::format("  {} {} {} -> {} ({})\n", status, kind, camera, destination, rule);
  return text;
}

void LiveRunTest::SetUp() {
  if (const std::string reason = testkit::netnsUnavailableReason(); !reason.empty()) {
    GTEST_SKIP() << reason;
  }
  static int counter = 0;
  pair_ = std::make_unique<NetnsPair>(fmt::format("{}l{}", getpid() % 100000, counter++));
  const std::string failed = pair_->create();
  ASSERT_EQ(failed, "");
  capture_ = dir_.path("demo-2kpps.pcap");
  packets_ = writeEvenlySpacedDemo(capture_);
  ASSERT_GT(packets_, 1000U);
}

void LiveRunTest::TearDown() {
  sensor_.reset();
  pair_.reset();
  // Also after a failed assertion: a test's tmpfs does not outlive it.
  if (!tmpfs_.empty()) umount2(tmpfs_.c_str(), MNT_DETACH);
}

std::string LiveRunTest::mountTmpfs(const std::string& name, const std::string& size) {
  tmpfs_ = dir_.path(name);
  std::filesystem::create_directory(tmpfs_);
  if (mount("tmpfs", tmpfs_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) {
    const std::string error = std::strerror(errno);
    tmpfs_.clear();
    return "cannot mount a tmpfs: " + error;
  }
  return "";
}

std::multiset<AlertFacts> LiveRunTest::replayAlerts() {
  std::ofstream(dir_.path("replay.yaml"))
      << groundTruthConfig(fmt::format("alerts:\n  spool_dir: {}\n", dir_.path("replay-spool")));
  const CommandResult replay = runCommand(fmt::format(
      "{} replay -c {} --workers 2 --summary {} --alerts {} {} 2>&1", shellQuote(kBinary),
      shellQuote(dir_.path("replay.yaml")), shellQuote(dir_.path("summary.json")),
      shellQuote(dir_.path("replay-alerts.jsonl")), shellQuote(capture_)));
  EXPECT_EQ(replay.exit_code, 0) << replay.out + replay.err;
  return alertFacts(readJsonLines(dir_.path("replay-alerts.jsonl")));
}

void LiveRunTest::startSensor(const std::string& config_text, const std::string& extra_args,
                              const std::string& environment) {
  std::ofstream(dir_.path("camwatch.yaml")) << config_text;
  sensor_ = std::make_unique<BackgroundProcess>(
      fmt::format("{} ip netns exec {} {} run -c {} --interface {} --metrics 127.0.0.1:0 {}",
                  environment, pair_->receiverNs(), shellQuote(kBinary),
                  shellQuote(dir_.path("camwatch.yaml")), pair_->receiverInterface(), extra_args),
      dir_.path("run.log"));
  const bool bound = waitUntil(
      [&] { return (port_ = metricsPortInLog(sensor_->log())) != 0 || !sensor_->running(); },
      milliseconds(20000));
  ASSERT_TRUE(bound && port_ != 0) << sensor_->log();
  const bool up =
      waitUntil([&] { return !scrape().empty() || !sensor_->running(); }, milliseconds(20000));
  ASSERT_TRUE(up && sensor_->running()) << sensor_->log();
}

std::string LiveRunTest::scrape() { return httpGetInNetns(pair_->receiverNs(), port_, "/metrics"); }

void LiveRunTest::sendCapture(double expected_total, const std::function<void()>& meanwhile,
                              const std::string& rate) {
  CommandResult sent;
  std::thread sender([&] {
    sent =
        runCommand(fmt::format("ip netns exec {} tcpreplay -q -i {} {} {} 2>&1", pair_->senderNs(),
                               pair_->senderInterface(), rate, shellQuote(capture_)));
  });
  if (meanwhile) meanwhile();
  sender.join();
  ASSERT_EQ(sent.exit_code, 0) << sent.out + sent.err;
  const bool counted = waitUntil(
      [&] { return metricSum(scrape(), "camwatch_worker_packets_total") >= expected_total; },
      milliseconds(15000));
  EXPECT_TRUE(counted) << "packets counted: "
                       << metricSum(scrape(), "camwatch_worker_packets_total") << " of "
                       << expected_total << "\n"
                       << sensor_->log();
}

bool LiveRunTest::logSays(const std::string& text, milliseconds timeout) {
  return waitUntil([&] { return sensor_->log().find(text) != std::string::npos; }, timeout);
}

int LiveRunTest::stopSensor() {
  sensor_->signal(SIGTERM);
  return sensor_->wait(milliseconds(45000));
}

}  // namespace camwatch::integration
