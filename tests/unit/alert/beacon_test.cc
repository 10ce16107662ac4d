// Beacons (camwatch/beacon.h): the period and jitter of contact times, worked out by hand below,
// the bounded window of ContactTimes, and the beacon an alert episode's raises carry
// (AlertLifecycle).
#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/beacon.h>

#include "alert/alert_lifecycle.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

constexpr Timestamp kMs = kNanosPerSecond / 1000;
constexpr Timestamp kSecond = kNanosPerSecond;
constexpr Timestamp kT0 = 1'768'467'600 * kSecond;

// Contact times in milliseconds after kT0.
std::vector<Timestamp> at(const std::vector<Timestamp>& millis) {
  std::vector<Timestamp> out;
  for (const Timestamp ms : millis) out.push_back(kT0 + ms * kMs);
  return out;
}

TEST(BeaconTest, RegularContactsGiveTheMedianIntervalAndItsMedianDeviation) {
  // Intervals 30, 30.5, 29, 30.5, 30.2 s: sorted 29, 30, 30.2, 30.5, 30.5, median 30.2.
  // Deviations 0.2, 0.3, 1.2, 0.3, 0: sorted 0, 0.2, 0.3, 0.3, 1.2, median 0.3 <= 3.02.
  const auto starts = at({0, 30'000, 60'500, 89'500, 120'000, 150'200});
  EXPECT_EQ(findBeacon(starts, 6), (Beacon{30'200 * kMs, 300 * kMs, 6}));
}

TEST(BeaconTest, AnEvenNumberOfIntervalsTakesTheMeanOfTheMiddleTwo) {
  // Intervals 10, 10, 11, 9: median (10 + 10) / 2 = 10; deviations 0, 0, 1, 1: median 0.5.
  EXPECT_EQ(findBeacon(at({0, 10'000, 20'000, 31'000, 40'000}), 5),
            (Beacon{10 * kSecond, 500 * kMs, 5}));
}

TEST(BeaconTest, ContactsAtNoRegularIntervalAreNoBeacon) {
  // Intervals 5, 55, 5, 135, 300: median 55; deviations 50, 0, 50, 80, 245: median 50 > 5.5.
  EXPECT_EQ(findBeacon(at({0, 5'000, 60'000, 65'000, 200'000, 500'000}), 6), std::nullopt);
}

TEST(BeaconTest, AJitterOfATenthOfThePeriodIsTheMostABeaconHas) {
  // Intervals 10, 9, 11, 9, 11: median 10; deviations 0, 1, 1, 1, 1: median 1 = 10 / 10.
  EXPECT_EQ(findBeacon(at({0, 10'000, 19'000, 30'000, 39'000, 50'000}), 6),
            (Beacon{10 * kSecond, 1 * kSecond, 6}));
  // Intervals 10, 8.9, 11.1, 8.9, 11.1: median 10; deviations 0, 1.1 (four times): 1.1 > 1.
  EXPECT_EQ(findBeacon(at({0, 10'000, 18'900, 30'000, 38'900, 50'000}), 6), std::nullopt);
}

TEST(BeaconTest, AMissedContactMovesNeitherFigure) {
  // 90 s has no contact: intervals 30, 30, 60, 30, 30; median 30, deviations 0, 0, 30, 0, 0.
  EXPECT_EQ(findBeacon(at({0, 30'000, 60'000, 120'000, 150'000, 180'000}), 6),
            (Beacon{30 * kSecond, 0, 6}));
}

TEST(BeaconTest, FewerThanFourContactsAreNoBeacon) {
  EXPECT_EQ(findBeacon(at({0, 30'000, 60'000}), 3), std::nullopt);
  EXPECT_EQ(findBeacon(at({0, 30'000, 60'000, 90'000}), 4), (Beacon{30 * kSecond, 0, 4}));
  EXPECT_EQ(findBeacon({}, 0), std::nullopt);
}

TEST(BeaconTest, FiguresAreRoundedToTheMillisecond) {
  // Intervals of 1.0004 s and 1.0006 s: 1.000 s and 1.001 s.
  const Timestamp slow = 1'000'400'000;
  EXPECT_EQ(findBeacon(std::vector<Timestamp>{kT0, kT0 + slow, kT0 + 2 * slow, kT0 + 3 * slow}, 4),
            (Beacon{1000 * kMs, 0, 4}));
  const Timestamp slower = 1'000'600'000;
  EXPECT_EQ(
      findBeacon(std::vector<Timestamp>{kT0, kT0 + slower, kT0 + 2 * slower, kT0 + 3 * slower}, 4),
      (Beacon{1001 * kMs, 0, 4}));
}

TEST(ContactTimesTest, StartsWithinASecondOfAContactAreThatContact) {
  ContactTimes times(8);
  EXPECT_TRUE(times.add(kT0));
  EXPECT_FALSE(times.add(kT0 + 400 * kMs));  // a second connection at once
  EXPECT_FALSE(times.add(kT0));              // the same flow raised again
  EXPECT_TRUE(times.add(kT0 + 10 * kSecond));
  // Out of order, just before the contact at 10 s: that contact starts at 9.5 s now.
  EXPECT_FALSE(times.add(kT0 + 9'500 * kMs));
  EXPECT_EQ(times.contacts(), 2U);
  EXPECT_EQ(std::vector<Timestamp>(times.kept().begin(), times.kept().end()), at({0, 9'500}));
  EXPECT_EQ(times.first(), kT0);
  EXPECT_EQ(times.last(), kT0 + 9'500 * kMs);
}

TEST(ContactTimesTest, StartsOutOfOrderAreKeptInOrder) {
  ContactTimes times(8);
  for (const Timestamp ms : {90'000, 30'000, 0, 60'000}) times.add(kT0 + ms * kMs);
  EXPECT_EQ(std::vector<Timestamp>(times.kept().begin(), times.kept().end()),
            at({0, 30'000, 60'000, 90'000}));
  EXPECT_EQ(times.first(), kT0);
  EXPECT_EQ(times.last(), kT0 + 90 * kSecond);
  EXPECT_EQ(times.beacon(), (Beacon{30 * kSecond, 0, 4}));
}

TEST(ContactTimesTest, KeepsTheLatestContactsAndCountsThemAll) {
  ContactTimes times(4);
  for (Timestamp s = 0; s < 100; s += 10) times.add(kT0 + s * kSecond);
  EXPECT_EQ(times.contacts(), 10U);
  EXPECT_EQ(std::vector<Timestamp>(times.kept().begin(), times.kept().end()),
            at({60'000, 70'000, 80'000, 90'000}));
  // Older than every contact kept: counted, not kept.
  EXPECT_TRUE(times.add(kT0 + 5 * kSecond));
  EXPECT_EQ(times.contacts(), 11U);
  EXPECT_EQ(times.kept().size(), 4U);
  EXPECT_EQ(times.first(), kT0);
  // Among them: the oldest kept goes.
  EXPECT_TRUE(times.add(kT0 + 65 * kSecond));
  EXPECT_EQ(std::vector<Timestamp>(times.kept().begin(), times.kept().end()),
            at({65'000, 70'000, 80'000, 90'000}));
  // Intervals 5, 10, 10: median 10; deviations 5, 0, 0: median 0.
  EXPECT_EQ(times.beacon(), (Beacon{10 * kSecond, 0, 12}));
}

TEST(ContactTimesTest, AMillionContactsKeepTheWindowOnly) {
  ContactTimes times(64);
  for (Timestamp n = 0; n < 1'000'000; ++n) times.add(kT0 + n * 30 * kSecond);
  EXPECT_EQ(times.contacts(), 1'000'000U);
  EXPECT_EQ(times.kept().size(), 64U);
  EXPECT_EQ(times.kept().front(), kT0 + (1'000'000 - 64) * 30 * kSecond);
  EXPECT_EQ(times.beacon(), (Beacon{30 * kSecond, 0, 1'000'000}));
}

// The lifecycle: an episode's raises are its contacts.
Alert raiseAt(Timestamp ms, int n = 1) {
  Alert alert = testing::sampleAlert(n);
  alert.time = kT0 + ms * kMs + 200 * kMs;  // judged 200 ms after the flow began
  alert.evidence.first_seen = kT0 + ms * kMs;
  alert.evidence.last_seen = alert.time;
  alert.repeat_count = 0;
  return alert;
}

AlertLifecycleOptions everyRaiseNotifies() {
  AlertLifecycleOptions options;
  options.suppression_window = 0;
  return options;
}

TEST(AlertBeaconTest, NotificationsCarryTheBeaconOnceTheRaisesAreRegular) {
  AlertLifecycle lifecycle(everyRaiseNotifies());
  // Flows at 0, 30.4, 59.8, 90.1, 120 s: intervals 30.4, 29.4, 30.3, 29.9; sorted 29.4, 29.9,
  // 30.3, 30.4: median 30.1; deviations 0.3, 0.7, 0.2, 0.2: sorted 0.2, 0.2, 0.3, 0.7: 0.25.
  for (const Timestamp ms : {0, 30'400, 59'800, 90'100, 120'000}) lifecycle.raise(raiseAt(ms));
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 5U);
  EXPECT_EQ(notes[0].evidence.beacon, std::nullopt);
  EXPECT_EQ(notes[2].evidence.beacon, std::nullopt) << "three contacts";
  // Four: intervals 30.4, 29.4, 30.3: median 30.3; deviations 0.1, 0.9, 0: median 0.1.
  EXPECT_EQ(notes[3].evidence.beacon, (Beacon{30'300 * kMs, 100 * kMs, 4}));
  EXPECT_EQ(notes[4].evidence.beacon, (Beacon{30'100 * kMs, 250 * kMs, 5}));
}

TEST(AlertBeaconTest, AContinuedFlowAndAFlowRaisedAgainAreNoNewContacts) {
  // One long upload, raised when it began, again (the same flow), and at each record the
  // 30 min active timeout starts: one contact.
  AlertLifecycle lifecycle(everyRaiseNotifies());
  lifecycle.raise(raiseAt(0));
  lifecycle.raise(raiseAt(0));
  for (const Timestamp minutes : {30, 60, 90}) lifecycle.raise(raiseAt(minutes * 60'000), true);
  std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 5U);
  EXPECT_EQ(notes.back().evidence.beacon, std::nullopt);

  // Four flows of their own at the same times are a beacon.
  AlertLifecycle separate(everyRaiseNotifies());
  for (const Timestamp minutes : {0, 30, 60, 90}) separate.raise(raiseAt(minutes * 60'000));
  notes = separate.takeNotifications();
  ASSERT_EQ(notes.size(), 4U);
  EXPECT_EQ(notes.back().evidence.beacon, (Beacon{30 * 60 * kSecond, 0, 4}));
}

TEST(AlertBeaconTest, AlertsWithoutADestinationAddressHaveNone) {
  AlertLifecycle lifecycle(everyRaiseNotifies());
  for (Timestamp ms = 0; ms < 300'000; ms += 30'000) {
    Alert budget = raiseAt(ms);
    budget.kind = AlertKind::kEgressVolume;
    budget.destination = AlertDestination{};
    budget.dedup_key.clear();
    lifecycle.raise(budget);
  }
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 10U);
  EXPECT_EQ(notes.back().evidence.beacon, std::nullopt);
}

TEST(AlertBeaconTest, AnOverflowEpisodeMixingDestinationsHasNone) {
  AlertLifecycleOptions options = everyRaiseNotifies();
  options.max_active_per_camera = 1;
  AlertLifecycle lifecycle(options);
  // One camera, a new destination every 30 s: the first is its own alert, the rest overflow.
  for (int n = 0; n < 8; ++n) {
    Alert alert = raiseAt(n * 30'000);
    alert.destination.ip = *IpAddress::parse("203.0.113." + std::to_string(10 + n));
    alert.dedup_key.clear();
    lifecycle.raise(alert);
  }
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 8U);
  EXPECT_EQ(notes.back().rule, "cap:max_active_per_camera");
  EXPECT_EQ(notes.back().evidence.beacon, std::nullopt);
}

}  // namespace
}  // namespace camwatch
