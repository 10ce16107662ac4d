#include "alert/alert_lifecycle.h"

#include <algorithm>
#include <limits>

namespace camwatch {
namespace {

constexpr Timestamp kEndOfTime = std::numeric_limits<Timestamp>::max();

// t + delay, stopping at the end of time: a huge configured timer must not wrap into the past.
Timestamp later(Timestamp t, Timestamp delay) {
  return t > kEndOfTime - delay ? kEndOfTime : t + delay;
}

void fold(Alert& into, const Alert& raised) {
  if (into.repeat_count != std::numeric_limits<std::uint32_t>::max()) ++into.repeat_count;
  AlertEvidence& evidence = into.evidence;
  evidence.first_seen = std::min(evidence.first_seen, raised.evidence.first_seen);
  evidence.last_seen = std::max(evidence.last_seen, raised.evidence.last_seen);
  evidence.packets += raised.evidence.packets;
  evidence.bytes += raised.evidence.bytes;
}

}  // namespace

AlertLifecycle::AlertLifecycle(AlertLifecycleOptions options)
    : options_(options), clock_(std::numeric_limits<Timestamp>::min()) {
  // A negative timer would make events fall due before the instant that set them, breaking the
  // output order; treat it as the 0 it most likely meant.
  options_.suppression_window = std::max<Timestamp>(options_.suppression_window, 0);
  options_.renotify_interval = std::max<Timestamp>(options_.renotify_interval, 0);
  options_.resolve_after = std::max<Timestamp>(options_.resolve_after, 0);
}

void AlertLifecycle::raise(Alert alert, bool continued_flow) {
  take(std::move(alert), false, continued_flow);
}

EvidenceHold AlertLifecycle::raiseHeld(Alert alert, bool continued_flow) {
  EvidenceHold hold;
  hold.packets = alert.evidence.packets;
  hold.bytes = alert.evidence.bytes;
  const Taken taken = take(std::move(alert), true, continued_flow);
  hold.key = taken.episode->first;
  // The raise's own notification already shows (part of) the flow.
  hold.heard_after = taken.episode->second.notifications - (taken.notified ? 1 : 0);
  return hold;
}

void AlertLifecycle::release(const EvidenceHold& hold, std::uint64_t packets, std::uint64_t bytes,
                             Timestamp last_seen, Timestamp time) {
  const Timestamp now = std::max(time, clock_);
  runTimers(now);
  const auto found = episodes_.find(hold.key);
  if (found == episodes_.end()) return;  // not reached: a held episode does not resolve
  Episode& episode = found->second;
  unschedule(found);
  if (episode.open_flows > 0) --episode.open_flows;
  episode.last_flow_end = std::max(episode.last_flow_end, now);
  // What the flow sent after its raise (its counters only grow; a smaller total adds nothing).
  const std::uint64_t more_packets = packets > hold.packets ? packets - hold.packets : 0;
  const std::uint64_t more_bytes = bytes > hold.bytes ? bytes - hold.bytes : 0;
  AlertEvidence& evidence = episode.alert.evidence;
  evidence.packets += more_packets;
  evidence.bytes += more_bytes;
  evidence.last_seen = std::max(evidence.last_seen, last_seen);
  const bool grew = more_packets > 0 || more_bytes > 0;
  if (grew && episode.notifications > hold.heard_after && !episode.update_pending) {
    // Sent when time moves on, so that every flow of the episode ending now is in it.
    if (updates_.empty()) updates_at_ = now;
    episode.update_pending = true;
    updates_.push_back(found->first);
  }
  schedule(found);
}

AlertLifecycle::Taken AlertLifecycle::take(Alert alert, bool hold, bool continued_flow) {
  ++raised_;
  // A late raise is taken at the clock so nothing goes out before what already went out.
  const Timestamp now = std::max(alert.time, clock_);
  runTimers(now);
  if (alert.dedup_key.empty()) alert.dedup_key = dedupKey(alert);

  auto found = episodes_.find(alert.dedup_key);
  bool overflow = false;
  bool total_overflow = false;
  if (found == episodes_.end()) {
    // A new episode: the camera's own one, or its overflow episode when it has the most it may.
    bool camera_full = false;
    std::string camera_overflow_key;
    if (options_.max_active_per_camera > 0) {
      const auto count = active_per_camera_.find(alert.camera.ip);
      camera_full =
          count != active_per_camera_.end() && count->second >= options_.max_active_per_camera;
    }
    if (camera_full) {
      camera_overflow_key =
          alert.camera.ip.toString() + "|" + std::string(alertKindName(alert.kind)) + "|overflow";
      found = episodes_.find(camera_overflow_key);
    }
    if (found == episodes_.end() && options_.max_active > 0 && counted_ >= options_.max_active) {
      // No room for one more episode of any camera: the sensor-wide overflow of the kind.
      ++overflowed_total_;
      total_overflow = true;
      alert.camera = AlertCamera{};
      alert.destination = AlertDestination{};
      alert.rule = "cap:max_active";
      alert.dedup_key = "*|" + std::string(alertKindName(alert.kind)) + "|overflow";
      found = episodes_.find(alert.dedup_key);
    } else if (camera_full) {
      ++overflowed_;
      overflow = true;
      alert.destination = AlertDestination{};
      alert.rule = "cap:max_active_per_camera";
      alert.dedup_key = std::move(camera_overflow_key);
    } else if (options_.max_active_per_camera > 0) {
      ++active_per_camera_[alert.camera.ip];
    }
  }
  if (found == episodes_.end()) {
    std::string key = alert.dedup_key;
    Episode episode;
    if (alert.destination.ip && !continued_flow) episode.contacts.add(alert.evidence.first_seen);
    episode.alert = std::move(alert);
    episode.alert.repeat_count = 0;
    episode.alert.evidence.beacon.reset();
    episode.last_raise = now;
    episode.last_notified = now;
    episode.overflow = overflow;
    episode.total_overflow = total_overflow;
    if (hold) episode.open_flows = 1;
    if (!total_overflow) ++counted_;
    found = episodes_.emplace(std::move(key), std::move(episode)).first;
    notify(found->second, AlertStatus::kFiring, now);
    schedule(found);
    return Taken{found, true};
  }

  ++repeats_;
  Episode& episode = found->second;
  unschedule(found);
  fold(episode.alert, alert);
  if (episode.alert.destination.ip && !continued_flow) {
    episode.contacts.add(alert.evidence.first_seen);
  }
  episode.last_raise = now;
  if (hold) ++episode.open_flows;
  bool notified = false;
  if (now - episode.last_notified >= options_.suppression_window) {
    episode.last_notified = now;
    notify(episode, AlertStatus::kFiring, now);
    notified = true;
  }
  schedule(found);
  return Taken{found, notified};
}

void AlertLifecycle::advance(Timestamp now) {
  if (now > clock_) {
    runTimers(now);
  } else if (now == clock_ && !updates_.empty()) {
    flushUpdates();  // the end of the input, at the instant of the last flow ends
  }
}

std::vector<Alert> AlertLifecycle::takeNotifications() {
  std::vector<Alert> taken;
  taken.swap(notifications_);
  return taken;
}

void AlertLifecycle::runTimers(Timestamp now) {
  // Updates are due at updates_at_, the clock when they were made: before any timer still to
  // run (those due up to the clock have run).
  if (!updates_.empty() && now > updates_at_) flushUpdates();
  while (!due_.empty() && due_.begin()->first <= now) {
    const auto [due, key] = *due_.begin();
    due_.erase(due_.begin());
    auto found = episodes_.find(std::string(key));
    Episode& episode = found->second;
    episode.scheduled = false;
    if (episode.due_is_resolve) {
      Alert& alert = episode.alert;
      alert.ends_at = due;
      notify(episode, AlertStatus::kResolved, due);
      if (!episode.total_overflow) --counted_;
      if (!episode.overflow && !episode.total_overflow && options_.max_active_per_camera > 0) {
        const auto count = active_per_camera_.find(alert.camera.ip);
        if (count != active_per_camera_.end() && --count->second == 0) {
          active_per_camera_.erase(count);
        }
      }
      episodes_.erase(found);
      continue;
    }
    episode.last_notified = due;
    notify(episode, AlertStatus::kFiring, due);
    // Files the next renotification (or the resolve) back into due_; the loop picks it up when
    // it falls due before `now`, in order with the other keys.
    schedule(found);
  }
  clock_ = now;
}

void AlertLifecycle::flushUpdates() {
  std::sort(updates_.begin(), updates_.end());
  for (const std::string& key : updates_) {
    const auto found = episodes_.find(key);
    if (found == episodes_.end() || !found->second.update_pending) continue;
    Episode& episode = found->second;
    unschedule(found);
    episode.last_notified = updates_at_;
    notify(episode, AlertStatus::kFiring, updates_at_, true);
    ++evidence_updates_;
    schedule(found);
  }
  updates_.clear();
}

void AlertLifecycle::notify(Episode& episode, AlertStatus status, Timestamp time, bool update) {
  // An update is about the flows that ended: it does not count as showing the others still open,
  // so one flow's end never calls for another's update (see EvidenceHold::heard_after).
  if (!update) ++episode.notifications;
  // Any notification carries the running totals: a pending update has nothing left to say.
  episode.update_pending = false;
  Alert& out = notifications_.emplace_back(episode.alert);
  out.status = status;
  out.time = time;
  out.evidence.beacon = episode.contacts.beacon();
  if (status == AlertStatus::kFiring) out.ends_at.reset();
}

void AlertLifecycle::schedule(Episodes::iterator episode) {
  Episode& e = episode->second;
  const Timestamp resolve_at =
      later(std::max(e.last_raise, e.last_flow_end), options_.resolve_after);
  const Timestamp renotify_at = later(e.last_notified, options_.renotify_interval);
  // An open flow that raised it keeps the episode active (see the class comment).
  const bool resolves = options_.resolve_after > 0 && e.open_flows == 0;
  // A renotification pushed to the end of time would fall due at the instant it was sent, over
  // and over: past the end of time there is none.
  const bool renotifies = options_.renotify_interval > 0 && renotify_at != kEndOfTime;
  // A renotification at or after the resolve instant would announce as firing what has just
  // ended: the resolve wins the tie.
  if (renotifies && (!resolves || renotify_at < resolve_at)) {
    e.due = renotify_at;
    e.due_is_resolve = false;
  } else if (resolves) {
    e.due = resolve_at;
    e.due_is_resolve = true;
  } else {
    e.scheduled = false;
    return;
  }
  e.scheduled = true;
  due_.emplace(e.due, std::string_view(episode->first));
}

void AlertLifecycle::unschedule(const Episodes::iterator& episode) {
  Episode& e = episode->second;
  if (!e.scheduled) return;
  due_.erase({e.due, std::string_view(episode->first)});
  e.scheduled = false;
}

}  // namespace camwatch
