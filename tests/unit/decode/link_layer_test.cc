// decodePacket() on every link layer: Ethernet (with padding and snaplen cuts), 802.1Q and QinQ
// tags, Linux SLL and SLL2, raw IP, DLT_IPV4/IPV6 and BSD null loopback. One frame is written out
// by hand so the builder is not the only oracle.
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include <camwatch/decode.h>

#include "support/packet_builder.h"
#include "unit/decode/decode_test_util.h"

namespace camwatch {
namespace {

using testing::cameraToCloud;
using testing::decode;
using testing::Decoded;
using testing::kCameraMac;
using testing::kGatewayMac;
using testing::kTs;
using testing::truncated;
using testkit::Bytes;
using testkit::Frame;
using testkit::ipAddress;
using testkit::Ipv4Options;
using testkit::TcpOptions;

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

}  // namespace
}  // namespace camwatch
