// PerThreadGauge: a level that many threads raise and lower very often (nDPI's bytes in use: one
// change per nDPI malloc and free, on every worker), read now and then (metrics, summary).
//
// One atomic shared by all workers costs an atomic read-modify-write per change and moves its
// cache line between the cores on every change. Here each thread changes only a cell of its own
// (a cache line; single writer, so a plain load and store), and a reader adds the cells up.
//
// A thread takes a slot (one cell in every gauge) at its first change and gives it back when it
// exits; the cell keeps its level, since what the thread allocated may outlive it, and the next
// thread in the slot goes on from there. Threads beyond kThreadSlots alive at once share one cell
// changed with atomic read-modify-writes, as before.
//
// Threads: add() from any thread; value() and peakBound() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace camwatch {

class PerThreadGauge {
 public:
  static constexpr std::size_t kThreadSlots = 128;

  constexpr PerThreadGauge() = default;

  /// Raises (or with a negative `delta` lowers) the level by `delta`, in the calling thread's
  /// cell. A cell may go below zero: memory freed by another thread than the one that took it.
  void add(std::int64_t delta) noexcept;

  /// The level: the sum of the cells. Read while threads change it, the cells may be seen at
  /// different moments, so a sum that comes out below zero is reported as 0.
  std::uint64_t value() const noexcept;

  /// The sum of each cell's own highest level: at least the highest the level ever was, and
  /// more when cells peaked at different times (with one thread doing all the changes, exact).
  std::uint64_t peakBound() const noexcept;

 private:
  struct alignas(64) Cell {
    std::atomic<std::int64_t> level{0};
    std::atomic<std::int64_t> peak{0};
  };

  // The first change of a thread (takes a slot), and changes of threads without one.
  [[gnu::noinline]] void addWithoutSlot(std::int64_t delta) noexcept;

  std::array<Cell, kThreadSlots> cells_{};
  Cell shared_;  // threads without a slot of their own
};

}  // namespace camwatch
