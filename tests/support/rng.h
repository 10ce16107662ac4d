// rng: a small deterministic random generator for test data. The standard distributions are
// implementation-defined, so generated captures would differ between standard libraries; this
// one gives the same bytes everywhere for the same seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace camwatch::testkit {

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for addresses and sizes.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [lo, hi] (inclusive); the modulo bias is irrelevant for test data.
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) { return lo + next() % (hi - lo + 1); }

  /// True with probability `percent` / 100.
  bool chance(std::uint64_t percent) { return next() % 100 < percent; }

  std::uint32_t u32() { return static_cast<std::uint32_t>(next() >> 32); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(next() >> 48); }

  std::vector<std::uint8_t> bytes(std::size_t count) {
    std::vector<std::uint8_t> out(count);
    std::uint64_t word = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (i % 8 == 0) word = next();
      out[i] = static_cast<std::uint8_t>(word >> (8 * (i % 8)));
    }
    return out;
  }

 private:
  std::uint64_t state_;
};

}  // namespace camwatch::testkit
