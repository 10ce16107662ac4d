// LiveWorker: `camwatch run`'s driver of one WorkerShell. It reads its own capture handle (one
// member of a PACKET_FANOUT group), stages each frame itself (PacketStage, learning DNS answers
// into the shared cache), and about every 100 ms ticks the shell, picks up a reloaded judgement,
// publishes its counters and hands over to the control thread. A failed handle is reopened with
// backoff. Replay's driver is in pipeline/replay_pipeline.cc. One thread per worker.
#pragma once

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <camwatch/capture.h>
#include <camwatch/classifier.h>
#include <camwatch/dns.h>
#include <camwatch/metrics.h>

#include "pipeline/flow_worker.h"
#include "pipeline/packet_stage.h"
#include "pipeline/worker_shell.h"

namespace camwatch {

/// How often a live worker does its housekeeping; also its capture handle's read timeout.
inline constexpr std::chrono::milliseconds kHousekeepingPeriod{100};
/// When its ring is empty a worker's packet time follows the wall clock, this far behind: a
/// packet the kernel stamped earlier than that would have been in a block the ring retired
/// (capture timeout 100 ms) and read already.
inline constexpr Timestamp kIdleLag = 500 * kNanosPerSecond / 1000;
/// How often worker 0 of an interface checks its link while idle.
inline constexpr std::chrono::seconds kLinkCheckPeriod{5};

inline Timestamp wallClockNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<Timestamp>(now.tv_sec) * kNanosPerSecond + now.tv_nsec;
}

/// What a live worker has to tell the operator about its capture handle. `camwatch run` logs it
/// (runtime/); tests can count it. Called on the worker's thread.
class CaptureEvents {
 public:
  virtual ~CaptureEvents() = default;
  /// The handle failed: it is closed and reopened with backoff.
  virtual void captureFailed(const std::string& interface, unsigned worker,
                             const std::string& error) = 0;
  /// A reopen failed; called again only when the error changes.
  virtual void reopenFailed(const std::string& interface, unsigned worker,
                            const std::string& error) = 0;
  virtual void reopened(const std::string& interface, unsigned worker, std::uint32_t attempts) = 0;
  /// The link went down (a handle on it sees only timeouts) or came back.
  virtual void linkChanged(const std::string& interface, bool up) = 0;
};

// What workers judge flows by; a reload replaces it and bumps the generation. Workers look at
// the generation once per housekeeping round and copy the judgement only when it changed.
struct SharedJudgement {
  std::mutex mutex;
  FlowJudgement judgement;
  std::atomic<std::uint64_t> generation{0};
};

struct WorkerSetup {
  unsigned index = 0;
  unsigned slot = 0;  ///< index among the workers of its interface
  LiveCaptureOptions capture;
};

class LiveWorker {
 public:
  /// `capture`: the source opened at start (null: open it through `opener` first).
  LiveWorker(WorkerSetup setup, PacketSourcePtr capture, PacketSourceOpener& opener,
             const FlowWorkerOptions& flow_options, std::unique_ptr<Classifier> classifier,
             DnsCache& dns, SharedJudgement& shared, const std::atomic<bool>& stop,
             CaptureEvents& events)
      : setup_(std::move(setup)),
        capture_(std::move(capture)),
        opener_(opener),
        shell_(flow_options, std::move(classifier), dns),
        stage_(&dns),
        shared_(shared),
        stop_(stop),
        events_(events) {
    generation_ = shared_.generation.load();
  }

  CaptureStats capture_stats;
  std::atomic<std::uint64_t> heartbeat{0};

  /// The worker's counters (any thread) and its handovers, one per housekeeping round.
  WorkerCounters& counters() { return shell_.counters(); }
  Mailbox& mailbox() { return shell_.mailbox(); }
  const std::string& interface() const { return setup_.capture.interface; }
  unsigned index() const { return setup_.index; }
  /// What the worker staged; read by other threads only after it stopped.
  const PacketCounters& packetCounters() const { return stage_.counters(); }

  void run() {
    RawPacket raw;
    std::uint32_t since_check = 0;
    last_housekeeping_ = std::chrono::steady_clock::now();
    while (!stop_.load(std::memory_order_relaxed)) {
      bool idle = true;
      if (capture_) {
        // The clock is read around a wait only when the last call did not bring a packet: a busy
        // worker reads it once per 256 packets, an idle one's waits are what idle time is.
        const bool timed = since_check == 0;
        const std::chrono::steady_clock::time_point before =
            timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
        const ReadStatus status = capture_->next(raw);
        if (status == ReadStatus::kPacket) {
          onPacket(raw);
          if (++since_check < 256) continue;
          idle = false;
        } else if (status == ReadStatus::kError) {
          onCaptureError();
        } else if (timed) {
          shell_.addIdle(
              static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::steady_clock::now() - before)
                                             .count()));
        }
      } else {
        waitAndReopen();
      }
      since_check = 0;
      housekeeping(idle, false);
    }
    housekeeping(true, true);
  }

 private:
  void onPacket(const RawPacket& raw) {
    if (raw.ts > clock_) clock_ = raw.ts;
    if (!stage_.stage(raw, staged_)) return;
    shell_.onPacket(staged_, raw.data);
  }

  void onCaptureError() {
    events_.captureFailed(interface(), setup_.index, capture_->error());
    publishCaptureStats();
    capture_.reset();
    reopen_attempt_ = 0;
    next_reopen_ = std::chrono::steady_clock::now() + reopenDelay(0);
  }

  // Without a handle: sleep (at most one housekeeping period), then try to open it again.
  void waitAndReopen() {
    const std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
    if (now < next_reopen_) {
      const auto wait =
          std::min<std::chrono::steady_clock::duration>(next_reopen_ - now, kHousekeepingPeriod);
      std::this_thread::sleep_for(wait);
      shell_.addIdle(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count()));
      return;
    }
    auto opened = opener_.open(setup_.capture);
    if (!opened) {
      if (opened.error().message != last_open_error_) {
        events_.reopenFailed(interface(), setup_.index, opened.error().message);
        last_open_error_ = opened.error().message;
      }
      next_reopen_ = now + reopenDelay(++reopen_attempt_);
      return;
    }
    capture_ = std::move(*opened);
    capture_stats.resetPcapBaseline();
    last_open_error_.clear();
    events_.reopened(interface(), setup_.index, reopen_attempt_ + 1);
  }

  void publishCaptureStats() {
    if (!capture_) return;
    auto stats = capture_->stats();
    if (!stats) return;
    // The source widened them already; CaptureStats takes libpcap's 32-bit view and keeps
    // the running total across reopened handles.
    capture_stats.updateFromPcap(static_cast<std::uint32_t>(stats->received),
                                 static_cast<std::uint32_t>(stats->dropped),
                                 static_cast<std::uint32_t>(stats->if_dropped));
  }

  // About every 100 ms: ticks, reloads, counters, the handover. `final`: the last one, which ends
  // every flow.
  void housekeeping(bool idle, bool final) {
    const std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now();
    if (!final && now - last_housekeeping_ < kHousekeepingPeriod) return;
    last_housekeeping_ = now;
    heartbeat.store(heartbeat.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    const Timestamp wall = wallClockNow();
    if (idle || final) clock_ = std::max(clock_, final ? wall : wall - kIdleLag);

    const std::uint64_t generation = shared_.generation.load(std::memory_order_acquire);
    if (generation != generation_) {
      FlowJudgement judgement;
      {
        const std::lock_guard lock(shared_.mutex);
        judgement = shared_.judgement;
      }
      shell_.setJudgement(judgement, clock_);
      generation_ = generation;
    }
    if (final) {
      shell_.finish(clock_);
    } else if (clock_ >= next_tick_) {
      shell_.tick(clock_);
      next_tick_ = clock_ + kNanosPerSecond;
    }
    if (!final && idle && capture_ && setup_.slot == 0) checkLink(now);

    publishPacketCounters(stage_.counters(), shell_.counters());
    shell_.publish();
    publishCaptureStats();

    shell_.handOver(clock_, final);
  }

  // A link set down keeps its handle (libpcap sees only timeouts): say so once, and once when
  // it is back.
  void checkLink(std::chrono::steady_clock::time_point now) {
    if (now < next_link_check_) return;
    next_link_check_ = now + kLinkCheckPeriod;
    const bool up = opener_.linkUp(interface());
    if (up == link_up_) return;
    link_up_ = up;
    events_.linkChanged(interface(), up);
  }

  WorkerSetup setup_;
  PacketSourcePtr capture_;
  PacketSourceOpener& opener_;
  WorkerShell shell_;
  PacketStage stage_;
  StagedPacket staged_;
  SharedJudgement& shared_;
  const std::atomic<bool>& stop_;
  CaptureEvents& events_;
  std::uint64_t generation_ = 0;
  Timestamp clock_ = 0;
  Timestamp next_tick_ = 0;
  std::chrono::steady_clock::time_point last_housekeeping_;
  std::chrono::steady_clock::time_point next_reopen_;
  std::uint32_t reopen_attempt_ = 0;
  std::string last_open_error_;
  std::chrono::steady_clock::time_point next_link_check_;
  bool link_up_ = true;
};

}  // namespace camwatch
