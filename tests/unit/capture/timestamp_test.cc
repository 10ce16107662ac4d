// formatTimestamp and parseTimestamp (include/camwatch/packet.h): packet times as RFC 3339 UTC
// text and back, as the alert JSON, the spool and the learned baseline store them.
#include <gtest/gtest.h>

#include <camwatch/packet.h>

namespace camwatch {
namespace {

TEST(TimestampTest, FormatsUtcWithTheAskedFractionDigits) {
  constexpr Timestamp kT = 1'768'467'600'123'456'789LL;  // 2026-01-15T09:00:00.123456789Z
  EXPECT_EQ(formatTimestamp(kT), "2026-01-15T09:00:00.123456Z");
  EXPECT_EQ(formatTimestamp(kT, 9), "2026-01-15T09:00:00.123456789Z");
  EXPECT_EQ(formatTimestamp(kT, 0), "2026-01-15T09:00:00Z");
  // Before 1970 the fraction still counts forward from the second.
  EXPECT_EQ(formatTimestamp(-1'500'000'000LL, 3), "1969-12-31T23:59:58.500Z");
}

TEST(TimestampTest, ParsesWhatItFormatsAtNanosecondPrecision) {
  for (Timestamp ts : {Timestamp{0}, Timestamp{1}, Timestamp{1'768'467'600'000'000'000LL},
                       Timestamp{-1'500'000'000LL}}) {
    auto parsed = parseTimestamp(formatTimestamp(ts, 9));
    ASSERT_TRUE(parsed) << formatTimestamp(ts, 9);
    EXPECT_EQ(*parsed, ts);
  }
  EXPECT_EQ(parseTimestamp("2026-01-15T09:00:00Z"), 1'768'467'600'000'000'000LL);
  EXPECT_EQ(parseTimestamp("2026-01-15T09:00:00.5Z"), 1'768'467'600'500'000'000LL);
  EXPECT_EQ(parseTimestamp("2026-01-15t09:00:00.000001Z"), 1'768'467'600'000'001'000LL);
}

TEST(TimestampTest, RefusesOtherShapes) {
  EXPECT_FALSE(parseTimestamp("2026-01-15 09:00:00Z"));             // no T
  EXPECT_FALSE(parseTimestamp("2026-01-15T09:00:00+01:00"));        // not UTC
  EXPECT_FALSE(parseTimestamp("2026-01-15T09:00:00"));              // no zone
  EXPECT_FALSE(parseTimestamp("2026-13-15T09:00:00Z"));             // month 13
  EXPECT_FALSE(parseTimestamp("2026-01-15T24:00:00Z"));             // hour 24
  EXPECT_FALSE(parseTimestamp("2026-01-15T09:00:00.Z"));            // empty fraction
  EXPECT_FALSE(parseTimestamp("2026-01-15T09:00:00.1234567890Z"));  // 10 fraction digits
  EXPECT_FALSE(parseTimestamp("2026-01-1xT09:00:00Z"));
  EXPECT_FALSE(parseTimestamp(""));
}

}  // namespace
}  // namespace camwatch
