// AlertLifecycle: turns the stream of raised alerts into notifications. The first raise of a dedup
// key (camera, kind, destination) starts an episode and is notified as firing; later raises are
// folded into the episode as repeats, re-notified at most once per suppression window and, when
// configured, every renotify interval; an alert about a flow still open grows to the whole flow
// when it ends (an update of the same alert); an episode that stays quiet for resolve_after is
// notified once as resolved and forgotten.
//
// Inputs: raise() and raiseHeld() with alerts from the policy engine, release() with the end of a
// held flow, advance() with the current time. Outputs:
// takeNotifications(), the alerts to spool and deliver, in time order. Every time is packet time
// (the alert's `time`, the caller's `now`), never the wall clock, so a replay gives exactly the
// notifications the live sensor would have sent. Thread: one thread owns an instance (the one that
// collects the workers' raises); nothing here locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/beacon.h>
#include <camwatch/packet.h>

namespace camwatch {

/// The three timers, in nanoseconds of packet time; a negative one counts as 0. Config keys:
/// `alerts.suppression_window`, `alerts.renotify_interval`, `alerts.resolve_after`.
struct AlertLifecycleOptions {
  /// After a notification for a key, raises of that key within this window are only folded into
  /// it as repeats; the first raise at or after the window's end notifies again. 0 = every raise
  /// notifies.
  Timestamp suppression_window = 3600 * kNanosPerSecond;
  /// > 0: an active key is notified again as firing once this long has passed since its last
  /// notification, even with no raise, so receivers that expire firing alerts (Alertmanager's
  /// resolve_timeout) keep showing it. 0 = never.
  Timestamp renotify_interval = 0;
  /// The quiet period: an active key with no raise for this long is notified once as resolved
  /// and forgotten. 0 = never resolve (and never forget).
  Timestamp resolve_after = 3600 * kNanosPerSecond;
  /// Most active episodes one camera may have (`alerts.max_active_per_camera`); 0 = no cap. A
  /// raise that would start one more is folded into the camera's overflow episode for its kind
  /// instead: one alert "camera X, kind K, more destinations", so a camera scanning the internet
  /// pages once, not a million times, and the lifecycle's memory stays bounded by cameras.
  std::size_t max_active_per_camera = 256;
  /// Most active episodes in all (`alerts.max_active`); 0 = no cap. A raise that would start one
  /// more (a new key, or a camera's new overflow episode) is folded into the sensor-wide overflow
  /// episode for its kind instead: "KIND, more alerts than alerts.max_active", so a flood of
  /// spoofed camera addresses cannot grow the lifecycle without bound. Those overflow episodes
  /// (one per kind at most) are not counted.
  std::size_t max_active = 65'536;
};

/// What raiseHeld() gives back for a raise about a flow that is still open: which episode took
/// it and what the receivers had heard of the flow then. The caller keeps it until the flow ends
/// and hands it to release() with the flow's final evidence.
struct EvidenceHold {
  std::string key;            ///< the episode's dedup key (an overflow key when it went there)
  std::uint64_t packets = 0;  ///< the raise's evidence: what release() adds the rest to
  std::uint64_t bytes = 0;
  /// The receivers have seen this flow (in part) once the episode has sent more notifications
  /// than this: its raise notified, or a later one (a raise's, a renotification) carried it.
  /// Updates are not counted: an update is about the flows that ended, and counting it would
  /// make one flow's end call for an update of every other flow still open, so the outcome
  /// would depend on whether they end at one instant (a replay ends the flows still open at its
  /// last packet together; live, they time out one by one).
  std::uint64_t heard_after = 0;
};

/// One instance per alert stream; see the file comment.
///
/// An episode is one stretch of activity of a key: it starts with a raise of a key that is not
/// active and ends with its resolved notification. Precisely:
///
/// - **Identity.** Every notification of an episode carries the fields of the raise that
///   started it (severity, camera, destination, protocol, rule, sensor, dedup_key); folds change
///   only `evidence` and `repeat_count`. Why: Alertmanager identifies an alert by its labels
///   (severity, camera name, destination, ...), so a label changing mid-episode would open a
///   second alert there and leave the first one never resolved.
/// - **Folding.** A raise of an active key adds 1 to `repeat_count` (saturating; the raised
///   alert's own repeat_count is ignored), adds its `evidence.packets` and `evidence.bytes`, and
///   widens the evidence to the earliest `first_seen` and latest `last_seen`. Why both ends: a
///   flow that began earlier may be raised later (at its end), and the evidence should span all
///   the traffic of the episode. Every notification of the episode carries these running totals.
/// - **Firing notifications** have status firing and no `ends_at` (a raised alert's `ends_at` is
///   dropped): the lifecycle alone decides when an episode ends, and Alertmanager would resolve
///   an alert at any endsAt it is sent. Their `time` is the instant they were sent: the raise's
///   time for the first one and for a suppression re-notification, the renotify instant for a
///   renotification.
/// - **Resolving.** An episode whose last raise was at `r` (or, later, the end of a flow that
///   raised it: see "Evidence that grows"), and with no such flow open, resolves at
///   `r + resolve_after`:
///   status resolved, `time` and `ends_at` both that instant, with the episode's final totals (so
///   a receiver that keeps only the last state shows the whole episode). The key is then
///   forgotten; its next raise starts a new episode (repeat_count 0, fresh evidence).
/// - **The resolve boundary.** A raise at exactly `r + resolve_after` comes after the resolve:
///   the old episode is notified resolved at that instant, then the raise starts a new episode
///   and is notified firing at the same instant. Why: "active" means raised less than
///   resolve_after ago, the same `>=` test advance() applies, so the outcome does not depend on
///   whether the caller happened to call advance() at that instant before raising.
/// - **Suppression and renotify.** Both timers run from the episode's last notification of any
///   kind (the first, a suppression re-notification, a renotification). Suppression acts only on
///   a raise (a raise at or after last notification + suppression_window notifies); renotify acts
///   only on the clock (at last notification + renotify_interval, repeated while the key stays
///   active). So firing notifications of an episode are at least suppression_window apart, or
///   renotify_interval when that is set and shorter; with renotify_interval <=
///   suppression_window the renotify cadence governs and raises only fold. Why one shared start:
///   each timer answers "how long since the receiver last heard of it". A renotification is
///   never sent at or after the episode's resolve instant: the key is no longer active then, and
///   only the resolved notification goes out.
/// - **Same instant.** Whatever falls due at `now` (resolves, renotifications) is emitted before
///   a raise at `now` is taken, so a renotification due at the raise's instant does not yet
///   include that raise.
/// - **Order.** Notifications come out in non-decreasing `time`; ties between keys are broken by
///   dedup_key, never by hash order, so identical input gives identical output.
/// - **Late raises.** Raises must come in non-decreasing time. One older than the clock (the
///   latest raise or advance()) is taken at the clock: its notification, if any, gets the
///   clock's time, so the output stays in order. advance() to an earlier time does nothing.
///
/// Memory: one entry per active key (the episode's alert, its timestamps and counts, at most
/// kEpisodeContacts contact times); a resolved key is forgotten; a pending update is one key until
/// time moves on. Active keys are bounded by cameras x (max_active_per_camera + one overflow
/// episode per kind), and in all by max_active + one sensor-wide overflow episode per kind; with
/// resolve_after 0 nothing is ever forgotten.
/// - **Overflow.** A raise of a new key whose camera already has max_active_per_camera active
///   episodes goes to the key "CAMERA|KIND|overflow" instead: its destination is cleared and its
///   rule becomes "cap:max_active_per_camera"; it is then an ordinary episode (folds, suppression,
///   resolve). Raises of keys that are already active keep going to them.
/// - **Total overflow.** A raise that would start an episode (a new key, or a camera's first
///   overflow episode of a kind) while max_active episodes are active goes to the key
///   "*|KIND|overflow" instead: camera and destination cleared, rule "cap:max_active"; an
///   ordinary episode from then on.
/// - **Beacon.** Each raise of an episode with a destination address is a flow, so a contact
///   at its `evidence.first_seen`; the episode keeps the latest kEpisodeContacts of them
///   (ContactTimes), and every notification carries `evidence.beacon` when they are regular
///   (camwatch/beacon.h), nullopt otherwise. A raise about a flow that continues one already
///   raised (its record split by flows.active_timeout) folds as usual but is no new contact: a
///   long upload is one contact, not a beacon at the active timeout. Overflow episodes (no
///   destination) have none.
/// - **Evidence that grows.** An alert about a flow is raised when the flow's verdict is final,
///   with the flow's evidence up to then (a 30 MB upload is judged by its first packets). A
///   raise about a flow that is still open is taken with raiseHeld(); when the flow ends,
///   release() adds what the flow sent after the raise to the episode's `evidence.packets` and
///   `evidence.bytes` and widens `last_seen`. Not a repeat: `repeat_count` stays.
/// - **Update notifications.** A release that grew the evidence of a flow the receivers have
///   seen (its raise notified, or a later raise's notification or a renotification carried it;
///   an update does not count) is notified as firing, at the instant the flow ended, whatever
///   the suppression window: it corrects what they hold, and there is at most one per notified
///   flow. The releases of one episode at one instant make one
///   notification, sent once packet time moves past that instant (or advance() reaches it). A
///   flow the receivers have not seen (its raise was folded silently) is only folded: the next
///   notification carries it. An update notification restarts both timers like any notification.
/// - **An open flow keeps its episode active.** An episode does not resolve while a flow that
///   raised it is open: resolving would tell the receivers it is over while the camera still
///   sends, and the flow's end would then have to re-fire a resolved alert. Its quiet period runs
///   from its last raise or the end of its last flow, whichever is later. So the update of a flow
///   always finds its episode; a flow is open at most flows.active_timeout plus an idle timeout.
///
/// advance() does work in proportion to the notifications it emits: with resolve_after 0 and a
/// renotify_interval, advancing far ahead emits one renotification per interval per key.
class AlertLifecycle {
 public:
  /// Contacts an episode keeps for its beacon: 16 timestamps, 128 bytes at most per active alert
  /// (65536 of them by default), and 15 intervals are plenty to tell a rhythm; the replay's
  /// summary keeps 64 per camera and destination.
  static constexpr std::uint32_t kEpisodeContacts = 16;

  explicit AlertLifecycle(AlertLifecycleOptions options);

  /// Moves the clock to the alert's `time` first (exactly as advance(alert.time)), then takes the
  /// raised alert. A key that is not active (never seen, or resolved) starts an episode and is
  /// notified firing with repeat_count 0. An active key's raise is folded as a repeat; it is
  /// notified again (firing, the episode's totals, `time` = the raise's time) when at least
  /// suppression_window has passed since the episode's last notification.
  /// @param alert a raised alert; its dedup_key is filled in with dedupKey(alert) when empty.
  /// @param continued_flow the alert is about a flow that continues one raised before (its
  /// record was split by flows.active_timeout): no new contact for the beacon.
  void raise(Alert alert, bool continued_flow = false);

  /// raise() for an alert about a flow that is still open: the episode that takes it stays
  /// active until release() with the returned hold.
  EvidenceHold raiseHeld(Alert alert, bool continued_flow = false);

  /// The flow of `hold` ended at `time` (moves the clock first, like raise()) with `packets` and
  /// `bytes` in all and its last packet at `last_seen`: adds what it sent after its raise to the
  /// episode and notifies the update when the receivers saw the flow (see the class comment).
  void release(const EvidenceHold& hold, std::uint64_t packets, std::uint64_t bytes,
               Timestamp last_seen, Timestamp time);

  /// Moves the clock to `now`, emitting what fell due up to and including `now`, in time order
  /// across keys (ties by dedup_key): resolved notifications of keys whose last raise is at least
  /// resolve_after before `now` (at the instant their quiet period ended), and renotifications of
  /// active keys at last notification + renotify_interval, repeated while due; update
  /// notifications of flows that ended at or before `now` (also when `now` is the clock).
  void advance(Timestamp now);

  /// The notifications produced since the last call, in non-decreasing `time`; clears them. The
  /// caller owns the returned alerts.
  std::vector<Alert> takeNotifications();

  /// raise() calls so far.
  std::uint64_t raised() const { return raised_; }
  /// Raises folded into an active episode (every raise that did not start an episode).
  std::uint64_t repeats() const { return repeats_; }
  /// Keys with an active (firing) episode now.
  std::size_t active() const { return episodes_.size(); }
  /// Raises folded into an overflow episode because their camera had max_active_per_camera.
  std::uint64_t overflowed() const { return overflowed_; }
  /// Raises folded into a sensor-wide overflow episode because max_active episodes were active.
  std::uint64_t overflowedTotal() const { return overflowed_total_; }
  /// Update notifications sent: evidence grown by the end of a flow the receivers had seen.
  std::uint64_t evidenceUpdates() const { return evidence_updates_; }

 private:
  struct Episode {
    Alert alert;  // the first raise's fields with the running evidence and repeat_count
    Timestamp last_raise = 0;
    Timestamp last_notified = 0;
    Timestamp due = 0;  // when its next resolve or renotify falls due; its key in due_
    bool due_is_resolve = false;
    bool scheduled = false;           // false: neither timer is on, nothing in due_
    bool overflow = false;            // the camera's overflow episode for its kind (not counted)
    bool total_overflow = false;      // the sensor-wide overflow episode for its kind (not counted)
    bool update_pending = false;      // a release grew evidence the receivers saw: in updates_
    std::uint32_t open_flows = 0;     // raiseHeld() flows not released: no resolve while > 0
    Timestamp last_flow_end = 0;      // the latest release: the quiet period runs from it too
    std::uint64_t notifications = 0;  // sent in this episode but updates: heard_after's count
    ContactTimes contacts{kEpisodeContacts};  // its raises' flow starts, for evidence.beacon
  };
  using Episodes = std::unordered_map<std::string, Episode>;
  struct Taken {
    Episodes::iterator episode;
    bool notified = false;
  };

  // raise() and raiseHeld(): `hold` counts an open flow in the episode before it is scheduled.
  Taken take(Alert alert, bool hold, bool continued_flow);
  // Emits what is due before `now`: the update notifications of an earlier instant, then every
  // timer due up to and including `now`; then sets the clock.
  void runTimers(Timestamp now);
  // Emits the pending update notifications (their instant is updates_at_), by dedup key.
  void flushUpdates();
  // `update`: an update notification (flushUpdates).
  void notify(Episode& episode, AlertStatus status, Timestamp time, bool update = false);
  // Recomputes the episode's next event and files it in due_.
  void schedule(Episodes::iterator episode);
  void unschedule(const Episodes::iterator& episode);

  AlertLifecycleOptions options_;
  Timestamp clock_;
  Episodes episodes_;
  // Pending timers by (due, dedup key): the order notifications go out in. The string_view points
  // at the key inside episodes_ (node keys never move).
  std::set<std::pair<Timestamp, std::string_view>> due_;
  std::vector<Alert> notifications_;
  // Episodes with an update notification due at updates_at_ (the clock when they were released):
  // the releases of one instant are sent as one notification per episode, when time moves on.
  std::vector<std::string> updates_;
  Timestamp updates_at_ = 0;
  std::uint64_t raised_ = 0;
  std::uint64_t evidence_updates_ = 0;
  std::uint64_t repeats_ = 0;
  std::uint64_t overflowed_ = 0;
  std::uint64_t overflowed_total_ = 0;
  std::size_t counted_ = 0;  // active episodes that count against max_active
  // Active episodes per camera address, overflow episodes not counted; entries of cameras
  // with none are erased.
  std::map<IpAddress, std::size_t> active_per_camera_;
};

}  // namespace camwatch
