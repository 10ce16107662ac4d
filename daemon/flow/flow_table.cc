// Layout: a preallocated array of entries (recycled through a free list), an open-addressing
// index of entry numbers (linear probing, backward-shift deletion, load <= 1/2), and one LRU list
// per timeout class. Within a class every flow has the same idle timeout, so the head of each list
// is always the next to expire and expire() never scans the whole table.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>

#include <camwatch/flow.h>

namespace camwatch {

struct FlowTable::Entry {
  FlowRecord record;
  std::uint64_t hash;
  std::uint32_t lru_prev;
  std::uint32_t lru_next;
  std::uint8_t timeout_class;
  bool fin_to_server;
  bool fin_to_client;
};

namespace {
std::uint32_t indexSizeFor(std::uint32_t capacity) {
  std::uint32_t size = 16;
  while (size < capacity * 2U) size <<= 1U;
  return size;
}
}  // namespace

FlowTable::FlowTable(const FlowTableConfig& config, FlowEndHandler& handler)
    : config_(config), handler_(handler), capacity_(std::max<std::uint32_t>(config.max_flows, 1)) {
  // Raw storage: pages are only touched (and so only count in RSS) as flows arrive.
  entries_ = std::allocator<Entry>().allocate(capacity_);
  const std::uint32_t index_size = indexSizeFor(capacity_);
  index_mask_ = index_size - 1;
  index_ = static_cast<std::uint32_t*>(std::calloc(index_size, sizeof(std::uint32_t)));
  if (index_ == nullptr) throw std::bad_alloc();
  lru_head_.fill(kNil);
  lru_tail_.fill(kNil);
}

FlowTable::~FlowTable() {
  std::allocator<Entry>().deallocate(entries_, capacity_);
  std::free(index_);
}

std::size_t FlowTable::reservedBytes() const {
  return std::size_t{capacity_} * sizeof(Entry) +
         (std::size_t{index_mask_} + 1) * sizeof(std::uint32_t);
}

Timestamp FlowTable::idleTimeout(std::uint8_t timeout_class) const {
  switch (timeout_class) {
    case kClassTcp:
      return config_.tcp_idle_timeout;
    case kClassTcpClosed:
      return config_.tcp_closed_timeout;
    default:
      return config_.udp_idle_timeout;
  }
}

std::uint32_t FlowTable::findSlot(const FlowKey& key, std::uint64_t hash) const {
  std::uint32_t pos = static_cast<std::uint32_t>(hash) & index_mask_;
  while (true) {
    const std::uint32_t stored = index_[pos];
    if (stored == 0) return pos;
    const Entry& entry = entries_[stored - 1];
    if (entry.hash == hash && entry.record.key == key) return pos;
    pos = (pos + 1) & index_mask_;
  }
}

void FlowTable::removeFromIndex(std::uint32_t entry_index) {
  std::uint32_t hole = static_cast<std::uint32_t>(entries_[entry_index].hash) & index_mask_;
  while (index_[hole] != entry_index + 1) hole = (hole + 1) & index_mask_;
  // Backward-shift deletion: pull later members of the probe run into the hole so that lookups
  // never need tombstones.
  std::uint32_t next = (hole + 1) & index_mask_;
  while (index_[next] != 0) {
    const std::uint32_t home =
        static_cast<std::uint32_t>(entries_[index_[next] - 1].hash) & index_mask_;
    const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (!stays) {
      index_[hole] = index_[next];
      hole = next;
    }
    next = (next + 1) & index_mask_;
  }
  index_[hole] = 0;
}

void FlowTable::lruUnlink(std::uint32_t index) {
  Entry& entry = entries_[index];
  const std::uint8_t cls = entry.timeout_class;
  if (entry.lru_prev != kNil) {
    entries_[entry.lru_prev].lru_next = entry.lru_next;
  } else {
    lru_head_[cls] = entry.lru_next;
  }
  if (entry.lru_next != kNil) {
    entries_[entry.lru_next].lru_prev = entry.lru_prev;
  } else {
    lru_tail_[cls] = entry.lru_prev;
  }
}

void FlowTable::lruPushBack(std::uint32_t index, std::uint8_t timeout_class) {
  Entry& entry = entries_[index];
  entry.timeout_class = timeout_class;
  entry.lru_next = kNil;
  entry.lru_prev = lru_tail_[timeout_class];
  if (lru_tail_[timeout_class] != kNil) {
    entries_[lru_tail_[timeout_class]].lru_next = index;
  } else {
    lru_head_[timeout_class] = index;
  }
  lru_tail_[timeout_class] = index;
}

void FlowTable::endEntry(std::uint32_t index, FlowEndReason reason) {
  Entry& entry = entries_[index];
  entry.record.end_reason = reason;
  handler_.onFlowEnd(entry.record, index);
  removeFromIndex(index);
  lruUnlink(index);
  entry.lru_next = free_head_;
  free_head_ = index;
  --size_;
  ++stats_.ended;
}

std::uint32_t FlowTable::allocateEntry() {
  if (size_ == capacity_) {
    // Full: end the least recently seen flow of any class.
    std::uint32_t oldest = kNil;
    for (std::uint32_t head : lru_head_) {
      if (head != kNil &&
          (oldest == kNil || entries_[head].record.last_seen < entries_[oldest].record.last_seen)) {
        oldest = head;
      }
    }
    ++stats_.evicted;
    endEntry(oldest, FlowEndReason::kEvicted);
  }
  std::uint32_t index = 0;
  if (free_head_ != kNil) {
    index = free_head_;
    free_head_ = entries_[index].lru_next;
  } else {
    index = high_water_++;
    std::construct_at(entries_ + index);
  }
  ++size_;
  return index;
}

FlowUpdate FlowTable::onPacket(const DecodedPacket& packet, const FlowKey& key, bool src_is_a,
                               std::uint64_t hash) {
  FlowUpdate update;
  std::uint32_t pos = findSlot(key, hash);
  std::uint32_t index = kNil;
  bool continue_client_is_a = false;
  bool continues_active_flow = false;
  if (index_[pos] != 0) {
    index = index_[pos] - 1;
    const Entry& entry = entries_[index];
    if (packet.ts - entry.record.last_seen >= idleTimeout(entry.timeout_class)) {
      endEntry(index, entry.timeout_class == kClassTcpClosed ? FlowEndReason::kTcpClosed
                                                             : FlowEndReason::kIdle);
      index = kNil;
    } else if (packet.ts - entry.record.first_seen >= config_.active_timeout) {
      // The conversation goes on; the next record keeps the same client.
      continues_active_flow = true;
      continue_client_is_a = entry.record.client_is_a;
      ++stats_.active_timeouts;
      endEntry(index, FlowEndReason::kActive);
      index = kNil;
    }
  }

  if (index == kNil) {
    index = allocateEntry();
    pos = findSlot(key, hash);  // ending or evicting flows may have shifted the probe run
    index_[pos] = index + 1;
    Entry& entry = entries_[index];
    entry.record = FlowRecord{};
    entry.record.key = key;
    // The sender of the first packet is the client, except for a SYN-ACK: its receiver is.
    const bool syn_ack = packet.ip_proto == kIpProtoTcp &&
                         (packet.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck);
    entry.record.client_is_a = continues_active_flow ? continue_client_is_a : (src_is_a != syn_ack);
    entry.record.continuation = continues_active_flow;
    entry.record.first_seen = packet.ts;
    entry.record.last_seen = packet.ts;
    entry.hash = hash;
    entry.fin_to_server = false;
    entry.fin_to_client = false;
    entry.timeout_class = packet.ip_proto == kIpProtoTcp ? kClassTcp : kClassUdpOther;
    lruPushBack(index, entry.timeout_class);
    ++stats_.created;
    update.created = true;
  }

  Entry& entry = entries_[index];
  FlowRecord& record = entry.record;
  const bool from_client = src_is_a == record.client_is_a;
  const int dir = from_client ? kToServer : kToClient;
  ++record.packets[static_cast<std::size_t>(dir)];
  record.bytes[static_cast<std::size_t>(dir)] += packet.wire_len;
  record.tcp_flags[static_cast<std::size_t>(dir)] |= packet.tcp_flags;
  if (packet.is_fragment) ++record.fragments;
  if (packet.ts > record.last_seen) record.last_seen = packet.ts;

  std::uint8_t timeout_class = entry.timeout_class;
  if (packet.ip_proto == kIpProtoTcp) {
    if ((packet.tcp_flags & kTcpFin) != 0)
      (from_client ? entry.fin_to_server : entry.fin_to_client) = true;
    if ((packet.tcp_flags & kTcpRst) != 0 || (entry.fin_to_server && entry.fin_to_client)) {
      timeout_class = kClassTcpClosed;
    }
  }
  // Move to the tail: the lists stay ordered by last packet time.
  lruUnlink(index);
  lruPushBack(index, timeout_class);

  update.flow = &record;
  update.slot = index;
  update.from_client = from_client;
  return update;
}

FlowRecord& FlowTable::at(std::uint32_t slot) { return entries_[slot].record; }

void FlowTable::expire(Timestamp now) {
  for (std::uint8_t cls = 0; cls < kClassCount; ++cls) {
    const Timestamp timeout = idleTimeout(cls);
    while (lru_head_[cls] != kNil && now - entries_[lru_head_[cls]].record.last_seen >= timeout) {
      endEntry(lru_head_[cls],
               cls == kClassTcpClosed ? FlowEndReason::kTcpClosed : FlowEndReason::kIdle);
    }
  }
}

void FlowTable::flushAll(Timestamp now) {
  expire(now);
  for (std::uint8_t cls = 0; cls < kClassCount; ++cls) {
    while (lru_head_[cls] != kNil) endEntry(lru_head_[cls], FlowEndReason::kEndOfCapture);
  }
}

void FlowTable::flushStartedBefore(Timestamp now, Timestamp before) {
  expire(now);
  for (std::uint8_t cls = 0; cls < kClassCount; ++cls) {
    std::uint32_t index = lru_head_[cls];
    while (index != kNil) {
      const std::uint32_t next = entries_[index].lru_next;
      if (entries_[index].record.first_seen < before) {
        endEntry(index, FlowEndReason::kEndOfCapture);
      }
      index = next;
    }
  }
}

std::string_view flowEndReasonName(FlowEndReason reason) {
  switch (reason) {
    case FlowEndReason::kIdle:
      return "idle";
    case FlowEndReason::kActive:
      return "active_timeout";
    case FlowEndReason::kTcpClosed:
      return "tcp_closed";
    case FlowEndReason::kEvicted:
      return "evicted";
    case FlowEndReason::kEndOfCapture:
      return "end_of_capture";
  }
  return "unknown";
}

}  // namespace camwatch
