// FlowWorker's egress summaries (summarize_egress, the live traffic metrics): each tick reports
// the new bytes of every open, classified egress flow, and a flow's end its last ones, while
// flows end and start in between (the worker's list of open egress flows must follow them).
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>

#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "support/packet_builder.h"
#include "unit/metrics/metrics_test_util.h"

namespace camwatch {
namespace {

using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;
constexpr Timestamp kSecond = kNanosPerSecond;
constexpr std::uint64_t kPacketBytes = 20 + 8 + 64;  // raw IPv4 + UDP + payload
// More than nDPI's 24 UDP packets: classification gives up and the flow is final.
constexpr int kToFinal = 25;

class EgressWorker {
 public:
  EgressWorker() : dns_(config_.dns) {
    auto loaded = loadJudgement(judgementConfig(config_));
    EXPECT_TRUE(loaded.has_value());
    auto classifier = NdpiClassifier::create(config_.dpi);
    EXPECT_TRUE(classifier.has_value());
    FlowWorkerOptions options;
    options.flows = config_.flows;
    options.judgement = loaded->judgement;
    options.summarize_egress = true;
    worker_ = std::make_unique<FlowWorker>(options, std::move(*classifier), dns_);
  }

  // `count` packets of flow `n`: the camera 10.1.0.1 to the public server 1.2.3.(10 + n).
  void send(int n, int count, Timestamp ts) {
    const std::vector<std::uint8_t> bytes = Frame()
                                                .ipv4("10.1.0.1", "1.2.3." + std::to_string(10 + n))
                                                .udp(40000, 40001)
                                                .payload(64)
                                                .build();
    for (int i = 0; i < count; ++i) {
      const RawPacket raw = testkit::rawIpPacket(bytes, ts);
      DecodedPacket packet;
      ASSERT_TRUE(decodePacket(raw, packet));
      bool src_is_a = true;
      const FlowKey key = makeFlowKey(packet, src_is_a);
      worker_->onPacket(packet, key, src_is_a, hashFlowKey(key), raw.data);
    }
  }

  // The summaries since the last call, as (bytes, flows) sorted by bytes then flows.
  std::multimap<std::uint64_t, std::uint64_t> take() {
    std::multimap<std::uint64_t, std::uint64_t> out;
    for (const EgressFlowSummary& summary : worker_->egressSummaries()) {
      EXPECT_EQ(summary.camera.ip.toString(), "10.1.0.1");
      EXPECT_NE(summary.naming, nullptr);  // names the camera on the control side
      EXPECT_FALSE(ProtocolText::view(summary.protocol).empty());  // nDPI's guess at giving up
      out.emplace(summary.bytes, summary.flows);
    }
    worker_->egressSummaries().clear();
    return out;
  }

  FlowWorker& worker() { return *worker_; }

 private:
  Config config_ = defaultConfig();
  DnsCache dns_;
  std::unique_ptr<FlowWorker> worker_;
};

using Summaries = std::multimap<std::uint64_t, std::uint64_t>;

TEST(EgressSummaryTest, TicksFollowFlowsAsTheyEndAndStart) {
  EgressWorker run;
  for (int n = 0; n < 6; ++n) run.send(n, kToFinal, kStart);
  run.worker().tick(kStart + kSecond);
  Summaries first;
  for (int n = 0; n < 6; ++n) first.emplace(kToFinal * kPacketBytes, 1);
  EXPECT_EQ(run.take(), first);

  // Flows 1, 3 and 5 go on; 0, 2 and 4 idle out (UDP: 60 s) at the next tick, with nothing new
  // to report. The tick reports the three that go on, each once.
  for (int n : {1, 3, 5}) run.send(n, 1, kStart + 30 * kSecond);
  run.worker().tick(kStart + 61 * kSecond);
  EXPECT_EQ(run.worker().activeFlows(), 3U);
  EXPECT_EQ(run.take(), (Summaries{{kPacketBytes, 0}, {kPacketBytes, 0}, {kPacketBytes, 0}}));

  // A new flow, and one more packet of flow 3.
  run.send(6, kToFinal, kStart + 62 * kSecond);
  run.send(3, 1, kStart + 62 * kSecond);
  run.worker().tick(kStart + 63 * kSecond);
  EXPECT_EQ(run.take(), (Summaries{{kPacketBytes, 0}, {kToFinal * kPacketBytes, 1}}));

  // Flow 1 ends with a packet not yet reported: its end reports it; then nothing is open.
  run.send(1, 2, kStart + 64 * kSecond);
  run.worker().finish(kStart + 65 * kSecond);
  EXPECT_EQ(run.take(), (Summaries{{2 * kPacketBytes, 0}}));
  EXPECT_EQ(run.worker().activeFlows(), 0U);
  run.worker().tick(kStart + 66 * kSecond);
  EXPECT_TRUE(run.take().empty());
}

// The control side names what the worker summarized: a listed camera by its inventory name, any
// other by its address; country, AS number and protocol as the worker copied them.
TEST(EgressSummaryTest, TheControlSideNamesTheCameraFromTheSnapshot) {
  InventoryConfig inventory;
  InventoryDevice lobby;
  lobby.name = "lobby-cam";
  lobby.ip = *IpAddress::parse("10.1.0.1");
  inventory.devices.push_back(lobby);
  auto created = CameraInventory::create(inventory, nullptr);
  ASSERT_TRUE(created.has_value());
  // Who operates AS37963 (an Alibaba AS): the operators file names it, so the series says CN.
  const std::string operators_csv = ::testing::TempDir() + "egress_summary_operators.csv";
  std::ofstream(operators_csv) << "asn,prefix,operator,holder,parent,parent_country,source\n"
                                  "37963,,Alibaba,Hangzhou Alibaba Advertising,Alibaba Group,CN,"
                                  "test\n";
  auto operators = OperatorTable::load(operators_csv);
  ASSERT_TRUE(operators.has_value()) << operators.error().message;
  const auto naming = std::make_shared<const NamingSnapshot>(
      NamingSnapshot{std::make_shared<const CameraInventory>(std::move(*created)), nullptr,
                     std::make_shared<const OperatorTable>(std::move(*operators)), nullptr, "hq"});

  MetricsRegistry metrics({}, MetricsOptions{});
  EgressFlowSummary listed;
  listed.naming = naming;
  listed.camera.ip = *IpAddress::parse("10.1.0.1");
  listed.country = {'C', 'N', '\0'};
  listed.asn = 37963;
  listed.server = *IpAddress::parse("47.254.33.45");
  ProtocolText::set(listed.protocol, "TLS.HikConnect");
  listed.bytes = 1000;
  listed.flows = 1;
  addEgressSummary(metrics.egress(), listed);
  EgressFlowSummary unlisted = listed;
  unlisted.camera.ip = *IpAddress::parse("10.1.0.9");
  unlisted.country = {};
  unlisted.asn = 0;
  unlisted.protocol = {};
  addEgressSummary(metrics.egress(), unlisted);

  const std::string text = testing::serialize(metrics);
  EXPECT_NE(text.find("camwatch_egress_bytes_total{asn=\"37963\",camera=\"lobby-cam\","
                      "country=\"CN\",operator=\"Alibaba\",operator_country=\"CN\","
                      "protocol=\"TLS.HikConnect\"} "
                      "1000"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("camwatch_egress_bytes_total{asn=\"unknown\",camera=\"10.1.0.9\","
                      "country=\"unknown\",operator=\"unknown\",operator_country=\"unknown\","
                      "protocol=\"unknown\"} "
                      "1000"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace camwatch
