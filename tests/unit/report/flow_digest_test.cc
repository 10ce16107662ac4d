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

// Beacons: per camera and destination address, flow starts at a regular interval.
TEST(FlowDigest, ABeaconIsACameraContactingOneAddressAtARegularInterval) {
  FlowDigestLimits limits;
  limits.max_destination_rows = 3;
  FlowDigest digest(limits);
  digest.setOrigin(kT0);
  const Timestamp second = kNanosPerSecond;
  // 45.0.0.1: a flow every 30 s, ten times, each with a second connection 200 ms later on
  // another port (the same contact); records come as flows end, so not in start order.
  for (const Timestamp k : {1, 0, 2, 3, 5, 4, 6, 7, 9, 8}) {
    FlowRecord flow = egressFlow(1, 300, kT0 + k * 30 * second, kT0 + k * 30 * second + second);
    const char name[] = "cloud.example";
    std::copy(std::begin(name), std::end(name), flow.dpi.hostname.begin());
    digest.add(flow);
    flow.first_seen += 200 * second / 1000;
    flow.key.port_b = 8443;
    digest.add(flow);
  }
  // 45.0.0.2: five flows at no regular interval.
  for (const Timestamp s : {0, 5, 60, 65, 200}) {
    digest.add(egressFlow(2, 10, kT0 + s * second, kT0 + s * second));
  }
  // 45.0.0.3: one long upload, its records split by the 30 min active timeout: one contact.
  for (const Timestamp minutes : {0, 30, 60, 90}) {
    FlowRecord flow =
        egressFlow(3, 1'000'000, kT0 + minutes * 60 * second, kT0 + (minutes + 30) * 60 * second);
    flow.continuation = minutes > 0;
    digest.add(flow);
  }
  // 45.0.0.4: regular, but three pairs are watched already.
  for (const Timestamp k : {0, 1, 2, 3, 4}) {
    digest.add(egressFlow(4, 10, kT0 + k * 30 * second, kT0 + k * 30 * second));
  }

  const std::vector<BeaconTally> beacons = digest.beacons();
  ASSERT_EQ(beacons.size(), 1U);
  const BeaconTally& found = beacons[0];
  EXPECT_EQ(found.camera_ip.toString(), "192.168.10.21");
  EXPECT_EQ(found.server_ip.toString(), "45.0.0.1");
  EXPECT_EQ(found.port, 0U) << "443 and 8443";
  EXPECT_EQ(found.beacon, (Beacon{30 * second, 0, 10}));
  EXPECT_EQ(found.first_contact, kT0);
  EXPECT_EQ(found.last_contact, kT0 + 270 * second);
  EXPECT_EQ(found.hostname, "cloud.example");
  EXPECT_EQ(digest.unwatchedContactFlows(), 5U);
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
