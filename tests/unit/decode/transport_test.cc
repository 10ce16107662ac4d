// decodePacket() on the transport layer (TCP flags and options, UDP length, ICMP and ICMPv6 types)
// and on frames that carry no IP at all (ARP, LLDP), which are no anomaly.
#include <cstdint>

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
using testkit::Bytes;
using testkit::Frame;
using testkit::parseMac;
using testkit::TcpOptions;

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

}  // namespace
}  // namespace camwatch
