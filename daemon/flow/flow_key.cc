#include <cstring>

#include <camwatch/flow.h>

namespace camwatch {

FlowKey makeFlowKey(const DecodedPacket& packet, bool& src_is_a) {
  FlowKey key;
  // Order the two endpoints so both directions give the same key: (address, port) ascending.
  const int address_order = std::memcmp(packet.src_ip.bytes.data(), packet.dst_ip.bytes.data(), 16);
  src_is_a = address_order < 0 || (address_order == 0 && packet.src_port <= packet.dst_port);
  if (src_is_a) {
    key.addr_a = packet.src_ip;
    key.addr_b = packet.dst_ip;
    key.port_a = packet.src_port;
    key.port_b = packet.dst_port;
  } else {
    key.addr_a = packet.dst_ip;
    key.addr_b = packet.src_ip;
    key.port_a = packet.dst_port;
    key.port_b = packet.src_port;
  }
  key.vlan_outer = packet.vlan_outer;
  key.vlan_inner = packet.vlan_inner;
  key.ip_proto = packet.ip_proto;
  return key;
}

std::uint64_t hashFlowKey(const FlowKey& key) {
  // A multiply-xorshift mix over the key's 64-bit words: fast, and good enough to spread flows
  // over workers and table slots. The key is canonical, so the hash is direction-symmetric.
  static_assert(sizeof(FlowKey) % 4 == 0);
  std::uint64_t words[6] = {};
  std::memcpy(words, &key, sizeof(FlowKey));
  std::uint64_t hash = 0x9e3779b97f4a7c15ULL;
  for (std::uint64_t word : words) {
    hash ^= word;
    hash *= 0xbf58476d1ce4e5b9ULL;
    hash ^= hash >> 31;
  }
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 29;
  return hash;
}

}  // namespace camwatch
