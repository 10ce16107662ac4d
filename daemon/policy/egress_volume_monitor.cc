// EgressVolumeMonitor: per camera a ring of byte counts, one per `resolution` of packet time,
// and their running sum. Moving the window forward zeroes the buckets it passes (at most one
// ring's worth), so the cost of an add is bounded by the time since the camera's previous one.
#include <algorithm>
#include <cstring>

#include <camwatch/egress_budget.h>

namespace camwatch {
namespace {

// Rounds towards minus infinity, so times before 1970 still fall into the right bucket.
std::int64_t floorDiv(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

std::size_t slotOf(std::int64_t bucket, std::size_t ring_size) {
  const auto size = static_cast<std::int64_t>(ring_size);
  return static_cast<std::size_t>(((bucket % size) + size) % size);
}

}  // namespace

std::size_t EgressVolumeMonitor::AddressHash::operator()(const IpAddress& address) const noexcept {
  // The two halves of the address, mixed: IPv4 addresses differ only in the low half.
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::memcpy(&high, address.bytes.data(), sizeof high);
  std::memcpy(&low, address.bytes.data() + sizeof high, sizeof low);
  std::uint64_t hash = (high * 0x9E3779B97F4A7C15ULL) ^ low;
  hash ^= hash >> 31;
  hash *= 0xBF58476D1CE4E5B9ULL;
  hash ^= hash >> 29;
  return static_cast<std::size_t>(hash);
}

EgressVolumeMonitor::EgressVolumeMonitor(Timestamp resolution)
    : resolution_(std::max<Timestamp>(resolution, 1)) {}

std::int64_t EgressVolumeMonitor::bucketOf(Timestamp ts) const { return floorDiv(ts, resolution_); }

std::int64_t EgressVolumeMonitor::bucketsIn(Timestamp window) const {
  if (window <= resolution_) return 1;
  return (window + resolution_ - 1) / resolution_;
}

void EgressVolumeMonitor::advance(Camera& camera, std::int64_t bucket) {
  if (bucket <= camera.newest) return;
  const std::size_t ring = camera.buckets.size();
  if (bucket - camera.newest >= static_cast<std::int64_t>(ring)) {
    std::fill(camera.buckets.begin(), camera.buckets.end(), 0);
    camera.total = 0;
  } else {
    for (std::int64_t b = camera.newest + 1; b <= bucket; ++b) {
      // Slot b held bucket b - ring, which is now outside the window.
      std::uint64_t& slot = camera.buckets[slotOf(b, ring)];
      camera.total -= slot;
      slot = 0;
    }
  }
  camera.newest = bucket;
}

std::optional<EgressBudgetExceeded> EgressVolumeMonitor::add(const IpAddress& camera_ip,
                                                             Timestamp ts, std::uint64_t bytes,
                                                             const EgressBudget& budget) {
  if (budget.bytes == 0) return std::nullopt;
  const std::int64_t bucket = bucketOf(ts);
  auto [found, inserted] = cameras_.try_emplace(camera_ip);
  Camera& camera = found->second;
  if (inserted || camera.window != budget.window) {
    camera.buckets.assign(static_cast<std::size_t>(bucketsIn(budget.window)), 0);
    camera.newest = bucket;
    camera.total = 0;
    camera.window = budget.window;
    camera.over = false;
    camera.last_report = 0;
  }
  advance(camera, bucket);
  // Looked at before this add: a camera that went quiet long enough to fall back under its
  // budget starts over even when this one add takes it straight over again.
  if (camera.total <= budget.bytes) camera.over = false;
  // A reordered time counts into the newest bucket rather than one that may have been reused.
  camera.buckets[slotOf(camera.newest, camera.buckets.size())] += bytes;
  camera.total += bytes;
  if (camera.total <= budget.bytes) {
    camera.over = false;
    return std::nullopt;
  }
  if (camera.over && ts - camera.last_report < budget.window) return std::nullopt;
  camera.over = true;
  camera.last_report = ts;
  const auto ring = static_cast<std::int64_t>(camera.buckets.size());
  return EgressBudgetExceeded{camera.total, (camera.newest - ring + 1) * resolution_};
}

std::uint64_t EgressVolumeMonitor::windowBytes(const IpAddress& camera_ip, Timestamp now,
                                               Timestamp window) const {
  auto found = cameras_.find(camera_ip);
  if (found == cameras_.end()) return 0;
  const Camera& camera = found->second;
  const std::int64_t current = bucketOf(now);
  const std::int64_t oldest = current - bucketsIn(window) + 1;
  const auto ring = static_cast<std::int64_t>(camera.buckets.size());
  std::uint64_t total = 0;
  // The ring holds buckets newest - ring + 1 .. newest; count those inside [oldest, current].
  for (std::int64_t b = std::max(camera.newest - ring + 1, oldest);
       b <= std::min(camera.newest, current); ++b) {
    total += camera.buckets[slotOf(b, camera.buckets.size())];
  }
  return total;
}

void EgressVolumeMonitor::expire(Timestamp now, Timestamp window) {
  const std::int64_t current = bucketOf(now);
  std::erase_if(cameras_, [&](const auto& entry) {
    const Camera& camera = entry.second;
    const std::int64_t span = std::max(bucketsIn(window), bucketsIn(camera.window));
    // Nothing newer than the newest bucket exists, so once it has left the window all has.
    return camera.newest + span <= current;
  });
}

}  // namespace camwatch
