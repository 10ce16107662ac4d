// The live driver (pipeline/live_worker.h) on a scripted packet source: what it stages and
// counts, that it ends every flow and says it is done when stopped, and that a failed source is
// reopened with backoff and reported. The real handle is tested in LiveCaptureNetnsTest.
#include "pipeline/live_worker.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dpi/ndpi_classifier.h"
#include "mocks/fake_packet_source.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using mocks::FakePacketSource;
using mocks::FakeRead;
using mocks::FakeSourceOpener;
using mocks::RecordingCaptureEvents;
using testkit::Frame;
using testkit::parseMac;

// Packets carry the wall clock's time, as the kernel stamps them: an idle live worker moves its
// clock to the wall clock (minus 500 ms), so older packets' flows would end at once.
const Timestamp kStart = wallClockNow();

std::vector<std::uint8_t> udpFrame(std::uint16_t source_port) {
  return Frame()
      .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
      .ipv4("192.168.10.21", "47.254.33.45")
      .udp(source_port, 9000)
      .payload(60)
      .build();
}

std::vector<std::uint8_t> arpFrame() {
  testkit::ArpSpec arp;
  arp.sender_mac = parseMac("00:11:22:33:44:55");
  arp.sender_ip = "192.168.10.21";
  arp.target_ip = "192.168.10.1";
  return Frame().eth(parseMac("00:11:22:33:44:55"), parseMac("ff:ff:ff:ff:ff:ff")).arp(arp).build();
}

std::deque<FakeRead> packets(int count, std::uint16_t source_port, Timestamp from) {
  std::deque<FakeRead> script;
  for (int i = 0; i < count; ++i) {
    script.push_back(
        FakeRead{ReadStatus::kPacket, udpFrame(source_port), from + i * 1'000'000, ""});
  }
  return script;
}

// One live worker on a fake source, run on its own thread until stop().
class LiveWorkerTest : public ::testing::Test {
 protected:
  void start(PacketSourcePtr first) {
    auto classifier = NdpiClassifier::create(DpiConfig{});
    ASSERT_TRUE(classifier.has_value()) << classifier.error().message;
    WorkerSetup setup;
    setup.capture.interface = "cam0";
    worker_ = std::make_unique<LiveWorker>(setup, std::move(first), opener_, FlowWorkerOptions{},
                                           std::move(*classifier), dns_, shared_, stop_, events_);
    thread_ = std::thread([this] { worker_->run(); });
  }

  // Waits (at most 10 s) until the worker has read `count` packets and published them.
  bool waitForPackets(std::uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (worker_->counters().packets.load() >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  void TearDown() override { stop(); }

  FakeSourceOpener opener_;
  RecordingCaptureEvents events_;
  DnsCache dns_{DnsCacheConfig{}};
  SharedJudgement shared_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<LiveWorker> worker_;
  std::thread thread_;
};

TEST_F(LiveWorkerTest, StagesEveryFrameAndEndsEveryFlowWhenStopped) {
  std::deque<FakeRead> script = packets(5, 40000, kStart);
  script.push_back(FakeRead{ReadStatus::kPacket, arpFrame(), kStart + 10'000'000, ""});
  for (FakeRead& read : packets(3, 40001, kStart + 20'000'000)) script.push_back(std::move(read));
  // A frame cut inside its IPv4 header (malformed) and the last fragment of a datagram whose
  // first fragment never came: read, counted, in no flow.
  std::vector<std::uint8_t> cut = udpFrame(40002);
  cut.resize(14 + 10);
  script.push_back(FakeRead{ReadStatus::kPacket, cut, kStart + 30'000'000, ""});
  testkit::Ipv4Options fragmented;
  fragmented.id = 0x4242;
  const auto fragments = Frame()
                             .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                             .ipv4("192.168.10.21", "47.254.33.45", fragmented)
                             .udp(40003, 9000)
                             .payload(100)
                             .buildFragments(64);
  ASSERT_GE(fragments.size(), 2U);
  script.push_back(FakeRead{ReadStatus::kPacket, fragments.back(), kStart + 31'000'000, ""});
  start(std::make_unique<FakePacketSource>(std::move(script)));
  ASSERT_TRUE(waitForPackets(11));
  stop();

  const WorkerCountersSnapshot counted = worker_->counters().snapshot();
  EXPECT_EQ(counted.packets, 11U);
  EXPECT_EQ(counted.ip_packets, 8U);
  EXPECT_EQ(counted.non_ip_packets, 1U);
  EXPECT_EQ(counted.fragments_unmatched, 1U);
  std::uint64_t malformed = 0;
  for (const std::uint64_t count : counted.anomalies) malformed += count;
  EXPECT_EQ(malformed, 1U);
  EXPECT_EQ(counted.flows_created, 2U);
  EXPECT_EQ(counted.flows_ended, 2U);  // the stop ends every flow
  EXPECT_EQ(worker_->packetCounters().non_ip_by_ethertype.at(0x0806), 1U);
  std::deque<Handover> handovers = worker_->mailbox().takeAll();
  ASSERT_FALSE(handovers.empty());
  EXPECT_TRUE(handovers.back().done);
  for (std::size_t i = 0; i + 1 < handovers.size(); ++i) EXPECT_FALSE(handovers[i].done);
  EXPECT_TRUE(events_.lines().empty());
  EXPECT_EQ(opener_.attempts(), 0);
}

TEST_F(LiveWorkerTest, AFailedSourceIsReopenedWithBackoffAndEachStepIsReported) {
  std::deque<FakeRead> first = packets(2, 40000, kStart);
  first.push_back(FakeRead{ReadStatus::kError, {}, 0, "cam0: The interface disappeared"});
  opener_.addFailure("cam0: no such device");
  opener_.add(std::make_unique<FakePacketSource>(packets(3, 40000, kStart + kNanosPerSecond)));
  start(std::make_unique<FakePacketSource>(std::move(first)));
  ASSERT_TRUE(waitForPackets(5)) << "packets after the reopen were not read";
  stop();

  EXPECT_EQ(opener_.attempts(), 2);
  EXPECT_EQ(events_.lines(),
            (std::vector<std::string>{"failed cam0 0: cam0: The interface disappeared",
                                      "reopen failed cam0 0: cam0: no such device",
                                      "reopened cam0 0 after 2"}));
  // Counters go on across handles: one flow, all five packets.
  const WorkerCountersSnapshot counted = worker_->counters().snapshot();
  EXPECT_EQ(counted.packets, 5U);
  EXPECT_EQ(counted.flows_created, 1U);
}

TEST_F(LiveWorkerTest, TheFirstWorkerOfAnInterfaceSaysWhenItsLinkIsDown) {
  opener_.link_up.store(false);
  start(std::make_unique<FakePacketSource>(std::deque<FakeRead>{}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (events_.lines().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
  EXPECT_EQ(events_.lines(), (std::vector<std::string>{"link cam0 down"}));
}

}  // namespace
}  // namespace camwatch
