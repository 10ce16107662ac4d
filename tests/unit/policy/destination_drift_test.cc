// DestinationDriftMonitor: a name leading into another AS or country than its reference (learnt
// places, or the first place seen) is a drift, said with the reference it left.
#include "policy/destination_drift.h"

#include <gtest/gtest.h>

#include <camwatch/baseline.h>

namespace camwatch {
namespace {

TEST(DestinationDriftTest, TheFirstPlaceSeenIsTheReference) {
  DestinationDriftMonitor monitor;
  EXPECT_FALSE(monitor.check("cams", "cloud.example.com", 16509, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "CLOUD.example.com.", 16509, "de", nullptr));
  EXPECT_EQ(monitor.namesTracked(), 1U);

  // The same name, now in Alibaba's AS in Singapore: both facets changed.
  auto drift = monitor.check("cams", "cloud.example.com", 45102, "SG", nullptr);
  ASSERT_TRUE(drift);
  EXPECT_EQ(drift->previous_asns, (std::vector<std::uint32_t>{16509}));
  EXPECT_EQ(drift->previous_countries, (std::vector<std::string>{"DE"}));
  // The reference does not grow with a drift: it keeps being one while it lasts.
  EXPECT_TRUE(monitor.check("cams", "cloud.example.com", 45102, "SG", nullptr));
  // Either facet alone is enough.
  EXPECT_TRUE(monitor.check("cams", "cloud.example.com", 16509, "SG", nullptr));
  EXPECT_TRUE(monitor.check("cams", "cloud.example.com", 45102, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "cloud.example.com", 16509, "DE", nullptr));
}

TEST(DestinationDriftTest, GroupsAndNamesAreSeparate) {
  DestinationDriftMonitor monitor;
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 16509, "DE", nullptr));
  EXPECT_FALSE(monitor.check("doors", "a.example.com", 45102, "CN", nullptr));
  EXPECT_FALSE(monitor.check("cams", "b.example.com", 45102, "CN", nullptr));
  EXPECT_EQ(monitor.namesTracked(), 3U);
}

TEST(DestinationDriftTest, UnknownFacetsAreNotChecked) {
  DestinationDriftMonitor monitor;
  // No name, or neither AS nor country: nothing to compare, nothing remembered.
  EXPECT_FALSE(monitor.check("cams", "", 16509, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 0, "", nullptr));
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 0, "--", nullptr));
  EXPECT_EQ(monitor.namesTracked(), 0U);
  // The first flow knew only the country; the AS comes from the next that has one.
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 0, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 16509, "DE", nullptr));
  EXPECT_TRUE(monitor.check("cams", "a.example.com", 45102, "DE", nullptr));
  // A flow whose country GeoIP does not know is judged by its AS alone.
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 16509, "", nullptr));
}

TEST(DestinationDriftTest, LearntPlacesAreTheReferenceWhenGiven) {
  DestinationDriftMonitor monitor;
  LearntPlaces learnt;
  learnt.asns = {16509, 14618};
  learnt.countries = {"DE", "IE"};
  EXPECT_FALSE(monitor.check("cams", "cloud.example.com", 14618, "IE", &learnt));
  EXPECT_FALSE(monitor.check("cams", "cloud.example.com", 16509, "DE", &learnt));
  auto drift = monitor.check("cams", "cloud.example.com", 37963, "CN", &learnt);
  ASSERT_TRUE(drift);
  EXPECT_EQ(drift->previous_asns, (std::vector<std::uint32_t>{14618, 16509}));
  EXPECT_EQ(drift->previous_countries, (std::vector<std::string>{"DE", "IE"}));
  // Learnt places are not copied into the monitor's own memory.
  EXPECT_EQ(monitor.namesTracked(), 0U);
  // A learnt name without countries (GeoIP had none then) is judged by its AS only.
  learnt.countries.clear();
  EXPECT_FALSE(monitor.check("cams", "cloud.example.com", 16509, "CN", &learnt));
}

TEST(DestinationDriftTest, RemembersABoundedNumberOfNames) {
  DestinationDriftMonitor monitor(2);
  EXPECT_FALSE(monitor.check("cams", "a.example.com", 1, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "b.example.com", 1, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "c.example.com", 1, "DE", nullptr));
  EXPECT_FALSE(monitor.check("cams", "c.example.com", 2, "CN", nullptr));  // never remembered
  EXPECT_EQ(monitor.namesTracked(), 2U);
  EXPECT_EQ(monitor.namesNotTracked(), 2U);
  EXPECT_TRUE(monitor.check("cams", "a.example.com", 2, "DE", nullptr));
}

}  // namespace
}  // namespace camwatch
