// decode/: decodePacket: Ethernet, VLAN/QinQ, SLL, raw IP, IPv4/IPv6 with options and extension
// headers, TCP, UDP, ICMP into a view of the headers; bad packets get a named anomaly.
//
// Turns the bytes of one captured packet into a DecodedPacket, a view of its L2..L4
// headers. Inputs: a RawPacket. Outputs: offsets and fields, never a copy of the packet; no read
// past the captured length. Runs on whichever thread owns the packet (reader or worker); pure,
// no state, no allocation.
//
// A packet that is cut short or malformed is not an error: decodePacket() keeps what it could
// read, sets `anomaly` to a named reason, and the caller counts it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

/// Named reasons a packet could not be decoded fully. The names (anomalyName) are stable: they
/// are label values in metrics and keys in the replay summary.
enum class Anomaly : std::uint8_t {
  kNone,
  kUnsupportedLinkType,
  kTruncatedEthernet,
  kTruncatedVlanHeader,
  kTooManyVlanTags,
  kTruncatedSll,
  kTruncatedSll2,
  kTruncatedNullHeader,
  kTruncatedIpv4,
  kIpv4BadVersion,
  kIpv4BadHeaderLength,
  kIpv4BadTotalLength,
  kTruncatedIpv6,
  kIpv6BadVersion,
  kTruncatedIpv6ExtensionHeader,
  kIpv6TooManyExtensionHeaders,
  kTruncatedTcp,
  kTcpBadDataOffset,
  kTruncatedUdp,
  kUdpBadLength,
  kTruncatedIcmp,
  kCount,
};

/// Stable snake_case name of an anomaly, e.g. "truncated_vlan_header".
std::string_view anomalyName(Anomaly anomaly);

/// Lower-case name of an IP protocol as flows report it: "tcp", "udp", "icmp", "icmpv6", "gre",
/// "esp", ...; "ip-proto-N" for numbers without a name here.
std::string ipProtocolName(std::uint8_t ip_proto);

/// Short name of a non-IP ethertype for summaries: "arp", "lldp", ..., else "0x88b5". Values
/// below 0x0600 are 802.3 length fields: "llc".
std::string etherTypeName(std::uint16_t ethertype);

/// What the packet carried at the network layer.
enum class NetworkLayer : std::uint8_t {
  kNone,  ///< not IP (ARP, LLDP, ...): see `ethertype`
  kIpv4,
  kIpv6,
};

/// IP protocol numbers camwatch treats specially; any other number is kept as is.
inline constexpr std::uint8_t kIpProtoIcmp = 1;
inline constexpr std::uint8_t kIpProtoTcp = 6;
inline constexpr std::uint8_t kIpProtoUdp = 17;
inline constexpr std::uint8_t kIpProtoIcmpv6 = 58;

/// TCP flag bits as in the TCP header.
inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpPsh = 0x08;
inline constexpr std::uint8_t kTcpAck = 0x10;

/// The decoded view of one packet. Offsets are from the start of the captured bytes.
struct DecodedPacket {
  Timestamp ts = 0;
  std::uint32_t wire_len = 0;
  std::uint32_t cap_len = 0;

  // Link layer.
  std::uint32_t l2_src_mac_offset = 0;  ///< valid when has_mac
  bool has_mac = false;
  std::uint8_t vlan_count = 0;   ///< 802.1Q / 802.1ad tags seen (0, 1 or 2 are kept)
  std::uint16_t vlan_outer = 0;  ///< VLAN id of the outer tag, 0 when untagged
  std::uint16_t vlan_inner = 0;  ///< VLAN id of the inner tag (QinQ), 0 otherwise
  std::uint16_t ethertype = 0;   ///< the ethertype after the VLAN tags (0 for raw IP)

  // Network layer.
  NetworkLayer network = NetworkLayer::kNone;
  std::uint32_t l3_offset = 0;
  IpAddress src_ip;
  IpAddress dst_ip;
  std::uint8_t ip_proto = 0;  ///< the upper-layer protocol after IPv6 extension headers
  std::uint8_t ip_ttl = 0;

  // Fragments: only the first fragment (offset 0) carries the L4 header.
  bool is_fragment = false;
  bool is_first_fragment = false;
  std::uint32_t fragment_id = 0;  ///< IPv4 identification or IPv6 fragment header id

  // Transport layer; valid when has_l4.
  bool has_l4 = false;
  std::uint32_t l4_offset = 0;
  std::uint16_t src_port = 0;  ///< for ICMP: 0
  std::uint16_t dst_port = 0;
  std::uint8_t tcp_flags = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;

  // Payload after the L4 header (or after IP when there is no L4 we parse), as captured.
  std::uint32_t payload_offset = 0;
  std::uint32_t payload_len = 0;

  Anomaly anomaly = Anomaly::kNone;
};

/// Decodes `packet` into `out` (overwriting it). Returns true when the packet can be counted to a
/// flow: its IP addresses are known and its TCP/UDP/ICMP header parsed (a non-first fragment has
/// no L4 header: true, with has_l4 false). Returns false for non-IP frames (`network` is kNone and
/// `anomaly` kNone) and for malformed or cut-short headers (`anomaly` names why). A packet cut by
/// a small snaplen after its headers decodes fine: its payload is simply shorter than on the wire.
bool decodePacket(const RawPacket& packet, DecodedPacket& out);

}  // namespace camwatch
