#include <cstring>

#include <camwatch/flow.h>

namespace camwatch {
namespace {
std::uint32_t roundUpToPowerOfTwo(std::uint32_t value) {
  std::uint32_t size = 1;
  while (size < value) size <<= 1U;
  return size;
}

std::uint64_t datagramHash(const IpAddress& src, const IpAddress& dst, std::uint32_t id,
                           std::uint8_t proto) {
  std::uint64_t words[4];
  std::memcpy(words, src.bytes.data(), 16);
  std::memcpy(words + 2, dst.bytes.data(), 16);
  std::uint64_t hash = (std::uint64_t{id} << 8) ^ proto;
  for (std::uint64_t word : words) {
    hash ^= word;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 31;
  }
  return hash;
}
}  // namespace

FragmentTracker::FragmentTracker(std::uint32_t slots)
    : slots_(std::make_unique<Slot[]>(roundUpToPowerOfTwo(slots))),
      mask_(roundUpToPowerOfTwo(slots) - 1) {}

bool FragmentTracker::resolve(DecodedPacket& packet) {
  if (!packet.is_fragment) return true;
  Slot& slot =
      slots_[datagramHash(packet.src_ip, packet.dst_ip, packet.fragment_id, packet.ip_proto) &
             mask_];
  if (packet.is_first_fragment) {
    slot = Slot{packet.src_ip, packet.dst_ip,   packet.fragment_id, packet.ip_proto,
                true,          packet.src_port, packet.dst_port};
    return true;
  }
  if (!slot.used || slot.id != packet.fragment_id || slot.proto != packet.ip_proto ||
      slot.src != packet.src_ip || slot.dst != packet.dst_ip) {
    return false;
  }
  packet.src_port = slot.src_port;
  packet.dst_port = slot.dst_port;
  return true;
}

}  // namespace camwatch
