// egress_budget: how many bytes each camera sends to non-local hosts over a sliding window, and
// whether that passes its camera group's byte budget. Inputs: per egress packet or flow update,
// the camera, the packet time and the bytes. Outputs: on the update that takes a camera over its
// budget (and at most once per window while it stays over), the window total, which the caller
// raises as an `egress_volume` alert.
//
// The window is a ring of fixed-width buckets per camera with a running sum: an add is O(1)
// amortised, and the total is exact to one bucket (bytes leave the window a whole bucket at a
// time, up to one bucket width later than their own time would say).
//
// Threads: one monitor per thread that calls it (no locking). Times are packet times.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

/// A camera group's byte budget: at most `bytes` to non-local hosts in any `window`.
struct EgressBudget {
  std::uint64_t bytes = 0;  ///< 0 = no budget
  Timestamp window = 3600 * kNanosPerSecond;
};

/// What add() found: the camera is over its budget.
struct EgressBudgetExceeded {
  std::uint64_t window_bytes = 0;  ///< the camera's total over the window, this add included
  Timestamp window_start = 0;      ///< the start of the oldest bucket counted in that total
};

/// Sliding-window byte totals per camera.
class EgressVolumeMonitor {
 public:
  /// @param resolution the bucket width (> 0; smaller values are taken as 1 ns). A budget
  /// window holds ceil(window / resolution) buckets of 8 bytes per camera.
  explicit EgressVolumeMonitor(Timestamp resolution = 10 * kNanosPerSecond);

  /// Adds `bytes` that `camera` sent to non-local hosts at packet time `ts`. Times should not go
  /// backwards per camera; a time older than the camera's newest bucket (a little reordering
  /// between workers) is counted into the newest bucket. A camera's window is taken from its
  /// first add; a later add with another window starts its count over.
  /// @return the window total when it exceeds `budget.bytes`: on the add that crosses the budget,
  /// and again at most once per `budget.window` while it stays over (a repeat means "still
  /// over"). Once the total is back at or below the budget, the next crossing reports again.
  /// nullopt otherwise, and always for a budget of 0 bytes (which keeps no state).
  std::optional<EgressBudgetExceeded> add(const IpAddress& camera, Timestamp ts,
                                          std::uint64_t bytes, const EgressBudget& budget);

  /// The bytes `camera` sent in the `window` up to `now` (to one bucket), as add() counts them;
  /// 0 for a camera without state. Only the camera's own window is kept: a longer `window` counts
  /// no more than that. For tests and the summary.
  std::uint64_t windowBytes(const IpAddress& camera, Timestamp now, Timestamp window) const;

  /// Forgets the cameras that sent nothing within `window` (or their own window, when longer) up
  /// to `now`. Call about once per second of packet time so memory follows the active cameras.
  void expire(Timestamp now, Timestamp window);

  /// Cameras with state.
  std::size_t cameras() const { return cameras_.size(); }
  /// Whether `camera` has state.
  bool tracks(const IpAddress& camera) const { return cameras_.count(camera) != 0; }

 private:
  struct Camera {
    std::vector<std::uint64_t> buckets;  // ring: bucket number b lives at b % buckets.size()
    std::int64_t newest = 0;             // bucket number (time / resolution) of the newest bucket
    std::uint64_t total = 0;             // sum of `buckets`
    Timestamp window = 0;                // the budget window the ring was sized for
    bool over = false;                   // reported over its budget and not back under since
    Timestamp last_report = 0;
  };

  struct AddressHash {
    std::size_t operator()(const IpAddress& address) const noexcept;
  };

  std::int64_t bucketOf(Timestamp ts) const;
  std::int64_t bucketsIn(Timestamp window) const;
  // Moves the camera's newest bucket forward to `bucket`, dropping what leaves the window.
  static void advance(Camera& camera, std::int64_t bucket);

  const Timestamp resolution_;
  std::unordered_map<IpAddress, Camera, AddressHash> cameras_;
};

}  // namespace camwatch
