// FlowDigest: the replay's flow records folded as they come, in memory bounded by its limits,
// whatever the capture holds; and EgressTimeline, a camera's egress over a span of any length.
#include "report/flow_digest.h"

#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

constexpr Timestamp kT0 = 1768467600LL * kNanosPerSecond;

FlowRecord egressFlow(std::uint32_t server, std::uint64_t bytes_out, Timestamp first,
                      Timestamp last) {
  FlowRecord flow;
  flow.key.addr_a = *IpAddress::parse("192.168.10.21");
  const std::uint8_t four[4] = {45, static_cast<std::uint8_t>(server >> 16),
                                static_cast<std::uint8_t>(server >> 8),
                                static_cast<std::uint8_t>(server)};
  flow.key.addr_b = IpAddress::fromV4(four);
  flow.key.port_a = 40000;
  flow.key.port_b = 443;
  flow.key.ip_proto = 17;
  flow.first_seen = first;
  flow.last_seen = last;
  flow.packets = {1, 0};
  flow.bytes = {bytes_out, 0};
  flow.egress = true;
  flow.server_scope = AddressScope::kPublic;
  return flow;
}

TEST(FlowDigest, BeyondItsLimitsFlowsStayInEveryTotalButAreNotItemised) {
  FlowDigestLimits limits;
  limits.max_hosts = 10;
  limits.max_destination_rows = 5;
  limits.max_timelines = 1;
  FlowDigest digest(limits);
  digest.setOrigin(kT0);
  for (std::uint32_t n = 1; n <= 100; ++n) digest.add(egressFlow(n, n, kT0, kT0));

  EXPECT_EQ(digest.flows(), 100U);
  EXPECT_EQ(digest.egressFlows(), 100U);
  EXPECT_EQ(digest.egressBytesOut(), 5050U);
  EXPECT_EQ(digest.byL4().at(17).flows, 100U);
  // The first five destinations are rows; the other 95 flows are counted, not itemised.
  ASSERT_EQ(digest.egressRows().size(), 5U);
  EXPECT_EQ(digest.unitemisedEgress().flows, 95U);
  EXPECT_EQ(digest.unitemisedEgress().bytes_out, 5050U - 15U);
  // Ten addresses tracked: the camera and the first nine servers; the later flows' servers are
  // not (each such flow counts once).
  const std::vector<TalkerTally> top = digest.topTalkers(3);
  ASSERT_EQ(top.size(), 3U);
  EXPECT_EQ(top[0].ip.toString(), "192.168.10.21");
  EXPECT_EQ(top[0].flows, 100U);
  EXPECT_EQ(top[1].ip.toString(), "45.0.0.9");
  EXPECT_EQ(digest.untrackedTalkerFlows(), 91U);
  EXPECT_EQ(digest.topInternetDestinations(100).size(), 10U);
  EXPECT_EQ(digest.untrackedInternetDestinationFlows(), 90U);
  EXPECT_NE(digest.timeline(*IpAddress::parse("192.168.10.21")), nullptr);
  EXPECT_EQ(digest.egressFlowsWithoutTimeline(), 0U);
}

TEST(FlowDigest, OneDestinationManyFlowsIsOneRowWithItsPortsBounded) {
  FlowDigest digest;
  digest.setOrigin(kT0);
  for (std::uint16_t port = 1; port <= 1000; ++port) {
    FlowRecord flow = egressFlow(7, 10, kT0, kT0);
    flow.key.port_b = port;
    digest.add(flow);
  }
  ASSERT_EQ(digest.egressRows().size(), 1U);
  const EgressRowTally& row = digest.egressRows().begin()->second;
  EXPECT_EQ(row.flows, 1000U);
  EXPECT_EQ(row.bytes_out, 10000U);
  ASSERT_EQ(row.server_ports.size(), 64U);
  EXPECT_EQ(row.server_ports.front(), 1U);
  EXPECT_EQ(row.server_ports.back(), 64U);
}

TEST(EgressTimeline, SpreadsBytesOverTheFlowAndKeepsEveryByteWhenItCoarsens) {
  EgressTimeline timeline;
  // 10 s flow with 1000 bytes, from second 2: 100 bytes in each of seconds 2..11.
  timeline.add(kT0, kT0 + 2 * kNanosPerSecond, kT0 + 12 * kNanosPerSecond, 1000);
  std::vector<double> seconds = timeline.rebucket(kT0, kT0, kNanosPerSecond, 20);
  EXPECT_DOUBLE_EQ(seconds[1], 0.0);
  EXPECT_DOUBLE_EQ(seconds[2], 100.0);
  EXPECT_DOUBLE_EQ(seconds[11], 100.0);
  EXPECT_DOUBLE_EQ(seconds[12], 0.0);
  // A flow ending 3 hours later makes the buckets coarser (16 s); nothing is lost.
  timeline.add(kT0, kT0 + 3 * 3600 * kNanosPerSecond, kT0 + 3 * 3600 * kNanosPerSecond, 500);
  const std::vector<double> minutes = timeline.rebucket(kT0, kT0, 60 * kNanosPerSecond, 181);
  EXPECT_DOUBLE_EQ(std::accumulate(minutes.begin(), minutes.end(), 0.0), 1500.0);
  EXPECT_DOUBLE_EQ(minutes[0], 1000.0);
  EXPECT_DOUBLE_EQ(minutes[180], 500.0);
}

}  // namespace
}  // namespace camwatch
