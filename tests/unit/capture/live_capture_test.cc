// LiveCapture on real packets: each test makes its own pair of network namespaces joined by a
// veth ("cws<tag>" in the sender namespace, 10.77.0.1; "cwr<tag>" in the receiver namespace,
// 10.77.0.2), captures in the receiver and sends from the sender. The host's interfaces are
// never touched. Needs root and `ip netns`; skipped otherwise.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
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

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr const char* kSenderIp = "10.77.0.1";
constexpr const char* kReceiverIp = "10.77.0.2";
constexpr std::uint16_t kPort = 5001;
constexpr std::size_t kHeaders = 14 + 20 + 8;  // Ethernet + IPv4 + UDP

int run(const std::string& command) { return std::system(command.c_str()); }

Timestamp wallNow() {
  return static_cast<Timestamp>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
}

using testkit::ScopedNetns;

struct Captured {
  std::vector<std::uint8_t> bytes;
  std::uint32_t wire_len = 0;
  Timestamp ts = 0;
};

std::uint16_t be16(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint16_t srcPort(const Captured& c) { return be16(c.bytes, 14 + 20); }
std::uint16_t dstPort(const Captured& c) { return be16(c.bytes, 14 + 20 + 2); }
std::string payloadText(const Captured& c) {
  std::string text(c.bytes.begin() + static_cast<std::ptrdiff_t>(kHeaders), c.bytes.end());
  return text.substr(0, text.find('\0'));
}

// Reads every handle in turn until `expected` packets in all arrived (or `limit` passed), then
// keeps reading for `settle` so that any extra packet would be seen too.
std::vector<std::vector<Captured>> collect(const std::vector<LiveCapture*>& captures,
                                           std::size_t expected,
                                           milliseconds limit = milliseconds(5000),
                                           milliseconds settle = milliseconds(400)) {
  std::vector<std::vector<Captured>> out(captures.size());
  std::size_t total = 0;
  const auto start = Clock::now();
  Clock::time_point done{};
  while (true) {
    const auto now = Clock::now();
    if (now - start > limit) break;
    if (total >= expected) {
      if (done == Clock::time_point{}) done = now;
      if (now - done > settle) break;
    }
    for (std::size_t i = 0; i < captures.size(); ++i) {
      RawPacket packet;
      const ReadStatus status = captures[i]->next(packet);
      if (status == ReadStatus::kPacket) {
        Captured c;
        c.bytes.resize(packet.data.size());
        std::copy(packet.data.begin(), packet.data.end(), c.bytes.begin());
        c.wire_len = packet.wire_len;
        c.ts = packet.ts;
        out[i].push_back(std::move(c));
        ++total;
      } else if (status == ReadStatus::kError) {
        ADD_FAILURE() << captures[i]->error();
        return out;
      }
    }
  }
  return out;
}

// Options with the fields the tests vary (designated initializers would leave some out, which
// -Wmissing-field-initializers rejects).
LiveCaptureOptions opts(std::string interface, std::string bpf, std::uint16_t fanout_group = 0) {
  LiveCaptureOptions options;
  options.interface = std::move(interface);
  options.bpf = std::move(bpf);
  options.fanout_group = fanout_group;
  return options;
}

class LiveCaptureNetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root: creates network namespaces and captures packets";
    }
    if (run("ip netns list >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "`ip netns` is unavailable (iproute2 missing or no netns support)";
    }
    static int counter = 0;
    const std::string tag = fmt::format("{}x{}", getpid(), counter++);
    sender_ns_ = "cwcap-s-" + tag;
    receiver_ns_ = "cwcap-r-" + tag;
    send_if_ = "cws" + tag;
    recv_if_ = "cwr" + tag;
    ASSERT_LT(recv_if_.size(), 16U);
    ASSERT_EQ(run("ip netns add " + sender_ns_), 0);
    created_sender_ = true;
    ASSERT_EQ(run("ip netns add " + receiver_ns_), 0);
    created_receiver_ = true;
    for (const std::string& ns : {sender_ns_, receiver_ns_}) {
      // No IPv6 (router solicitations, MLD) so the only packets are the ones tests send.
      run("ip netns exec " + ns +
          " sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; "
          "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null");
      ASSERT_EQ(run("ip -n " + ns + " link set lo up"), 0);
    }
    ASSERT_EQ(run(fmt::format("ip -n {} link add {} address 02:00:00:77:00:01 type veth peer name "
                              "{} address 02:00:00:77:00:02 netns {}",
                              sender_ns_, send_if_, recv_if_, receiver_ns_)),
              0);
    ASSERT_EQ(run(fmt::format("ip -n {} addr add {}/24 dev {}", sender_ns_, kSenderIp, send_if_)),
              0);
    ASSERT_EQ(
        run(fmt::format("ip -n {} addr add {}/24 dev {}", receiver_ns_, kReceiverIp, recv_if_)), 0);
    // Static neighbours: no ARP on the wire.
    ASSERT_EQ(run(fmt::format("ip -n {} neigh replace {} lladdr 02:00:00:77:00:02 dev {} nud "
                              "permanent",
                              sender_ns_, kReceiverIp, send_if_)),
              0);
    ASSERT_EQ(run(fmt::format("ip -n {} neigh replace {} lladdr 02:00:00:77:00:01 dev {} nud "
                              "permanent",
                              receiver_ns_, kSenderIp, recv_if_)),
              0);
    ASSERT_EQ(run(fmt::format("ip -n {} link set {} up", sender_ns_, send_if_)), 0);
    ASSERT_EQ(run(fmt::format("ip -n {} link set {} up", receiver_ns_, recv_if_)), 0);
  }

  void TearDown() override {
    captures_.clear();
    // Deleting a namespace deletes the veth pair with it.
    if (created_sender_) run("ip netns del " + sender_ns_ + " 2>/dev/null");
    if (created_receiver_) run("ip netns del " + receiver_ns_ + " 2>/dev/null");
  }

  // Opens a capture on the receiver end, inside the receiver namespace.
  LiveCapture* openReceiver(LiveCaptureOptions options) {
    if (options.interface.empty()) options.interface = recv_if_;
    ScopedNetns in(receiver_ns_);
    EXPECT_TRUE(in.entered());
    auto capture = LiveCapture::open(options);
    EXPECT_TRUE(capture.has_value()) << (capture ? "" : capture.error().message);
    if (!capture) return nullptr;
    captures_.push_back(std::move(*capture));
    return captures_.back().get();
  }

  // Sends one UDP datagram per payload from `ns`, from `src_port` to ip:dst_port.
  void sendUdp(const std::string& ns, std::uint16_t src_port, const char* ip,
               std::uint16_t dst_port, const std::vector<std::string>& payloads) {
    ScopedNetns in(ns);
    ASSERT_TRUE(in.entered());
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(src_port);
    ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)), 0);
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(dst_port);
    ASSERT_EQ(inet_pton(AF_INET, ip, &peer.sin_addr), 1);
    for (const std::string& payload : payloads) {
      ASSERT_EQ(sendto(fd, payload.data(), payload.size(), 0,
                       reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)),
                static_cast<ssize_t>(payload.size()));
    }
    ::close(fd);
  }

  void sendToReceiver(std::uint16_t src_port, std::uint16_t dst_port,
                      const std::vector<std::string>& payloads) {
    sendUdp(sender_ns_, src_port, kReceiverIp, dst_port, payloads);
  }

  bool receiverInterfaceUp() {
    ScopedNetns in(receiver_ns_);
    return in.entered() && interfaceIsUp(recv_if_);
  }

  std::string sender_ns_, receiver_ns_, send_if_, recv_if_;
  bool created_sender_ = false, created_receiver_ = false;
  std::vector<std::unique_ptr<LiveCapture>> captures_;
};

// A payload of `size` bytes that starts with a readable label.
std::string labelled(const std::string& label, std::size_t size) {
  std::string text = label;
  text.resize(std::max(size, label.size() + 1), '\0');
  return text;
}

TEST_F(LiveCaptureNetnsTest, CapturesExactPacketsBytesAndTimestamps) {
  LiveCapture* capture = openReceiver(opts("", "udp"));
  ASSERT_NE(capture, nullptr);
  EXPECT_EQ(capture->linkType(), LinkType::kEthernet);
  EXPECT_EQ(capture->interface(), recv_if_);
  std::vector<std::string> payloads;
  std::uint64_t expected_bytes = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    payloads.push_back(labelled(fmt::format("packet {}", i), 20 + i * 100));
    expected_bytes += kHeaders + payloads.back().size();
  }
  const Timestamp before = wallNow();
  sendToReceiver(40000, kPort, payloads);
  const auto got = collect({capture}, payloads.size());
  const Timestamp after = wallNow();
  ASSERT_EQ(got[0].size(), payloads.size());
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < got[0].size(); ++i) {
    const Captured& c = got[0][i];
    EXPECT_EQ(c.wire_len, kHeaders + payloads[i].size());
    EXPECT_EQ(c.bytes.size(), c.wire_len);  // snaplen 262144: nothing cut
    EXPECT_EQ(srcPort(c), 40000);
    EXPECT_EQ(dstPort(c), kPort);
    EXPECT_EQ(payloadText(c), fmt::format("packet {}", i));
    EXPECT_GE(c.ts, before);  // nanoseconds since the epoch, from the kernel
    EXPECT_LE(c.ts, after);
    bytes += c.wire_len;
  }
  EXPECT_EQ(bytes, expected_bytes);
  EXPECT_EQ(capture->packetsRead(), payloads.size());
  EXPECT_EQ(capture->wireBytesRead(), expected_bytes);
  const auto stats = capture->stats();
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->received, payloads.size());
  EXPECT_EQ(stats->dropped, 0U);
  EXPECT_EQ(stats->if_dropped, 0U);
}

TEST_F(LiveCaptureNetnsTest, SnaplenCutsTheCapturedBytesButNotWireLength) {
  LiveCapture* capture = openReceiver([] {
    LiveCaptureOptions o = opts("", "udp");
    o.snaplen = 64;
    return o;
  }());
  ASSERT_NE(capture, nullptr);
  sendToReceiver(40000, kPort, {labelled("long", 500)});
  const auto got = collect({capture}, 1);
  ASSERT_EQ(got[0].size(), 1U);
  EXPECT_EQ(got[0][0].bytes.size(), 64U);
  EXPECT_EQ(got[0][0].wire_len, kHeaders + 500);
}

TEST_F(LiveCaptureNetnsTest, BpfFilterExcludesOtherTraffic) {
  LiveCapture* capture = openReceiver(opts("", fmt::format("udp dst port {}", kPort)));
  ASSERT_NE(capture, nullptr);
  sendToReceiver(40000, kPort, {labelled("a", 30), labelled("b", 30), labelled("c", 30)});
  sendToReceiver(40001, kPort + 1, {labelled("x", 30), labelled("y", 30)});
  const auto got = collect({capture}, 3);
  ASSERT_EQ(got[0].size(), 3U);
  for (const Captured& c : got[0]) EXPECT_EQ(dstPort(c), kPort);
  const auto stats = capture->stats();
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->received, 3U);  // the kernel filter ran first
}

TEST_F(LiveCaptureNetnsTest, RingOverflowIsCountedAsDropped) {
  // A small ring that nobody reads while a burst arrives: the kernel drops what does not fit
  // and pcap_stats says how many.
  LiveCapture* capture = openReceiver([] {
    LiveCaptureOptions o = opts("", "udp");
    o.snaplen = 1500;
    o.buffer_bytes = 128 * 1024;
    return o;
  }());
  ASSERT_NE(capture, nullptr);
  constexpr std::size_t kBurst = 2000;
  std::vector<std::string> payloads(kBurst, labelled("burst", 1000));
  sendToReceiver(40000, kPort, payloads);
  const auto got = collect({capture}, kBurst, milliseconds(1500));
  const auto stats = capture->stats();
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_LT(got[0].size(), kBurst);
  EXPECT_GT(stats->dropped, 0U);
  // Linux counts dropped packets in ps_recv too: everything that passed the filter. (Not
  // asserted == kBurst: the veth's backlog may drop a few before the packet socket sees them.)
  EXPECT_LE(stats->received, kBurst);
  EXPECT_EQ(got[0].size() + stats->dropped, stats->received);
}

TEST_F(LiveCaptureNetnsTest, FanoutGroupSeesEveryPacketOnceAndKeepsFlowsTogether) {
  const LiveCaptureOptions options = opts("", "udp", 4242);
  LiveCapture* first = openReceiver(options);
  LiveCapture* second = openReceiver(options);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kFlows = 16;
  constexpr int kPerFlow = 4;
  for (int flow = 0; flow < kFlows; ++flow) {
    std::vector<std::string> payloads;
    for (int seq = 0; seq < kPerFlow; ++seq) {
      payloads.push_back(labelled(fmt::format("flow {} seq {}", flow, seq), 40));
    }
    sendToReceiver(static_cast<std::uint16_t>(41000 + flow), kPort, payloads);
    // The reply direction (sent by the receiver, captured as outgoing) hashes the same.
    sendUdp(receiver_ns_, kPort, kSenderIp, static_cast<std::uint16_t>(41000 + flow),
            {labelled(fmt::format("flow {} reply", flow), 40)});
  }
  const std::size_t expected = kFlows * (kPerFlow + 1);
  const auto got = collect({first, second}, expected);
  std::multiset<std::string> seen;
  std::map<int, std::set<std::size_t>> handles_of_flow;
  for (std::size_t handle = 0; handle < got.size(); ++handle) {
    for (const Captured& c : got[handle]) {
      seen.insert(payloadText(c));
      const int flow = (dstPort(c) == kPort ? srcPort(c) : dstPort(c)) - 41000;
      handles_of_flow[flow].insert(handle);
    }
  }
  EXPECT_EQ(got[0].size() + got[1].size(), expected);
  for (int flow = 0; flow < kFlows; ++flow) {
    for (int seq = 0; seq < kPerFlow; ++seq) {
      EXPECT_EQ(seen.count(fmt::format("flow {} seq {}", flow, seq)), 1U)
          << "flow " << flow << " seq " << seq;
    }
    EXPECT_EQ(seen.count(fmt::format("flow {} reply", flow)), 1U) << "flow " << flow << " reply";
    EXPECT_EQ(handles_of_flow[flow].size(), 1U) << "flow " << flow << " split over handles";
  }
  // 16 flows hashed over two members: all on one would happen 1 time in 32768.
  EXPECT_FALSE(got[0].empty());
  EXPECT_FALSE(got[1].empty());
}

TEST_F(LiveCaptureNetnsTest, FanoutGroupTakenWithAnotherModeIsANamedError) {
  ScopedNetns in(receiver_ns_);
  ASSERT_TRUE(in.entered());
  // Someone else holds group 77 in round-robin mode.
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
  ASSERT_GE(fd, 0);
  const int round_robin = 77 | (PACKET_FANOUT_LB << 16);
  ASSERT_EQ(setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &round_robin, sizeof(round_robin)), 0);
  auto capture = LiveCapture::open(opts(recv_if_, "", 77));
  ::close(fd);
  ASSERT_FALSE(capture.has_value());
  EXPECT_EQ(capture.error().message.rfind(
                recv_if_ + ": cannot join PACKET_FANOUT group 77: Invalid argument", 0),
            0U)
      << capture.error().message;
}

TEST_F(LiveCaptureNetnsTest, MissingInterfaceIsANamedError) {
  ScopedNetns in(receiver_ns_);
  ASSERT_TRUE(in.entered());
  const std::string missing = "cwnone" + std::to_string(getpid());
  auto capture = LiveCapture::open(opts(missing, ""));
  ASSERT_FALSE(capture.has_value());
  EXPECT_NE(capture.error().message.find(missing + ": no such device"), std::string::npos)
      << capture.error().message;
  EXPECT_FALSE(interfaceIsUp(missing));
}

TEST_F(LiveCaptureNetnsTest, WithoutCapNetRawTheErrorSaysSo) {
  // A child process enters the receiver namespace, becomes nobody (no capabilities left) and
  // tries to open the capture; it sends the error text back through a pipe.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    std::string message = "child setup failed";
    {
      ScopedNetns in(receiver_ns_);
      if (in.entered() && setresgid(65534, 65534, 65534) == 0 &&
          setresuid(65534, 65534, 65534) == 0) {
        auto capture = LiveCapture::open(opts(recv_if_, ""));
        message = capture ? "opened" : capture.error().message;
      }
      // Still in the namespace when exiting: a child that cannot switch back just ends.
      if (write(fds[1], message.data(), message.size()) < 0) _exit(2);
      _exit(0);
    }
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  ssize_t n = 0;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) {
    message.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(message.rfind(recv_if_ + ": permission denied: capturing needs CAP_NET_RAW", 0), 0U)
      << message;
}

TEST_F(LiveCaptureNetnsTest, BadFilterNamesTheFilterAndTheInterface) {
  ScopedNetns in(receiver_ns_);
  ASSERT_TRUE(in.entered());
  auto capture = LiveCapture::open(opts(recv_if_, "udp port nope"));
  ASSERT_FALSE(capture.has_value());
  EXPECT_NE(capture.error().message.find(recv_if_ + ": bad BPF filter 'udp port nope': "),
            std::string::npos)
      << capture.error().message;
}

TEST_F(LiveCaptureNetnsTest, InterfaceThatIsDownIsANamedError) {
  ASSERT_EQ(run(fmt::format("ip -n {} link set {} down", receiver_ns_, recv_if_)), 0);
  EXPECT_FALSE(receiverInterfaceUp());
  ScopedNetns in(receiver_ns_);
  auto capture = LiveCapture::open(opts(recv_if_, ""));
  ASSERT_FALSE(capture.has_value());
  EXPECT_EQ(capture.error().message, recv_if_ + ": interface is down");
}

TEST_F(LiveCaptureNetnsTest, IdleCaptureTimesOut) {
  LiveCapture* capture = openReceiver([] {
    LiveCaptureOptions o = opts("", "udp");
    o.timeout_ms = 50;
    return o;
  }());
  ASSERT_NE(capture, nullptr);
  RawPacket packet;
  const auto start = Clock::now();
  EXPECT_EQ(capture->next(packet), ReadStatus::kTimeout);
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
}

TEST_F(LiveCaptureNetnsTest, DeletedInterfaceEndsInAnErrorNotAHang) {
  LiveCapture* capture = openReceiver(opts("", "udp"));
  ASSERT_NE(capture, nullptr);
  EXPECT_TRUE(receiverInterfaceUp());
  sendToReceiver(40000, kPort, {labelled("before", 30)});
  ASSERT_EQ(collect({capture}, 1)[0].size(), 1U);
  ASSERT_EQ(run(fmt::format("ip -n {} link del {}", receiver_ns_, recv_if_)), 0);
  EXPECT_FALSE(receiverInterfaceUp());
  ReadStatus status = ReadStatus::kTimeout;
  const auto start = Clock::now();
  RawPacket packet;
  while (status != ReadStatus::kError && Clock::now() - start < milliseconds(5000)) {
    status = capture->next(packet);
  }
  ASSERT_EQ(status, ReadStatus::kError);
  // libpcap's words (1.10): "The interface disappeared".
  EXPECT_EQ(capture->error(),
            recv_if_ + ": capture failed after 1 packets: The interface disappeared");
  EXPECT_EQ(capture->next(packet), ReadStatus::kError);  // stays failed
  EXPECT_FALSE(capture->stats().has_value());
  EXPECT_EQ(capture->selectableFd(), -1);
}

TEST_F(LiveCaptureNetnsTest, InterfaceSetDownThenUpKeepsTheHandle) {
  LiveCapture* capture = openReceiver(opts("", "udp"));
  ASSERT_NE(capture, nullptr);
  ASSERT_EQ(run(fmt::format("ip -n {} link set {} down", receiver_ns_, recv_if_)), 0);
  EXPECT_FALSE(receiverInterfaceUp());
  // libpcap (1.10) treats "down" as transient while the device exists: next() keeps timing
  // out, never hangs, and the same handle sees packets again once the link is back up.
  RawPacket packet;
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    EXPECT_EQ(capture->next(packet), ReadStatus::kTimeout) << capture->error();
    EXPECT_LT(Clock::now() - start, milliseconds(1000));
  }
  ASSERT_EQ(run(fmt::format("ip -n {} link set {} up", receiver_ns_, recv_if_)), 0);
  EXPECT_TRUE(receiverInterfaceUp());
  // The flag is up at once, but the pair carries packets only once both ends have their carrier
  // back (operstate UP); under load that takes a while, and a datagram sent before is lost.
  for (const auto& [ns, ifname] : {std::pair{sender_ns_, send_if_}, {receiver_ns_, recv_if_}}) {
    ASSERT_EQ(run(fmt::format("for i in $(seq 100); do ip -n {} link show {} | grep -q 'state UP' "
                              "&& exit 0; sleep 0.05; done; exit 1",
                              ns, ifname)),
              0)
        << ifname << " in " << ns << " has no carrier 5 s after the link came up";
  }
  sendToReceiver(40000, kPort, {labelled("after up", 30)});
  const auto got = collect({capture}, 1);
  ASSERT_EQ(got[0].size(), 1U);
  EXPECT_EQ(payloadText(got[0][0]), "after up");
}

TEST_F(LiveCaptureNetnsTest, TcpreplayedCaptureArrivesComplete) {
  if (run("command -v tcpreplay >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "tcpreplay is not installed (Debian package tcpreplay)";
  }
  const std::string path =
      (std::filesystem::temp_directory_path() / fmt::format("cwcap-{}.pcap", getpid())).string();
  constexpr int kPackets = 40;
  {
    testkit::PcapWriter writer(path);
    const testkit::Mac camera = testkit::parseMac("02:00:00:77:00:10");
    const testkit::Mac gateway = testkit::parseMac("02:00:00:77:00:02");
    for (int i = 0; i < kPackets; ++i) {
      const testkit::Bytes frame = testkit::Frame()
                                       .eth(camera, gateway)
                                       .ipv4("192.168.10.21", "203.0.113.5")
                                       .udp(static_cast<std::uint16_t>(50000 + i % 4), 443)
                                       .payload(static_cast<std::size_t>(100 + i))
                                       .build();
      writer.write(static_cast<Timestamp>(i) * 1'000'000, frame);
    }
    writer.close();
  }
  LiveCapture* capture = openReceiver(opts("", "udp and host 203.0.113.5"));
  ASSERT_NE(capture, nullptr);
  const int rc = run(fmt::format("ip netns exec {} tcpreplay -q -i {} --pps=200 {} >/dev/null 2>&1",
                                 sender_ns_, send_if_, path));
  std::filesystem::remove(path);
  ASSERT_EQ(rc, 0);
  const auto got = collect({capture}, kPackets);
  ASSERT_EQ(got[0].size(), static_cast<std::size_t>(kPackets));
  for (int i = 0; i < kPackets; ++i) {
    EXPECT_EQ(got[0][static_cast<std::size_t>(i)].wire_len,
              kHeaders + 100 + static_cast<std::size_t>(i));
  }
}

// Without root or namespaces.

TEST(LiveCaptureOptionsTest, RejectsMissingInterfaceAndBadTimeout) {
  auto none = LiveCapture::open({});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message, "live capture: no interface given");
  auto zero = LiveCapture::open([] {
    LiveCaptureOptions o = opts("eth0", "");
    o.timeout_ms = 0;
    return o;
  }());
  ASSERT_FALSE(zero.has_value());
  EXPECT_EQ(zero.error().message, "eth0: read timeout must be positive (got 0 ms)");
}

TEST(InterfaceIsUpTest, UnknownOrInvalidNamesAreNotUp) {
  EXPECT_FALSE(interfaceIsUp(""));
  EXPECT_FALSE(interfaceIsUp("cwnone-such-if"));
  EXPECT_FALSE(interfaceIsUp("a-name-longer-than-ifnamsiz"));
}

TEST(ReopenDelayTest, DoublesFromTheFirstDelayUpToTheCap) {
  EXPECT_EQ(reopenDelay(0), milliseconds(250));
  EXPECT_EQ(reopenDelay(1), milliseconds(500));
  EXPECT_EQ(reopenDelay(2), milliseconds(1000));
  EXPECT_EQ(reopenDelay(6), milliseconds(16000));
  EXPECT_EQ(reopenDelay(7), milliseconds(30000));
  EXPECT_EQ(reopenDelay(1000), milliseconds(30000));
  const ReopenSchedule fast{milliseconds(10), milliseconds(35)};
  EXPECT_EQ(reopenDelay(0, fast), milliseconds(10));
  EXPECT_EQ(reopenDelay(1, fast), milliseconds(20));
  EXPECT_EQ(reopenDelay(2, fast), milliseconds(35));
  EXPECT_EQ(reopenDelay(0xffffffffU, fast), milliseconds(35));
}

}  // namespace
}  // namespace camwatch
