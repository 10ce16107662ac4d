// packet_builder: composes test frames layer by layer, with lengths and checksums filled in.
//
//   std::vector<std::uint8_t> syn = Frame()
//                                       .eth(kCameraMac, kNvrMac)
//                                       .vlan(10)
//                                       .ipv4("192.168.10.21", "203.0.113.5")
//                                       .tcp(40000, 443, kTcpSyn)
//                                       .build();
//
// Layers are given outermost first. Every length field, next-header/ethertype field and checksum
// is computed by build() unless an *_override / bad_checksum option asks for a broken value, so
// decoder tests can make one field wrong at a time. Throws std::invalid_argument on a misuse that
// would make the frame meaningless (bad address text, an L4 layer without IP, ...): tests want a
// loud failure, not a quietly different packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch::testkit {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

inline constexpr Mac kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/// Parses "aa:bb:cc:dd:ee:ff" (or with '-'); throws std::invalid_argument otherwise.
Mac parseMac(std::string_view text);
std::string macToString(const Mac& mac);

/// An IPv4 or IPv6 address as raw network-order bytes (4 or 16 of them).
struct IpBytes {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};

  /// Parses dotted IPv4 or IPv6 text with inet_pton; throws std::invalid_argument otherwise.
  static IpBytes parse(std::string_view text);
  std::size_t size() const { return v6 ? 16 : 4; }
  std::span<const std::uint8_t> view() const { return {bytes.data(), size()}; }
};

/// The camwatch::IpAddress for `text` (IPv4 stored mapped), built without IpAddress::parse so
/// tests of the daemon's parser do not depend on it.
IpAddress ipAddress(std::string_view text);

/// Canonical text of an address (inet_ntop), e.g. "2001:db8::1" for "2001:0db8:0:0::1".
std::string canonicalIp(std::string_view text);

/// Internet checksum (RFC 1071) of `data`, starting from a partial 32-bit sum `initial`.
std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t initial = 0);

/// Ethertypes and the DLT_NULL address families the builder writes.
inline constexpr std::uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEthertypeArp = 0x0806;
inline constexpr std::uint16_t kEthertypeVlan = 0x8100;
inline constexpr std::uint16_t kEthertypeQinQ = 0x88a8;
inline constexpr std::uint16_t kEthertypeIpv6 = 0x86dd;
inline constexpr std::uint16_t kEthertypeLldp = 0x88cc;
inline constexpr std::uint32_t kNullFamilyInet = 2;
inline constexpr std::uint32_t kNullFamilyInet6Bsd = 24;  // NetBSD, OpenBSD
inline constexpr std::uint32_t kNullFamilyInet6FreeBsd = 28;
inline constexpr std::uint32_t kNullFamilyInet6Darwin = 30;

/// Linux "cooked" packet types (sll_pkttype).
inline constexpr std::uint8_t kSllHost = 0;
inline constexpr std::uint8_t kSllBroadcast = 1;
inline constexpr std::uint8_t kSllOutgoing = 4;

/// TCP flag bits, same values as camwatch/decode.h, repeated so builders read on their own.
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kSynAck = kSyn | kAck;
inline constexpr std::uint8_t kPshAck = kPsh | kAck;
inline constexpr std::uint8_t kFinAck = kFin | kAck;

struct Ipv4Options {
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;
  std::uint16_t id = 0;
  bool df = false;
  bool mf = false;
  std::uint16_t fragment_offset = 0;     ///< in 8-byte units, as in the header
  Bytes options;                         ///< IP options, padded with EOL to a multiple of 4
  std::optional<std::uint8_t> protocol;  ///< default: from the L4 layer (or 0 without one)
  // Deliberately broken fields for decoder tests.
  std::optional<std::uint8_t> version;        ///< default 4
  std::optional<std::uint8_t> ihl;            ///< default from the options length
  std::optional<std::uint16_t> total_length;  ///< default: the real length
  bool bad_checksum = false;
};

/// One IPv6 extension header; build() fills in its next-header byte.
struct Ipv6ExtHeader {
  std::uint8_t type = 0;
  /// Everything after the next-header byte, i.e. the length byte and the data (for a fragment
  /// header: the reserved byte and the 6 bytes after it).
  Bytes rest;
  /// For routing headers: the final destination, which the L4 pseudo-header uses.
  std::optional<IpBytes> final_destination;

  /// Hop-by-hop options (0): a router alert and padding; `extra_units` adds 8-byte PadN blocks.
  static Ipv6ExtHeader hopByHop(std::size_t extra_units = 0);
  /// Destination options (60): PadN only.
  static Ipv6ExtHeader destinationOptions(std::size_t extra_units = 0);
  /// Routing header (43) with 4 reserved bytes and `addresses` (type 0/2 layout).
  static Ipv6ExtHeader routing(std::uint8_t routing_type, std::uint8_t segments_left,
                               const std::vector<std::string>& addresses);
  /// Fragment header (44); `offset` in 8-byte units.
  static Ipv6ExtHeader fragment(std::uint16_t offset, bool more, std::uint32_t id);
  /// Any header type with `data` after the two-byte prefix; the length byte is computed.
  static Ipv6ExtHeader generic(std::uint8_t type, const Bytes& data);
};

struct Ipv6Options {
  std::uint8_t hop_limit = 64;
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::vector<Ipv6ExtHeader> extensions;  ///< in wire order
  std::optional<std::uint8_t> protocol;   ///< upper-layer protocol; default from the L4 layer
  std::optional<std::uint8_t> version;    ///< default 6
  std::optional<std::uint16_t> payload_length;
};

struct TcpOptions {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t window = 64240;
  std::uint16_t urgent = 0;
  Bytes options;                            ///< TCP options, padded with EOL to a multiple of 4
  std::optional<std::uint8_t> data_offset;  ///< in 32-bit words; default from the options
  bool bad_checksum = false;
};

/// TCP option bytes a SYN usually carries: MSS, SACK permitted, window scale.
Bytes tcpSynOptions(std::uint16_t mss = 1460, std::uint8_t window_scale = 7);

struct UdpOptions {
  std::optional<std::uint16_t> length;  ///< default: the real length
  bool zero_checksum = false;           ///< "no checksum", legal for IPv4 only
  bool bad_checksum = false;
};

struct ArpSpec {
  std::uint16_t op = 1;  ///< 1 request, 2 reply
  Mac sender_mac{};
  std::string sender_ip;
  Mac target_mac{};
  std::string target_ip;
};

/// Builds one frame. Copyable, so a test can build variants from a common prefix.
class Frame {
 public:
  // Link layers (at most one, first).
  /// Ethernet II, source first (like ipv4()); the ethertype follows from the next layer.
  Frame& eth(const Mac& src, const Mac& dst);
  /// 802.1Q tag (TPID 0x8100) after eth(); call again for more tags.
  Frame& vlan(std::uint16_t id, std::uint8_t pcp = 0);
  /// 802.1ad service tag (TPID 0x88a8): the outer tag of QinQ.
  Frame& svlan(std::uint16_t id, std::uint8_t pcp = 0);
  /// A tag with any TPID.
  Frame& tag(std::uint16_t tpid, std::uint16_t id, std::uint8_t pcp = 0);
  /// Linux cooked v1 (16-byte header).
  Frame& sll(const Mac& src, std::uint8_t packet_type = kSllHost);
  /// Linux cooked v2 (20-byte header).
  Frame& sll2(const Mac& src, std::uint32_t ifindex = 2, std::uint8_t packet_type = kSllHost);
  /// BSD loopback: 4-byte address family in little-endian (the byte order our writers use).
  /// Default family: 2 for IPv4, 24 for IPv6.
  Frame& nullLink(std::optional<std::uint32_t> family = std::nullopt);
  // No link call = raw IP (DLT_RAW / DLT_IPV4 / DLT_IPV6).

  // Network layers.
  Frame& ipv4(std::string_view src, std::string_view dst, const Ipv4Options& options = {});
  Frame& ipv6(std::string_view src, std::string_view dst, const Ipv6Options& options = {});
  /// ipv4() or ipv6() by the form of `src`.
  Frame& ip(std::string_view src, std::string_view dst);
  /// A non-IP payload behind the link layer, e.g. 0x88b5 (local experimental).
  Frame& ethertype(std::uint16_t type);
  Frame& arp(const ArpSpec& spec);
  /// LLDP: chassis id (MAC), port id (interface name), TTL, optional system name, end.
  Frame& lldp(const Mac& chassis, std::string_view port_id, std::uint16_t ttl = 120,
              std::string_view system_name = {});

  // Transport layers.
  Frame& tcp(std::uint16_t src_port, std::uint16_t dst_port, std::uint8_t flags,
             const TcpOptions& options = {});
  Frame& udp(std::uint16_t src_port, std::uint16_t dst_port, const UdpOptions& options = {});
  /// ICMP echo request/reply, or ICMPv6 echo (128/129) when the network layer is IPv6.
  Frame& icmpEcho(std::uint16_t id, std::uint16_t seq, bool reply = false);
  /// Any ICMP/ICMPv6 message: type, code and the 4 bytes after the checksum.
  Frame& icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest_of_header = 0);

  // Payload (appended; call several times to concatenate).
  Frame& payload(std::span<const std::uint8_t> bytes);
  Frame& payload(std::string_view text);
  /// `size` bytes of a fixed pattern (0x00, 0x01, ...), so payloads are recognisable in hex.
  Frame& payload(std::size_t size);

  /// Pads the finished frame with zero bytes up to `min_len` (Ethernet: 60 without FCS).
  Frame& padTo(std::size_t min_len);

  std::vector<std::uint8_t> build() const;

  /// Splits the IP payload (L4 header + data, checksum over the whole datagram) into fragments
  /// of at most `max_fragment_payload` bytes (rounded down to a multiple of 8), each a complete
  /// frame with the same link layer. IPv4 uses the header's fragment fields (identification from
  /// Ipv4Options::id); IPv6 gets a fragment header with `ipv6_id` after the other extensions.
  std::vector<std::vector<std::uint8_t>> buildFragments(std::size_t max_fragment_payload,
                                                        std::uint32_t ipv6_id = 0) const;

  /// Whether the network layer is IPv6 (after ipv6() or ip() with an IPv6 source).
  bool isIpv6() const { return l3_ == L3::kIpv6; }

 private:
  enum class L2 : std::uint8_t { kRaw, kEthernet, kSll, kSll2, kNull };
  enum class L3 : std::uint8_t { kNone, kIpv4, kIpv6, kOther };
  enum class L4 : std::uint8_t { kNone, kTcp, kUdp, kIcmp };
  struct Tag {
    std::uint16_t tpid;
    std::uint16_t tci;
  };

  std::uint8_t l4Protocol() const;
  Bytes buildL4(const IpBytes& pseudo_dst) const;
  Bytes buildL2(std::uint16_t network_ethertype) const;
  std::uint16_t networkEthertype() const;
  Bytes ipv4Header(std::size_t payload_len, bool mf, std::uint16_t offset) const;
  Bytes ipv6HeaderAndExtensions(const std::vector<Ipv6ExtHeader>& extensions,
                                std::size_t upper_len) const;
  IpBytes pseudoDestination() const;
  std::uint32_t pseudoHeaderSum(const IpBytes& dst, std::size_t l4_len) const;
  void requireL3(const char* what) const;

  L2 l2_ = L2::kRaw;
  Mac src_mac_{};
  Mac dst_mac_{};
  std::vector<Tag> tags_;
  std::uint8_t sll_packet_type_ = kSllHost;
  std::uint32_t sll2_ifindex_ = 0;
  std::optional<std::uint32_t> null_family_;

  L3 l3_ = L3::kNone;
  IpBytes src_ip_;
  IpBytes dst_ip_;
  Ipv4Options v4_;
  Ipv6Options v6_;
  std::uint16_t other_ethertype_ = 0;

  L4 l4_ = L4::kNone;
  std::uint16_t src_port_ = 0;
  std::uint16_t dst_port_ = 0;
  std::uint8_t tcp_flags_ = 0;
  TcpOptions tcp_;
  UdpOptions udp_;
  std::uint8_t icmp_type_ = 0;
  std::uint8_t icmp_code_ = 0;
  std::uint32_t icmp_rest_ = 0;

  Bytes payload_;
  std::size_t pad_to_ = 0;
};

/// Appends big-endian integers; used by the payload builders too.
void putU8(Bytes& out, std::uint8_t value);
void putU16(Bytes& out, std::uint16_t value);
void putU32(Bytes& out, std::uint32_t value);
void putBytes(Bytes& out, std::span<const std::uint8_t> bytes);
void putString(Bytes& out, std::string_view text);
/// Overwrites a big-endian 16-bit value at `offset`.
void setU16(Bytes& out, std::size_t offset, std::uint16_t value);

/// `frame` (built without a link layer: Frame().ipv4(...)) as a raw-IP packet seen at `ts`,
/// as a capture hands it out. The packet views `frame`, which must outlive it.
inline RawPacket rawIpPacket(std::span<const std::uint8_t> frame, Timestamp ts) {
  RawPacket raw;
  raw.ts = ts;
  raw.link = LinkType::kRawIp;
  raw.data = frame;
  raw.wire_len = static_cast<std::uint32_t>(frame.size());
  return raw;
}

}  // namespace camwatch::testkit
