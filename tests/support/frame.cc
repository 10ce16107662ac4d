// Frame: the layer-by-layer frame builder declared in packet_builder.h (link layers, IPv4/IPv6
// with options, extension headers and fragments, TCP/UDP/ICMP with checksums).
#include <algorithm>
#include <stdexcept>

#include "support/packet_builder.h"

namespace camwatch::testkit {
namespace {

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIcmpv6 = 58;

std::uint16_t u16(std::size_t value) {
  if (value > 0xffff) throw std::invalid_argument("value does not fit a 16-bit length field");
  return static_cast<std::uint16_t>(value);
}

// Pads option bytes to a multiple of 4 with zeros (EOL for IPv4 and TCP options).
Bytes padToWords(const Bytes& options) {
  Bytes padded = options;
  while (padded.size() % 4 != 0) padded.push_back(0);
  return padded;
}

}  // namespace

Frame& Frame::eth(const Mac& src, const Mac& dst) {
  l2_ = L2::kEthernet;
  src_mac_ = src;
  dst_mac_ = dst;
  return *this;
}

Frame& Frame::vlan(std::uint16_t id, std::uint8_t pcp) { return tag(kEthertypeVlan, id, pcp); }

Frame& Frame::svlan(std::uint16_t id, std::uint8_t pcp) { return tag(kEthertypeQinQ, id, pcp); }

Frame& Frame::tag(std::uint16_t tpid, std::uint16_t id, std::uint8_t pcp) {
  if (l2_ != L2::kEthernet) throw std::invalid_argument("VLAN tags need eth() first");
  tags_.push_back({tpid, static_cast<std::uint16_t>((pcp & 7) << 13 | (id & 0x0fff))});
  return *this;
}

Frame& Frame::sll(const Mac& src, std::uint8_t packet_type) {
  l2_ = L2::kSll;
  src_mac_ = src;
  sll_packet_type_ = packet_type;
  return *this;
}

Frame& Frame::sll2(const Mac& src, std::uint32_t ifindex, std::uint8_t packet_type) {
  l2_ = L2::kSll2;
  src_mac_ = src;
  sll2_ifindex_ = ifindex;
  sll_packet_type_ = packet_type;
  return *this;
}

Frame& Frame::nullLink(std::optional<std::uint32_t> family) {
  l2_ = L2::kNull;
  null_family_ = family;
  return *this;
}

Frame& Frame::ipv4(std::string_view src, std::string_view dst, const Ipv4Options& options) {
  src_ip_ = IpBytes::parse(src);
  dst_ip_ = IpBytes::parse(dst);
  if (src_ip_.v6 || dst_ip_.v6) throw std::invalid_argument("ipv4() with IPv6 addresses");
  l3_ = L3::kIpv4;
  v4_ = options;
  return *this;
}

Frame& Frame::ipv6(std::string_view src, std::string_view dst, const Ipv6Options& options) {
  src_ip_ = IpBytes::parse(src);
  dst_ip_ = IpBytes::parse(dst);
  if (!src_ip_.v6 || !dst_ip_.v6) throw std::invalid_argument("ipv6() with IPv4 addresses");
  l3_ = L3::kIpv6;
  v6_ = options;
  return *this;
}

Frame& Frame::ip(std::string_view src, std::string_view dst) {
  return IpBytes::parse(src).v6 ? ipv6(src, dst) : ipv4(src, dst);
}

Frame& Frame::ethertype(std::uint16_t type) {
  l3_ = L3::kOther;
  other_ethertype_ = type;
  return *this;
}

Frame& Frame::arp(const ArpSpec& spec) {
  ethertype(kEthertypeArp);
  IpBytes sender = IpBytes::parse(spec.sender_ip);
  IpBytes target = IpBytes::parse(spec.target_ip);
  putU16(payload_, 1);  // Ethernet
  putU16(payload_, kEthertypeIpv4);
  putU8(payload_, 6);
  putU8(payload_, 4);
  putU16(payload_, spec.op);
  putBytes(payload_, spec.sender_mac);
  putBytes(payload_, sender.view());
  putBytes(payload_, spec.target_mac);
  putBytes(payload_, target.view());
  return *this;
}

Frame& Frame::lldp(const Mac& chassis, std::string_view port_id, std::uint16_t ttl,
                   std::string_view system_name) {
  ethertype(kEthertypeLldp);
  auto tlv = [this](std::uint16_t type, std::size_t length) {
    putU16(payload_, static_cast<std::uint16_t>(std::size_t{type} << 9 | (length & 0x1ff)));
  };
  tlv(1, 7);
  putU8(payload_, 4);  // chassis id subtype: MAC address
  putBytes(payload_, chassis);
  tlv(2, 1 + port_id.size());
  putU8(payload_, 5);  // port id subtype: interface name
  putString(payload_, port_id);
  tlv(3, 2);
  putU16(payload_, ttl);
  if (!system_name.empty()) {
    tlv(5, system_name.size());
    putString(payload_, system_name);
  }
  tlv(0, 0);
  return *this;
}

Frame& Frame::tcp(std::uint16_t src_port, std::uint16_t dst_port, std::uint8_t flags,
                  const TcpOptions& options) {
  requireL3("tcp()");
  l4_ = L4::kTcp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  tcp_flags_ = flags;
  tcp_ = options;
  return *this;
}

Frame& Frame::udp(std::uint16_t src_port, std::uint16_t dst_port, const UdpOptions& options) {
  requireL3("udp()");
  l4_ = L4::kUdp;
  src_port_ = src_port;
  dst_port_ = dst_port;
  udp_ = options;
  return *this;
}

Frame& Frame::icmpEcho(std::uint16_t id, std::uint16_t seq, bool reply) {
  requireL3("icmpEcho()");
  std::uint8_t type = 0;
  if (l3_ == L3::kIpv6) {
    type = reply ? 129 : 128;
  } else {
    type = reply ? 0 : 8;
  }
  return icmp(type, 0, static_cast<std::uint32_t>(id) << 16 | seq);
}

Frame& Frame::icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header) {
  requireL3("icmp()");
  l4_ = L4::kIcmp;
  icmp_type_ = type;
  icmp_code_ = code;
  icmp_rest_ = rest_of_header;
  return *this;
}

Frame& Frame::payload(std::span<const std::uint8_t> bytes) {
  putBytes(payload_, bytes);
  return *this;
}

Frame& Frame::payload(std::string_view text) {
  putString(payload_, text);
  return *this;
}

Frame& Frame::payload(std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) payload_.push_back(static_cast<std::uint8_t>(i));
  return *this;
}

Frame& Frame::padTo(std::size_t min_len) {
  pad_to_ = min_len;
  return *this;
}

void Frame::requireL3(const char* what) const {
  if (l3_ != L3::kIpv4 && l3_ != L3::kIpv6) {
    throw std::invalid_argument(std::string(what) + " needs ipv4() or ipv6() first");
  }
}

std::uint8_t Frame::l4Protocol() const {
  const std::optional<std::uint8_t>& forced = l3_ == L3::kIpv6 ? v6_.protocol : v4_.protocol;
  if (forced) return *forced;
  switch (l4_) {
    case L4::kTcp:
      return kProtoTcp;
    case L4::kUdp:
      return kProtoUdp;
    case L4::kIcmp:
      return l3_ == L3::kIpv6 ? kProtoIcmpv6 : kProtoIcmp;
    case L4::kNone:
      break;
  }
  // A bare IP payload with no protocol given: "no next header" (59) for IPv6 is the honest value.
  return l3_ == L3::kIpv6 ? 59 : 0;
}

IpBytes Frame::pseudoDestination() const {
  if (l3_ == L3::kIpv6) {
    for (const Ipv6ExtHeader& ext : v6_.extensions) {
      if (ext.final_destination) return *ext.final_destination;
    }
  }
  return dst_ip_;
}

std::uint32_t Frame::pseudoHeaderSum(const IpBytes& dst, std::size_t l4_len) const {
  Bytes pseudo;
  putBytes(pseudo, src_ip_.view());
  putBytes(pseudo, dst.view());
  if (l3_ == L3::kIpv6) {
    putU32(pseudo, static_cast<std::uint32_t>(l4_len));
    putU32(pseudo, l4Protocol());
  } else {
    putU8(pseudo, 0);
    putU8(pseudo, l4Protocol());
    putU16(pseudo, u16(l4_len));
  }
  // Return the unfolded one's-complement sum so the caller can continue it over the segment.
  std::uint16_t folded = internetChecksum(pseudo);
  return static_cast<std::uint16_t>(~folded);
}

Bytes Frame::buildL4(const IpBytes& pseudo_dst) const {
  Bytes out;
  std::size_t checksum_offset = 0;
  bool use_pseudo = true;
  switch (l4_) {
    case L4::kNone:
      return payload_;
    case L4::kTcp: {
      Bytes options = padToWords(tcp_.options);
      putU16(out, src_port_);
      putU16(out, dst_port_);
      putU32(out, tcp_.seq);
      putU32(out, tcp_.ack);
      std::uint8_t offset_words =
          tcp_.data_offset.value_or(static_cast<std::uint8_t>((20 + options.size()) / 4));
      putU8(out, static_cast<std::uint8_t>(offset_words << 4));
      putU8(out, tcp_flags_);
      putU16(out, tcp_.window);
      putU16(out, 0);
      putU16(out, tcp_.urgent);
      putBytes(out, options);
      checksum_offset = 16;
      break;
    }
    case L4::kUdp:
      putU16(out, src_port_);
      putU16(out, dst_port_);
      putU16(out, udp_.length.value_or(u16(8 + payload_.size())));
      putU16(out, 0);
      checksum_offset = 6;
      break;
    case L4::kIcmp:
      putU8(out, icmp_type_);
      putU8(out, icmp_code_);
      putU16(out, 0);
      putU32(out, icmp_rest_);
      checksum_offset = 2;
      use_pseudo = l3_ == L3::kIpv6;
      break;
  }
  putBytes(out, payload_);
  std::uint32_t initial = use_pseudo ? pseudoHeaderSum(pseudo_dst, out.size()) : 0;
  std::uint16_t checksum = internetChecksum(out, initial);
  if (l4_ == L4::kUdp) {
    // 0 means "no checksum" in UDP, so a computed 0 is sent as its other form, 0xffff.
    if (checksum == 0) checksum = 0xffff;
    if (udp_.zero_checksum) checksum = 0;
  }
  if ((l4_ == L4::kTcp && tcp_.bad_checksum) || (l4_ == L4::kUdp && udp_.bad_checksum)) {
    checksum = static_cast<std::uint16_t>(checksum ^ 0x5a5a);
  }
  setU16(out, checksum_offset, checksum);
  return out;
}

Bytes Frame::ipv4Header(std::size_t payload_len, bool mf, std::uint16_t offset) const {
  Bytes options = padToWords(v4_.options);
  std::size_t header_len = 20 + options.size();
  Bytes out;
  std::uint8_t version = v4_.version.value_or(4);
  std::uint8_t ihl = v4_.ihl.value_or(static_cast<std::uint8_t>(header_len / 4));
  putU8(out, static_cast<std::uint8_t>(version << 4 | (ihl & 0x0f)));
  putU8(out, v4_.tos);
  putU16(out, v4_.total_length.value_or(u16(header_len + payload_len)));
  putU16(out, v4_.id);
  std::uint16_t flags = static_cast<std::uint16_t>((v4_.df ? 0x4000 : 0) | (mf ? 0x2000 : 0));
  putU16(out, static_cast<std::uint16_t>(flags | (offset & 0x1fff)));
  putU8(out, v4_.ttl);
  putU8(out, l4Protocol());
  putU16(out, 0);
  putBytes(out, src_ip_.view());
  putBytes(out, dst_ip_.view());
  putBytes(out, options);
  std::uint16_t checksum = internetChecksum(out);
  if (v4_.bad_checksum) checksum = static_cast<std::uint16_t>(checksum ^ 0x5a5a);
  setU16(out, 10, checksum);
  return out;
}

Bytes Frame::ipv6HeaderAndExtensions(const std::vector<Ipv6ExtHeader>& extensions,
                                     std::size_t upper_len) const {
  std::size_t ext_len = 0;
  for (const Ipv6ExtHeader& ext : extensions) ext_len += 1 + ext.rest.size();
  Bytes out;
  std::uint8_t version = v6_.version.value_or(6);
  putU32(out, static_cast<std::uint32_t>(version) << 28 |
                  static_cast<std::uint32_t>(v6_.traffic_class) << 20 | (v6_.flow_label & 0xfffff));
  putU16(out, v6_.payload_length.value_or(u16(ext_len + upper_len)));
  putU8(out, extensions.empty() ? l4Protocol() : extensions.front().type);
  putU8(out, v6_.hop_limit);
  putBytes(out, src_ip_.view());
  putBytes(out, dst_ip_.view());
  for (std::size_t i = 0; i < extensions.size(); ++i) {
    putU8(out, i + 1 < extensions.size() ? extensions[i + 1].type : l4Protocol());
    putBytes(out, extensions[i].rest);
  }
  return out;
}

std::uint16_t Frame::networkEthertype() const {
  switch (l3_) {
    case L3::kIpv4:
      return kEthertypeIpv4;
    case L3::kIpv6:
      return kEthertypeIpv6;
    case L3::kOther:
      return other_ethertype_;
    case L3::kNone:
      break;
  }
  throw std::invalid_argument("frame has no network layer");
}

Bytes Frame::buildL2(std::uint16_t network_ethertype) const {
  Bytes out;
  switch (l2_) {
    case L2::kRaw:
      break;
    case L2::kEthernet:
      putBytes(out, dst_mac_);
      putBytes(out, src_mac_);
      for (const Tag& tag : tags_) {
        putU16(out, tag.tpid);
        putU16(out, tag.tci);
      }
      putU16(out, network_ethertype);
      break;
    case L2::kSll:
      putU16(out, sll_packet_type_);
      putU16(out, 1);  // ARPHRD_ETHER
      putU16(out, 6);
      putBytes(out, src_mac_);
      putU16(out, 0);  // the address field is 8 bytes
      putU16(out, network_ethertype);
      break;
    case L2::kSll2:
      putU16(out, network_ethertype);
      putU16(out, 0);  // reserved
      putU32(out, sll2_ifindex_);
      putU16(out, 1);  // ARPHRD_ETHER
      putU8(out, sll_packet_type_);
      putU8(out, 6);
      putBytes(out, src_mac_);
      putU16(out, 0);
      break;
    case L2::kNull: {
      std::uint32_t family =
          null_family_.value_or(l3_ == L3::kIpv6 ? kNullFamilyInet6Bsd : kNullFamilyInet);
      // Host byte order of the capturing machine; our files are little-endian throughout.
      for (int shift = 0; shift < 32; shift += 8) {
        out.push_back(static_cast<std::uint8_t>(family >> shift));
      }
      break;
    }
  }
  return out;
}

std::vector<std::uint8_t> Frame::build() const {
  Bytes frame = buildL2(networkEthertype());
  if (l3_ == L3::kIpv4) {
    Bytes l4 = buildL4(dst_ip_);
    putBytes(frame, ipv4Header(l4.size(), v4_.mf, v4_.fragment_offset));
    putBytes(frame, l4);
  } else if (l3_ == L3::kIpv6) {
    Bytes l4 = buildL4(pseudoDestination());
    putBytes(frame, ipv6HeaderAndExtensions(v6_.extensions, l4.size()));
    putBytes(frame, l4);
  } else {
    putBytes(frame, payload_);
  }
  if (frame.size() < pad_to_) frame.resize(pad_to_, 0);
  return frame;
}

std::vector<std::vector<std::uint8_t>> Frame::buildFragments(std::size_t max_fragment_payload,
                                                             std::uint32_t ipv6_id) const {
  requireL3("buildFragments()");
  std::size_t chunk = max_fragment_payload / 8 * 8;
  if (chunk == 0) throw std::invalid_argument("fragments must carry at least 8 bytes");
  Bytes l4 = buildL4(pseudoDestination());
  Bytes l2 = buildL2(networkEthertype());
  std::vector<std::vector<std::uint8_t>> fragments;
  for (std::size_t pos = 0; pos < l4.size(); pos += chunk) {
    std::size_t len = std::min(chunk, l4.size() - pos);
    bool more = pos + len < l4.size();
    auto offset_units = static_cast<std::uint16_t>(pos / 8);
    Bytes frame = l2;
    std::span<const std::uint8_t> slice(l4.data() + pos, len);
    if (l3_ == L3::kIpv4) {
      putBytes(frame, ipv4Header(len, more, offset_units));
    } else {
      std::vector<Ipv6ExtHeader> extensions = v6_.extensions;
      extensions.push_back(Ipv6ExtHeader::fragment(offset_units, more, ipv6_id));
      putBytes(frame, ipv6HeaderAndExtensions(extensions, len));
    }
    putBytes(frame, slice);
    if (frame.size() < pad_to_) frame.resize(pad_to_, 0);
    fragments.push_back(std::move(frame));
  }
  return fragments;
}

}  // namespace camwatch::testkit
