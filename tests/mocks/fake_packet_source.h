// Fakes for a live worker's packet source (PacketSource, PacketSourceOpener in
// include/camwatch/capture.h) and its capture log (CaptureEvents): scripted packets, timeouts
// and failures, so the live driver is tested without a network namespace.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <camwatch/capture.h>

#include "pipeline/live_worker.h"

namespace camwatch::mocks {

/// One step of a FakePacketSource's script.
struct FakeRead {
  ReadStatus status = ReadStatus::kPacket;
  std::vector<std::uint8_t> frame;  ///< kPacket: an Ethernet frame
  Timestamp ts = 0;
  std::string error;  ///< kError: what error() then says
};

/// Plays its script, then times out (after 1 ms, like an idle handle, only shorter). After a
/// kError every call fails, as a closed libpcap handle does.
class FakePacketSource final : public PacketSource {
 public:
  explicit FakePacketSource(std::deque<FakeRead> script) : script_(std::move(script)) {}

  ReadStatus next(RawPacket& packet) override {
    if (!error_.empty()) return ReadStatus::kError;
    if (script_.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return ReadStatus::kTimeout;
    }
    current_ = std::move(script_.front());
    script_.pop_front();
    if (current_.status == ReadStatus::kError) {
      error_ = current_.error;
      return ReadStatus::kError;
    }
    if (current_.status != ReadStatus::kPacket) return current_.status;
    packet.ts = current_.ts;
    packet.link = LinkType::kEthernet;
    packet.data = std::span<const std::uint8_t>(current_.frame.data(), current_.frame.size());
    packet.wire_len = static_cast<std::uint32_t>(current_.frame.size());
    ++handed_out_;
    return ReadStatus::kPacket;
  }

  Result<PcapCounters> stats() override {
    if (!error_.empty()) return makeError(error_);
    PcapCounters counters;
    counters.received = handed_out_;
    return counters;
  }

  const std::string& error() const override { return error_; }

 private:
  std::deque<FakeRead> script_;
  FakeRead current_;
  std::string error_;
  std::uint64_t handed_out_ = 0;
};

/// Hands out the sources (or errors) it was given, in order; with none left, fails.
class FakeSourceOpener final : public PacketSourceOpener {
 public:
  void add(PacketSourcePtr source) {
    const std::lock_guard lock(mutex_);
    opens_.emplace_back(std::move(source));
  }
  void addFailure(std::string error) {
    const std::lock_guard lock(mutex_);
    opens_.emplace_back(tl::unexpected(Error{std::move(error)}));
  }

  Result<PacketSourcePtr> open(const LiveCaptureOptions& options) override {
    const std::lock_guard lock(mutex_);
    ++attempts_;
    if (opens_.empty()) return makeError(options.interface + ": nothing more to open");
    Result<PacketSourcePtr> next = std::move(opens_.front());
    opens_.pop_front();
    return next;
  }
  bool linkUp(const std::string&) override { return link_up.load(); }

  int attempts() const {
    const std::lock_guard lock(mutex_);
    return attempts_;
  }

  std::atomic<bool> link_up{true};

 private:
  mutable std::mutex mutex_;
  std::deque<Result<PacketSourcePtr>> opens_;
  int attempts_ = 0;
};

/// Writes down what the worker reported, one line each ("failed cam0 0: ...").
class RecordingCaptureEvents final : public CaptureEvents {
 public:
  void captureFailed(const std::string& interface, unsigned worker,
                     const std::string& error) override {
    record("failed " + interface + " " + std::to_string(worker) + ": " + error);
  }
  void reopenFailed(const std::string& interface, unsigned worker,
                    const std::string& error) override {
    record("reopen failed " + interface + " " + std::to_string(worker) + ": " + error);
  }
  void reopened(const std::string& interface, unsigned worker, std::uint32_t attempts) override {
    record("reopened " + interface + " " + std::to_string(worker) + " after " +
           std::to_string(attempts));
  }
  void linkChanged(const std::string& interface, bool up) override {
    record("link " + interface + (up ? " up" : " down"));
  }

  std::vector<std::string> lines() const {
    const std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  void record(std::string line) {
    const std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }

  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace camwatch::mocks
