// Every read is checked against the captured length first; nothing here copies packet bytes.
#include <cstdint>
#include <span>

#include <camwatch/decode.h>

#include "util/byte_order.h"

namespace camwatch {
namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::uint16_t kEtherTypeVlan = 0x8100;
constexpr std::uint16_t kEtherTypeQinQ = 0x88a8;
constexpr std::uint16_t kEtherTypeQinQOld = 0x9100;
constexpr std::uint16_t kArphrdEther = 1;
// More tags than this is not a real network; we stop rather than walk an attacker's chain.
constexpr int kMaxVlanTags = 8;
constexpr int kMaxIpv6ExtensionHeaders = 8;

bool fail(DecodedPacket& out, Anomaly anomaly) {
  out.anomaly = anomaly;
  return false;
}

class PacketDecoder {
 public:
  PacketDecoder(std::span<const std::uint8_t> bytes, DecodedPacket& out)
      : data_(bytes.data()), size_(static_cast<std::uint32_t>(bytes.size())), out_(out) {}

  bool decode(LinkType link) {
    switch (link) {
      case LinkType::kEthernet:
        return ethernet();
      case LinkType::kLinuxSll:
        return linuxSll();
      case LinkType::kLinuxSll2:
        return linuxSll2();
      case LinkType::kRawIp:
        return rawIp(0);
      case LinkType::kIpv4:
        return ipv4(0);
      case LinkType::kIpv6:
        return ipv6(0);
      case LinkType::kNull:
        return bsdNull();
      case LinkType::kUnsupported:
        break;
    }
    return fail(out_, Anomaly::kUnsupportedLinkType);
  }

 private:
  bool ethernet() {
    if (size_ < 14) return fail(out_, Anomaly::kTruncatedEthernet);
    out_.has_mac = true;
    out_.l2_src_mac_offset = 6;
    return etherType(be16(data_ + 12), 14);
  }

  // Follows VLAN tags from `type` at `offset`, then dispatches on the inner ethertype.
  bool etherType(std::uint16_t type, std::uint32_t offset) {
    int tags = 0;
    while (type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeQinQOld) {
      if (++tags > kMaxVlanTags) return fail(out_, Anomaly::kTooManyVlanTags);
      if (size_ < offset + 4) return fail(out_, Anomaly::kTruncatedVlanHeader);
      const auto vlan_id = static_cast<std::uint16_t>(be16(data_ + offset) & 0x0fff);
      if (out_.vlan_count == 0) {
        out_.vlan_outer = vlan_id;
      } else if (out_.vlan_count == 1) {
        out_.vlan_inner = vlan_id;
      }
      if (out_.vlan_count < 2) ++out_.vlan_count;
      type = be16(data_ + offset + 2);
      offset += 4;
    }
    out_.ethertype = type;
    if (type == kEtherTypeIpv4) return ipv4(offset);
    if (type == kEtherTypeIpv6) return ipv6(offset);
    return false;  // not IP: the caller counts it by ethertype
  }

  bool linuxSll() {
    if (size_ < 16) return fail(out_, Anomaly::kTruncatedSll);
    if (be16(data_ + 2) == kArphrdEther && be16(data_ + 4) == 6) {
      out_.has_mac = true;
      out_.l2_src_mac_offset = 6;
    }
    return etherType(be16(data_ + 14), 16);
  }

  bool linuxSll2() {
    if (size_ < 20) return fail(out_, Anomaly::kTruncatedSll2);
    if (be16(data_ + 8) == kArphrdEther && data_[11] == 6) {
      out_.has_mac = true;
      out_.l2_src_mac_offset = 12;
    }
    return etherType(be16(data_), 20);
  }

  bool bsdNull() {
    if (size_ < 4) return fail(out_, Anomaly::kTruncatedNullHeader);
    // DLT_NULL stores the address family in the capturing host's byte order, DLT_LOOP in network
    // order; the values never collide, so accept both orders.
    const std::uint32_t family_le = le32(data_);
    const std::uint32_t family_be = be32(data_);
    auto is = [&](std::uint32_t value) { return family_le == value || family_be == value; };
    if (is(2)) return ipv4(4);
    // AF_INET6 is 10 on Linux, 24, 28 or 30 on the BSDs and macOS.
    if (is(10) || is(24) || is(28) || is(30)) return ipv6(4);
    out_.ethertype = 0;
    return false;
  }

  bool rawIp(std::uint32_t offset) {
    if (size_ < offset + 1) return fail(out_, Anomaly::kTruncatedIpv4);
    const int version = data_[offset] >> 4;
    if (version == 6) return ipv6(offset);
    return ipv4(offset);
  }

  bool ipv4(std::uint32_t offset) {
    out_.l3_offset = offset;
    if (size_ < offset + 20) return fail(out_, Anomaly::kTruncatedIpv4);
    const std::uint8_t* ip = data_ + offset;
    if ((ip[0] >> 4) != 4) return fail(out_, Anomaly::kIpv4BadVersion);
    const std::uint32_t header_len = (ip[0] & 0x0fU) * 4U;
    if (header_len < 20) return fail(out_, Anomaly::kIpv4BadHeaderLength);
    const std::uint32_t total_len = be16(ip + 2);
    if (total_len < header_len) return fail(out_, Anomaly::kIpv4BadTotalLength);
    if (size_ < offset + header_len) return fail(out_, Anomaly::kTruncatedIpv4);
    out_.network = NetworkLayer::kIpv4;
    out_.src_ip = IpAddress::fromV4(ip + 12);
    out_.dst_ip = IpAddress::fromV4(ip + 16);
    out_.ip_proto = ip[9];
    out_.ip_ttl = ip[8];
    const std::uint16_t fragment_field = be16(ip + 6);
    const bool more_fragments = (fragment_field & 0x2000) != 0;
    const std::uint32_t fragment_offset = (fragment_field & 0x1fffU) * 8U;
    // Ethernet pads short frames: the IP total length, not the frame, says where the data ends.
    const std::uint32_t l3_end = offset + total_len < size_ ? offset + total_len : size_;
    if (more_fragments || fragment_offset != 0) {
      out_.is_fragment = true;
      out_.fragment_id = be16(ip + 4);
      out_.is_first_fragment = fragment_offset == 0;
      if (!out_.is_first_fragment) return payloadOnly(offset + header_len, l3_end);
    }
    return transport(offset + header_len, l3_end, total_len - header_len);
  }

  bool ipv6(std::uint32_t offset) {
    out_.l3_offset = offset;
    if (size_ < offset + 40) return fail(out_, Anomaly::kTruncatedIpv6);
    const std::uint8_t* ip = data_ + offset;
    if ((ip[0] >> 4) != 6) return fail(out_, Anomaly::kIpv6BadVersion);
    out_.network = NetworkLayer::kIpv6;
    out_.src_ip = IpAddress::fromV6(ip + 8);
    out_.dst_ip = IpAddress::fromV6(ip + 24);
    out_.ip_ttl = ip[7];
    const std::uint32_t payload_len = be16(ip + 4);
    // A zero payload length means a jumbogram (or a broken sender): use what was captured.
    std::uint32_t l3_end = payload_len == 0 ? size_ : offset + 40 + payload_len;
    if (l3_end > size_) l3_end = size_;
    std::uint8_t next = ip[6];
    std::uint32_t cursor = offset + 40;
    for (int headers = 0;; ++headers) {
      std::uint32_t header_len = 0;
      switch (next) {
        case 0:    // hop-by-hop options
        case 43:   // routing
        case 60:   // destination options
        case 135:  // mobility
          if (size_ < cursor + 2) return fail(out_, Anomaly::kTruncatedIpv6ExtensionHeader);
          header_len = (std::uint32_t{data_[cursor + 1]} + 1U) * 8U;
          break;
        case 51:  // authentication header
          if (size_ < cursor + 2) return fail(out_, Anomaly::kTruncatedIpv6ExtensionHeader);
          header_len = (std::uint32_t{data_[cursor + 1]} + 2U) * 4U;
          break;
        case 44: {  // fragment
          if (size_ < cursor + 8) return fail(out_, Anomaly::kTruncatedIpv6ExtensionHeader);
          const std::uint16_t field = be16(data_ + cursor + 2);
          out_.is_fragment = true;
          out_.fragment_id = be32(data_ + cursor + 4);
          out_.is_first_fragment = (field & 0xfff8U) == 0;
          header_len = 8;
          break;
        }
        default:
          out_.ip_proto = next;
          if (out_.is_fragment && !out_.is_first_fragment) return payloadOnly(cursor, l3_end);
          return transport(cursor, l3_end, l3_end > cursor ? l3_end - cursor : 0);
      }
      if (headers + 1 > kMaxIpv6ExtensionHeaders) {
        return fail(out_, Anomaly::kIpv6TooManyExtensionHeaders);
      }
      if (size_ < cursor + header_len) return fail(out_, Anomaly::kTruncatedIpv6ExtensionHeader);
      next = data_[cursor];
      cursor += header_len;
    }
  }

  // True when the captured data ends at `end` only because the capture's snaplen cut the packet
  // there: a header cut that way is a capture setting, not a malformed packet.
  bool cutBySnaplen(std::uint32_t end) const {
    return end == size_ && out_.cap_len < out_.wire_len;
  }

  // A packet we count to its flow without parsing an L4 header (later fragments, GRE, ESP, ...).
  bool payloadOnly(std::uint32_t start, std::uint32_t end) {
    out_.payload_offset = start;
    out_.payload_len = end > start ? end - start : 0;
    return true;
  }

  // `claimed_len` is the L4 length the IP header claims; `end` is where the captured data ends.
  bool transport(std::uint32_t offset, std::uint32_t end, std::uint32_t claimed_len) {
    out_.l4_offset = offset;
    switch (out_.ip_proto) {
      case kIpProtoTcp: {
        if (end < offset + 20) {
          if (!cutBySnaplen(end) || end < offset + 4) return fail(out_, Anomaly::kTruncatedTcp);
          // The snaplen cut the header: the ports (and maybe the flags) are all there is.
          out_.src_port = be16(data_ + offset);
          out_.dst_port = be16(data_ + offset + 2);
          if (end >= offset + 14) out_.tcp_flags = data_[offset + 13];
          out_.has_l4 = true;
          return payloadOnly(end, end);
        }
        const std::uint8_t* tcp = data_ + offset;
        const std::uint32_t header_len = (tcp[12] >> 4) * 4U;
        if (header_len < 20 || header_len > claimed_len) {
          return fail(out_, Anomaly::kTcpBadDataOffset);
        }
        out_.src_port = be16(tcp);
        out_.dst_port = be16(tcp + 2);
        out_.tcp_flags = tcp[13];
        out_.has_l4 = true;
        // Options cut off by the snaplen are fine: the payload is just not there.
        const std::uint32_t start = offset + header_len < end ? offset + header_len : end;
        return payloadOnly(start, end);
      }
      case kIpProtoUdp: {
        if (end < offset + 8) {
          if (!cutBySnaplen(end) || end < offset + 4) return fail(out_, Anomaly::kTruncatedUdp);
          out_.src_port = be16(data_ + offset);
          out_.dst_port = be16(data_ + offset + 2);
          out_.has_l4 = true;
          return payloadOnly(end, end);
        }
        const std::uint8_t* udp = data_ + offset;
        const std::uint32_t udp_len = be16(udp + 4);
        if (udp_len < 8) return fail(out_, Anomaly::kUdpBadLength);
        out_.src_port = be16(udp);
        out_.dst_port = be16(udp + 2);
        out_.has_l4 = true;
        const std::uint32_t udp_end = offset + udp_len < end ? offset + udp_len : end;
        return payloadOnly(offset + 8, udp_end);
      }
      case kIpProtoIcmp:
      case kIpProtoIcmpv6: {
        if (end < offset + 4 && !(cutBySnaplen(end) && end >= offset + 2)) {
          return fail(out_, Anomaly::kTruncatedIcmp);
        }
        out_.icmp_type = data_[offset];
        out_.icmp_code = data_[offset + 1];
        out_.has_l4 = true;
        return payloadOnly(offset + 4 < end ? offset + 4 : end, end);
      }
      default:
        return payloadOnly(offset, end);
    }
  }

  const std::uint8_t* data_;
  std::uint32_t size_;
  DecodedPacket& out_;
};

}  // namespace

std::string_view anomalyName(Anomaly anomaly) {
  switch (anomaly) {
    case Anomaly::kNone:
      return "none";
    case Anomaly::kUnsupportedLinkType:
      return "unsupported_link_type";
    case Anomaly::kTruncatedEthernet:
      return "truncated_ethernet";
    case Anomaly::kTruncatedVlanHeader:
      return "truncated_vlan_header";
    case Anomaly::kTooManyVlanTags:
      return "too_many_vlan_tags";
    case Anomaly::kTruncatedSll:
      return "truncated_sll";
    case Anomaly::kTruncatedSll2:
      return "truncated_sll2";
    case Anomaly::kTruncatedNullHeader:
      return "truncated_null_header";
    case Anomaly::kTruncatedIpv4:
      return "truncated_ipv4";
    case Anomaly::kIpv4BadVersion:
      return "ipv4_bad_version";
    case Anomaly::kIpv4BadHeaderLength:
      return "ipv4_bad_header_length";
    case Anomaly::kIpv4BadTotalLength:
      return "ipv4_bad_total_length";
    case Anomaly::kTruncatedIpv6:
      return "truncated_ipv6";
    case Anomaly::kIpv6BadVersion:
      return "ipv6_bad_version";
    case Anomaly::kTruncatedIpv6ExtensionHeader:
      return "truncated_ipv6_extension_header";
    case Anomaly::kIpv6TooManyExtensionHeaders:
      return "ipv6_too_many_extension_headers";
    case Anomaly::kTruncatedTcp:
      return "truncated_tcp";
    case Anomaly::kTcpBadDataOffset:
      return "tcp_bad_data_offset";
    case Anomaly::kTruncatedUdp:
      return "truncated_udp";
    case Anomaly::kUdpBadLength:
      return "udp_bad_length";
    case Anomaly::kTruncatedIcmp:
      return "truncated_icmp";
    case Anomaly::kCount:
      break;
  }
  return "unknown";
}

bool decodePacket(const RawPacket& packet, DecodedPacket& out) {
  out = DecodedPacket{};
  out.ts = packet.ts;
  out.cap_len = static_cast<std::uint32_t>(packet.data.size());
  // A file may claim fewer bytes on the wire than it captured; the larger is the truth.
  out.wire_len = packet.wire_len > out.cap_len ? packet.wire_len : out.cap_len;
  return PacketDecoder(packet.data, out).decode(packet.link);
}

}  // namespace camwatch

namespace camwatch {

std::string ipProtocolName(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case kIpProtoIcmp:
      return "icmp";
    case 2:
      return "igmp";
    case kIpProtoTcp:
      return "tcp";
    case kIpProtoUdp:
      return "udp";
    case 41:
      return "ipv6-in-ip";
    case 47:
      return "gre";
    case 50:
      return "esp";
    case 51:
      return "ah";
    case kIpProtoIcmpv6:
      return "icmpv6";
    case 89:
      return "ospf";
    case 103:
      return "pim";
    case 112:
      return "vrrp";
    case 132:
      return "sctp";
    default:
      return "ip-proto-" + std::to_string(ip_proto);
  }
}

std::string etherTypeName(std::uint16_t ethertype) {
  if (ethertype < 0x0600) return "llc";
  switch (ethertype) {
    case 0x0806:
      return "arp";
    case 0x8035:
      return "rarp";
    case 0x88cc:
      return "lldp";
    case 0x888e:
      return "eapol";
    case 0x8863:
      return "pppoe-discovery";
    case 0x8864:
      return "pppoe-session";
    case 0x8847:
      return "mpls";
    case 0x88f7:
      return "ptp";
    case 0x8809:
      return "slow-protocols";
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string name = "0x0000";
      unsigned value = ethertype;
      for (std::size_t digit = 5; digit >= 2; --digit, value >>= 4U)
        name[digit] = kHex[value & 0xfU];
      return name;
    }
  }
}

}  // namespace camwatch
