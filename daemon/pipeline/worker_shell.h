// pipeline/: the stages between the capture and the alert engine: the packet stage, the worker
// shell, the two drivers (live, replay), the rings, the handover and the event merger.
//
// WorkerShell: one worker's share of the pipeline, the same for `run` and `replay`: the flow
// table, DPI, enrichment and judgement (FlowWorker), the worker's counters and load, and its
// handover to the control side. Only the driver around it differs: live, a capture handle with
// its own PacketStage; replay, a ring filled by the reading thread. Worker thread, except where
// a method says otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include <camwatch/classifier.h>
#include <camwatch/dns.h>
#include <camwatch/metrics.h>

#include "pipeline/flow_worker.h"
#include "pipeline/handover.h"
#include "pipeline/packet_stage.h"

namespace camwatch {

class WorkerShell {
 public:
  WorkerShell(const FlowWorkerOptions& options, std::unique_ptr<Classifier> classifier,
              const DnsCache& dns_cache)
      : flow_(options, std::move(classifier), dns_cache),
        started_(std::chrono::steady_clock::now()) {}

  void onPacket(const StagedPacket& staged, std::span<const std::uint8_t> frame) {
    flow_.onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, frame);
  }
  void tick(Timestamp now) { flow_.tick(now); }
  void finish(Timestamp now) { flow_.finish(now); }
  void finishStartedBefore(Timestamp now, Timestamp before) {
    flow_.finishStartedBefore(now, before);
  }
  void setJudgement(const FlowJudgement& judgement, Timestamp now) {
    flow_.setJudgement(judgement, now);
  }

  /// Time the worker waited for packets (its load is the rest of the time since it started).
  void addIdle(std::uint64_t nanoseconds) { idle_ns_ += nanoseconds; }

  /// Publishes the flow table's, GeoIP's and DPI's counts and the worker's busy and idle time to
  /// counters(). The packet counts come from whoever staged the packets (publishPacketCounters,
  /// fillPacketCounts).
  void publish();

  /// Hands what the worker produced since the last handover to the control side; `clock`: every
  /// event up to it is handed over; `done`: the worker ended every flow and stops.
  /// The worker goes on with the space of a handover the control side gave back, if any.
  void handOver(Timestamp clock, bool done) {
    mailbox_.post(takeHandover(flow_, clock, done, mailbox_.spare()));
  }

  /// Written by the worker, read by the metrics thread. Any thread.
  WorkerCounters& counters() { return counters_; }
  const WorkerCounters& counters() const { return counters_; }
  /// Any thread.
  Mailbox& mailbox() { return mailbox_; }
  /// After the worker stopped, or on its thread.
  FlowWorker& flow() { return flow_; }

 private:
  FlowWorker flow_;
  WorkerCounters counters_;
  Mailbox mailbox_;
  std::chrono::steady_clock::time_point started_;
  std::uint64_t idle_ns_ = 0;
};

}  // namespace camwatch
