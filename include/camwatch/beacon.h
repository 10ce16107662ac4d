// Beacons: a camera contacting one destination again and again at a regular interval (a device
// calling home every 30 s), told apart from one that contacts it now and then. The replay's
// summary and report list them per camera and destination (report/: FlowDigest), and an alert
// whose episode's raises come at such an interval carries one in its evidence
// (alert/: AlertLifecycle).
//
// What counts (docs/report.md, "Beacons"): a *contact* is the start of a flow (its first packet),
// and flow starts less than kSameContact after a contact's start belong to that contact (parallel
// connections, a flow raised twice). The contacts' start times are kept in a bounded window, the
// latest `capacity` of them; from the intervals between neighbours, the *period* is their median
// and the *jitter* the median absolute deviation from it: robust figures, so a missed or an extra
// contact moves neither. It is a beacon with at least kMinContacts contacts kept and a jitter of
// at most a tenth of the period (kMaxJitterShare).
//
// Threads: plain values; each ContactTimes belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <camwatch/packet.h>

namespace camwatch {

/// A regular rhythm of contacts.
struct Beacon {
  Timestamp period = 0;        ///< the median interval between contacts, rounded to 1 ms
  Timestamp jitter = 0;        ///< the intervals' median absolute deviation from it, to 1 ms
  std::uint64_t contacts = 0;  ///< every contact counted, not only the ones kept for the figures
  bool operator==(const Beacon&) const = default;
};

/// Flow starts closer than this to a contact's start are part of that contact. One second: a
/// device opening several connections at once (or one flow seen twice) is one contact, and a
/// rhythm faster than once a second is a stream, not a call home.
inline constexpr Timestamp kSameContact = kNanosPerSecond;
/// Fewer contacts than this are no rhythm: four give three intervals, the fewest whose median
/// one odd interval cannot decide.
inline constexpr std::size_t kMinContacts = 4;
/// The most jitter a beacon has, as a share of its period: 1/10. A timer-driven call home keeps
/// to its period within a second or two (30 s +- 1 s has a jitter of ~0.6 s, 2 %); contacts a
/// person or an event starts are spread far wider.
inline constexpr Timestamp kMaxJitterShare = 10;

/// The beacon in `starts` (contact start times, ascending, each at least kSameContact after the
/// one before), `contacts` being how many there were in all; nullopt when fewer than
/// kMinContacts are given or the intervals are not regular.
std::optional<Beacon> findBeacon(std::span<const Timestamp> starts, std::uint64_t contacts);

/// The contacts of one camera with one destination: their count, the first and last, and the
/// start times of the latest `capacity` of them. Memory: 56 bytes, and from the second contact
/// on at most `capacity` timestamps, grown as contacts come.
class ContactTimes {
 public:
  explicit ContactTimes(std::uint32_t capacity) : capacity_(capacity) {}

  /// A flow that started at `start`. Starts may come out of order (records come as flows end):
  /// each is put in its place. Returns whether it was a new contact; false when it was within
  /// kSameContact of a contact kept (which then starts at the earlier of the two).
  bool add(Timestamp start);

  std::uint64_t contacts() const { return contacts_; }
  /// The first and the last contact's start; 0 before any.
  Timestamp first() const { return first_; }
  Timestamp last() const { return last_; }
  /// findBeacon() of the contacts kept.
  std::optional<Beacon> beacon() const { return findBeacon(starts_, contacts_); }
  /// The window of start times, ascending; empty until the second contact.
  std::span<const Timestamp> kept() const { return starts_; }

 private:
  std::vector<Timestamp> starts_;  // ascending, at most capacity_
  std::uint64_t contacts_ = 0;
  Timestamp first_ = 0;
  Timestamp last_ = 0;
  std::uint32_t capacity_;
};

}  // namespace camwatch
