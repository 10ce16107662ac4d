// flow/: flow keys, the per-worker flow table (packet-time timeouts, bounded, evicting the least
// recently seen flow) and fragment tracking.
//
// The per-worker flow table. Inputs: decoded IP packets with their canonical FlowKey.
// Outputs: FlowRecords, handed to a FlowEndHandler when a flow ends (idle, active timeout, TCP
// close, eviction, end of input). Thread: each worker owns one FlowTable; nothing is shared.
//
// Time is packet time: expire() is driven by timestamps, so replay and live give the same flows.
// Memory is bounded: entries are preallocated up to `max_flows` and recycled; when the table is
// full the least recently seen flow is evicted (and counted), never the new packet dropped.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <camwatch/classification.h>
#include <camwatch/decode.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>
#include <camwatch/policy.h>

namespace camwatch {

/// Bidirectional flow key: both directions of a conversation give the same key. Side "a" is the
/// lower (address, port) pair, side "b" the higher; which one started the flow is in FlowRecord.
struct FlowKey {
  IpAddress addr_a;
  IpAddress addr_b;
  std::uint16_t port_a = 0;
  std::uint16_t port_b = 0;
  std::uint16_t vlan_outer = 0;
  std::uint16_t vlan_inner = 0;
  std::uint8_t ip_proto = 0;
  std::uint8_t padding[3] = {};  // explicit, zeroed: the key is hashed and compared as bytes

  bool operator==(const FlowKey&) const = default;
};
static_assert(sizeof(FlowKey) == 44, "FlowKey is hashed as raw bytes: no hidden padding");

/// Builds the canonical key of `packet`. `src_is_a` tells whether the packet goes a -> b.
FlowKey makeFlowKey(const DecodedPacket& packet, bool& src_is_a);

/// Hash of a canonical key; the same for both directions, so it can pick the worker as well.
std::uint64_t hashFlowKey(const FlowKey& key);

/// Why a flow record was emitted. Names (flowEndReasonName) appear in the flows output.
enum class FlowEndReason : std::uint8_t {
  kIdle,          ///< no packet for the idle timeout
  kActive,        ///< open longer than the active timeout: this record ends, a new one starts
  kTcpClosed,     ///< FIN seen both ways or RST, then the short closed timeout passed
  kEvicted,       ///< the table was full and this was the least recently seen flow
  kEndOfCapture,  ///< still open when the input ended
};
std::string_view flowEndReasonName(FlowEndReason reason);

/// Index 0 of the per-direction arrays is client -> server, index 1 server -> client.
inline constexpr int kToServer = 0;
inline constexpr int kToClient = 1;

/// One flow as it is reported. The client is the side that sent the first packet (or, when the
/// first packet seen is a SYN-ACK, the side it was sent to).
struct FlowRecord {
  FlowKey key;
  bool client_is_a = true;
  /// The conversation began in an earlier record, which ended by the active timeout: not a new
  /// contact (a beacon counts flow starts, camwatch/beacon.h).
  bool continuation = false;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::array<std::uint64_t, 2> packets{};
  std::array<std::uint64_t, 2> bytes{};     ///< on-the-wire bytes, whatever the snaplen
  std::array<std::uint8_t, 2> tcp_flags{};  ///< OR of the TCP flags seen each way
  std::uint32_t fragments = 0;              ///< IP fragments counted to this flow
  FlowEndReason end_reason = FlowEndReason::kIdle;
  std::array<std::uint8_t, 6> client_mac{};  ///< source MAC of the client's first packet
  bool has_client_mac = false;
  FlowClassification dpi;
  /// Where the server side is: its scope, and for public addresses country and AS number (the
  /// organisation is looked up again when the record is written, to keep the entry small).
  AddressScope server_scope = AddressScope::kPublic;
  std::array<char, 3> server_country{};
  std::uint32_t server_asn = 0;
  /// Camera egress: the client is a camera (inventory) and the server a public address outside
  /// the local networks. Only egress flows are judged by the policy; the rest is local traffic.
  bool egress = false;
  /// The client camera's group and the last policy verdict, as ids (GroupId, RuleId), not text:
  /// a record names nothing. They are ids of one judgement snapshot's inventory and policy, the
  /// one the worker hands the record over with (pipeline/: EndedFlow::naming); the outputs name
  /// them from that snapshot (CameraInventory::groupName, PolicyEngine::ruleLabel), so a reload
  /// between the judging and the naming cannot mix them up.
  GroupId camera_group = kNoGroup;
  Verdict verdict;
  // What the worker keeps about a flow only while it is open (classifier state, counters,
  // whether it was judged) is not here but in its own array, by the flow's slot (FlowUpdate).

  const IpAddress& clientIp() const { return client_is_a ? key.addr_a : key.addr_b; }
  const IpAddress& serverIp() const { return client_is_a ? key.addr_b : key.addr_a; }
  std::uint16_t clientPort() const { return client_is_a ? key.port_a : key.port_b; }
  std::uint16_t serverPort() const { return client_is_a ? key.port_b : key.port_a; }
};

/// Receives flows as they end. Called on the thread that owns the FlowTable; the record is only
/// valid during the call, and the handler may finish it (e.g. end its classification). `slot` is
/// the one FlowUpdate gave for this flow; after the call it goes to a later flow.
class FlowEndHandler {
 public:
  virtual ~FlowEndHandler() = default;
  virtual void onFlowEnd(FlowRecord& flow, std::uint32_t slot) = 0;
};

/// Timeouts are in packet time (nanoseconds).
struct FlowTableConfig {
  std::uint32_t max_flows = 262'144;
  Timestamp tcp_idle_timeout = 300 * kNanosPerSecond;
  Timestamp udp_idle_timeout = 60 * kNanosPerSecond;  ///< also ICMP and other IP protocols
  Timestamp tcp_closed_timeout = 10 * kNanosPerSecond;
  Timestamp active_timeout = 1800 * kNanosPerSecond;
};

/// Counters a FlowTable keeps about itself; read by its owner thread only.
struct FlowTableStats {
  std::uint64_t created = 0;
  std::uint64_t ended = 0;
  std::uint64_t evicted = 0;
  std::uint64_t active_timeouts = 0;
};

/// What FlowTable::onPacket did with a packet.
struct FlowUpdate {
  FlowRecord* flow = nullptr;  ///< valid until the next call on the table
  /// The flow's place in the table, in [0, capacity()), the same for every packet of it while it
  /// lives: the owner can keep its own per-flow state in an array of capacity() entries.
  std::uint32_t slot = 0;
  bool from_client = true;
  bool created = false;
};

class FlowTable {
 public:
  /// `handler` must outlive the table.
  FlowTable(const FlowTableConfig& config, FlowEndHandler& handler);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  /// Counts `packet` to its flow, creating the flow (and evicting the oldest one when full).
  /// `key`, `src_is_a` and `hash` come from makeFlowKey/hashFlowKey of the same packet.
  /// A flow past its idle or active timeout at `packet.ts` ends first and a new one starts.
  FlowUpdate onPacket(const DecodedPacket& packet, const FlowKey& key, bool src_is_a,
                      std::uint64_t hash);

  /// Ends every flow whose idle timeout has passed at `now`.
  void expire(Timestamp now);

  /// Ends every flow still open, with reason kEndOfCapture (after expiring those idle at `now`).
  void flushAll(Timestamp now);
  /// Ends idle flows as expire(now) does, then every flow that started before `before` (as
  /// end_of_capture). A replay ends its flows in steps of first-seen time this way, so no step
  /// ends more than a slice of the table at once.
  void flushStartedBefore(Timestamp now, Timestamp before);

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  /// The open flow at `slot` (from a FlowUpdate of a flow that has not ended).
  FlowRecord& at(std::uint32_t slot);
  const FlowTableStats& stats() const { return stats_; }
  /// Bytes this table reserved (entries + index); the pages are touched only as flows arrive.
  std::size_t reservedBytes() const;

 private:
  struct Entry;
  static constexpr std::uint32_t kNil = 0xffffffffU;
  enum TimeoutClass : std::uint8_t { kClassTcp, kClassUdpOther, kClassTcpClosed, kClassCount };

  std::uint32_t findSlot(const FlowKey& key, std::uint64_t hash) const;
  std::uint32_t allocateEntry();
  void endEntry(std::uint32_t index, FlowEndReason reason);
  void removeFromIndex(std::uint32_t entry_index);
  void lruUnlink(std::uint32_t index);
  void lruPushBack(std::uint32_t index, std::uint8_t timeout_class);
  Timestamp idleTimeout(std::uint8_t timeout_class) const;

  FlowTableConfig config_;
  FlowEndHandler& handler_;
  std::uint32_t capacity_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t high_water_ = 0;    // entries [0, high_water_) have been constructed
  std::uint32_t free_head_ = kNil;  // recycled entries, linked through Entry::lru_next
  Entry* entries_ = nullptr;        // raw storage for capacity_ entries
  std::uint32_t* index_ = nullptr;  // open addressing: entry index + 1, 0 = empty
  std::uint32_t index_mask_ = 0;
  std::array<std::uint32_t, kClassCount> lru_head_{};
  std::array<std::uint32_t, kClassCount> lru_tail_{};
  FlowTableStats stats_;
};

/// Remembers the ports of first IP fragments so later fragments of the same datagram are counted
/// to the same flow. Fixed size, no allocation after construction; a newer datagram overwrites an
/// older one in the same slot.
class FragmentTracker {
 public:
  explicit FragmentTracker(std::uint32_t slots = 4096);
  /// For a first fragment, records its ports. For a later fragment, fills in the ports of its
  /// first fragment and returns true (has_l4 stays false: there is no L4 header in it); returns
  /// false when the first fragment was not seen. Non-fragments are left alone (true).
  bool resolve(DecodedPacket& packet);

 private:
  struct Slot {
    IpAddress src;
    IpAddress dst;
    std::uint32_t id = 0;
    std::uint8_t proto = 0;
    bool used = false;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
  };
  std::unique_ptr<Slot[]> slots_;
  std::uint32_t mask_;
};

}  // namespace camwatch
