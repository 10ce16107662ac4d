// pcap_read_loop: the floor for any tool that reads capture files through libpcap. Opens each
// file with pcap_open_offline, calls pcap_next_ex until the end, and counts packets and bytes;
// it decodes nothing. replay_bench.sh times it next to camwatch so the table shows how much of
// camwatch's time is libpcap's.
//
// Usage: pcap_read_loop FILE...   Prints one line per file and a total line.
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include <pcap/pcap.h>

namespace {

struct Counts {
  std::uint64_t packets = 0;
  std::uint64_t cap_bytes = 0;
  std::uint64_t wire_bytes = 0;
};

// Reads all of `path` into `counts`. Returns false (after printing why) when the file cannot be
// opened or libpcap reports an error part-way; the packets before the error still count.
bool readFile(const char* path, Counts& counts) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline(path, errbuf);
  if (handle == nullptr) {
    std::fprintf(stderr, "pcap_read_loop: %s: %s\n", path, errbuf);
    return false;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(handle, &header, &data)) == 1) {
    ++counts.packets;
    counts.cap_bytes += header->caplen;
    counts.wire_bytes += header->len;
  }
  const bool ok = rc == PCAP_ERROR_BREAK;
  if (!ok) {
    std::fprintf(stderr, "pcap_read_loop: %s: packet %" PRIu64 ": %s\n", path, counts.packets + 1,
                 pcap_geterr(handle));
  }
  pcap_close(handle);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: pcap_read_loop FILE...\n");
    return 2;
  }
  Counts total;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    Counts file;
    ok = readFile(argv[i], file) && ok;
    std::printf("%s: packets %" PRIu64 " cap_bytes %" PRIu64 " wire_bytes %" PRIu64 "\n", argv[i],
                file.packets, file.cap_bytes, file.wire_bytes);
    total.packets += file.packets;
    total.cap_bytes += file.cap_bytes;
    total.wire_bytes += file.wire_bytes;
  }
  std::printf("total: packets %" PRIu64 " cap_bytes %" PRIu64 " wire_bytes %" PRIu64 "\n",
              total.packets, total.cap_bytes, total.wire_bytes);
  return ok ? 0 : 1;
}
