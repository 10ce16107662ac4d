// Tests of util/per_thread_gauge.h: changes made on different threads add up, frees on another
// thread than the allocation cancel out, the peak is the sum of each thread's own peak, and
// threads beyond the slots still count.
#include "util/per_thread_gauge.h"

#include <atomic>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

TEST(PerThreadGaugeTest, OneThreadKeepsLevelAndPeak) {
  PerThreadGauge gauge;
  EXPECT_EQ(gauge.value(), 0U);
  gauge.add(100);
  gauge.add(-30);
  gauge.add(10);
  EXPECT_EQ(gauge.value(), 80U);
  EXPECT_EQ(gauge.peakBound(), 100U);
}

TEST(PerThreadGaugeTest, SumsTheChangesOfTwoThreadsAndFreesOnAThird) {
  PerThreadGauge gauge;
  // Both threads are alive at once, so each has a slot of its own.
  std::latch both_added(2);
  auto allocate = [&](std::int64_t step, int steps) {
    for (int i = 0; i < steps; ++i) gauge.add(step);
    both_added.arrive_and_wait();
  };
  std::thread first(allocate, 7, 1000);   // 7000
  std::thread second(allocate, 3, 2000);  // 6000
  first.join();
  second.join();
  EXPECT_EQ(gauge.value(), 13'000U);
  EXPECT_EQ(gauge.peakBound(), 13'000U);

  // The threads are gone; what they allocated is still in use until someone frees it.
  gauge.add(-7000);
  EXPECT_EQ(gauge.value(), 6000U);
  gauge.add(-6000);
  EXPECT_EQ(gauge.value(), 0U);
  EXPECT_EQ(gauge.peakBound(), 13'000U);
}

TEST(PerThreadGaugeTest, PeakIsAnUpperBoundWhenThreadsPeakAtDifferentTimes) {
  PerThreadGauge gauge;
  std::latch first_done(1);
  std::latch second_done(1);
  std::thread first([&] {
    gauge.add(500);
    gauge.add(-500);
    first_done.count_down();
    second_done.wait();  // keep the slot until the other thread is done
  });
  std::thread second([&] {
    first_done.wait();
    gauge.add(400);
    gauge.add(-400);
    second_done.count_down();
  });
  first.join();
  second.join();
  // The level never went above 500; each thread's own peak added up says 900.
  EXPECT_EQ(gauge.value(), 0U);
  EXPECT_EQ(gauge.peakBound(), 900U);
}

TEST(PerThreadGaugeTest, ThreadsBeyondTheSlotsShareACellAndStillCount) {
  PerThreadGauge gauge;
  const std::size_t threads = PerThreadGauge::kThreadSlots + 16;
  std::latch all_added(static_cast<std::ptrdiff_t>(threads));
  std::latch read(1);
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      gauge.add(2);
      all_added.count_down();
      read.wait();  // all alive at once: some get no slot
    });
  }
  all_added.wait();
  EXPECT_EQ(gauge.value(), 2 * threads);
  EXPECT_EQ(gauge.peakBound(), 2 * threads);
  read.count_down();
  for (std::thread& thread : pool) thread.join();
  EXPECT_EQ(gauge.value(), 2 * threads);

  // Slots come back when threads exit: later threads count as well.
  for (int i = 0; i < 3; ++i) std::thread([&] { gauge.add(-2); }).join();
  EXPECT_EQ(gauge.value(), 2 * threads - 6);
}

}  // namespace
}  // namespace camwatch
