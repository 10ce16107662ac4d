// Tests of EgressVolumeMonitor: window totals exact to the bucket at bucket edges, bytes leaving
// the sliding window, when a budget crossing is reported (once, again once per window while
// over, again after falling back under), budget 0, cameras of both families kept apart, expiry,
// and times that arrive slightly out of order.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/egress_budget.h>

namespace camwatch {
namespace {

constexpr Timestamp kSecond = kNanosPerSecond;
constexpr Timestamp kT0 = 1'768'467'600LL * kSecond;  // 2026-01-15T09:00:00Z, a bucket edge

// 10 s buckets, a 60 s window of six of them, 1000 bytes allowed.
constexpr Timestamp kResolution = 10 * kSecond;
const EgressBudget kBudget{1000, 60 * kSecond};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(EgressVolumeMonitorTest, TotalsAreExactAtBucketEdges) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  EXPECT_FALSE(monitor.add(camera, kT0, 100, kBudget));
  EXPECT_FALSE(monitor.add(camera, kT0 + kResolution - 1, 200, kBudget));  // same bucket
  EXPECT_FALSE(monitor.add(camera, kT0 + kResolution, 300, kBudget));      // the next one

  EXPECT_EQ(monitor.windowBytes(camera, kT0 + kResolution, kBudget.window), 600U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 60 * kSecond - 1, kBudget.window), 600U);
  // The first bucket leaves the window exactly one window after it began.
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 60 * kSecond, kBudget.window), 300U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 70 * kSecond - 1, kBudget.window), 300U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 70 * kSecond, kBudget.window), 0U);
  // A shorter window counts only its own buckets.
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + kResolution, kResolution), 300U);
  EXPECT_EQ(monitor.windowBytes(ip("192.168.10.21"), kT0, kBudget.window), 0U);
}

TEST(EgressVolumeMonitorTest, OldBytesSlideOutOfTheWindow) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  // 150 bytes every 10 s: six buckets hold 900, never more.
  for (int i = 0; i < 20; ++i) {
    const Timestamp ts = kT0 + i * kResolution;
    EXPECT_FALSE(monitor.add(camera, ts, 150, kBudget)) << "at " << i;
    EXPECT_EQ(monitor.windowBytes(camera, ts, kBudget.window),
              150U * static_cast<std::uint64_t>(std::min(i + 1, 6)));
  }
  // A gap longer than the window empties it.
  EXPECT_FALSE(monitor.add(camera, kT0 + 1000 * kSecond, 10, kBudget));
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 1000 * kSecond, kBudget.window), 10U);
  // A gap shorter than the window drops only the buckets it passes.
  EXPECT_FALSE(monitor.add(camera, kT0 + 1020 * kSecond, 20, kBudget));
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 1020 * kSecond, kBudget.window), 30U);
}

TEST(EgressVolumeMonitorTest, ReportsTheCrossingOnce) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  EXPECT_FALSE(monitor.add(camera, kT0 + 25 * kSecond, 600, kBudget));
  EXPECT_FALSE(monitor.add(camera, kT0 + 30 * kSecond, 400, kBudget));  // 1000: at, not over
  auto over = monitor.add(camera, kT0 + 31 * kSecond, 1, kBudget);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->window_bytes, 1001U);
  // The oldest bucket counted is the one of 30 s - 50 s = -20 s.
  EXPECT_EQ(over->window_start, kT0 - 20 * kSecond);
  EXPECT_FALSE(monitor.add(camera, kT0 + 32 * kSecond, 500, kBudget));
  EXPECT_FALSE(monitor.add(camera, kT0 + 40 * kSecond, 500, kBudget));
}

TEST(EgressVolumeMonitorTest, RepeatsAtMostOncePerWindowWhileOver) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  // 400 bytes every 10 s: 2400 per window, always over once the third add is in.
  std::vector<Timestamp> reports;
  for (int i = 0; i < 20; ++i) {
    const Timestamp ts = kT0 + i * kResolution;
    if (monitor.add(camera, ts, 400, kBudget)) reports.push_back(ts - kT0);
  }
  EXPECT_EQ(reports, (std::vector<Timestamp>{20 * kSecond, 80 * kSecond, 140 * kSecond}));
}

TEST(EgressVolumeMonitorTest, FallingBackUnderStartsOver) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  ASSERT_TRUE(monitor.add(camera, kT0, 1500, kBudget));
  EXPECT_FALSE(monitor.add(camera, kT0 + 10 * kSecond, 100, kBudget));
  // At 60 s the 1500 bytes have left: 100 + 1 is under, so the camera is no longer over ...
  EXPECT_FALSE(monitor.add(camera, kT0 + 60 * kSecond, 1, kBudget));
  // ... and the next crossing reports at once, although a window has not passed since.
  auto again = monitor.add(camera, kT0 + 61 * kSecond, 1000, kBudget);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->window_bytes, 1101U);
}

TEST(EgressVolumeMonitorTest, ABurstAfterFallingUnderIsANewCrossing) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  EXPECT_FALSE(monitor.add(camera, kT0, 900, kBudget));
  ASSERT_TRUE(monitor.add(camera, kT0 + 55 * kSecond, 200, kBudget));
  // At 60 s the 900 bytes leave and the camera is under (200) before this add takes it over
  // again on its own: a new crossing, reported although the last report was only 6 s ago.
  auto burst = monitor.add(camera, kT0 + 61 * kSecond, 2000, kBudget);
  ASSERT_TRUE(burst);
  EXPECT_EQ(burst->window_bytes, 2200U);
  EXPECT_FALSE(monitor.add(camera, kT0 + 62 * kSecond, 1, kBudget));
}

TEST(EgressVolumeMonitorTest, BudgetZeroNeverReportsAndKeepsNoState) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  EXPECT_FALSE(monitor.add(camera, kT0, 1'000'000'000, EgressBudget{0, 60 * kSecond}));
  EXPECT_EQ(monitor.cameras(), 0U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0, 60 * kSecond), 0U);
}

TEST(EgressVolumeMonitorTest, CamerasOfBothFamiliesAreCountedApart) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress v4 = ip("192.168.10.20");
  const IpAddress other_v4 = ip("192.168.10.21");
  const IpAddress v6 = ip("2001:db8:10::20");
  EXPECT_FALSE(monitor.add(v4, kT0, 900, kBudget));
  EXPECT_FALSE(monitor.add(other_v4, kT0, 900, kBudget));
  EXPECT_FALSE(monitor.add(v6, kT0, 900, kBudget));
  EXPECT_EQ(monitor.cameras(), 3U);
  auto over = monitor.add(v6, kT0 + kSecond, 200, kBudget);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->window_bytes, 1100U);
  EXPECT_EQ(monitor.windowBytes(v4, kT0 + kSecond, kBudget.window), 900U);
  EXPECT_EQ(monitor.windowBytes(other_v4, kT0 + kSecond, kBudget.window), 900U);
  EXPECT_TRUE(monitor.add(v4, kT0 + kSecond, 200, kBudget));
  EXPECT_FALSE(monitor.add(other_v4, kT0 + kSecond, 100, kBudget));
}

TEST(EgressVolumeMonitorTest, ExpireForgetsCamerasWithAnEmptyWindow) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress quiet = ip("192.168.10.20");
  const IpAddress busy = ip("2001:db8:10::20");
  monitor.add(quiet, kT0, 100, kBudget);
  monitor.add(busy, kT0, 100, kBudget);
  monitor.add(busy, kT0 + 50 * kSecond, 100, kBudget);

  monitor.expire(kT0 + 60 * kSecond - 1, kBudget.window);
  EXPECT_EQ(monitor.cameras(), 2U);
  monitor.expire(kT0 + 60 * kSecond, kBudget.window);
  EXPECT_EQ(monitor.cameras(), 1U);
  EXPECT_EQ(monitor.windowBytes(quiet, kT0 + 60 * kSecond, kBudget.window), 0U);
  EXPECT_EQ(monitor.windowBytes(busy, kT0 + 60 * kSecond, kBudget.window), 100U);
  // A shorter window given to expire() does not cut into a camera's own budget window.
  monitor.expire(kT0 + 100 * kSecond, kResolution);
  EXPECT_EQ(monitor.cameras(), 1U);
  monitor.expire(kT0 + 110 * kSecond, kBudget.window);
  EXPECT_EQ(monitor.cameras(), 0U);

  // A forgotten camera starts from nothing.
  EXPECT_FALSE(monitor.add(quiet, kT0 + 120 * kSecond, 1000, kBudget));
  EXPECT_EQ(monitor.windowBytes(quiet, kT0 + 120 * kSecond, kBudget.window), 1000U);
}

TEST(EgressVolumeMonitorTest, SlightlyOlderTimesCountIntoTheNewestBucket) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  EXPECT_FALSE(monitor.add(camera, kT0 + 30 * kSecond, 100, kBudget));
  EXPECT_FALSE(monitor.add(camera, kT0 + 25 * kSecond, 200, kBudget));   // one bucket back
  EXPECT_FALSE(monitor.add(camera, kT0 - 500 * kSecond, 300, kBudget));  // far back
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 30 * kSecond, kBudget.window), 600U);
  // All of it lives in the 30 s bucket, so all of it leaves together at 90 s.
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 90 * kSecond - 1, kBudget.window), 600U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 90 * kSecond, kBudget.window), 0U);
  // A reordered add still reports a crossing.
  auto over = monitor.add(camera, kT0 + 20 * kSecond, 401, kBudget);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->window_bytes, 1001U);
}

TEST(EgressVolumeMonitorTest, AWindowThatIsNotAMultipleOfTheResolutionRoundsUp) {
  EgressVolumeMonitor monitor(kResolution);
  const IpAddress camera = ip("192.168.10.20");
  const EgressBudget budget{1000, 25 * kSecond};  // three buckets: 30 s
  monitor.add(camera, kT0, 100, budget);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 30 * kSecond - 1, budget.window), 100U);
  EXPECT_EQ(monitor.windowBytes(camera, kT0 + 30 * kSecond, budget.window), 0U);
}

}  // namespace
}  // namespace camwatch
