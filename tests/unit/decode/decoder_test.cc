// Tests of decodePacket(): every link type, VLAN tags, IPv4 options and fragments, IPv6
// extension headers, TCP/UDP/ICMP, non-IP frames, and a named anomaly for each way a layer can be
// cut short or malformed. Frames come from the testkit builder; one is written out by hand so the
// builder is not the only oracle.
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>

#include "support/packet_builder.h"
#include "support/rng.h"

namespace camwatch {
namespace {

using testkit::Bytes;
using testkit::Frame;
using testkit::ipAddress;
using testkit::Ipv4Options;
using testkit::Ipv6ExtHeader;
using testkit::Ipv6Options;
using testkit::parseMac;
using testkit::TcpOptions;
using testkit::UdpOptions;

constexpr Timestamp kTs = 1768467600LL * kNanosPerSecond + 123456789;
const testkit::Mac kCameraMac = parseMac("44:19:b6:3a:51:21");
const testkit::Mac kGatewayMac = parseMac("02:00:0a:0a:00:01");

struct Decoded {
  bool ok = false;
  DecodedPacket packet;
};

// Decodes `bytes` as captured; `wire_len` 0 means "as long as captured".
Decoded decode(std::span<const std::uint8_t> bytes, LinkType link, std::uint32_t wire_len = 0) {
  RawPacket raw;
  raw.ts = kTs;
  raw.wire_len = wire_len != 0 ? wire_len : static_cast<std::uint32_t>(bytes.size());
  raw.link = link;
  raw.data = bytes;
  Decoded decoded;
  decoded.ok = decodePacket(raw, decoded.packet);
  return decoded;
}

Bytes truncated(const Bytes& frame, std::size_t length) {
  return Bytes(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(length));
}

Frame cameraToCloud() {
  return Frame().eth(kCameraMac, kGatewayMac).ipv4("192.168.10.21", "203.0.113.5");
}

// --- Link layers -------------------------------------------------------------------------------

TEST(DecoderTest, EthernetIpv4TcpFillsEveryLayer) {
  Ipv4Options ip;
  ip.ttl = 61;
  TcpOptions tcp;
  tcp.seq = 1000;
  tcp.ack = 2000;
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv4("192.168.10.21", "203.0.113.5", ip)
                          .tcp(40000, 443, testkit::kPshAck, tcp)
                          .payload(100)
                          .build();
  ASSERT_EQ(frame.size(), 14U + 20U + 20U + 100U);

  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  const DecodedPacket& p = d.packet;
  EXPECT_EQ(p.anomaly, Anomaly::kNone);
  EXPECT_EQ(p.ts, kTs);
  EXPECT_EQ(p.wire_len, frame.size());
  EXPECT_EQ(p.cap_len, frame.size());
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.l2_src_mac_offset, 6U);
  EXPECT_EQ(std::memcmp(frame.data() + p.l2_src_mac_offset, kCameraMac.data(), 6), 0);
  EXPECT_EQ(p.vlan_count, 0);
  EXPECT_EQ(p.vlan_outer, 0);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.network, NetworkLayer::kIpv4);
  EXPECT_EQ(p.l3_offset, 14U);
  EXPECT_EQ(p.src_ip, ipAddress("192.168.10.21"));
  EXPECT_EQ(p.dst_ip, ipAddress("203.0.113.5"));
  EXPECT_EQ(p.ip_proto, kIpProtoTcp);
  EXPECT_EQ(p.ip_ttl, 61);
  EXPECT_FALSE(p.is_fragment);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.l4_offset, 34U);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 443);
  EXPECT_EQ(p.tcp_flags, kTcpPsh | kTcpAck);
  EXPECT_EQ(p.payload_offset, 54U);
  EXPECT_EQ(p.payload_len, 100U);
}

TEST(DecoderTest, HandWrittenEthernetUdpFrame) {
  // Written out by hand so the decoder is checked against more than the builder.
  const std::uint8_t frame[] = {
      0x02, 0x00, 0x0a, 0x0a, 0x00, 0x01,  // dst MAC
      0x44, 0x19, 0xb6, 0x3a, 0x51, 0x21,  // src MAC
      0x08, 0x00,                          // ethertype IPv4
      0x45, 0x00, 0x00, 0x21,              // v4, IHL 5, total length 33
      0xab, 0xcd, 0x00, 0x00,              // id 0xabcd, no flags, offset 0
      0x40, 0x11, 0x00, 0x00,              // TTL 64, UDP, checksum (unchecked)
      0xc0, 0xa8, 0x0a, 0x15,              // 192.168.10.21
      0xc0, 0x00, 0x02, 0x7b,              // 192.0.2.123
      0x9c, 0x40, 0x00, 0x7b,              // 40000 -> 123
      0x00, 0x0d, 0x00, 0x00,              // UDP length 13, checksum 0 (none)
      'h',  'e',  'l',  'l',  'o',         // payload
  };
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.src_ip, ipAddress("192.168.10.21"));
  EXPECT_EQ(d.packet.dst_ip, ipAddress("192.0.2.123"));
  EXPECT_EQ(d.packet.ip_proto, kIpProtoUdp);
  EXPECT_EQ(d.packet.ip_ttl, 64);
  EXPECT_EQ(d.packet.src_port, 40000);
  EXPECT_EQ(d.packet.dst_port, 123);
  EXPECT_EQ(d.packet.payload_offset, 42U);
  EXPECT_EQ(d.packet.payload_len, 5U);
}

TEST(DecoderTest, EthernetPaddingIsNotPayload) {
  // A bare ACK is 54 bytes; Ethernet pads it to 60. The IP total length says where data ends.
  const Bytes frame = cameraToCloud().tcp(40000, 443, testkit::kAck).padTo(60).build();
  ASSERT_EQ(frame.size(), 60U);
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.payload_offset, 54U);
  EXPECT_EQ(d.packet.payload_len, 0U);
  EXPECT_EQ(d.packet.wire_len, 60U);
}

TEST(DecoderTest, SnaplenCutKeepsWireLengthAndIsNoAnomaly) {
  const Bytes frame = cameraToCloud().tcp(554, 50000, testkit::kAck).payload(1460).build();
  ASSERT_EQ(frame.size(), 1514U);
  const Bytes captured = truncated(frame, 64);
  const Decoded d = decode(captured, LinkType::kEthernet, 1514);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.wire_len, 1514U);
  EXPECT_EQ(d.packet.cap_len, 64U);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.src_port, 554);
  EXPECT_EQ(d.packet.payload_offset, 54U);
  // payload_len counts what was captured, never past the end of the data.
  EXPECT_EQ(d.packet.payload_len, 10U);
}

TEST(DecoderTest, SnaplenCutInsideTcpOptionsStillGivesPorts) {
  TcpOptions tcp;
  tcp.options = testkit::tcpSynOptions();
  const Bytes frame = cameraToCloud().tcp(40000, 443, testkit::kSyn, tcp).build();
  ASSERT_EQ(frame.size(), 14U + 20U + 32U);
  const Decoded d = decode(truncated(frame, 60), LinkType::kEthernet, 66);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.dst_port, 443);
  EXPECT_EQ(d.packet.tcp_flags, kTcpSyn);
  EXPECT_EQ(d.packet.payload_len, 0U);
  EXPECT_LE(d.packet.payload_offset, 60U);
}

TEST(DecoderTest, SnaplenCutInsideL4HeaderKeepsThePorts) {
  // snaplen 64 behind QinQ + IPv6 leaves 2 bytes of TCP; at 68 there are the ports.
  const Bytes tcp = Frame()
                        .eth(kCameraMac, kGatewayMac)
                        .svlan(100)
                        .vlan(20)
                        .ipv6("2001:db8:1::10", "2001:db8:2::20")
                        .tcp(40002, 443, testkit::kPshAck)
                        .payload(1000)
                        .build();
  const auto wire = static_cast<std::uint32_t>(tcp.size());
  const Decoded ports_only = decode(truncated(tcp, 22 + 40 + 6), LinkType::kEthernet, wire);
  ASSERT_TRUE(ports_only.ok);
  EXPECT_EQ(ports_only.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(ports_only.packet.has_l4);
  EXPECT_EQ(ports_only.packet.src_port, 40002);
  EXPECT_EQ(ports_only.packet.dst_port, 443);
  EXPECT_EQ(ports_only.packet.payload_len, 0U);
  EXPECT_EQ(ports_only.packet.wire_len, wire);

  // Fewer than 4 bytes: no ports to keep.
  const Decoded no_ports = decode(truncated(tcp, 22 + 40 + 2), LinkType::kEthernet, wire);
  EXPECT_EQ(no_ports.packet.anomaly, Anomaly::kTruncatedTcp);
  EXPECT_FALSE(no_ports.packet.has_l4);

  const Bytes udp = cameraToCloud().udp(40000, 123).payload(48).build();
  const Decoded udp_ports =
      decode(truncated(udp, 34 + 4), LinkType::kEthernet, static_cast<std::uint32_t>(udp.size()));
  ASSERT_TRUE(udp_ports.ok);
  EXPECT_EQ(udp_ports.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(udp_ports.packet.has_l4);
  EXPECT_EQ(udp_ports.packet.dst_port, 123);
}

TEST(DecoderTest, Dot1qVlanId) {
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .vlan(10, 5)  // priority bits must not leak into the id
                          .ipv4("192.168.10.21", "192.168.10.200")
                          .udp(5000, 6000)
                          .payload(20)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.vlan_count, 1);
  EXPECT_EQ(d.packet.vlan_outer, 10);
  EXPECT_EQ(d.packet.vlan_inner, 0);
  EXPECT_EQ(d.packet.ethertype, 0x0800);
  EXPECT_EQ(d.packet.l3_offset, 18U);
  EXPECT_EQ(d.packet.l4_offset, 38U);
  EXPECT_EQ(d.packet.payload_len, 20U);
}

TEST(DecoderTest, VlanIdUsesAllTwelveBits) {
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .vlan(4094, 7)
                          .ipv4("10.0.0.1", "10.0.0.2")
                          .udp(1, 2)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.vlan_outer, 4094);
}

TEST(DecoderTest, QinQOuterAndInner) {
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .svlan(100)
                          .vlan(20)
                          .ipv4("10.20.0.5", "10.20.0.1")
                          .udp(123, 123)
                          .payload(48)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.vlan_count, 2);
  EXPECT_EQ(d.packet.vlan_outer, 100);
  EXPECT_EQ(d.packet.vlan_inner, 20);
  EXPECT_EQ(d.packet.ethertype, 0x0800);
  EXPECT_EQ(d.packet.l3_offset, 22U);
  EXPECT_EQ(d.packet.src_port, 123);
}

TEST(DecoderTest, DoubleDot1qIsQinQToo) {
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .vlan(200)
                          .vlan(30)
                          .ipv6("2001:db8::1", "2001:db8::2")
                          .udp(1000, 2000)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.vlan_outer, 200);
  EXPECT_EQ(d.packet.vlan_inner, 30);
  EXPECT_EQ(d.packet.ethertype, 0x86dd);
  EXPECT_EQ(d.packet.network, NetworkLayer::kIpv6);
}

TEST(DecoderTest, ThirdTagIsSkippedButPacketDecodes) {
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .svlan(100)
                          .vlan(20)
                          .vlan(5)
                          .ipv4("10.0.0.1", "10.0.0.2")
                          .tcp(1234, 80, testkit::kSyn)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.vlan_count, 2);
  EXPECT_EQ(d.packet.vlan_outer, 100);
  EXPECT_EQ(d.packet.vlan_inner, 20);
  EXPECT_EQ(d.packet.l3_offset, 26U);
  EXPECT_EQ(d.packet.dst_port, 80);
}

TEST(DecoderTest, LinuxSll) {
  const Bytes frame = Frame()
                          .sll(kCameraMac, testkit::kSllOutgoing)
                          .ipv4("192.168.10.21", "203.0.113.5")
                          .tcp(40000, 443, testkit::kSyn)
                          .build();
  ASSERT_EQ(frame.size(), 16U + 40U);
  const Decoded d = decode(frame, LinkType::kLinuxSll);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(d.packet.has_mac);
  EXPECT_EQ(d.packet.l2_src_mac_offset, 6U);
  EXPECT_EQ(std::memcmp(frame.data() + 6, kCameraMac.data(), 6), 0);
  EXPECT_EQ(d.packet.ethertype, 0x0800);
  EXPECT_EQ(d.packet.l3_offset, 16U);
  EXPECT_EQ(d.packet.l4_offset, 36U);
  EXPECT_EQ(d.packet.dst_port, 443);
}

TEST(DecoderTest, LinuxSllIpv6) {
  const Bytes frame =
      Frame().sll(kCameraMac).ipv6("2001:db8:1::10", "2001:db8:2::20").udp(53002, 53).build();
  const Decoded d = decode(frame, LinkType::kLinuxSll);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.network, NetworkLayer::kIpv6);
  EXPECT_EQ(d.packet.l3_offset, 16U);
  EXPECT_EQ(d.packet.dst_port, 53);
}

TEST(DecoderTest, LinuxSll2) {
  const Bytes frame = Frame()
                          .sll2(kCameraMac, 3)
                          .ipv4("192.168.10.21", "203.0.113.5")
                          .udp(40000, 3478)
                          .payload(20)
                          .build();
  ASSERT_EQ(frame.size(), 20U + 28U + 20U);
  const Decoded d = decode(frame, LinkType::kLinuxSll2);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(d.packet.has_mac);
  EXPECT_EQ(d.packet.l2_src_mac_offset, 12U);
  EXPECT_EQ(std::memcmp(frame.data() + 12, kCameraMac.data(), 6), 0);
  EXPECT_EQ(d.packet.ethertype, 0x0800);
  EXPECT_EQ(d.packet.l3_offset, 20U);
  EXPECT_EQ(d.packet.dst_port, 3478);
  EXPECT_EQ(d.packet.payload_len, 20U);
}

TEST(DecoderTest, RawIpv4AndIpv6ByVersionNibble) {
  const Bytes v4 =
      Frame().ipv4("192.168.1.10", "192.168.1.20").tcp(40001, 80, testkit::kSyn).build();
  const Decoded d4 = decode(v4, LinkType::kRawIp);
  ASSERT_TRUE(d4.ok);
  EXPECT_EQ(d4.packet.network, NetworkLayer::kIpv4);
  EXPECT_FALSE(d4.packet.has_mac);
  EXPECT_EQ(d4.packet.vlan_count, 0);
  EXPECT_EQ(d4.packet.l3_offset, 0U);
  EXPECT_EQ(d4.packet.l4_offset, 20U);
  EXPECT_EQ(d4.packet.dst_port, 80);

  const Bytes v6 =
      Frame().ipv6("2001:db8:1::10", "2001:db8:2::20").tcp(40002, 443, testkit::kSyn).build();
  const Decoded d6 = decode(v6, LinkType::kRawIp);
  ASSERT_TRUE(d6.ok);
  EXPECT_EQ(d6.packet.network, NetworkLayer::kIpv6);
  EXPECT_EQ(d6.packet.l3_offset, 0U);
  EXPECT_EQ(d6.packet.l4_offset, 40U);
  EXPECT_EQ(d6.packet.src_ip, ipAddress("2001:db8:1::10"));
  EXPECT_EQ(d6.packet.dst_port, 443);
}

TEST(DecoderTest, RawIpHasNoEthertype) {
  // decode.h: "the ethertype after the VLAN tags (0 for raw IP)".
  const Bytes v4 = Frame().ipv4("192.168.1.10", "192.168.1.20").udp(1, 2).build();
  EXPECT_EQ(decode(v4, LinkType::kRawIp).packet.ethertype, 0);
  EXPECT_EQ(decode(v4, LinkType::kIpv4).packet.ethertype, 0);
}

TEST(DecoderTest, DltIpv4AndDltIpv6) {
  const Bytes v4 = Frame().ipv4("192.168.1.10", "192.168.1.1").udp(53001, 53).payload(30).build();
  const Decoded d4 = decode(v4, LinkType::kIpv4);
  ASSERT_TRUE(d4.ok);
  EXPECT_EQ(d4.packet.network, NetworkLayer::kIpv4);
  EXPECT_EQ(d4.packet.l3_offset, 0U);
  EXPECT_EQ(d4.packet.payload_len, 30U);

  const Bytes v6 =
      Frame().ipv6("2001:db8:1::10", "2001:db8:1::1").udp(53002, 53).payload(30).build();
  const Decoded d6 = decode(v6, LinkType::kIpv6);
  ASSERT_TRUE(d6.ok);
  EXPECT_EQ(d6.packet.network, NetworkLayer::kIpv6);
  EXPECT_EQ(d6.packet.payload_len, 30U);
}

TEST(DecoderTest, NullLoopbackFamiliesInEitherByteOrder) {
  // DLT_NULL writes the family in host order (ours: little-endian); DLT_LOOP in network order.
  for (std::uint32_t family : {testkit::kNullFamilyInet6Bsd, testkit::kNullFamilyInet6FreeBsd,
                               testkit::kNullFamilyInet6Darwin}) {
    const Bytes frame = Frame().nullLink(family).ipv6("::1", "::1").udp(5353, 5353).build();
    const Decoded d = decode(frame, LinkType::kNull);
    ASSERT_TRUE(d.ok) << family;
    EXPECT_EQ(d.packet.network, NetworkLayer::kIpv6) << family;
    EXPECT_EQ(d.packet.l3_offset, 4U);
    EXPECT_FALSE(d.packet.has_mac);
  }
  Bytes v4 =
      Frame().nullLink().ipv4("127.0.0.1", "127.0.0.1").tcp(5000, 6000, testkit::kSyn).build();
  const Decoded little = decode(v4, LinkType::kNull);
  ASSERT_TRUE(little.ok);
  EXPECT_EQ(little.packet.network, NetworkLayer::kIpv4);
  EXPECT_EQ(little.packet.dst_port, 6000);
  const std::uint8_t network_order[4] = {0, 0, 0, 2};
  std::memcpy(v4.data(), network_order, 4);
  const Decoded big = decode(v4, LinkType::kNull);
  ASSERT_TRUE(big.ok);
  EXPECT_EQ(big.packet.network, NetworkLayer::kIpv4);
}

TEST(DecoderTest, NullLoopbackUnknownFamilyIsNotIp) {
  const Bytes frame = Frame().nullLink(7U).ipv4("127.0.0.1", "127.0.0.1").udp(1, 2).build();
  const Decoded d = decode(frame, LinkType::kNull);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.packet.network, NetworkLayer::kNone);
  EXPECT_FALSE(d.packet.has_l4);
}

// --- IPv4 --------------------------------------------------------------------------------------

TEST(DecoderTest, Ipv4OptionsMoveTheL4Offset) {
  Ipv4Options ip;
  ip.options = {0x94, 0x04, 0x00, 0x00};  // router alert
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv4("192.168.10.21", "224.0.0.22", ip)
                          .udp(5000, 6000)
                          .payload(8)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.l4_offset, 14U + 24U);
  EXPECT_EQ(d.packet.payload_offset, 14U + 24U + 8U);
  EXPECT_EQ(d.packet.payload_len, 8U);

  Ipv4Options longest;
  longest.options = Bytes(40, 0x01);  // 40 bytes of NOP: IHL 15
  const Bytes max_frame = Frame()
                              .eth(kCameraMac, kGatewayMac)
                              .ipv4("192.168.10.21", "203.0.113.5", longest)
                              .tcp(1, 2, testkit::kAck)
                              .build();
  const Decoded dm = decode(max_frame, LinkType::kEthernet);
  ASSERT_TRUE(dm.ok);
  EXPECT_EQ(dm.packet.l4_offset, 14U + 60U);
  EXPECT_EQ(dm.packet.dst_port, 2);
}

TEST(DecoderTest, Ipv4FirstFragmentCarriesPorts) {
  Ipv4Options ip;
  ip.id = 0x1234;
  const std::vector<Bytes> fragments = Frame()
                                           .eth(kCameraMac, kGatewayMac)
                                           .ipv4("192.168.1.10", "192.168.1.30", ip)
                                           .udp(5000, 6000)
                                           .payload(3000)
                                           .buildFragments(1480);
  ASSERT_EQ(fragments.size(), 3U);

  const Decoded first = decode(fragments[0], LinkType::kEthernet);
  ASSERT_TRUE(first.ok);
  EXPECT_EQ(first.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(first.packet.is_fragment);
  EXPECT_TRUE(first.packet.is_first_fragment);
  EXPECT_EQ(first.packet.fragment_id, 0x1234U);
  EXPECT_TRUE(first.packet.has_l4);
  EXPECT_EQ(first.packet.src_port, 5000);
  EXPECT_EQ(first.packet.dst_port, 6000);
  EXPECT_EQ(first.packet.ip_proto, kIpProtoUdp);

  for (std::size_t i = 1; i < fragments.size(); ++i) {
    const Decoded later = decode(fragments[i], LinkType::kEthernet);
    ASSERT_TRUE(later.ok) << i;
    EXPECT_EQ(later.packet.anomaly, Anomaly::kNone) << i;
    EXPECT_TRUE(later.packet.is_fragment) << i;
    EXPECT_FALSE(later.packet.is_first_fragment) << i;
    EXPECT_EQ(later.packet.fragment_id, 0x1234U) << i;
    EXPECT_FALSE(later.packet.has_l4) << i;
    EXPECT_EQ(later.packet.src_port, 0) << i;
    EXPECT_EQ(later.packet.ip_proto, kIpProtoUdp) << i;
    EXPECT_EQ(later.packet.src_ip, ipAddress("192.168.1.10"));
    // The fragment's data starts right after the IP header.
    EXPECT_EQ(later.packet.payload_offset, 34U) << i;
  }
  EXPECT_EQ(decode(fragments[1], LinkType::kEthernet).packet.payload_len, 1480U);
  EXPECT_EQ(decode(fragments[2], LinkType::kEthernet).packet.payload_len, 48U);
}

TEST(DecoderTest, Ipv4DontFragmentIsNoFragment) {
  Ipv4Options ip;
  ip.df = true;
  ip.id = 77;
  const Bytes frame = cameraToCloud().tcp(1, 2, testkit::kSyn).build();
  const Bytes df_frame = Frame()
                             .eth(kCameraMac, kGatewayMac)
                             .ipv4("192.168.10.21", "203.0.113.5", ip)
                             .tcp(1, 2, testkit::kSyn)
                             .build();
  for (const Bytes* f : {&frame, &df_frame}) {
    const Decoded d = decode(*f, LinkType::kEthernet);
    ASSERT_TRUE(d.ok);
    EXPECT_FALSE(d.packet.is_fragment);
    EXPECT_FALSE(d.packet.is_first_fragment);
  }
}

TEST(DecoderTest, Ipv4LastFragmentWithoutMoreFlag) {
  Ipv4Options ip;
  ip.id = 9;
  ip.fragment_offset = 185;  // 1480 bytes
  ip.protocol = kIpProtoTcp;
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv4("192.168.10.21", "203.0.113.5", ip)
                          .payload(100)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(d.packet.is_fragment);
  EXPECT_FALSE(d.packet.is_first_fragment);
  EXPECT_FALSE(d.packet.has_l4);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoTcp);
  EXPECT_EQ(d.packet.fragment_id, 9U);
  EXPECT_EQ(d.packet.payload_len, 100U);
}

TEST(DecoderTest, Ipv4OtherProtocolHasPayloadButNoL4) {
  Ipv4Options ip;
  ip.protocol = 47;  // GRE
  const Bytes frame =
      Frame().eth(kCameraMac, kGatewayMac).ipv4("10.0.0.1", "10.0.0.2", ip).payload(24).build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.ip_proto, 47);
  EXPECT_FALSE(d.packet.has_l4);
  EXPECT_EQ(d.packet.payload_offset, 34U);
  EXPECT_EQ(d.packet.payload_len, 24U);
}

// --- IPv6 --------------------------------------------------------------------------------------

TEST(DecoderTest, Ipv6ExtensionHeaderChain) {
  Ipv6Options ip;
  ip.hop_limit = 57;
  ip.extensions = {Ipv6ExtHeader::hopByHop(), Ipv6ExtHeader::destinationOptions(1),
                   Ipv6ExtHeader::routing(0, 0, {"2001:db8:ffff::1"}),
                   Ipv6ExtHeader::fragment(0, true, 0xdeadbeef)};
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv6("2001:db8:1::10", "2001:db8:2::20", ip)
                          .udp(40000, 53)
                          .payload(12)
                          .build();
  // 8 (hop-by-hop) + 16 (destination options) + 24 (routing, one address) + 8 (fragment).
  const std::uint32_t l4 = 14 + 40 + 8 + 16 + 24 + 8;
  ASSERT_EQ(frame.size(), l4 + 8U + 12U);
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.network, NetworkLayer::kIpv6);
  EXPECT_EQ(d.packet.ethertype, 0x86dd);
  EXPECT_EQ(d.packet.src_ip, ipAddress("2001:db8:1::10"));
  EXPECT_EQ(d.packet.dst_ip, ipAddress("2001:db8:2::20"));
  EXPECT_EQ(d.packet.ip_ttl, 57);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoUdp);
  EXPECT_TRUE(d.packet.is_fragment);
  EXPECT_TRUE(d.packet.is_first_fragment);
  EXPECT_EQ(d.packet.fragment_id, 0xdeadbeefU);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.l4_offset, l4);
  EXPECT_EQ(d.packet.dst_port, 53);
  EXPECT_EQ(d.packet.payload_offset, l4 + 8U);
  EXPECT_EQ(d.packet.payload_len, 12U);
}

TEST(DecoderTest, Ipv6LaterFragmentHasNoL4) {
  Ipv6Options ip;
  ip.extensions = {Ipv6ExtHeader::fragment(185, true, 42)};
  ip.protocol = kIpProtoTcp;
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv6("2001:db8:1::10", "2001:db8:2::20", ip)
                          .payload(64)
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_TRUE(d.packet.is_fragment);
  EXPECT_FALSE(d.packet.is_first_fragment);
  EXPECT_EQ(d.packet.fragment_id, 42U);
  EXPECT_FALSE(d.packet.has_l4);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoTcp);
  EXPECT_EQ(d.packet.payload_offset, 14U + 48U);
  EXPECT_EQ(d.packet.payload_len, 64U);
}

TEST(DecoderTest, Ipv6FragmentsFromTheBuilder) {
  const std::vector<Bytes> fragments = Frame()
                                           .eth(kCameraMac, kGatewayMac)
                                           .ipv6("2001:db8:1::10", "2001:db8:2::20")
                                           .udp(5000, 6000)
                                           .payload(2000)
                                           .buildFragments(1232, 0x0badcafe);
  ASSERT_EQ(fragments.size(), 2U);
  const Decoded first = decode(fragments[0], LinkType::kEthernet);
  const Decoded second = decode(fragments[1], LinkType::kEthernet);
  ASSERT_TRUE(first.ok);
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(first.packet.is_first_fragment);
  EXPECT_TRUE(first.packet.has_l4);
  EXPECT_EQ(first.packet.dst_port, 6000);
  EXPECT_FALSE(second.packet.is_first_fragment);
  EXPECT_FALSE(second.packet.has_l4);
  EXPECT_EQ(first.packet.fragment_id, 0x0badcafeU);
  EXPECT_EQ(second.packet.fragment_id, 0x0badcafeU);
  EXPECT_EQ(second.packet.ip_proto, kIpProtoUdp);
}

// --- Transport ---------------------------------------------------------------------------------

TEST(DecoderTest, TcpFlagsOptionsAndPayloadOffset) {
  TcpOptions tcp;
  tcp.options = testkit::tcpSynOptions();  // 12 bytes: data offset 8
  const Bytes syn = cameraToCloud().tcp(40000, 443, testkit::kSyn, tcp).build();
  const Decoded d = decode(syn, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.tcp_flags, kTcpSyn);
  EXPECT_EQ(d.packet.l4_offset, 34U);
  EXPECT_EQ(d.packet.payload_offset, 34U + 32U);
  EXPECT_EQ(d.packet.payload_len, 0U);

  const std::uint8_t all = kTcpFin | kTcpSyn | kTcpRst | kTcpPsh | kTcpAck | 0x20 | 0x40 | 0x80;
  const Bytes odd = cameraToCloud().tcp(1, 2, all).payload(3).build();
  const Decoded o = decode(odd, LinkType::kEthernet);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.packet.tcp_flags, all);
  EXPECT_EQ(o.packet.payload_len, 3U);
}

TEST(DecoderTest, UdpPayloadFollowsTheUdpLength) {
  const Bytes frame = cameraToCloud().udp(40000, 123).payload(48).build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoUdp);
  EXPECT_EQ(d.packet.src_port, 40000);
  EXPECT_EQ(d.packet.dst_port, 123);
  EXPECT_EQ(d.packet.tcp_flags, 0);
  EXPECT_EQ(d.packet.payload_offset, 42U);
  EXPECT_EQ(d.packet.payload_len, 48U);
}

TEST(DecoderTest, IcmpEchoTypeAndNoPorts) {
  const Bytes request = Frame()
                            .eth(kCameraMac, kGatewayMac)
                            .ipv4("192.168.10.57", "192.168.10.21")
                            .icmpEcho(1, 7)
                            .payload(32)
                            .build();
  const Decoded d = decode(request, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoIcmp);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.icmp_type, 8);
  EXPECT_EQ(d.packet.icmp_code, 0);
  EXPECT_EQ(d.packet.src_port, 0);
  EXPECT_EQ(d.packet.dst_port, 0);

  const Bytes unreachable =
      Frame().eth(kCameraMac, kGatewayMac).ipv4("10.0.0.1", "10.0.0.2").icmp(3, 3).build();
  const Decoded u = decode(unreachable, LinkType::kEthernet);
  ASSERT_TRUE(u.ok);
  EXPECT_EQ(u.packet.icmp_type, 3);
  EXPECT_EQ(u.packet.icmp_code, 3);
}

TEST(DecoderTest, Icmpv6EchoType) {
  const Bytes reply = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv6("2001:db8:2::20", "2001:db8:1::10")
                          .icmpEcho(1, 1, true)
                          .payload(56)
                          .build();
  const Decoded d = decode(reply, LinkType::kEthernet);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.packet.ip_proto, kIpProtoIcmpv6);
  EXPECT_TRUE(d.packet.has_l4);
  EXPECT_EQ(d.packet.icmp_type, 129);
  EXPECT_EQ(d.packet.src_port, 0);
}

// --- Not IP ------------------------------------------------------------------------------------

TEST(DecoderTest, ArpIsNotIpAndNoAnomaly) {
  testkit::ArpSpec arp;
  arp.sender_mac = kGatewayMac;
  arp.sender_ip = "192.168.10.1";
  arp.target_ip = "192.168.10.21";
  const Bytes frame = Frame().eth(kGatewayMac, testkit::kBroadcastMac).arp(arp).padTo(60).build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.network, NetworkLayer::kNone);
  EXPECT_EQ(d.packet.ethertype, 0x0806);
  EXPECT_TRUE(d.packet.has_mac);
  EXPECT_FALSE(d.packet.has_l4);
  EXPECT_EQ(d.packet.wire_len, 60U);
}

TEST(DecoderTest, TaggedLldpKeepsVlanAndEthertype) {
  const Bytes frame = Frame()
                          .eth(kGatewayMac, parseMac("01:80:c2:00:00:0e"))
                          .vlan(10)
                          .lldp(kGatewayMac, "gi1/0/24")
                          .build();
  const Decoded d = decode(frame, LinkType::kEthernet);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.network, NetworkLayer::kNone);
  EXPECT_EQ(d.packet.vlan_outer, 10);
  EXPECT_EQ(d.packet.ethertype, 0x88cc);
}

TEST(DecoderTest, SllArpIsNotIp) {
  testkit::ArpSpec arp;
  arp.sender_mac = kCameraMac;
  arp.sender_ip = "192.168.10.21";
  arp.target_ip = "192.168.10.1";
  const Bytes frame = Frame().sll(kCameraMac).arp(arp).build();
  const Decoded d = decode(frame, LinkType::kLinuxSll);
  EXPECT_FALSE(d.ok);
  EXPECT_EQ(d.packet.anomaly, Anomaly::kNone);
  EXPECT_EQ(d.packet.ethertype, 0x0806);
}

// --- Truncated and malformed input, layer by layer -----------------------------------------------

struct AnomalyCase {
  const char* name;
  Bytes bytes;
  LinkType link;
  Anomaly anomaly;
  bool ok;  // what decodePacket() returns: false for every anomaly
};

// `missing_on_wire` > 0 says the capture kept fewer bytes than the wire carried (a snaplen cut).
void expectAnomaly(const AnomalyCase& c, std::uint32_t missing_on_wire = 100) {
  SCOPED_TRACE(c.name);
  const auto wire_len = static_cast<std::uint32_t>(c.bytes.size()) + missing_on_wire;
  const Decoded d = decode(c.bytes, c.link, wire_len);
  EXPECT_EQ(d.packet.anomaly, c.anomaly) << anomalyName(d.packet.anomaly);
  EXPECT_EQ(d.ok, c.ok);
  EXPECT_EQ(d.packet.cap_len, c.bytes.size());
  EXPECT_EQ(d.packet.wire_len, wire_len);
  EXPECT_EQ(d.packet.ts, kTs);
  EXPECT_FALSE(d.packet.has_l4);
}

TEST(DecoderTest, TruncatedLinkLayers) {
  const Bytes frame = cameraToCloud().udp(1, 2).build();
  const Bytes tagged =
      Frame().eth(kCameraMac, kGatewayMac).vlan(10).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  const Bytes sll = Frame().sll(kCameraMac).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  const Bytes sll2 = Frame().sll2(kCameraMac).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  const Bytes null = Frame().nullLink().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  const AnomalyCase cases[] = {
      {"empty ethernet", {}, LinkType::kEthernet, Anomaly::kTruncatedEthernet, false},
      {"13-byte ethernet", truncated(frame, 13), LinkType::kEthernet, Anomaly::kTruncatedEthernet,
       false},
      {"tag cut after TCI", truncated(tagged, 16), LinkType::kEthernet,
       Anomaly::kTruncatedVlanHeader, false},
      {"tag cut after TPID", truncated(tagged, 14), LinkType::kEthernet,
       Anomaly::kTruncatedVlanHeader, false},
      {"15-byte sll", truncated(sll, 15), LinkType::kLinuxSll, Anomaly::kTruncatedSll, false},
      {"19-byte sll2", truncated(sll2, 19), LinkType::kLinuxSll2, Anomaly::kTruncatedSll2, false},
      {"3-byte null", truncated(null, 3), LinkType::kNull, Anomaly::kTruncatedNullHeader, false},
      {"unsupported", frame, LinkType::kUnsupported, Anomaly::kUnsupportedLinkType, false},
  };
  for (const AnomalyCase& c : cases) expectAnomaly(c);
}

TEST(DecoderTest, TooManyVlanTags) {
  Frame frame;
  frame.eth(kCameraMac, kGatewayMac);
  for (int i = 0; i < 64; ++i) frame.vlan(static_cast<std::uint16_t>(i + 1));
  const Bytes bytes = frame.ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  expectAnomaly({"64 tags", bytes, LinkType::kEthernet, Anomaly::kTooManyVlanTags, false});
}

TEST(DecoderTest, MalformedIpv4) {
  const Bytes frame = cameraToCloud().tcp(1, 2, testkit::kAck).build();
  auto with = [](auto&& tweak) {
    Ipv4Options ip;
    tweak(ip);
    return Frame()
        .eth(kCameraMac, kGatewayMac)
        .ipv4("192.168.10.21", "203.0.113.5", ip)
        .tcp(1, 2, testkit::kAck)
        .build();
  };
  Ipv4Options with_options;
  with_options.options = Bytes(8, 0x01);
  const Bytes optioned = Frame()
                             .eth(kCameraMac, kGatewayMac)
                             .ipv4("192.168.10.21", "203.0.113.5", with_options)
                             .udp(1, 2)
                             .build();
  const AnomalyCase cases[] = {
      {"header cut at 19 bytes", truncated(frame, 14 + 19), LinkType::kEthernet,
       Anomaly::kTruncatedIpv4, false},
      {"only the version byte", truncated(frame, 15), LinkType::kEthernet, Anomaly::kTruncatedIpv4,
       false},
      {"options cut", truncated(optioned, 14 + 24), LinkType::kEthernet, Anomaly::kTruncatedIpv4,
       false},
      {"raw, empty", {}, LinkType::kRawIp, Anomaly::kTruncatedIpv4, false},
      {"ihl 4", with([](Ipv4Options& ip) { ip.ihl = 4; }), LinkType::kEthernet,
       Anomaly::kIpv4BadHeaderLength, false},
      {"ihl 0", with([](Ipv4Options& ip) { ip.ihl = 0; }), LinkType::kEthernet,
       Anomaly::kIpv4BadHeaderLength, false},
      {"version 5", with([](Ipv4Options& ip) { ip.version = 5; }), LinkType::kEthernet,
       Anomaly::kIpv4BadVersion, false},
      {"version 6 behind 0x0800", with([](Ipv4Options& ip) { ip.version = 6; }),
       LinkType::kEthernet, Anomaly::kIpv4BadVersion, false},
      {"total length 19", with([](Ipv4Options& ip) { ip.total_length = 19; }), LinkType::kEthernet,
       Anomaly::kIpv4BadTotalLength, false},
      {"total length 0", with([](Ipv4Options& ip) { ip.total_length = 0; }), LinkType::kEthernet,
       Anomaly::kIpv4BadTotalLength, false},
  };
  for (const AnomalyCase& c : cases) expectAnomaly(c);

  // Total length shorter than a header with options.
  Ipv4Options short_total;
  short_total.options = Bytes(4, 0x01);
  short_total.total_length = 22;
  expectAnomaly({"total length inside options",
                 Frame()
                     .eth(kCameraMac, kGatewayMac)
                     .ipv4("10.0.0.1", "10.0.0.2", short_total)
                     .udp(1, 2)
                     .build(),
                 LinkType::kEthernet, Anomaly::kIpv4BadTotalLength, false});
}

TEST(DecoderTest, MalformedIpv6) {
  const Bytes frame =
      Frame().eth(kCameraMac, kGatewayMac).ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build();
  Ipv6Options bad_version;
  bad_version.version = 4;
  const AnomalyCase cases[] = {
      {"header cut at 39 bytes", truncated(frame, 14 + 39), LinkType::kEthernet,
       Anomaly::kTruncatedIpv6, false},
      {"dlt ipv6, empty", {}, LinkType::kIpv6, Anomaly::kTruncatedIpv6, false},
      {"version 4 behind 0x86dd",
       Frame()
           .eth(kCameraMac, kGatewayMac)
           .ipv6("2001:db8::1", "2001:db8::2", bad_version)
           .udp(1, 2)
           .build(),
       LinkType::kEthernet, Anomaly::kIpv6BadVersion, false},
  };
  for (const AnomalyCase& c : cases) expectAnomaly(c);
}

// Packets that are malformed as sent (captured whole, wire_len == cap_len). decodePacket()
// returns false for them too: docs/flows.md counts them by anomaly, never to a flow. What was
// read before the bad header (the IP layer) is still filled in.
void expectL4Anomaly(const char* name, const Bytes& bytes, Anomaly anomaly,
                     NetworkLayer network = NetworkLayer::kIpv4) {
  expectAnomaly({name, bytes, LinkType::kEthernet, anomaly, false}, 0);
  const Decoded d = decode(bytes, LinkType::kEthernet);
  EXPECT_EQ(d.packet.network, network) << name;
  EXPECT_NE(d.packet.src_ip, IpAddress{}) << name;
}

TEST(DecoderTest, MalformedIpv6ExtensionHeaders) {
  Ipv6Options hop;
  hop.extensions = {Ipv6ExtHeader::hopByHop(2)};  // 24 bytes
  const Bytes frame = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv6("2001:db8::1", "2001:db8::2", hop)
                          .udp(1, 2)
                          .build();
  expectL4Anomaly("next header byte only", truncated(frame, 14 + 40 + 1),
                  Anomaly::kTruncatedIpv6ExtensionHeader, NetworkLayer::kIpv6);
  expectL4Anomaly("hop-by-hop cut", truncated(frame, 14 + 40 + 16),
                  Anomaly::kTruncatedIpv6ExtensionHeader, NetworkLayer::kIpv6);
  Ipv6Options fragment;
  fragment.extensions = {Ipv6ExtHeader::fragment(0, true, 1)};
  const Bytes fragmented = Frame()
                               .eth(kCameraMac, kGatewayMac)
                               .ipv6("2001:db8::1", "2001:db8::2", fragment)
                               .udp(1, 2)
                               .build();
  expectL4Anomaly("fragment header cut", truncated(fragmented, 14 + 40 + 6),
                  Anomaly::kTruncatedIpv6ExtensionHeader, NetworkLayer::kIpv6);

  Ipv6Options endless;
  for (int i = 0; i < 40; ++i) endless.extensions.push_back(Ipv6ExtHeader::destinationOptions());
  expectL4Anomaly("40 destination options headers",
                  Frame()
                      .eth(kCameraMac, kGatewayMac)
                      .ipv6("2001:db8::1", "2001:db8::2", endless)
                      .udp(1, 2)
                      .build(),
                  Anomaly::kIpv6TooManyExtensionHeaders, NetworkLayer::kIpv6);
}

TEST(DecoderTest, MalformedTransport) {
  const Bytes tcp = cameraToCloud().tcp(1, 2, testkit::kAck).build();
  expectL4Anomaly("frame ends 10 bytes into tcp", truncated(tcp, 34 + 10), Anomaly::kTruncatedTcp);
  Ipv4Options short_ip;
  short_ip.protocol = kIpProtoTcp;
  expectL4Anomaly("ip claims 12 bytes of tcp",
                  Frame()
                      .eth(kCameraMac, kGatewayMac)
                      .ipv4("192.168.10.21", "203.0.113.5", short_ip)
                      .payload(12)
                      .build(),
                  Anomaly::kTruncatedTcp);

  TcpOptions offset4;
  offset4.data_offset = 4;
  expectL4Anomaly("tcp data offset 4", cameraToCloud().tcp(1, 2, testkit::kAck, offset4).build(),
                  Anomaly::kTcpBadDataOffset);
  TcpOptions offset15;
  offset15.data_offset = 15;  // 60 bytes of header in a 20-byte segment
  expectL4Anomaly("tcp data offset past the segment",
                  cameraToCloud().tcp(1, 2, testkit::kAck, offset15).build(),
                  Anomaly::kTcpBadDataOffset);

  const Bytes udp = cameraToCloud().udp(1, 2).payload(20).build();
  expectL4Anomaly("udp cut at 4 bytes", truncated(udp, 34 + 4), Anomaly::kTruncatedUdp);
  UdpOptions length4;
  length4.length = 4;
  expectL4Anomaly("udp length 4", cameraToCloud().udp(1, 2, length4).payload(20).build(),
                  Anomaly::kUdpBadLength);

  const Bytes icmp = cameraToCloud().icmpEcho(1, 1).build();
  expectL4Anomaly("icmp cut at 2 bytes", truncated(icmp, 34 + 2), Anomaly::kTruncatedIcmp);
  const Bytes icmp6 = Frame()
                          .eth(kCameraMac, kGatewayMac)
                          .ipv6("2001:db8::1", "2001:db8::2")
                          .icmpEcho(1, 1)
                          .build();
  expectL4Anomaly("icmpv6 cut at 1 byte", truncated(icmp6, 54 + 1), Anomaly::kTruncatedIcmp,
                  NetworkLayer::kIpv6);
}

// --- Robustness --------------------------------------------------------------------------------

struct RobustnessInput {
  const char* name;
  Bytes bytes;
  LinkType link;
};

std::vector<RobustnessInput> robustnessInputs() {
  Ipv4Options options;
  options.options = {0x94, 0x04, 0x00, 0x00};
  TcpOptions syn;
  syn.options = testkit::tcpSynOptions();
  Ipv6Options chain;
  chain.extensions = {Ipv6ExtHeader::hopByHop(), Ipv6ExtHeader::routing(0, 0, {"2001:db8::9"}),
                      Ipv6ExtHeader::fragment(0, true, 5), Ipv6ExtHeader::destinationOptions()};
  testkit::ArpSpec arp;
  arp.sender_ip = "10.0.0.1";
  arp.target_ip = "10.0.0.2";
  return {
      {"qinq tcp with options",
       Frame()
           .eth(kCameraMac, kGatewayMac)
           .svlan(100)
           .vlan(20)
           .ipv4("10.0.0.1", "10.0.0.2", options)
           .tcp(1, 2, testkit::kSyn, syn)
           .payload(16)
           .build(),
       LinkType::kEthernet},
      {"ipv6 chain udp",
       Frame()
           .eth(kCameraMac, kGatewayMac)
           .vlan(10)
           .ipv6("2001:db8::1", "2001:db8::2", chain)
           .udp(1, 2)
           .payload(16)
           .build(),
       LinkType::kEthernet},
      {"sll icmp", Frame().sll(kCameraMac).ipv4("10.0.0.1", "10.0.0.2").icmpEcho(1, 1).build(),
       LinkType::kLinuxSll},
      {"sll2 icmpv6", Frame().sll2(kCameraMac).ipv6("::1", "::2").icmpEcho(1, 1).build(),
       LinkType::kLinuxSll2},
      {"null ipv6 tcp", Frame().nullLink().ipv6("::1", "::2").tcp(1, 2, testkit::kSyn, syn).build(),
       LinkType::kNull},
      {"raw udp", Frame().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(8).build(),
       LinkType::kRawIp},
      {"dlt ipv6 udp", Frame().ipv6("::1", "::2", chain).udp(1, 2).build(), LinkType::kIpv6},
      {"arp", Frame().eth(kCameraMac, testkit::kBroadcastMac).arp(arp).build(),
       LinkType::kEthernet},
  };
}

// Offsets the decoder reports must stay inside the captured bytes.
void expectWithinCapture(const DecodedPacket& p, std::size_t size) {
  EXPECT_EQ(p.cap_len, size);
  EXPECT_LE(p.l3_offset, size);
  if (p.has_mac) {
    EXPECT_LE(p.l2_src_mac_offset + 6U, size);
  }
  if (p.has_l4) {
    EXPECT_LE(p.l4_offset, size);
  }
  EXPECT_LE(static_cast<std::uint64_t>(p.payload_offset) + p.payload_len, size);
  EXPECT_LT(static_cast<int>(p.anomaly), static_cast<int>(Anomaly::kCount));
}

TEST(DecoderTest, EveryPrefixDecodesWithinBounds) {
  for (const RobustnessInput& input : robustnessInputs()) {
    for (std::size_t length = 0; length <= input.bytes.size(); ++length) {
      SCOPED_TRACE(std::string(input.name) + " prefix " + std::to_string(length));
      // An exactly sized heap block, so AddressSanitizer catches any read past the span.
      std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[length]);
      std::memcpy(copy.get(), input.bytes.data(), length);
      const Decoded d =
          decode({copy.get(), length}, input.link, static_cast<std::uint32_t>(input.bytes.size()));
      expectWithinCapture(d.packet, length);
      EXPECT_EQ(d.packet.wire_len, input.bytes.size());
    }
  }
}

TEST(DecoderTest, RandomlyCorruptedPacketsDecodeWithinBounds) {
  testkit::Rng rng(0xdec0de);
  const std::vector<RobustnessInput> inputs = robustnessInputs();
  for (int round = 0; round < 5000; ++round) {
    const RobustnessInput& input = inputs[rng.uniform(0, inputs.size() - 1)];
    Bytes bytes = input.bytes;
    const std::uint64_t flips = rng.uniform(1, 4);
    for (std::uint64_t i = 0; i < flips; ++i) {
      bytes[rng.uniform(0, bytes.size() - 1)] = static_cast<std::uint8_t>(rng.next());
    }
    const std::size_t length = rng.uniform(0, bytes.size());
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[length]);
    std::memcpy(copy.get(), bytes.data(), length);
    const Decoded d = decode({copy.get(), length}, input.link);
    expectWithinCapture(d.packet, length);
    if (HasFailure()) {
      ADD_FAILURE() << input.name << " round " << round;
      return;
    }
  }
}

TEST(DecoderTest, DecodeOverwritesThePreviousResult) {
  DecodedPacket out;
  const Bytes tcp = Frame()
                        .eth(kCameraMac, kGatewayMac)
                        .vlan(10)
                        .ipv4("10.0.0.1", "10.0.0.2")
                        .tcp(1, 2, testkit::kSyn)
                        .build();
  RawPacket raw;
  raw.link = LinkType::kEthernet;
  raw.data = tcp;
  raw.wire_len = static_cast<std::uint32_t>(tcp.size());
  ASSERT_TRUE(decodePacket(raw, out));
  const Bytes cut = truncated(tcp, 10);
  raw.data = cut;
  raw.wire_len = 10;
  EXPECT_FALSE(decodePacket(raw, out));
  EXPECT_EQ(out.anomaly, Anomaly::kTruncatedEthernet);
  EXPECT_EQ(out.vlan_outer, 0);
  EXPECT_FALSE(out.has_l4);
  EXPECT_EQ(out.network, NetworkLayer::kNone);
  EXPECT_EQ(out.src_port, 0);
}

TEST(AnomalyNameTest, NamesAreStableAndDistinct) {
  EXPECT_EQ(anomalyName(Anomaly::kNone), "none");
  EXPECT_EQ(anomalyName(Anomaly::kTruncatedVlanHeader), "truncated_vlan_header");
  EXPECT_EQ(anomalyName(Anomaly::kIpv4BadHeaderLength), "ipv4_bad_header_length");
  EXPECT_EQ(anomalyName(Anomaly::kTruncatedIpv6ExtensionHeader), "truncated_ipv6_extension_header");
  std::set<std::string_view> names;
  for (int i = 0; i < static_cast<int>(Anomaly::kCount); ++i) {
    const std::string_view name = anomalyName(static_cast<Anomaly>(i));
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"),
              std::string_view::npos)
        << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
  }
}

}  // namespace
}  // namespace camwatch
