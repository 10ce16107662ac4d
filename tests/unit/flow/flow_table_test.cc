#include <map>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/flow.h>

namespace camwatch {
namespace {

constexpr Timestamp kSecond = kNanosPerSecond;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

DecodedPacket packet(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport,
                     std::uint8_t proto, Timestamp ts, std::uint32_t wire_len = 100,
                     std::uint8_t flags = 0, std::uint16_t vlan = 0) {
  DecodedPacket p;
  p.ts = ts;
  p.wire_len = wire_len;
  p.cap_len = wire_len;
  p.network = NetworkLayer::kIpv4;
  p.src_ip = ip(src);
  p.dst_ip = ip(dst);
  p.src_port = sport;
  p.dst_port = dport;
  p.ip_proto = proto;
  p.tcp_flags = flags;
  p.has_l4 = true;
  p.vlan_outer = vlan;
  p.vlan_count = vlan != 0 ? 1 : 0;
  return p;
}

class Collector : public FlowEndHandler {
 public:
  void onFlowEnd(FlowRecord& flow, std::uint32_t slot) override {
    ended.push_back(flow);
    ended_slots.push_back(slot);
  }
  std::vector<FlowRecord> ended;
  std::vector<std::uint32_t> ended_slots;
};

class FlowTableTest : public ::testing::Test {
 protected:
  FlowUpdate feed(FlowTable& table, const DecodedPacket& p) {
    bool src_is_a = false;
    const FlowKey key = makeFlowKey(p, src_is_a);
    return table.onPacket(p, key, src_is_a, hashFlowKey(key));
  }
  Collector collector_;
};

TEST(FlowKeyTest, BothDirectionsGiveTheSameKeyAndHash) {
  bool forward_is_a = false;
  bool reverse_is_a = false;
  const FlowKey forward =
      makeFlowKey(packet("10.0.0.2", 40000, "10.0.0.1", 80, kIpProtoTcp, 0), forward_is_a);
  const FlowKey reverse =
      makeFlowKey(packet("10.0.0.1", 80, "10.0.0.2", 40000, kIpProtoTcp, 0), reverse_is_a);
  EXPECT_EQ(forward, reverse);
  EXPECT_EQ(hashFlowKey(forward), hashFlowKey(reverse));
  EXPECT_NE(forward_is_a, reverse_is_a);
}

TEST(FlowKeyTest, VlanAndProtocolArePartOfTheKey) {
  bool a = false;
  const FlowKey untagged = makeFlowKey(packet("10.0.0.2", 1, "10.0.0.1", 2, kIpProtoUdp, 0), a);
  const FlowKey tagged =
      makeFlowKey(packet("10.0.0.2", 1, "10.0.0.1", 2, kIpProtoUdp, 0, 100, 0, 10), a);
  const FlowKey tcp = makeFlowKey(packet("10.0.0.2", 1, "10.0.0.1", 2, kIpProtoTcp, 0), a);
  EXPECT_NE(untagged, tagged);
  EXPECT_NE(untagged, tcp);
}

TEST_F(FlowTableTest, FirstSenderIsTheClientAndDirectionsAreCountedApart) {
  FlowTable table(FlowTableConfig{}, collector_);
  auto first = feed(
      table, packet("192.168.10.21", 50000, "203.0.113.5", 443, kIpProtoTcp, kSecond, 74, kTcpSyn));
  EXPECT_TRUE(first.created);
  EXPECT_TRUE(first.from_client);
  auto reply = feed(table, packet("203.0.113.5", 443, "192.168.10.21", 50000, kIpProtoTcp,
                                  2 * kSecond, 1500, kTcpSyn | kTcpAck));
  EXPECT_FALSE(reply.created);
  EXPECT_FALSE(reply.from_client);
  EXPECT_EQ(table.size(), 1U);
  table.flushAll(3 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 1U);
  const FlowRecord& flow = collector_.ended[0];
  EXPECT_EQ(flow.clientIp(), ip("192.168.10.21"));
  EXPECT_EQ(flow.clientPort(), 50000);
  EXPECT_EQ(flow.serverIp(), ip("203.0.113.5"));
  EXPECT_EQ(flow.serverPort(), 443);
  EXPECT_EQ(flow.packets[kToServer], 1U);
  EXPECT_EQ(flow.packets[kToClient], 1U);
  EXPECT_EQ(flow.bytes[kToServer], 74U);
  EXPECT_EQ(flow.bytes[kToClient], 1500U);
  EXPECT_EQ(flow.tcp_flags[kToServer], kTcpSyn);
  EXPECT_EQ(flow.tcp_flags[kToClient], kTcpSyn | kTcpAck);
  EXPECT_EQ(flow.first_seen, kSecond);
  EXPECT_EQ(flow.last_seen, 2 * kSecond);
  EXPECT_EQ(flow.end_reason, FlowEndReason::kEndOfCapture);
}

TEST_F(FlowTableTest, SynAckSeenFirstMakesItsReceiverTheClient) {
  FlowTable table(FlowTableConfig{}, collector_);
  feed(table, packet("203.0.113.5", 443, "192.168.10.21", 50000, kIpProtoTcp, kSecond, 60,
                     kTcpSyn | kTcpAck));
  table.flushAll(kSecond);
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].clientIp(), ip("192.168.10.21"));
  EXPECT_EQ(collector_.ended[0].packets[kToClient], 1U);
}

TEST_F(FlowTableTest, UdpIdleTimeoutSplitsAFlowOnTheNextPacket) {
  FlowTableConfig config;
  config.udp_idle_timeout = 60 * kSecond;
  FlowTable table(config, collector_);
  feed(table, packet("10.0.0.2", 5000, "8.8.8.8", 53, kIpProtoUdp, 0));
  feed(table, packet("10.0.0.2", 5000, "8.8.8.8", 53, kIpProtoUdp, 59 * kSecond));
  EXPECT_TRUE(collector_.ended.empty());
  auto later = feed(table, packet("10.0.0.2", 5000, "8.8.8.8", 53, kIpProtoUdp, 119 * kSecond));
  EXPECT_TRUE(later.created);
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].packets[kToServer], 2U);
  EXPECT_EQ(collector_.ended[0].end_reason, FlowEndReason::kIdle);
}

TEST_F(FlowTableTest, ExpireEndsIdleFlowsPerProtocolTimeout) {
  FlowTableConfig config;
  config.udp_idle_timeout = 60 * kSecond;
  config.tcp_idle_timeout = 300 * kSecond;
  FlowTable table(config, collector_);
  feed(table, packet("10.0.0.2", 5000, "10.0.0.1", 53, kIpProtoUdp, 0));
  feed(table, packet("10.0.0.2", 5001, "10.0.0.1", 80, kIpProtoTcp, 0, 60, kTcpSyn));
  table.expire(100 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].key.ip_proto, kIpProtoUdp);
  table.expire(299 * kSecond);
  EXPECT_EQ(collector_.ended.size(), 1U);
  table.expire(300 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 2U);
  EXPECT_EQ(collector_.ended[1].end_reason, FlowEndReason::kIdle);
  EXPECT_EQ(table.size(), 0U);
}

TEST_F(FlowTableTest, FinBothWaysShortensTheTimeout) {
  FlowTableConfig config;
  config.tcp_closed_timeout = 10 * kSecond;
  FlowTable table(config, collector_);
  feed(table, packet("10.0.0.2", 5000, "10.0.0.1", 80, kIpProtoTcp, 0, 60, kTcpFin | kTcpAck));
  table.expire(20 * kSecond);
  EXPECT_TRUE(collector_.ended.empty()) << "one FIN does not close a TCP connection";
  feed(table,
       packet("10.0.0.1", 80, "10.0.0.2", 5000, kIpProtoTcp, 21 * kSecond, 60, kTcpFin | kTcpAck));
  table.expire(30 * kSecond);
  EXPECT_TRUE(collector_.ended.empty());
  table.expire(31 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].end_reason, FlowEndReason::kTcpClosed);
}

TEST_F(FlowTableTest, RstClosesAndANewSynAfterwardsStartsANewFlow) {
  FlowTable table(FlowTableConfig{}, collector_);
  feed(table, packet("10.0.0.2", 5000, "10.0.0.1", 80, kIpProtoTcp, 0, 60, kTcpSyn));
  feed(table, packet("10.0.0.1", 80, "10.0.0.2", 5000, kIpProtoTcp, kSecond, 60, kTcpRst));
  auto again =
      feed(table, packet("10.0.0.2", 5000, "10.0.0.1", 80, kIpProtoTcp, 12 * kSecond, 60, kTcpSyn));
  EXPECT_TRUE(again.created);
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].end_reason, FlowEndReason::kTcpClosed);
}

TEST_F(FlowTableTest, ActiveTimeoutCutsALongFlowAndKeepsTheClient) {
  FlowTableConfig config;
  config.active_timeout = 1800 * kSecond;
  FlowTable table(config, collector_);
  for (Timestamp t = 0; t <= 2000; t += 100) {
    // The server speaks first after the start: the client must stay the camera.
    if (t == 0) {
      feed(table, packet("192.168.10.21", 40000, "203.0.113.9", 443, kIpProtoTcp, 0, 60, kTcpSyn));
    } else {
      feed(table, packet("203.0.113.9", 443, "192.168.10.21", 40000, kIpProtoTcp, t * kSecond, 1000,
                         kTcpAck));
    }
  }
  table.flushAll(2000 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 2U);
  EXPECT_EQ(collector_.ended[0].end_reason, FlowEndReason::kActive);
  EXPECT_EQ(collector_.ended[0].first_seen, 0);
  EXPECT_EQ(collector_.ended[0].last_seen, 1700 * kSecond);
  EXPECT_EQ(collector_.ended[1].first_seen, 1800 * kSecond);
  EXPECT_EQ(collector_.ended[1].clientIp(), ip("192.168.10.21"));
  EXPECT_EQ(collector_.ended[1].packets[kToClient], 3U);
  // The second record goes on with the same conversation: no new contact for a beacon.
  EXPECT_FALSE(collector_.ended[0].continuation);
  EXPECT_TRUE(collector_.ended[1].continuation);
  EXPECT_EQ(table.stats().active_timeouts, 1U);
}

// A replay ends the flows still open in slices of first-seen time, so that no slice holds the
// whole table: each slice ends exactly the flows that started before its bound.
TEST_F(FlowTableTest, FlushStartedBeforeEndsOnlyFlowsThatStartedEarlier) {
  FlowTable table(FlowTableConfig{}, collector_);
  for (std::uint16_t n = 0; n < 10; ++n) {
    feed(table, packet("10.0.0.2", static_cast<std::uint16_t>(5000 + n), "8.8.8.8", 53, kIpProtoUdp,
                       n * kSecond));
  }
  table.flushStartedBefore(10 * kSecond, 4 * kSecond);
  ASSERT_EQ(collector_.ended.size(), 4U);
  for (const FlowRecord& flow : collector_.ended) {
    EXPECT_LT(flow.first_seen, 4 * kSecond);
    EXPECT_EQ(flow.end_reason, FlowEndReason::kEndOfCapture);
  }
  EXPECT_EQ(table.size(), 6U);
  table.flushStartedBefore(10 * kSecond, 4 * kSecond);  // nothing more started before 4 s
  EXPECT_EQ(collector_.ended.size(), 4U);
  table.flushAll(10 * kSecond);
  EXPECT_EQ(collector_.ended.size(), 10U);
  EXPECT_EQ(table.size(), 0U);
}

TEST_F(FlowTableTest, FullTableEvictsTheLeastRecentlySeenFlow) {
  FlowTableConfig config;
  config.max_flows = 2;
  FlowTable table(config, collector_);
  feed(table, packet("10.0.0.1", 1, "10.0.0.9", 53, kIpProtoUdp, 1 * kSecond));
  feed(table, packet("10.0.0.2", 1, "10.0.0.9", 53, kIpProtoUdp, 2 * kSecond));
  feed(table, packet("10.0.0.1", 1, "10.0.0.9", 53, kIpProtoUdp, 3 * kSecond));  // refreshes .1
  feed(table, packet("10.0.0.3", 1, "10.0.0.9", 53, kIpProtoUdp, 4 * kSecond));
  ASSERT_EQ(collector_.ended.size(), 1U);
  EXPECT_EQ(collector_.ended[0].clientIp(), ip("10.0.0.2"));
  EXPECT_EQ(collector_.ended[0].end_reason, FlowEndReason::kEvicted);
  EXPECT_EQ(table.stats().evicted, 1U);
  EXPECT_EQ(table.size(), 2U);
}

// The slot is what a worker keeps its own per-flow state by: the same for every packet of a
// flow, below the capacity, handed to the end handler, and only then given to another flow.
TEST_F(FlowTableTest, EachOpenFlowKeepsItsSlotUntilItEnds) {
  FlowTableConfig config;
  config.max_flows = 2;
  FlowTable table(config, collector_);
  const FlowUpdate a = feed(table, packet("10.0.0.1", 1, "10.0.0.9", 53, kIpProtoUdp, 1 * kSecond));
  const FlowUpdate b = feed(table, packet("10.0.0.2", 1, "10.0.0.9", 53, kIpProtoUdp, 2 * kSecond));
  EXPECT_NE(a.slot, b.slot);
  EXPECT_LT(a.slot, table.capacity());
  EXPECT_LT(b.slot, table.capacity());
  const FlowUpdate a_again =
      feed(table, packet("10.0.0.9", 53, "10.0.0.1", 1, kIpProtoUdp, 3 * kSecond));
  EXPECT_FALSE(a_again.created);
  EXPECT_EQ(a_again.slot, a.slot);
  EXPECT_EQ(table.at(a.slot).clientIp(), ip("10.0.0.1"));
  EXPECT_EQ(table.at(b.slot).clientIp(), ip("10.0.0.2"));
  // Full: the least recently seen flow (.2) is evicted, and the new flow takes its slot.
  const FlowUpdate c = feed(table, packet("10.0.0.3", 1, "10.0.0.9", 53, kIpProtoUdp, 4 * kSecond));
  ASSERT_EQ(collector_.ended_slots.size(), 1U);
  EXPECT_EQ(collector_.ended[0].clientIp(), ip("10.0.0.2"));
  EXPECT_EQ(collector_.ended_slots[0], b.slot);
  EXPECT_TRUE(c.created);
  EXPECT_EQ(c.slot, b.slot);
  table.flushAll(5 * kSecond);
  ASSERT_EQ(collector_.ended_slots.size(), 3U);
  EXPECT_EQ((std::set<std::uint32_t>{collector_.ended_slots[1], collector_.ended_slots[2]}),
            (std::set<std::uint32_t>{a.slot, c.slot}));
}

// The table against std::map as an oracle: random packets over a small key space, with timeouts
// and eviction exercising index deletion (backward shift) and recycling.
TEST_F(FlowTableTest, MatchesAMapOracleUnderChurn) {
  FlowTableConfig config;
  config.max_flows = 64;
  config.udp_idle_timeout = 3 * kSecond;
  FlowTable table(config, collector_);
  std::mt19937 random(12345);
  std::uint64_t flows_started = 0;
  std::map<std::pair<int, int>, std::pair<Timestamp, std::uint64_t>> oracle;  // last seen, packets
  std::uint64_t packets_fed = 0;
  Timestamp now = 0;
  for (int i = 0; i < 200000; ++i) {
    now += static_cast<Timestamp>(random() % 20) * (kSecond / 100);
    const int host = static_cast<int>(random() % 40);
    const int port = static_cast<int>(random() % 3);
    const std::string src = "10.1.0." + std::to_string(host + 1);
    feed(table, packet(src.c_str(), static_cast<std::uint16_t>(1000 + port), "10.2.0.1", 53,
                       kIpProtoUdp, now));
    ++packets_fed;
    auto& entry = oracle[{host, port}];
    if (entry.second != 0 && now - entry.first >= config.udp_idle_timeout) entry.second = 0;
    if (entry.second == 0) ++flows_started;
    entry.first = now;
    ++entry.second;
    if (i % 10 == 0) table.expire(now);
    ASSERT_LE(table.size(), 64U);
  }
  table.flushAll(now);
  std::uint64_t packets_out = 0;
  for (const FlowRecord& flow : collector_.ended) packets_out += flow.packets[0] + flow.packets[1];
  EXPECT_EQ(packets_out, packets_fed) << "every packet ends up in exactly one flow record";
  EXPECT_EQ(collector_.ended.size(), flows_started);
  EXPECT_EQ(table.size(), 0U);
  EXPECT_EQ(table.stats().created, table.stats().ended);
  EXPECT_EQ(table.stats().evicted, 0U) << "120 keys, but idle ones expire before the table fills";
}

TEST_F(FlowTableTest, EvictionChurnKeepsEveryPacket) {
  FlowTableConfig config;
  config.max_flows = 16;
  FlowTable table(config, collector_);
  std::mt19937 random(7);
  for (int i = 0; i < 50000; ++i) {
    const std::string src =
        "10.3." + std::to_string(random() % 50) + "." + std::to_string(random() % 50);
    feed(table, packet(src.c_str(), 1, "10.4.0.1", 80, kIpProtoTcp, i * 1000, 60, kTcpAck));
  }
  table.flushAll(50000 * 1000);
  std::uint64_t packets_out = 0;
  for (const FlowRecord& flow : collector_.ended) packets_out += flow.packets[0];
  EXPECT_EQ(packets_out, 50000U);
  EXPECT_GT(table.stats().evicted, 0U);
}

TEST(FragmentTrackerTest, LaterFragmentsTakeThePortsOfTheFirst) {
  FragmentTracker tracker;
  DecodedPacket first = packet("10.0.0.2", 5353, "10.0.0.1", 9999, kIpProtoUdp, 0);
  first.is_fragment = true;
  first.is_first_fragment = true;
  first.fragment_id = 77;
  EXPECT_TRUE(tracker.resolve(first));
  DecodedPacket later = packet("10.0.0.2", 0, "10.0.0.1", 0, kIpProtoUdp, 0);
  later.is_fragment = true;
  later.has_l4 = false;
  later.fragment_id = 77;
  EXPECT_TRUE(tracker.resolve(later));
  EXPECT_EQ(later.src_port, 5353);
  EXPECT_EQ(later.dst_port, 9999);
  DecodedPacket orphan = later;
  orphan.src_port = 0;
  orphan.fragment_id = 78;
  EXPECT_FALSE(tracker.resolve(orphan));
}

}  // namespace
}  // namespace camwatch
