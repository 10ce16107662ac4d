#include <algorithm>

#include <camwatch/beacon.h>

namespace camwatch {
namespace {

constexpr Timestamp kMillisecond = kNanosPerSecond / 1000;

// The median of `values` (reordered); for an even count the mean of the two middle ones.
Timestamp median(std::vector<Timestamp>& values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return values[(n - 1) / 2] + (values[n / 2] - values[(n - 1) / 2]) / 2;
}

// To the nearest millisecond (both figures are non-negative): a period in nanoseconds claims a
// precision flow start times do not have, and milliseconds read back exactly from the JSON's
// seconds.
Timestamp toMillisecond(Timestamp value) {
  return (value + kMillisecond / 2) / kMillisecond * kMillisecond;
}

}  // namespace

std::optional<Beacon> findBeacon(std::span<const Timestamp> starts, std::uint64_t contacts) {
  if (starts.size() < kMinContacts) return std::nullopt;
  std::vector<Timestamp> intervals;
  intervals.reserve(starts.size() - 1);
  for (std::size_t i = 1; i < starts.size(); ++i) intervals.push_back(starts[i] - starts[i - 1]);
  const Timestamp period = median(intervals);
  for (Timestamp& interval : intervals) {
    interval = interval >= period ? interval - period : period - interval;
  }
  const Timestamp jitter = median(intervals);
  if (period <= 0 || jitter > period / kMaxJitterShare) return std::nullopt;
  return Beacon{toMillisecond(period), toMillisecond(jitter), contacts};
}

bool ContactTimes::add(Timestamp start) {
  if (contacts_ == 0) {
    // Most destinations are contacted once (a scan, a flood: a million of them): their one
    // contact is first_, and the window is allocated with the second.
    first_ = start;
    last_ = start;
    contacts_ = 1;
    return true;
  }
  if (starts_.empty() && capacity_ > 0) starts_.push_back(first_);
  const auto at = std::lower_bound(starts_.begin(), starts_.end(), start);
  if (at != starts_.begin() && start - *(at - 1) < kSameContact) return false;
  if (at != starts_.end() && *at - start < kSameContact) {
    // The contact kept started a little later: it starts here.
    if (last_ == *at) last_ = start;
    *at = start;
    first_ = std::min(first_, start);
    return false;
  }
  first_ = std::min(first_, start);
  last_ = std::max(last_, start);
  ++contacts_;
  if (starts_.size() < capacity_) {
    starts_.insert(at, start);
  } else if (at != starts_.begin()) {
    // Full: the oldest goes, the others move down one place to make room.
    std::move(starts_.begin() + 1, at, starts_.begin());
    *(at - 1) = start;
  }
  // Else older than every contact kept: counted, not kept (the window holds the latest ones).
  return true;
}

}  // namespace camwatch
