// decodePacket() never reads or reports outside the captured bytes, on every prefix of a set of
// frames and on randomly corrupted ones; a decode overwrites the previous result; anomaly names are
// stable and distinct.
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/decode.h>

#include "support/packet_builder.h"
#include "support/rng.h"
#include "unit/decode/decode_test_util.h"

namespace camwatch {
namespace {

using testing::decode;
using testing::Decoded;
using testing::kCameraMac;
using testing::kGatewayMac;
using testing::truncated;
using testkit::Bytes;
using testkit::Frame;
using testkit::Ipv4Options;
using testkit::Ipv6ExtHeader;
using testkit::Ipv6Options;
using testkit::TcpOptions;

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
