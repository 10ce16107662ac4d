#include <algorithm>
#include <cstring>
#include <utility>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

// More entries than this would be a configuration mistake (at ~100 bytes each, 1.6 GB per
// worker); clamping keeps the 32-bit indices valid.
constexpr std::size_t kMaxCapacity = std::size_t{1} << 24;

std::uint64_t mix(std::uint64_t value) {
  // splitmix64's finaliser: cheap, and every input bit moves every output bit.
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

std::uint64_t hashAddress(const IpAddress& address) {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  std::memcpy(&high, address.bytes.data(), 8);
  std::memcpy(&low, address.bytes.data() + 8, 8);
  return mix(high ^ mix(low));
}

}  // namespace

struct CachedGeoLookup::Entry {
  IpAddress address;
  GeoInfo info;
  std::uint32_t prev = kNil;
  std::uint32_t next = kNil;
};

CachedGeoLookup::CachedGeoLookup(GeoLookupPtr backend, std::size_t capacity)
    : backend_(std::move(backend)),
      capacity_(static_cast<std::uint32_t>(std::min(capacity, kMaxCapacity))) {
  if (capacity_ == 0) return;
  entries_ = std::make_unique<Entry[]>(capacity_);
  // Load factor at most 1/2 keeps linear probes short.
  std::uint32_t slots = 4;
  while (slots < capacity_ * 2U) slots *= 2;
  index_ = std::make_unique<std::uint32_t[]>(slots);  // value-initialised: all empty
  index_mask_ = slots - 1;
}

CachedGeoLookup::~CachedGeoLookup() = default;

const GeoInfo& CachedGeoLookup::lookup(const IpAddress& address) {
  const AddressScope scope = addressScope(address);
  if (scope != AddressScope::kPublic) {
    ++stats_.not_public;
    scratch_ = GeoInfo{};
    scratch_.scope = scope;
    return scratch_;
  }
  if (capacity_ == 0) {
    ++stats_.misses;
    scratch_ = backend_->lookup(address);
    return scratch_;
  }

  const std::uint64_t hash = hashAddress(address);
  const std::uint32_t slot = findSlot(address, hash);
  if (index_[slot] != 0) {
    const std::uint32_t found = index_[slot] - 1;
    ++stats_.hits;
    if (found != head_) {
      unlink(found);
      pushFront(found);
    }
    return entries_[found].info;
  }

  ++stats_.misses;
  std::uint32_t entry;
  if (size_ < capacity_) {
    entry = size_++;
  } else {
    entry = tail_;
    ++stats_.evictions;
    unlink(entry);
    eraseFromIndex(entry);
  }
  entries_[entry].address = address;
  entries_[entry].info = backend_->lookup(address);
  pushFront(entry);
  // The erase above may have shifted entries into the slot found before it: probe again.
  index_[findSlot(address, hash)] = entry + 1;
  return entries_[entry].info;
}

void CachedGeoLookup::clear() {
  if (capacity_ == 0) return;
  std::fill(index_.get(), index_.get() + index_mask_ + 1, 0U);
  size_ = 0;
  head_ = kNil;
  tail_ = kNil;
}

std::uint32_t CachedGeoLookup::findSlot(const IpAddress& address, std::uint64_t hash) const {
  std::uint32_t slot = static_cast<std::uint32_t>(hash) & index_mask_;
  while (index_[slot] != 0 && entries_[index_[slot] - 1].address != address) {
    slot = (slot + 1) & index_mask_;
  }
  return slot;
}

// Backward-shift deletion: no tombstones, so probes never get longer as entries churn.
void CachedGeoLookup::eraseFromIndex(std::uint32_t entry_index) {
  const IpAddress& address = entries_[entry_index].address;
  std::uint32_t hole = findSlot(address, hashAddress(address));
  index_[hole] = 0;
  std::uint32_t slot = hole;
  while (true) {
    slot = (slot + 1) & index_mask_;
    if (index_[slot] == 0) return;
    const std::uint32_t home =
        static_cast<std::uint32_t>(hashAddress(entries_[index_[slot] - 1].address)) & index_mask_;
    // Move the entry back into the hole unless its home lies cyclically in (hole, slot].
    const bool home_after_hole = ((slot - home) & index_mask_) < ((slot - hole) & index_mask_);
    if (!home_after_hole) {
      index_[hole] = index_[slot];
      index_[slot] = 0;
      hole = slot;
    }
  }
}

void CachedGeoLookup::unlink(std::uint32_t index) {
  Entry& entry = entries_[index];
  if (entry.prev != kNil) {
    entries_[entry.prev].next = entry.next;
  } else {
    head_ = entry.next;
  }
  if (entry.next != kNil) {
    entries_[entry.next].prev = entry.prev;
  } else {
    tail_ = entry.prev;
  }
  entry.prev = kNil;
  entry.next = kNil;
}

void CachedGeoLookup::pushFront(std::uint32_t index) {
  Entry& entry = entries_[index];
  entry.prev = kNil;
  entry.next = head_;
  if (head_ != kNil) entries_[head_].prev = index;
  head_ = index;
  if (tail_ == kNil) tail_ = index;
}

}  // namespace camwatch
