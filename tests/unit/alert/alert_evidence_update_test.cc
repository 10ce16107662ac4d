// Issue 18 point 7, evidence that grows: an alert about a flow is raised with the flow's evidence
// up to its verdict; when the flow ends, the lifecycle adds the rest to the alert's episode and
// sends an update of the same alert (docs/alerts.md, Lifecycle, "Evidence that grows").
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alert/alert_lifecycle.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

constexpr Timestamp kSecond = kNanosPerSecond;
constexpr Timestamp kMinute = 60 * kSecond;
constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kT0 = 1'768'467'600 * kSecond;  // 2026-01-15T09:00:00Z

// A raise of sampleAlert(n) at kT0 + at (alert_test_util.h).
Alert raisedAt(int n, Timestamp at, std::uint64_t packets = 10) {
  return testing::raisedAt(kT0, n, at, packets);
}

AlertLifecycleOptions options(Timestamp suppression, Timestamp renotify, Timestamp resolve) {
  return AlertLifecycleOptions{
      .suppression_window = suppression, .renotify_interval = renotify, .resolve_after = resolve};
}

// "status@seconds packets/bytes xrepeats" per notification: what a receiver reads of each.
std::vector<std::string> brief(const std::vector<Alert>& alerts) {
  std::vector<std::string> out;
  for (const Alert& alert : alerts) {
    out.push_back(std::string(alert.status == AlertStatus::kFiring ? "firing" : "resolved") + "@" +
                  std::to_string((alert.time - kT0) / kSecond) + " " +
                  std::to_string(alert.evidence.packets) + "/" +
                  std::to_string(alert.evidence.bytes) + " x" +
                  std::to_string(alert.repeat_count + 1));
  }
  return out;
}

TEST(AlertEvidenceUpdateTest, TheEndOfANotifiedFlowSendsTheWholeFlowAsAnUpdate) {
  AlertLifecycle lifecycle(options(kHour, 0, kHour));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0, 4));
  EXPECT_EQ(hold.key, "192.168.10.21|vendor_cloud|203.0.113.1");
  // 30 MB in 20554 packets by the end, 46 s later; noticed 10 s after its last packet.
  lifecycle.release(hold, 20'554, 31'650'000, kT0 + 46 * kSecond, kT0 + 56 * kSecond);
  lifecycle.advance(kT0 + 57 * kSecond);
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  // Inside the suppression window, not a repeat: the update still goes out, repeat_count 0.
  EXPECT_EQ(brief(notes),
            (std::vector<std::string>{"firing@0 4/400 x1", "firing@56 20554/31650000 x1"}));
  ASSERT_EQ(notes.size(), 2U);
  const Alert& update = notes[1];
  EXPECT_EQ(update.dedup_key, notes[0].dedup_key);
  EXPECT_EQ(update.evidence.first_seen, kT0 - kSecond);
  EXPECT_EQ(update.evidence.last_seen, kT0 + 46 * kSecond);
  EXPECT_FALSE(update.ends_at.has_value());
  // Same identity: everything a receiver keys on is the first raise's.
  Alert same = update;
  same.time = notes[0].time;
  same.evidence = notes[0].evidence;
  EXPECT_EQ(same, notes[0]);
  EXPECT_EQ(lifecycle.repeats(), 0U);
  EXPECT_EQ(lifecycle.evidenceUpdates(), 1U);
}

TEST(AlertEvidenceUpdateTest, AFlowThatSentNothingMoreSendsNoUpdate) {
  AlertLifecycle lifecycle(options(kHour, 0, kMinute));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0, 4));
  // Only the server answered after the raise: the last packet is later, the counts the same.
  lifecycle.release(hold, 4, 400, kT0 + 5 * kSecond, kT0 + 15 * kSecond);
  lifecycle.advance(kT0 + 2 * kMinute);
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(brief(notes), (std::vector<std::string>{"firing@0 4/400 x1", "resolved@75 4/400 x1"}));
  // The resolve counts from the flow's end and carries its last packet.
  EXPECT_EQ(notes.back().evidence.last_seen, kT0 + 5 * kSecond);
  EXPECT_EQ(lifecycle.evidenceUpdates(), 0U);
}

TEST(AlertEvidenceUpdateTest, AFlowFoldedSilentlyIsOnlyAddedAndTheNextNotificationCarriesIt) {
  AlertLifecycle lifecycle(options(kHour, 0, kHour));
  const EvidenceHold first = lifecycle.raiseHeld(raisedAt(1, 0));
  lifecycle.takeNotifications();
  // A second flow to the same destination, raised inside the window: folded, not notified.
  const EvidenceHold second = lifecycle.raiseHeld(raisedAt(1, 10 * kSecond));
  lifecycle.release(second, 50, 5000, kT0 + 19 * kSecond, kT0 + 20 * kSecond);
  lifecycle.advance(kT0 + 25 * kSecond);
  EXPECT_TRUE(lifecycle.takeNotifications().empty())
      << "the receivers never saw the second flow: nothing to correct";
  // The first flow's end is an update: it carries both flows whole.
  lifecycle.release(first, 30, 3000, kT0 + 29 * kSecond, kT0 + 30 * kSecond);
  lifecycle.advance(kT0 + 31 * kSecond);
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@30 80/8000 x2"}));
}

TEST(AlertEvidenceUpdateTest, AFlowARenotificationCarriedGetsItsUpdate) {
  AlertLifecycle lifecycle(options(kHour, kMinute, kHour));
  lifecycle.raiseHeld(raisedAt(1, 0));
  const EvidenceHold second = lifecycle.raiseHeld(raisedAt(1, 10 * kSecond));
  lifecycle.advance(kT0 + 61 * kSecond);  // the renotification at 60 s shows the second flow
  lifecycle.release(second, 50, 5000, kT0 + 89 * kSecond, kT0 + 90 * kSecond);
  lifecycle.advance(kT0 + 91 * kSecond);
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@0 10/1000 x1", "firing@60 20/2000 x2",
                                      "firing@90 60/6000 x2"}));
}

TEST(AlertEvidenceUpdateTest, OneFlowsUpdateDoesNotCallForAnotherFlowsUpdate) {
  // Two flows to one destination, the second folded silently; they end one after the other (a
  // live sensor times them out one by one) or together (a replay's last packet): one update.
  for (const Timestamp second_ends : {30 * kSecond, 20 * kSecond}) {
    AlertLifecycle lifecycle(options(kHour, 0, kMinute));
    const EvidenceHold first = lifecycle.raiseHeld(raisedAt(1, 0));
    const EvidenceHold second = lifecycle.raiseHeld(raisedAt(1, 10 * kSecond));
    lifecycle.release(first, 30, 3000, kT0 + 19 * kSecond, kT0 + 20 * kSecond);
    lifecycle.release(second, 50, 5000, kT0 + 19 * kSecond, kT0 + second_ends);
    lifecycle.advance(kT0 + 5 * kMinute);
    const std::vector<std::string> notes = brief(lifecycle.takeNotifications());
    ASSERT_EQ(notes.size(), 3U) << ::testing::PrintToString(notes);
    EXPECT_EQ(notes[0], "firing@0 10/1000 x1");
    EXPECT_EQ(notes[1].substr(0, 10), "firing@20 ");
    // The resolve, a minute after the last end, carries both flows whole.
    EXPECT_EQ(notes[2],
              "resolved@" + std::to_string((second_ends + kMinute) / kSecond) + " 80/8000 x2");
  }
}

TEST(AlertEvidenceUpdateTest, FlowsEndingAtOneInstantMakeOneUpdate) {
  AlertLifecycle lifecycle(options(0, 0, kHour));  // every raise notifies
  const EvidenceHold a = lifecycle.raiseHeld(raisedAt(1, 0));
  const EvidenceHold b = lifecycle.raiseHeld(raisedAt(1, kSecond));
  const EvidenceHold other = lifecycle.raiseHeld(raisedAt(2, kSecond));
  lifecycle.takeNotifications();
  // A tick ends all three (an idle timeout); the other camera's first, out of key order.
  lifecycle.release(other, 12, 1200, kT0 + 5 * kSecond, kT0 + 65 * kSecond);
  lifecycle.release(b, 20, 2000, kT0 + 5 * kSecond, kT0 + 65 * kSecond);
  lifecycle.release(a, 30, 3000, kT0 + 5 * kSecond, kT0 + 65 * kSecond);
  EXPECT_TRUE(lifecycle.takeNotifications().empty()) << "sent once time moves past the instant";
  lifecycle.advance(kT0 + 65 * kSecond);  // the end of the input, at that instant
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  EXPECT_EQ(brief(notes),
            (std::vector<std::string>{"firing@65 50/5000 x2", "firing@65 12/1200 x1"}));
  ASSERT_EQ(notes.size(), 2U);
  EXPECT_LT(notes[0].dedup_key, notes[1].dedup_key) << "ties by dedup key";
}

TEST(AlertEvidenceUpdateTest, AnOpenFlowKeepsItsEpisodeActiveAndTheQuietPeriodRunsFromItsEnd) {
  AlertLifecycle lifecycle(options(kHour, 0, 2 * kMinute));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0));
  // A connection held for 25 minutes, far past resolve_after: not resolved meanwhile.
  lifecycle.advance(kT0 + 20 * kMinute);
  EXPECT_EQ(lifecycle.active(), 1U);
  lifecycle.release(hold, 500, 50'000, kT0 + 25 * kMinute, kT0 + 25 * kMinute);
  lifecycle.advance(kT0 + 40 * kMinute);
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@0 10/1000 x1", "firing@1500 500/50000 x1",
                                      "resolved@1620 500/50000 x1"}));
  EXPECT_EQ(lifecycle.active(), 0U);
}

TEST(AlertEvidenceUpdateTest, AnOpenFlowKeepsRenotifyingAndTheUpdateRestartsTheTimer) {
  AlertLifecycle lifecycle(options(kHour, 4 * kMinute, 2 * kMinute));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0));
  lifecycle.release(hold, 40, 4000, kT0 + 9 * kMinute, kT0 + 9 * kMinute);
  lifecycle.advance(kT0 + 30 * kMinute);
  // Renotified at 4 and 8 min while open (Alertmanager keeps it active), the update at 9 min,
  // then quiet: resolved 2 minutes after the flow's end, before the next renotification.
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@0 10/1000 x1", "firing@240 10/1000 x1",
                                      "firing@480 10/1000 x1", "firing@540 40/4000 x1",
                                      "resolved@660 40/4000 x1"}));
}

TEST(AlertEvidenceUpdateTest, ARaiseAtTheInstantOfAPendingUpdateNotifiesOnceWithBoth) {
  AlertLifecycle lifecycle(options(30 * kSecond, 0, kHour));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0));
  lifecycle.release(hold, 30, 3000, kT0 + 40 * kSecond, kT0 + 40 * kSecond);
  // At the same instant a new flow is raised, past the suppression window: its notification
  // carries the update too, so no second one.
  lifecycle.raise(raisedAt(1, 40 * kSecond, 5));
  lifecycle.advance(kT0 + 41 * kSecond);
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@0 10/1000 x1", "firing@40 35/3500 x2"}));
}

TEST(AlertEvidenceUpdateTest, AnUpdateGoesToTheOverflowAlertItsRaiseWentTo) {
  AlertLifecycleOptions capped = options(kHour, 0, kHour);
  capped.max_active_per_camera = 1;
  AlertLifecycle lifecycle(capped);
  lifecycle.raiseHeld(raisedAt(1, 0));
  Alert second = raisedAt(1, kSecond);
  second.destination.ip = *IpAddress::parse("203.0.113.99");
  second.dedup_key.clear();
  const EvidenceHold hold = lifecycle.raiseHeld(second);
  EXPECT_EQ(hold.key, "192.168.10.21|vendor_cloud|overflow");
  lifecycle.release(hold, 100, 10'000, kT0 + 9 * kSecond, kT0 + 10 * kSecond);
  lifecycle.advance(kT0 + 11 * kSecond);
  const std::vector<Alert> notes = lifecycle.takeNotifications();
  ASSERT_EQ(notes.size(), 3U);
  EXPECT_EQ(notes[2].dedup_key, "192.168.10.21|vendor_cloud|overflow");
  EXPECT_EQ(notes[2].evidence.packets, 100U);
  EXPECT_EQ(notes[2].time, kT0 + 10 * kSecond);
}

TEST(AlertEvidenceUpdateTest, ALateEndIsTakenAtTheClock) {
  AlertLifecycle lifecycle(options(kHour, 0, kHour));
  const EvidenceHold hold = lifecycle.raiseHeld(raisedAt(1, 0));
  lifecycle.raise(raisedAt(2, 50 * kSecond));
  lifecycle.release(hold, 20, 2000, kT0 + 20 * kSecond, kT0 + 30 * kSecond);
  lifecycle.advance(kT0 + 51 * kSecond);
  EXPECT_EQ(brief(lifecycle.takeNotifications()),
            (std::vector<std::string>{"firing@0 10/1000 x1", "firing@50 10/1000 x1",
                                      "firing@50 20/2000 x1"}));
}

}  // namespace
}  // namespace camwatch
