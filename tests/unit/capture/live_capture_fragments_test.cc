// LiveCapture in a PACKET_FANOUT group on IPv4 fragments: the kernel must not reassemble them for
// the group (PACKET_FANOUT_FLAG_DEFRAG), so that every fragment that arrives is a frame some
// member reads and counts, and all fragments of a datagram reach one member, where camwatch's
// own fragment tracking gives them ports. The frames are built here and sent with tcpreplay over
// a veth between two namespaces made for the test; needs root, `ip netns` and tcpreplay.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <camwatch/capture.h>

#include "support/netns_pair.h"
#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch {
namespace {

using Clock = std::chrono::steady_clock;

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

TEST(LiveCaptureFragmentsNetnsTest, FanoutGroupCountsEveryFragmentAndKeepsADatagramTogether) {
  if (const std::string why = testkit::netnsUnavailableReason(); !why.empty()) GTEST_SKIP() << why;
  if (std::system("command -v tcpreplay >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tcpreplay is not installed (Debian package tcpreplay)";
  }
  testkit::NetnsPair pair(fmt::format("fr{}", getpid()));
  ASSERT_EQ(pair.create(), "");

  // 8 flows between different hosts, each one small datagram and two of 3000 payload bytes in
  // fragments of at most 1480 bytes: 3 frames each, so 8 * (1 + 2 * 3) frames by construction.
  constexpr int kFlows = 8;
  constexpr std::size_t kFragmentsPerBig = 3;
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("cwfrag-{}.pcap", getpid())).string();
  {
    testkit::PcapWriter writer(path);
    const testkit::Mac camera = testkit::parseMac("02:00:00:78:00:10");
    const testkit::Mac gateway = testkit::parseMac("02:00:00:78:00:02");
    Timestamp ts = 0;
    for (int flow = 0; flow < kFlows; ++flow) {
      const std::string src = fmt::format("192.168.20.{}", 10 + flow);
      const std::string dst = fmt::format("203.0.113.{}", 10 + flow);
      const auto port = static_cast<std::uint16_t>(42000 + flow);
      writer.write(
          ts += 1'000'000,
          testkit::Frame().eth(camera, gateway).ipv4(src, dst).udp(port, 5001).payload(40).build());
      for (int big = 0; big < 2; ++big) {
        testkit::Ipv4Options options;
        options.id = static_cast<std::uint16_t>(0x1000 + flow * 2 + big);
        const auto fragments = testkit::Frame()
                                   .eth(camera, gateway)
                                   .ipv4(src, dst, options)
                                   .udp(port, 5001)
                                   .payload(3000)
                                   .buildFragments(1480);
        ASSERT_EQ(fragments.size(), kFragmentsPerBig);
        for (const auto& fragment : fragments) writer.write(ts += 1'000'000, fragment);
      }
    }
    writer.close();
  }
  const std::size_t expected = kFlows * (1 + 2 * kFragmentsPerBig);

  std::vector<std::unique_ptr<LiveCapture>> captures;
  {
    testkit::ScopedNetns in(pair.receiverNs());
    ASSERT_TRUE(in.entered());
    for (int member = 0; member < 2; ++member) {
      LiveCaptureOptions options;
      options.interface = pair.receiverInterface();
      options.bpf = "ip";
      options.fanout_group = 4243;
      auto opened = LiveCapture::open(options);
      ASSERT_TRUE(opened.has_value()) << opened.error().message;
      captures.push_back(std::move(*opened));
    }
  }
  const int rc = std::system(fmt::format("ip netns exec {} tcpreplay -q -i {} --pps=500 {} "
                                         ">/dev/null 2>&1",
                                         pair.senderNs(), pair.senderInterface(), path)
                                 .c_str());
  std::filesystem::remove(path);
  ASSERT_EQ(rc, 0);

  // Read both members until every frame came (a long limit: on Linux 6.18 a ring block holding
  // the last frames was sometimes handed over seconds after they arrived), then a little more.
  std::map<std::uint16_t, std::set<std::size_t>> members_of_datagram;
  std::map<std::uint16_t, std::size_t> fragments_of_datagram;
  std::size_t unfragmented = 0;
  std::size_t total = 0;
  const auto start = Clock::now();
  Clock::time_point done{};
  while (Clock::now() - start < std::chrono::seconds(20)) {
    if (total >= expected) {
      if (done == Clock::time_point{}) done = Clock::now();
      if (Clock::now() - done > std::chrono::milliseconds(400)) break;
    }
    for (std::size_t member = 0; member < captures.size(); ++member) {
      RawPacket packet;
      if (captures[member]->next(packet) != ReadStatus::kPacket) continue;
      ++total;
      ASSERT_GE(packet.data.size(), 14U + 20U);
      if ((be16(packet.data, 14 + 6) & 0x3fffU) == 0) {
        ++unfragmented;
        continue;
      }
      const std::uint16_t id = be16(packet.data, 14 + 4);
      members_of_datagram[id].insert(member);
      ++fragments_of_datagram[id];
    }
  }
  EXPECT_EQ(total, expected);
  EXPECT_EQ(unfragmented, static_cast<std::size_t>(kFlows));
  EXPECT_EQ(members_of_datagram.size(), static_cast<std::size_t>(2 * kFlows));
  for (const auto& [id, members] : members_of_datagram) {
    EXPECT_EQ(members.size(), 1U) << "datagram " << id << " split over members";
    EXPECT_EQ(fragments_of_datagram[id], kFragmentsPerBig) << "datagram " << id;
  }
  // The sockets' own counts: every frame received, none dropped.
  std::uint64_t received = 0;
  for (const auto& capture : captures) {
    const auto stats = capture->stats();
    ASSERT_TRUE(stats.has_value()) << stats.error().message;
    EXPECT_EQ(stats->dropped, 0U);
    received += stats->received;
  }
  EXPECT_EQ(received, expected);
}

}  // namespace
}  // namespace camwatch
