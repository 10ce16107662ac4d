#include "pipeline/packet_stage.h"

namespace camwatch {

std::uint64_t PacketCounters::nonIpPackets() const {
  std::uint64_t total = 0;
  for (const auto& [ethertype, count] : non_ip_by_ethertype) total += count;
  return total;
}

bool PacketStage::stage(const RawPacket& raw, StagedPacket& out) {
  ++counters_.packets;
  counters_.wire_bytes += wireLength(raw);
  DecodedPacket& packet = out.packet;
  if (!decodePacket(raw, packet)) {
    if (packet.anomaly != Anomaly::kNone) {
      ++counters_.anomalies[static_cast<std::size_t>(packet.anomaly)];
    } else {
      ++counters_.non_ip_by_ethertype[packet.ethertype];
    }
    return false;
  }
  if (!fragments_.resolve(packet)) {
    ++counters_.fragments_unmatched;
    return false;
  }
  ++counters_.ip_packets;
  if (dns_ != nullptr) learnDnsResponse(packet, raw.data, raw.ts, *dns_, counters_.dns);
  out.key = makeFlowKey(packet, out.src_is_a);
  out.hash = hashFlowKey(out.key);
  return true;
}

void publishPacketCounters(const PacketCounters& counters, WorkerCounters& out) {
  out.packets.set(counters.packets);
  out.wire_bytes.set(counters.wire_bytes);
  out.ip_packets.set(counters.ip_packets);
  out.non_ip_packets.set(counters.nonIpPackets());
  out.fragments_unmatched.set(counters.fragments_unmatched);
  for (std::size_t i = 1; i < kAnomalyCount; ++i) out.anomalies[i].set(counters.anomalies[i]);
  out.dns_responses.set(counters.dns.responses);
  out.dns_answers.set(counters.dns.answers);
  out.dns_malformed.set(counters.dns.malformed);
}

void fillPacketCounts(const PacketCounters& counters, const std::vector<PacketShare>& shares,
                      std::vector<WorkerCountersSnapshot>& workers) {
  for (std::size_t i = 0; i < workers.size() && i < shares.size(); ++i) {
    workers[i].packets = shares[i].packets;
    workers[i].wire_bytes = shares[i].wire_bytes;
    workers[i].ip_packets = shares[i].ip_packets;
  }
  if (workers.empty()) return;
  WorkerCountersSnapshot& first = workers.front();
  first.anomalies = counters.anomalies;
  first.non_ip_packets = counters.nonIpPackets();
  first.fragments_unmatched = counters.fragments_unmatched;
  first.dns_responses = counters.dns.responses;
  first.dns_answers = counters.dns.answers;
  first.dns_malformed = counters.dns.malformed;
}

}  // namespace camwatch
