// PacketStage: what happens to every captured frame before it reaches a flow, the same for live
// and replay: decode, resolve IP fragments, learn DNS answers, make the flow key and its hash.
// It also keeps the one definition of the packet counters (docs/metrics.md "What counts").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/metrics.h>
#include <camwatch/packet.h>

#include "pipeline/flow_worker.h"

namespace camwatch {

/// Every frame a source handed out, by what became of it. One writer: the thread that stages.
///   packets = ip_packets + sum(anomalies) + sum(non_ip_by_ethertype) + fragments_unmatched
struct PacketCounters {
  std::uint64_t packets = 0;     ///< frames handed to the stage
  std::uint64_t wire_bytes = 0;  ///< their length on the wire (at least what was captured)
  std::uint64_t ip_packets = 0;  ///< frames counted to a flow
  /// Frames the decoder refused, by Anomaly (index 0, kNone, stays 0).
  std::array<std::uint64_t, kAnomalyCount> anomalies{};
  /// Well-formed frames that are not IP (ARP, LLDP, ...), by ethertype. A map node is made only
  /// for an ethertype not seen before, so a steady stream of them does not allocate.
  std::map<std::uint16_t, std::uint64_t> non_ip_by_ethertype;
  std::uint64_t fragments_unmatched = 0;  ///< later fragments whose first fragment was not seen
  DnsLearnCounts dns;                     ///< DNS responses read into the cache

  std::uint64_t nonIpPackets() const;
};

/// A frame's length on the wire as every byte count uses it: pcap's `len`, never less than what
/// was captured (a capture file may say less).
inline std::uint64_t wireLength(const RawPacket& raw) {
  return raw.wire_len > raw.data.size() ? raw.wire_len : raw.data.size();
}

/// A frame ready for a flow: decoded, its fragments resolved, with its flow key and hash.
struct StagedPacket {
  DecodedPacket packet;
  FlowKey key;
  bool src_is_a = false;
  std::uint64_t hash = 0;
};

class PacketStage {
 public:
  /// `learn_into`: the DNS cache answers are learnt into (null: none are).
  explicit PacketStage(DnsCache* learn_into, std::uint32_t fragment_slots = 4096)
      : dns_(learn_into), fragments_(fragment_slots) {}

  /// Stages one frame and counts it. False: the frame belongs to no flow (counted why).
  /// Never allocates, except the first time an ethertype is seen.
  bool stage(const RawPacket& raw, StagedPacket& out);

  const PacketCounters& counters() const { return counters_; }

 private:
  DnsCache* dns_;
  FragmentTracker fragments_;
  PacketCounters counters_;
};

/// The share of the staged frames one worker is credited with when one thread stages for many
/// (replay): a worker gets the frames dispatched to it; worker 0 also gets those that reached no
/// flow, so the shares add up to PacketCounters and each equals what a live worker would count.
struct PacketShare {
  std::uint64_t packets = 0;
  std::uint64_t wire_bytes = 0;
  std::uint64_t ip_packets = 0;
};

/// Publishes a worker's own stage counts to its metric counters. Worker thread (live).
void publishPacketCounters(const PacketCounters& counters, WorkerCounters& out);

/// Fills the packet figures of every worker's snapshot when one thread staged for all (replay):
/// each its share, and worker 0 the decode anomalies and DNS counts, as live worker 0 would have
/// them on a one-worker sensor. `shares` has one entry per worker.
void fillPacketCounts(const PacketCounters& counters, const std::vector<PacketShare>& shares,
                      std::vector<WorkerCountersSnapshot>& workers);

}  // namespace camwatch
