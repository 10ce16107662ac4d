#include "app/replay_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "app/spsc_ring.h"

namespace camwatch {
namespace {

enum class MessageKind : std::uint32_t { kPacket, kTick, kEnd };

// What the reader sends a worker. For kPacket the captured bytes follow it in the record.
struct WorkerMessage {
  MessageKind kind;
  bool src_is_a;
  std::uint64_t hash;
  Timestamp ts;
  DecodedPacket packet;
  FlowKey key;
};

// Waiting on an empty or full ring: spin briefly, then yield, then sleep, so an idle worker costs
// nothing while a busy one never sleeps.
class Backoff {
 public:
  void wait() {
    if (++spins_ < 64) return;
    if (spins_ < 128) {
      std::this_thread::yield();
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  void reset() { spins_ = 0; }

 private:
  unsigned spins_ = 0;
};

class FlowCollector : public FlowEndHandler {
 public:
  // camwatch::FlowEndHandler
  void onFlowEnd(const FlowRecord& flow) override { flows.push_back(flow); }
  std::vector<FlowRecord> flows;
};

// One worker: owns its ring's consumer side, its flow table and what it produced.
class ReplayWorker {
 public:
  explicit ReplayWorker(const ReplayOptions& options)
      : ring_(options.ring_bytes), table_(options.flows, collector_) {}

  SpscByteRing& ring() { return ring_; }

  void run() {
    Backoff backoff;
    while (true) {
      const std::span<const std::uint8_t> record = ring_.beginRead();
      if (record.empty()) {
        backoff.wait();
        continue;
      }
      backoff.reset();
      WorkerMessage message;
      std::memcpy(&message, record.data(), sizeof(message));
      bool done = false;
      switch (message.kind) {
        case MessageKind::kPacket:
          table_.onPacket(message.packet, message.key, message.src_is_a, message.hash);
          break;
        case MessageKind::kTick:
          table_.expire(message.ts);
          break;
        case MessageKind::kEnd:
          table_.flushAll(message.ts);
          done = true;
          break;
      }
      ring_.commitRead();
      if (done) return;
    }
  }

  std::vector<FlowRecord>& flows() { return collector_.flows; }
  const FlowTableStats& stats() const { return table_.stats(); }

 private:
  SpscByteRing ring_;
  FlowCollector collector_;
  FlowTable table_;
};

void send(ReplayWorker& worker, const WorkerMessage& message,
          std::span<const std::uint8_t> payload) {
  Backoff backoff;
  std::span<std::uint8_t> slot;
  while ((slot = worker.ring().beginWrite(sizeof(message) + payload.size())).empty()) {
    backoff.wait();
  }
  std::memcpy(slot.data(), &message, sizeof(message));
  if (!payload.empty()) std::memcpy(slot.data() + sizeof(message), payload.data(), payload.size());
  worker.ring().commitWrite();
}

void broadcast(std::vector<std::unique_ptr<ReplayWorker>>& workers, MessageKind kind,
               Timestamp ts) {
  WorkerMessage message{};
  message.kind = kind;
  message.ts = ts;
  for (auto& worker : workers) send(*worker, message, {});
}

}  // namespace

bool flowRecordLess(const FlowRecord& a, const FlowRecord& b) {
  if (a.first_seen != b.first_seen) return a.first_seen < b.first_seen;
  const int order = std::memcmp(&a.key, &b.key, sizeof(FlowKey));
  if (order != 0) return order < 0;
  return a.last_seen < b.last_seen;
}

Result<ReplayResult> runReplay(const ReplayOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  auto reader = MergedCaptureReader::open(options.captures);
  if (!reader) return tl::unexpected(reader.error());

  const unsigned worker_count = std::max(1U, options.workers);
  // The flow cap is for the whole sensor: each worker gets its share.
  ReplayOptions worker_options = options;
  worker_options.flows.max_flows = (options.flows.max_flows + worker_count - 1) / worker_count;
  std::vector<std::unique_ptr<ReplayWorker>> workers;
  for (unsigned i = 0; i < worker_count; ++i) {
    workers.push_back(std::make_unique<ReplayWorker>(worker_options));
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->run(); });

  ReplayResult result;
  result.workers = worker_count;
  DecodeCounters& counters = result.decode;
  FragmentTracker fragments;
  RawPacket raw;
  WorkerMessage message{};
  message.kind = MessageKind::kPacket;
  Timestamp next_tick = 0;
  bool first = true;
  // Packets too large for a ring record (over half the ring) go through with their headers only;
  // only later payload inspection could miss anything, and such frames do not exist on Ethernet.
  const std::size_t max_payload = workers.front()->ring().maxRecordSize() - sizeof(WorkerMessage);

  while ((*reader)->next(raw)) {
    ++counters.packets;
    counters.wire_bytes += std::max<std::uint64_t>(raw.wire_len, raw.data.size());
    if (first) {
      result.first_ts = raw.ts;
      next_tick = raw.ts + kNanosPerSecond;
      first = false;
    }
    if (raw.ts > result.last_ts) result.last_ts = raw.ts;
    if (raw.ts >= next_tick) {
      broadcast(workers, MessageKind::kTick, raw.ts);
      next_tick = raw.ts + kNanosPerSecond;
    }

    DecodedPacket& packet = message.packet;
    if (!decodePacket(raw, packet)) {
      if (packet.anomaly != Anomaly::kNone) {
        ++counters.anomalies[static_cast<std::size_t>(packet.anomaly)];
      } else {
        ++counters.non_ip_by_ethertype[packet.ethertype];
      }
      continue;
    }
    if (!fragments.resolve(packet)) {
      ++counters.fragments_unmatched;
      continue;
    }
    ++counters.ip_packets;
    message.key = makeFlowKey(packet, message.src_is_a);
    message.hash = hashFlowKey(message.key);
    message.ts = raw.ts;
    // The high bits pick the worker; the table uses the low bits, so the two stay independent.
    const auto worker = static_cast<std::size_t>(((message.hash >> 32U) * worker_count) >> 32U);
    send(*workers[worker], message, raw.data.first(std::min(raw.data.size(), max_payload)));
  }
  broadcast(workers, MessageKind::kEnd, result.last_ts);
  for (auto& thread : threads) thread.join();

  result.files = (*reader)->stats();
  result.errors = (*reader)->errors();
  for (auto& worker : workers) {
    auto& flows = worker->flows();
    result.flows.insert(result.flows.end(), flows.begin(), flows.end());
    const FlowTableStats& stats = worker->stats();
    result.flow_stats.created += stats.created;
    result.flow_stats.ended += stats.ended;
    result.flow_stats.evicted += stats.evicted;
    result.flow_stats.active_timeouts += stats.active_timeouts;
  }
  std::sort(result.flows.begin(), result.flows.end(), flowRecordLess);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace camwatch
