// decodePacket() on truncated and malformed input, layer by layer: each way a layer can be cut
// short or malformed gives its own named anomaly, and decodePacket() returns false for every one.
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
using testing::kTs;
using testing::truncated;
using testkit::Bytes;
using testkit::Frame;
using testkit::Ipv4Options;
using testkit::Ipv6ExtHeader;
using testkit::Ipv6Options;
using testkit::TcpOptions;
using testkit::UdpOptions;

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

}  // namespace
}  // namespace camwatch
