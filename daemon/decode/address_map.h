// AddressMap<V>: IpAddress -> V for the sets of addresses that only grow (a worker's cameras, the
// control side's per-camera state). The values sit in one vector in insertion order, each at a
// stable index, and an open-addressing index (linear probing, load <= 1/2) finds them: one probe
// into a flat array per lookup, where std::unordered_map took a node chase and a heap block per
// address and std::map a tree walk of 16-byte compares. Nothing is ever erased.
//
// An index stays valid for the map's life (the values' addresses do not: the vector grows), so
// whoever keeps a reference to an entry keeps its index. Not thread-safe. It lives beside
// IpAddress (decode/), which every folder that uses it already depends on.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <camwatch/ip_address.h>

namespace camwatch {

/// splitmix64's finaliser over both halves of the address: IPv4-mapped addresses differ only in
/// their low half, and every input bit must move the low bits the index is taken from.
inline std::uint64_t hashAddress(const IpAddress& address) {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::memcpy(&high, address.bytes.data(), 8);
  std::memcpy(&low, address.bytes.data() + 8, 8);
  std::uint64_t value = high ^ (low * 0x9e3779b97f4a7c15ULL);
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

template <typename V>
class AddressMap {
 public:
  static constexpr std::uint32_t kNotFound = 0xffffffffU;

  std::size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }

  /// The index of `address`, or kNotFound.
  std::uint32_t find(const IpAddress& address) const {
    if (keys_.empty()) return kNotFound;
    const std::uint32_t slot = findSlot(address, hashAddress(address));
    return slots_[slot] == 0 ? kNotFound : slots_[slot] - 1;
  }
  bool contains(const IpAddress& address) const { return find(address) != kNotFound; }

  /// The index of `address`, added with a value-initialised V if it was not there; `.second`
  /// says whether it was added.
  std::pair<std::uint32_t, bool> tryEmplace(const IpAddress& address) {
    if ((keys_.size() + 1) * 2 > capacity()) grow();
    const std::uint32_t slot = findSlot(address, hashAddress(address));
    if (slots_[slot] != 0) return {slots_[slot] - 1, false};
    const auto index = static_cast<std::uint32_t>(keys_.size());
    keys_.push_back(address);
    values_.emplace_back();
    slots_[slot] = index + 1;
    return {index, true};
  }

  V& operator[](std::uint32_t index) { return values_[index]; }
  const V& operator[](std::uint32_t index) const { return values_[index]; }
  const IpAddress& key(std::uint32_t index) const { return keys_[index]; }

 private:
  std::size_t capacity() const { return mask_ == 0 ? 0 : std::size_t{mask_} + 1; }

  std::uint32_t findSlot(const IpAddress& address, std::uint64_t hash) const {
    auto slot = static_cast<std::uint32_t>(hash) & mask_;
    while (slots_[slot] != 0 && keys_[slots_[slot] - 1] != address) slot = (slot + 1) & mask_;
    return slot;
  }

  void grow() {
    const std::size_t slots = capacity() == 0 ? 64 : capacity() * 2;
    slots_ = std::make_unique<std::uint32_t[]>(slots);  // value-initialised: all empty
    mask_ = static_cast<std::uint32_t>(slots - 1);
    for (std::uint32_t index = 0; index < keys_.size(); ++index) {
      slots_[findSlot(keys_[index], hashAddress(keys_[index]))] = index + 1;
    }
  }

  std::vector<IpAddress> keys_;
  std::vector<V> values_;
  std::unique_ptr<std::uint32_t[]> slots_;  // entry index + 1, 0 = empty
  std::uint32_t mask_ = 0;
};

/// The value of a set's entries: nothing.
struct NoValue {};
/// The addresses only (e.g. the cameras a worker has announced).
using AddressSet = AddressMap<NoValue>;

}  // namespace camwatch
