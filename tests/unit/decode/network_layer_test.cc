// decodePacket() on the network layer: IPv4 options and fragments, other IP protocols, and IPv6
// extension header chains and fragments.
#include <cstdint>
#include <vector>

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
using testkit::ipAddress;
using testkit::Ipv4Options;
using testkit::Ipv6ExtHeader;
using testkit::Ipv6Options;

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

}  // namespace
}  // namespace camwatch
