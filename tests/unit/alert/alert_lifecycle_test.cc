#include "alert/alert_lifecycle.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

constexpr Timestamp kSecond = kNanosPerSecond;
constexpr Timestamp kMinute = 60 * kSecond;
constexpr Timestamp kHour = 60 * kMinute;
// 2026-01-15T09:00:00Z: every time below is an offset from it.
constexpr Timestamp kT0 = 1'768'467'600 * kSecond;

// A raise of sampleAlert(n) at kT0 + at (alert_test_util.h).
Alert raisedAt(int n, Timestamp at, std::uint64_t packets = 10) {
  return testing::raisedAt(kT0, n, at, packets);
}

// What a notification is expected to be: the raise that started the episode (`first`), with the
// lifecycle's status, time, end and totals.
Alert expected(const Alert& first, AlertStatus status, Timestamp at, std::uint32_t repeats,
               AlertEvidence evidence, std::optional<Timestamp> ends_at = std::nullopt) {
  Alert alert = first;
  alert.status = status;
  alert.time = kT0 + at;
  alert.ends_at = ends_at ? std::optional<Timestamp>(kT0 + *ends_at) : std::nullopt;
  alert.repeat_count = repeats;
  alert.evidence = evidence;
  return alert;
}

AlertEvidence evidence(Timestamp first_seen, Timestamp last_seen, std::uint64_t packets) {
  AlertEvidence out;
  out.first_seen = kT0 + first_seen;
  out.last_seen = kT0 + last_seen;
  out.packets = packets;
  out.bytes = packets * 100;
  return out;
}

AlertLifecycleOptions options(Timestamp suppression, Timestamp renotify, Timestamp resolve) {
  return AlertLifecycleOptions{
      .suppression_window = suppression, .renotify_interval = renotify, .resolve_after = resolve};
}

std::vector<Timestamp> times(const std::vector<Alert>& alerts) {
  std::vector<Timestamp> out;
  for (const Alert& alert : alerts) out.push_back(alert.time - kT0);
  return out;
}

TEST(AlertLifecycleTest, FirstRaiseNotifiesFiringWithNoRepeats) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  Alert first = raisedAt(1, 0);
  first.repeat_count = 7;       // whatever the raiser put there, an episode starts at 0
  first.ends_at = kT0 + kHour;  // and a firing notification carries no end
  lifecycle.raise(first);

  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0],
            expected(raisedAt(1, 0), AlertStatus::kFiring, 0, 0, evidence(-kSecond, 0, 10)));
  EXPECT_EQ(lifecycle.raised(), 1U);
  EXPECT_EQ(lifecycle.repeats(), 0U);
  EXPECT_EQ(lifecycle.active(), 1U);
  EXPECT_TRUE(lifecycle.takeNotifications().empty()) << "taking clears the list";
}

TEST(AlertLifecycleTest, EmptyDedupKeyIsFilledIn) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  Alert alert = raisedAt(1, 0);
  alert.dedup_key.clear();
  lifecycle.raise(alert);
  lifecycle.raise(alert);  // same camera, kind and destination: a repeat
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0].dedup_key, "192.168.10.21|vendor_cloud|203.0.113.1");
  EXPECT_EQ(lifecycle.repeats(), 1U);
}

TEST(AlertLifecycleTest, RepeatsInsideTheWindowFoldWithCountsAndEvidence) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  const Alert first = raisedAt(1, 0, 10);
  lifecycle.raise(first);
  lifecycle.takeNotifications();

  Alert second = raisedAt(1, 10 * kMinute, 5);
  second.destination.port = 8443;              // same key (the port is not part of it)
  second.severity = Severity::kInfo;           // folds never change the episode's identity
  second.evidence.first_seen = kT0 - kMinute;  // a flow that began before the first raise
  lifecycle.raise(second);
  lifecycle.raise(raisedAt(1, 20 * kMinute, 7));
  lifecycle.raise(raisedAt(2, 30 * kMinute, 1));  // another key: notified at once

  std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0].dedup_key, "192.168.10.22|vendor_cloud|203.0.113.2");
  EXPECT_EQ(lifecycle.raised(), 4U);
  EXPECT_EQ(lifecycle.repeats(), 2U);
  EXPECT_EQ(lifecycle.active(), 2U);

  // The totals show on the episode's next notification: here, its resolve an hour after 20 min.
  lifecycle.advance(kT0 + 80 * kMinute);
  notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0], expected(first, AlertStatus::kResolved, 80 * kMinute, 2,
                               evidence(-kMinute, 20 * kMinute, 22), 80 * kMinute));
}

TEST(AlertLifecycleTest, RaiseAfterTheSuppressionWindowRenotifiesWithTotals) {
  AlertLifecycle lifecycle(options(30 * kMinute, 0, kHour));
  const Alert first = raisedAt(1, 0, 10);
  lifecycle.raise(first);
  lifecycle.raise(raisedAt(1, 10 * kMinute, 5));
  lifecycle.raise(raisedAt(1, 30 * kMinute - 1, 1));  // one nanosecond short: folded only
  lifecycle.raise(raisedAt(1, 30 * kMinute, 2));      // window over: notified, with the totals
  lifecycle.raise(raisedAt(1, 50 * kMinute, 3));      // window restarted at 30 min: folded
  lifecycle.raise(raisedAt(1, 60 * kMinute, 4));      // 30 min after the last notification

  const std::vector<Alert> notes = lifecycle.takeNotifications();
  const AlertEvidence at_30 = evidence(-kSecond, 30 * kMinute, 18);
  const AlertEvidence at_60 = evidence(-kSecond, 60 * kMinute, 25);
  EXPECT_EQ(notes, (std::vector<Alert>{
                       expected(first, AlertStatus::kFiring, 0, 0, evidence(-kSecond, 0, 10)),
                       expected(first, AlertStatus::kFiring, 30 * kMinute, 3, at_30),
                       expected(first, AlertStatus::kFiring, 60 * kMinute, 5, at_60),
                   }));
  EXPECT_EQ(lifecycle.repeats(), 5U);
}

TEST(AlertLifecycleTest, SuppressionWindowZeroNotifiesEveryRaise) {
  AlertLifecycle lifecycle(options(0, 0, kHour));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.raise(raisedAt(1, kSecond));
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 3U);
  EXPECT_EQ(notes[1].repeat_count, 1U);
  EXPECT_EQ(notes[2].repeat_count, 2U);
  EXPECT_EQ(notes[2].evidence.packets, 30U);
}

TEST(AlertLifecycleTest, QuietKeyResolvesOnceWithExactEndAndIsForgotten) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  const Alert first = raisedAt(1, 0, 10);
  lifecycle.raise(first);
  lifecycle.raise(raisedAt(1, 25 * kMinute, 4));
  lifecycle.takeNotifications();

  lifecycle.advance(kT0 + 85 * kMinute - 1);  // one nanosecond before the quiet period ends
  EXPECT_TRUE(lifecycle.takeNotifications().empty());
  EXPECT_EQ(lifecycle.active(), 1U);

  lifecycle.advance(kT0 + 10 * kHour);  // long after: still stamped when the quiet period ended
  std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0], expected(first, AlertStatus::kResolved, 85 * kMinute, 1,
                               evidence(-kSecond, 25 * kMinute, 14), 85 * kMinute));
  EXPECT_EQ(lifecycle.active(), 0U);

  lifecycle.advance(kT0 + 20 * kHour);
  EXPECT_TRUE(lifecycle.takeNotifications().empty()) << "resolved once only";
}

TEST(AlertLifecycleTest, ResolveIsDueExactlyWhenTheQuietPeriodEnds) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.takeNotifications();
  lifecycle.advance(kT0 + kHour);
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0].status, AlertStatus::kResolved);
  EXPECT_EQ(notes[0].time, kT0 + kHour);
  EXPECT_EQ(notes[0].ends_at, kT0 + kHour);
}

TEST(AlertLifecycleTest, RaiseAfterResolveStartsANewEpisode) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  const Alert first = raisedAt(1, 0, 10);
  lifecycle.raise(first);
  lifecycle.raise(raisedAt(1, kMinute, 10));
  Alert again = raisedAt(1, 3 * kHour, 3);
  again.destination.port = 8443;  // the new episode takes the new raise's fields
  lifecycle.raise(again);

  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(notes, (std::vector<Alert>{
                       expected(first, AlertStatus::kFiring, 0, 0, evidence(-kSecond, 0, 10)),
                       expected(first, AlertStatus::kResolved, kHour + kMinute, 1,
                                evidence(-kSecond, kMinute, 20), kHour + kMinute),
                       expected(again, AlertStatus::kFiring, 3 * kHour, 0,
                                evidence(3 * kHour - kSecond, 3 * kHour, 3)),
                   }));
  EXPECT_EQ(lifecycle.active(), 1U);
  EXPECT_EQ(lifecycle.repeats(), 1U);
}

// The raise at exactly last raise + resolve_after comes after the resolve: the same instant ends
// the old episode and starts a new one, whether or not advance() ran at that instant first.
TEST(AlertLifecycleTest, RaiseExactlyAtTheResolveBoundaryResolvesFirst) {
  for (const bool tick_first : {false, true}) {
    SCOPED_TRACE(tick_first ? "advance() at the boundary first" : "raise only");
    AlertLifecycle lifecycle(AlertLifecycleOptions{});
    const Alert first = raisedAt(1, 0, 10);
    lifecycle.raise(first);
    if (tick_first) lifecycle.advance(kT0 + kHour);
    const Alert boundary = raisedAt(1, kHour, 4);
    lifecycle.raise(boundary);
    const std::vector<Alert> notes = lifecycle.takeNotifications();
    EXPECT_EQ(
        notes,
        (std::vector<Alert>{
            expected(first, AlertStatus::kFiring, 0, 0, evidence(-kSecond, 0, 10)),
            expected(first, AlertStatus::kResolved, kHour, 0, evidence(-kSecond, 0, 10), kHour),
            expected(boundary, AlertStatus::kFiring, kHour, 0, evidence(kHour - kSecond, kHour, 4)),
        }));
    EXPECT_EQ(lifecycle.repeats(), 0U);
  }
}

TEST(AlertLifecycleTest, OneNanosecondBeforeTheBoundaryIsStillARepeat) {
  AlertLifecycle lifecycle(options(kHour, 0, kHour));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.raise(raisedAt(1, kHour - 1));
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(lifecycle.repeats(), 1U);
  EXPECT_EQ(lifecycle.active(), 1U);
}

TEST(AlertLifecycleTest, RenotifiesOnCadenceSeveralTimesInOneAdvance) {
  AlertLifecycle lifecycle(options(kHour, 10 * kMinute, kHour));
  const Alert first = raisedAt(1, 0, 10);
  lifecycle.raise(first);
  lifecycle.raise(raisedAt(1, 5 * kMinute, 2));  // folded; shows on the next notification

  lifecycle.advance(kT0 + 35 * kMinute);
  const AlertEvidence folded = evidence(-kSecond, 5 * kMinute, 12);
  std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(notes, (std::vector<Alert>{
                       expected(first, AlertStatus::kFiring, 0, 0, evidence(-kSecond, 0, 10)),
                       expected(first, AlertStatus::kFiring, 10 * kMinute, 1, folded),
                       expected(first, AlertStatus::kFiring, 20 * kMinute, 1, folded),
                       expected(first, AlertStatus::kFiring, 30 * kMinute, 1, folded),
                   }));

  // Resolve at 65 min; renotifications at 40, 50, 60 min, none at or after the resolve.
  lifecycle.advance(kT0 + 2 * kHour);
  notes = lifecycle.takeNotifications();
  EXPECT_EQ(notes,
            (std::vector<Alert>{
                expected(first, AlertStatus::kFiring, 40 * kMinute, 1, folded),
                expected(first, AlertStatus::kFiring, 50 * kMinute, 1, folded),
                expected(first, AlertStatus::kFiring, 60 * kMinute, 1, folded),
                expected(first, AlertStatus::kResolved, 65 * kMinute, 1, folded, 65 * kMinute),
            }));
  EXPECT_EQ(lifecycle.active(), 0U);
}

TEST(AlertLifecycleTest, RenotifyDueWithTheResolveGivesWayToIt) {
  AlertLifecycle lifecycle(options(kHour, 20 * kMinute, kHour));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.advance(kT0 + 2 * kHour);
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(times(notes), (std::vector<Timestamp>{0, 20 * kMinute, 40 * kMinute, kHour}));
  EXPECT_EQ(notes.back().status, AlertStatus::kResolved);
}

// Every notification restarts both timers: a suppression re-notification moves the renotify
// cadence, and a renotification restarts the suppression window.
TEST(AlertLifecycleTest, RenotifyAndSuppressionTimersRunFromTheLastNotification) {
  AlertLifecycle lifecycle(options(15 * kMinute, 20 * kMinute, kHour));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.raise(raisedAt(1, 16 * kMinute));  // suppression over: notified at 16
  lifecycle.advance(kT0 + 36 * kMinute);       // renotify 20 min later, at 36 (not at 20)
  lifecycle.raise(raisedAt(1, 50 * kMinute));  // 14 min after the renotification: folded
  lifecycle.raise(raisedAt(1, 51 * kMinute));  // 15 min after it: notified
  lifecycle.advance(kT0 + 3 * kHour);          // renotify at 71, 91, 111; resolve at 111
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(times(notes), (std::vector<Timestamp>{0, 16 * kMinute, 36 * kMinute, 51 * kMinute,
                                                  71 * kMinute, 91 * kMinute, 111 * kMinute}));
  std::vector<std::uint32_t> repeats;
  for (const Alert& note : notes) repeats.push_back(note.repeat_count);
  EXPECT_EQ(repeats, (std::vector<std::uint32_t>{0, 1, 1, 3, 3, 3, 3}));
  EXPECT_EQ(notes.back().status, AlertStatus::kResolved);
}

// What falls due at a raise's instant goes out before the raise is taken.
TEST(AlertLifecycleTest, RenotificationDueAtARaiseComesBeforeIt) {
  AlertLifecycle lifecycle(options(10 * kMinute, 10 * kMinute, kHour));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.raise(raisedAt(1, 10 * kMinute));  // renotify due at 10 first; then only folded
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(times(notes), (std::vector<Timestamp>{0, 10 * kMinute}));
  EXPECT_EQ(notes[1].repeat_count, 0U);
  EXPECT_EQ(lifecycle.repeats(), 1U);
}

TEST(AlertLifecycleTest, OutputIsInTimeOrderAcrossKeysWithTiesByDedupKey) {
  AlertLifecycle lifecycle(options(kHour, 15 * kMinute, 30 * kMinute));
  lifecycle.raise(raisedAt(3, 0));
  lifecycle.raise(raisedAt(1, 5 * kMinute));
  lifecycle.raise(raisedAt(2, 5 * kMinute));
  lifecycle.raise(raisedAt(3, 20 * kMinute));  // renotify of 3 due at 15 goes out first
  lifecycle.advance(kT0 + 2 * kHour);

  const std::vector<Alert> notes = lifecycle.takeNotifications();
  std::vector<std::string> seen;
  for (const Alert& note : notes) {
    seen.push_back(std::to_string((note.time - kT0) / kMinute) + " " + note.camera.ip.toString() +
                   " " + std::string(alertStatusName(note.status)));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "0 192.168.10.23 firing",
                      "5 192.168.10.21 firing",
                      "5 192.168.10.22 firing",
                      "15 192.168.10.23 firing",
                      "20 192.168.10.21 firing",
                      "20 192.168.10.22 firing",
                      "30 192.168.10.23 firing",
                      "35 192.168.10.21 resolved",
                      "35 192.168.10.22 resolved",
                      "45 192.168.10.23 firing",
                      "50 192.168.10.23 resolved",
                  }));
  for (std::size_t i = 1; i < notes.size(); ++i) EXPECT_LE(notes[i - 1].time, notes[i].time);
}

TEST(AlertLifecycleTest, ResolveAfterZeroNeverResolves) {
  AlertLifecycle lifecycle(options(kHour, 0, 0));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.advance(kT0 + 23 * kHour);
  EXPECT_EQ(lifecycle.takeNotifications().size(), 1U);
  EXPECT_EQ(lifecycle.active(), 1U);
  // Still the same episode a day later; the suppression window has passed, so it re-notifies.
  lifecycle.raise(raisedAt(1, 24 * kHour));
  lifecycle.advance(std::numeric_limits<Timestamp>::max());
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0].status, AlertStatus::kFiring);
  EXPECT_EQ(notes[0].time, kT0 + 24 * kHour);
  EXPECT_EQ(notes[0].repeat_count, 1U);
  EXPECT_EQ(lifecycle.active(), 1U);
}

TEST(AlertLifecycleTest, ResolveAfterZeroWithRenotifyKeepsRenotifying) {
  AlertLifecycle lifecycle(options(kHour, kHour, 0));
  lifecycle.raise(raisedAt(1, 0));
  lifecycle.advance(kT0 + 5 * kHour);
  EXPECT_EQ(times(lifecycle.takeNotifications()),
            (std::vector<Timestamp>{0, kHour, 2 * kHour, 3 * kHour, 4 * kHour, 5 * kHour}));
  EXPECT_EQ(lifecycle.active(), 1U);
}

TEST(AlertLifecycleTest, LateRaiseIsTakenAtTheClockAndAdvanceNeverGoesBack) {
  AlertLifecycle lifecycle(AlertLifecycleOptions{});
  lifecycle.advance(kT0 + 10 * kMinute);
  lifecycle.advance(kT0);  // earlier: nothing happens
  lifecycle.raise(raisedAt(1, 5 * kMinute));
  lifecycle.advance(kT0 + 69 * kMinute);
  EXPECT_EQ(times(lifecycle.takeNotifications()), (std::vector<Timestamp>{10 * kMinute}));
  lifecycle.advance(kT0 + 70 * kMinute);  // quiet from 10 min (the raise's effective time)
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_EQ(notes[0].ends_at, kT0 + 70 * kMinute);
}

TEST(AlertLifecycleTest, IdenticalInputGivesIdenticalOutput) {
  // 13 keys raised in turn every 37 s (each key every 8 min), in 8 blocks of 50 raises with
  // 40 min of quiet between blocks: 8 episodes per key, with every timer and some advance() calls.
  const auto run = [] {
    AlertLifecycle lifecycle(options(20 * kMinute, 7 * kMinute, 25 * kMinute));
    std::vector<Alert> out;
    for (int step = 0; step < 400; ++step) {
      const Timestamp at = step * 37 * kSecond + (step / 50) * 40 * kMinute;
      lifecycle.raise(raisedAt(1 + step % 13, at, static_cast<std::uint64_t>(step)));
      if (step % 17 == 0) lifecycle.advance(kT0 + at + 30 * kSecond);
      for (Alert& note : lifecycle.takeNotifications()) out.push_back(std::move(note));
    }
    lifecycle.advance(kT0 + 1000 * kHour);
    for (Alert& note : lifecycle.takeNotifications()) out.push_back(std::move(note));
    EXPECT_EQ(lifecycle.active(), 0U);
    EXPECT_EQ(lifecycle.raised(), 400U);
    EXPECT_EQ(lifecycle.repeats(), 400U - 8 * 13);
    return out;
  };
  const std::vector<Alert> first = run();
  EXPECT_EQ(run(), first);
  std::size_t started = 0;
  std::size_t resolved = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(first[i - 1].time, first[i].time) << "at notification " << i;
    }
    // An episode's first notification is the only one sent at its first raise's time.
    const Alert& note = first[i];
    if (note.status == AlertStatus::kFiring && note.time == note.evidence.first_seen + kSecond) {
      ++started;
    }
    if (note.status == AlertStatus::kResolved) ++resolved;
  }
  EXPECT_EQ(started, 8U * 13);
  EXPECT_EQ(resolved, 8U * 13);
}

// A camera that contacts more destinations than max_active_per_camera pages once more, not once
// per destination: the extra raises fold into its overflow alert for the kind, and other cameras
// keep their own budget. When its alerts resolve, the camera has room again.
TEST(AlertLifecycleTest, ActiveAlertsPerCameraAreCappedIntoOneOverflowAlert) {
  AlertLifecycleOptions options;
  options.max_active_per_camera = 3;
  options.resolve_after = kHour;
  AlertLifecycle lifecycle(options);
  for (int n = 0; n < 1000; ++n) {
    Alert alert = raisedAt(1, n * kSecond);
    alert.destination.ip =
        *IpAddress::parse("45.0." + std::to_string(n / 256) + "." + std::to_string(n % 256));
    alert.dedup_key.clear();  // made from the destination
    lifecycle.raise(alert);
  }
  lifecycle.raise(raisedAt(2, 1000 * kSecond));  // another camera is not affected
  std::vector<Alert> out = lifecycle.takeNotifications();
  ASSERT_EQ(out.size(), 5U);
  EXPECT_EQ(out[2].destination.ip->toString(), "45.0.0.2");
  const Alert& overflow = out[3];
  EXPECT_EQ(overflow.rule, "cap:max_active_per_camera");
  EXPECT_FALSE(overflow.destination.ip.has_value());
  EXPECT_EQ(overflow.dedup_key, "192.168.10.21|vendor_cloud|overflow");
  EXPECT_EQ(out[4].camera.ip.toString(), "192.168.10.22");
  EXPECT_EQ(lifecycle.overflowed(), 997U);
  EXPECT_EQ(lifecycle.active(), 5U);  // 3 + the overflow alert + the other camera's

  // An active destination keeps folding into its own alert, not the overflow one.
  Alert again = raisedAt(1, 1001 * kSecond);
  again.destination.ip = *IpAddress::parse("45.0.0.0");
  again.dedup_key.clear();
  lifecycle.raise(again);
  EXPECT_EQ(lifecycle.overflowed(), 997U);

  // Everything resolves after an hour of quiet; then a new destination gets its own alert.
  lifecycle.advance(kT0 + 3 * kHour);
  out = lifecycle.takeNotifications();
  EXPECT_EQ(out.size(), 5U);
  EXPECT_EQ(lifecycle.active(), 0U);
  Alert later = raisedAt(1, 3 * kHour + kSecond);
  later.destination.ip = *IpAddress::parse("45.9.9.9");
  later.dedup_key.clear();
  lifecycle.raise(later);
  out = lifecycle.takeNotifications();
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].destination.ip->toString(), "45.9.9.9");
  EXPECT_EQ(out[0].rule, later.rule);
}

// A flood of camera addresses (spoofed sources) cannot grow the lifecycle past max_active: raises
// that would start one more episode fold into the sensor-wide overflow alert of their kind, a
// camera's own overflow alert included; active keys keep folding into themselves; once alerts
// resolve there is room again.
TEST(AlertLifecycleTest, ActiveAlertsInAllAreCappedIntoOneOverflowAlertPerKind) {
  AlertLifecycleOptions options;
  options.max_active_per_camera = 2;
  options.max_active = 10;
  options.resolve_after = kHour;
  AlertLifecycle lifecycle(options);
  auto fromCamera = [](int camera, int destination, Timestamp at) {
    Alert alert = raisedAt(1, at);
    alert.camera.ip = *IpAddress::parse("10.9." + std::to_string(camera / 256) + "." +
                                        std::to_string(camera % 256));
    alert.destination.ip = *IpAddress::parse("45.0.0." + std::to_string(destination));
    alert.dedup_key.clear();
    return alert;
  };
  // Camera 0: two alerts and its per-camera overflow alert (3 episodes).
  for (int d = 0; d < 5; ++d) lifecycle.raise(fromCamera(0, d, d * kSecond));
  EXPECT_EQ(lifecycle.overflowed(), 3U);
  EXPECT_EQ(lifecycle.active(), 3U);
  // 1000 more cameras: 7 get their own alert, the rest fold into "*|vendor_cloud|overflow".
  for (int c = 1; c <= 1000; ++c) lifecycle.raise(fromCamera(c, 1, (10 + c) * kSecond));
  EXPECT_EQ(lifecycle.active(), 11U);  // max_active + one sensor-wide overflow alert
  EXPECT_EQ(lifecycle.overflowedTotal(), 993U);
  std::vector<Alert> out = lifecycle.takeNotifications();
  ASSERT_EQ(out.size(), 11U);
  const Alert& overflow = out.back();
  EXPECT_EQ(overflow.dedup_key, "*|vendor_cloud|overflow");
  EXPECT_EQ(overflow.rule, "cap:max_active");
  EXPECT_FALSE(overflow.destination.ip.has_value());
  EXPECT_EQ(overflow.camera, AlertCamera{});
  EXPECT_EQ(overflow.repeat_count, 0U);
  // A tracked key still folds into itself, a camera's existing overflow alert too; another
  // kind gets its own sensor-wide overflow alert.
  lifecycle.raise(fromCamera(3, 1, 1100 * kSecond));
  lifecycle.raise(fromCamera(0, 9, 1100 * kSecond));
  EXPECT_EQ(lifecycle.overflowedTotal(), 993U);
  Alert other = fromCamera(2000, 1, 1100 * kSecond);
  other.kind = AlertKind::kEgressVolume;
  other.dedup_key.clear();
  lifecycle.raise(other);
  EXPECT_EQ(lifecycle.overflowedTotal(), 994U);
  EXPECT_EQ(lifecycle.active(), 12U);
  // Raises keep folding into the overflow episodes: memory stays bounded.
  for (int c = 3000; c < 6000; ++c) lifecycle.raise(fromCamera(c, 1, 1200 * kSecond));
  EXPECT_EQ(lifecycle.active(), 12U);
  EXPECT_EQ(lifecycle.overflowedTotal(), 3994U);
  // Everything resolves after an hour of quiet; then a new camera gets its own alert.
  lifecycle.advance(kT0 + 3 * kHour);
  EXPECT_EQ(lifecycle.active(), 0U);
  lifecycle.takeNotifications();
  lifecycle.raise(fromCamera(7000, 1, 3 * kHour + kSecond));
  out = lifecycle.takeNotifications();
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].camera.ip.toString(), "10.9.27.88");
  EXPECT_EQ(out[0].rule, raisedAt(1, 0).rule);
}

}  // namespace
}  // namespace camwatch
