// parse_hash_loop: the single-thread reference for "read + L2-L4 parse + 5-tuple hash table".
// Reads each file with libpcap (pcap_next_ex), decodes every packet with camwatch::decodePacket,
// resolves IP fragments like the replay pipeline does, builds the canonical key with makeFlowKey
// and counts packets and bytes per flow in a plain std::unordered_map hashed by hashFlowKey. No
// threads, no rings, no timeouts, no eviction, no flow records: what is left when camwatch's
// pipeline is taken away. replay_bench.sh times it next to camwatch.
//
// Usage: parse_hash_loop FILE...   Files are read one after another (not merged by time).
#include <chrono>
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <unordered_map>

#include <pcap/pcap.h>

#include <camwatch/capture.h>
#include <camwatch/decode.h>
#include <camwatch/flow.h>

namespace {

struct FlowKeyHash {
  std::size_t operator()(const camwatch::FlowKey& key) const {
    return static_cast<std::size_t>(camwatch::hashFlowKey(key));
  }
};

struct FlowCount {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

using FlowMap = std::unordered_map<camwatch::FlowKey, FlowCount, FlowKeyHash>;

struct Counters {
  std::uint64_t packets = 0;
  std::uint64_t ip_packets = 0;
  std::uint64_t not_counted = 0;  // non-IP, malformed, or a fragment whose first was not seen
};

bool readFile(const char* path, FlowMap& flows, camwatch::FragmentTracker& fragments,
              Counters& counters) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    std::fprintf(stderr, "parse_hash_loop: %s: %s\n", path, errbuf);
    return false;
  }
  const int dlt = pcap_datalink(handle);
  const camwatch::LinkType link = camwatch::linkTypeFromDlt(dlt);
  if (link == camwatch::LinkType::kUnsupported) {
    std::fprintf(stderr, "parse_hash_loop: %s: link type %s is not decoded\n", path,
                 camwatch::dltName(dlt).c_str());
    pcap_close(handle);
    return false;
  }

  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  camwatch::RawPacket raw;
  raw.link = link;
  camwatch::DecodedPacket packet;
  std::uint64_t file_packets = 0;
  int rc = 0;
  while ((rc = pcap_next_ex(handle, &header, &data)) == 1) {
    ++file_packets;
    ++counters.packets;
    // Opened with nanosecond precision, libpcap puts nanoseconds in tv_usec.
    raw.ts = static_cast<camwatch::Timestamp>(header->ts.tv_sec) * camwatch::kNanosPerSecond +
             static_cast<camwatch::Timestamp>(header->ts.tv_usec);
    raw.wire_len = header->len;
    raw.data = std::span<const std::uint8_t>(data, header->caplen);
    if (!camwatch::decodePacket(raw, packet) || !fragments.resolve(packet)) {
      ++counters.not_counted;
      continue;
    }
    ++counters.ip_packets;
    bool src_is_a = false;
    FlowCount& flow = flows[camwatch::makeFlowKey(packet, src_is_a)];
    ++flow.packets;
    flow.bytes += packet.wire_len;
  }
  const bool ok = rc == PCAP_ERROR_BREAK;
  if (!ok) {
    std::fprintf(stderr, "parse_hash_loop: %s: packet %" PRIu64 ": %s\n", path, file_packets + 1,
                 pcap_geterr(handle));
  }
  pcap_close(handle);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parse_hash_loop FILE...\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  FlowMap flows;
  camwatch::FragmentTracker fragments;
  Counters counters;
  bool ok = true;
  for (int i = 1; i < argc; ++i) ok = readFile(argv[i], flows, fragments, counters) && ok;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("packets %" PRIu64 " ip_packets %" PRIu64 " not_counted %" PRIu64
              " flows %zu seconds %.3f mpps %.3f\n",
              counters.packets, counters.ip_packets, counters.not_counted, flows.size(), seconds,
              seconds > 0 ? static_cast<double>(counters.packets) / seconds / 1e6 : 0.0);
  return ok ? 0 : 1;
}
