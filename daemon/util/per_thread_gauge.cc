#include "util/per_thread_gauge.h"

#include <bit>

namespace camwatch {
namespace {

constexpr int kUnassigned = -2;
constexpr int kNoSlot = -1;  // every slot was taken: the shared cell
constexpr std::size_t kSlotWords = PerThreadGauge::kThreadSlots / 64;
static_assert(PerThreadGauge::kThreadSlots % 64 == 0);

// Which slots live threads hold, one bit each. A slot's release (memory_order_release) happens
// before its next taking (acquire): the next owner sees the cells as the last owner left them.
constinit std::array<std::atomic<std::uint64_t>, kSlotWords> g_taken{};

// Read on every change: trivially initialised, so no guard check on the hot path.
constinit thread_local int t_slot = kUnassigned;

// Gives the slot back when its thread exits.
struct SlotRelease {
  int slot = kNoSlot;
  ~SlotRelease() {
    if (slot < 0) return;
    const auto index = static_cast<std::size_t>(slot);
    g_taken[index / 64].fetch_and(~(std::uint64_t{1} << (index % 64)), std::memory_order_release);
    // Changes made later in this thread's exit (other thread_local destructors) go to the
    // shared cell: this object is gone, so a new slot could not be given back.
    t_slot = kNoSlot;
  }
};

// Once per thread: out of line, so that add()'s common path stays a few instructions.
[[gnu::noinline]] int takeSlot() {
  for (std::size_t word = 0; word < kSlotWords; ++word) {
    std::uint64_t taken = g_taken[word].load(std::memory_order_relaxed);
    while (taken != ~std::uint64_t{0}) {
      const int bit = std::countr_one(taken);
      if (g_taken[word].compare_exchange_weak(taken, taken | (std::uint64_t{1} << bit),
                                              std::memory_order_acquire,
                                              std::memory_order_relaxed)) {
        thread_local SlotRelease release;
        release.slot = static_cast<int>(word * 64) + bit;
        return release.slot;
      }
    }
  }
  return kNoSlot;
}

}  // namespace

void PerThreadGauge::add(std::int64_t delta) noexcept {
  const int slot = t_slot;
  if (slot < 0) {
    addWithoutSlot(delta);
    return;
  }
  // This thread is the cell's only writer: no read-modify-write needed, only no torn values.
  Cell& cell = cells_[static_cast<std::size_t>(slot)];
  const std::int64_t level = cell.level.load(std::memory_order_relaxed) + delta;
  cell.level.store(level, std::memory_order_relaxed);
  if (level > cell.peak.load(std::memory_order_relaxed)) {
    cell.peak.store(level, std::memory_order_relaxed);
  }
}

void PerThreadGauge::addWithoutSlot(std::int64_t delta) noexcept {
  if (t_slot == kUnassigned) {
    t_slot = takeSlot();
    if (t_slot != kNoSlot) {
      add(delta);
      return;
    }
  }
  const std::int64_t level = shared_.level.fetch_add(delta, std::memory_order_relaxed) + delta;
  std::int64_t peak = shared_.peak.load(std::memory_order_relaxed);
  while (level > peak &&
         !shared_.peak.compare_exchange_weak(peak, level, std::memory_order_relaxed)) {
  }
}

std::uint64_t PerThreadGauge::value() const noexcept {
  std::int64_t sum = shared_.level.load(std::memory_order_relaxed);
  for (const Cell& cell : cells_) sum += cell.level.load(std::memory_order_relaxed);
  return sum > 0 ? static_cast<std::uint64_t>(sum) : 0;
}

std::uint64_t PerThreadGauge::peakBound() const noexcept {
  std::int64_t sum = shared_.peak.load(std::memory_order_relaxed);
  for (const Cell& cell : cells_) sum += cell.peak.load(std::memory_order_relaxed);
  return sum > 0 ? static_cast<std::uint64_t>(sum) : 0;
}

}  // namespace camwatch
