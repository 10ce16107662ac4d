#include "pipeline/replay_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "dpi/ndpi_classifier.h"
#include "pipeline/event_merger.h"
#include "pipeline/flow_worker.h"
#include "pipeline/handover.h"
#include "pipeline/packet_stage.h"
#include "pipeline/spsc_ring.h"
#include "pipeline/worker_shell.h"

namespace camwatch {
namespace {

enum class MessageKind : std::uint32_t { kPacket, kTick, kBatch, kEndBefore, kEnd };

// What the reader sends a worker. For kPacket the captured bytes follow it in the record.
struct WorkerMessage {
  MessageKind kind;
  Timestamp ts;
  Timestamp before;  // kEndBefore: flows that started before it end
  StagedPacket staged;
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

// Replay's driver of one WorkerShell: the consumer side of its ring, whose records the reading
// thread staged (so the packet counts are the reader's: fillPacketCounts()); hands what the shell
// produced back batch by batch.
class ReplayWorker {
 public:
  ReplayWorker(const ReplayOptions& options, std::unique_ptr<Classifier> classifier,
               const DnsCache& dns_cache)
      : ring_(options.ring_bytes),
        shell_(workerOptions(options), std::move(classifier), dns_cache) {}

  SpscByteRing& ring() { return ring_; }
  FlowWorker& flow() { return shell_.flow(); }
  /// One handover per batch mark, in input order. Any thread.
  Mailbox& mailbox() { return shell_.mailbox(); }

  void run() {
    using Clock = std::chrono::steady_clock;
    Backoff backoff;
    while (true) {
      const std::span<const std::uint8_t> record = ring_.beginRead();
      if (record.empty()) {
        // Waiting is the idle time of the worker load metric; the clock is read only here.
        const auto waiting = Clock::now();
        backoff.wait();
        shell_.addIdle(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - waiting).count()));
        continue;
      }
      backoff.reset();
      WorkerMessage message;
      std::memcpy(&message, record.data(), sizeof(message));
      bool done = false;
      switch (message.kind) {
        case MessageKind::kPacket:
          shell_.onPacket(message.staged, record.subspan(sizeof(WorkerMessage)));
          break;
        case MessageKind::kTick:
          shell_.tick(message.ts);
          shell_.publish();
          closeBatch();
          break;
        case MessageKind::kBatch:
          closeBatch();
          break;
        case MessageKind::kEndBefore:
          shell_.finishStartedBefore(message.ts, message.before);
          closeBatch();
          break;
        case MessageKind::kEnd:
          shell_.finish(message.ts);
          shell_.publish();
          closeBatch();
          done = true;
          break;
      }
      ring_.commitRead();
      if (done) return;
    }
  }

  /// What the worker published at its last tick. Any thread.
  WorkerCountersSnapshot published() const { return shell_.counters().snapshot(); }

  /// What this worker did, as the metrics count it (after run() returned).
  WorkerCountersSnapshot counters() const {
    WorkerCountersSnapshot out = shell_.counters().snapshot();
    out.flows_active = 0;  // every flow ended at the end of the input
    return out;
  }

 private:
  static FlowWorkerOptions workerOptions(const ReplayOptions& options) {
    FlowWorkerOptions out;
    out.flows = options.flows;
    out.judgement.policy = options.policy;
    out.judgement.inventory = options.inventory;
    out.judgement.geo = options.geo;
    out.judgement.geo_cache_size = options.geo_cache_size;
    out.judgement.sensor_name = options.sensor_name;
    out.judgement.report_default_allows = options.report_default_allows;
    out.max_cameras = options.max_cameras;
    out.keep_flows = true;
    out.summarize_egress = static_cast<bool>(options.on_progress);
    return out;
  }

  // Hands over what this worker produced since the last batch mark. Worker thread.
  void closeBatch() { shell_.handOver(0, false); }

  SpscByteRing ring_;
  WorkerShell shell_;
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

void broadcast(std::vector<std::unique_ptr<ReplayWorker>>& workers, MessageKind kind, Timestamp ts,
               Timestamp before = 0) {
  WorkerMessage message{};
  message.kind = kind;
  message.ts = ts;
  message.before = before;
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
  auto reader = MergedCaptureReader::open(options.captures, options.bpf);
  if (!reader) return tl::unexpected(reader.error());

  const unsigned worker_count = std::max(1U, options.workers);
  // The flow cap is for the whole sensor: each worker gets its share.
  ReplayOptions worker_options = options;
  worker_options.flows.max_flows = (options.flows.max_flows + worker_count - 1) / worker_count;
  DnsCache dns_cache(options.dns);
  std::vector<std::unique_ptr<ReplayWorker>> workers;
  for (unsigned i = 0; i < worker_count; ++i) {
    // nDPI modules are created one after another, before any thread starts.
    auto classifier = NdpiClassifier::create(options.dpi);
    if (!classifier) return tl::unexpected(classifier.error());
    workers.push_back(
        std::make_unique<ReplayWorker>(worker_options, std::move(*classifier), dns_cache));
  }
  // The reading thread's own module, only to name protocols in what it hands on.
  auto namer = NdpiClassifier::create(options.dpi);
  if (!namer) return tl::unexpected(namer.error());
  std::shared_ptr<const NdpiClassifier> naming = std::move(*namer);
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->run(); });

  ReplayResult result;
  result.workers = worker_count;
  // Merges every batch all workers have closed, in batch order (see replay_pipeline.h).
  std::vector<const FlowRecord*> order;
  std::vector<CameraEvent> events;
  std::vector<Handover> round(workers.size());
  // Egress summaries the rounds brought, until the next progress report (or the result) has them.
  std::vector<EgressFlowSummary> egress;
  // With `wait`, until every batch asked for so far was merged.
  std::uint64_t batches_asked = 0;
  std::uint64_t batches_merged = 0;
  std::optional<EventMerger> merger;
  if (options.alert_engine != nullptr) {
    merger.emplace(*options.alert_engine, [&](std::vector<Alert> notifications) {
      if (options.on_alerts) options.on_alerts(notifications);
      result.alerts.insert(result.alerts.end(), std::make_move_iterator(notifications.begin()),
                           std::make_move_iterator(notifications.end()));
    });
  }
  const auto merge_batches = [&](bool wait) {
    Backoff backoff;
    while (true) {
      if (!std::all_of(workers.begin(), workers.end(),
                       [](const auto& worker) { return worker->mailbox().hasHandover(); })) {
        if (!wait || batches_merged == batches_asked) return;
        backoff.wait();
        continue;
      }
      backoff.reset();
      ++batches_merged;
      order.clear();
      for (std::size_t i = 0; i < workers.size(); ++i) {
        round[i] = workers[i]->mailbox().takeOldest();
        for (const FlowRecord& flow : round[i].records) order.push_back(&flow);
        for (CameraEvent& event : round[i].events) events.push_back(std::move(event));
        for (EgressFlowSummary& summary : round[i].egress) egress.push_back(std::move(summary));
      }
      std::sort(order.begin(), order.end(),
                [](const FlowRecord* a, const FlowRecord* b) { return flowRecordLess(*a, *b); });
      if (options.flow_output != nullptr) {
        for (const FlowRecord* flow : order) options.flow_output->flowEnded(*flow, *naming);
      }
      if (merger) merger->releaseRound(events);
      events.clear();
    }
  };
  result.from = options.from;
  result.to = options.to;
  DecodeCounters& counters = result.decode;
  PacketStage stage(&dns_cache);
  std::vector<PacketShare> shares(worker_count);
  RawPacket raw;
  WorkerMessage message{};
  message.kind = MessageKind::kPacket;
  Timestamp next_tick = 0;
  bool first = true;
  // Packets too large for a ring record (over half the ring) go through with their headers only;
  // only later payload inspection could miss anything, and such frames do not exist on Ethernet.
  const std::size_t max_payload = workers.front()->ring().maxRecordSize() - sizeof(WorkerMessage);

  // Progress (replay --metrics ADDR:PORT): about once a wall-clock second, what the workers
  // published at their last tick plus the reader's own counts.
  using Clock = std::chrono::steady_clock;
  auto next_progress = Clock::now() + std::chrono::seconds(1);
  const auto report = [&] {
    ReplayProgress progress;
    progress.packets = stage.counters().packets;
    progress.wire_bytes = stage.counters().wire_bytes;
    progress.anomalies = stage.counters().anomalies;
    progress.dns = stage.counters().dns;
    progress.dns_cache_entries = dns_cache.size();
    for (auto& worker : workers) progress.workers.push_back(worker->published());
    progress.egress = std::exchange(egress, {});
    fillPacketCounts(stage.counters(), shares, progress.workers);
    options.on_progress(progress);
    next_progress = Clock::now() + std::chrono::seconds(1);
  };
  Clock::time_point pace_start;
  // The input progress (replay's line on a terminal): packets read, whatever the bounds.
  constexpr auto kInputInterval = std::chrono::milliseconds(200);
  auto next_input = Clock::now() + kInputInterval;
  std::uint64_t packets_read = 0;
  std::uint64_t wire_bytes_read = 0;
  const auto report_input = [&] {
    InputProgress input;
    input.packets = packets_read;
    input.wire_bytes = wire_bytes_read;
    input.input_bytes_read = (*reader)->inputBytesRead();
    input.input_size = (*reader)->inputSize();
    options.on_input(input);
    next_input = Clock::now() + kInputInterval;
  };

  while ((*reader)->next(raw)) {
    ++packets_read;
    wire_bytes_read += wireLength(raw);
    if (options.on_input && (packets_read & 255U) == 0 && Clock::now() >= next_input) {
      report_input();
    }
    // Bounds first: a skipped packet must not move packet time (ticks, pace, first/last seen).
    if ((options.from && raw.ts < *options.from) || (options.to && raw.ts >= *options.to)) {
      ++counters.outside_bounds;
      continue;
    }
    if (options.pace > 0) {
      // Packet time since the first packet, divided by the pace, is when this one is due.
      if (first) pace_start = Clock::now();
      const Timestamp since_first = first ? 0 : std::max<Timestamp>(0, raw.ts - result.first_ts);
      const auto due = pace_start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                        static_cast<double>(since_first) / options.pace));
      while (Clock::now() < due) {
        auto wake = options.on_progress ? std::min(due, next_progress) : due;
        if (options.on_input) wake = std::min(wake, next_input);
        std::this_thread::sleep_until(wake);
        if (options.on_progress && Clock::now() >= next_progress) report();
        if (options.on_input && Clock::now() >= next_input) report_input();
      }
    } else if (options.on_progress && (stage.counters().packets & 1023U) == 0 &&
               Clock::now() >= next_progress) {
      report();
    }
    // This packet's number among those within the bounds (the stage counts it below).
    const std::uint64_t number = stage.counters().packets + 1;
    if (first) {
      result.first_ts = raw.ts;
      if (options.flow_output != nullptr) options.flow_output->firstPacket(raw.ts);
      next_tick = raw.ts + kNanosPerSecond;
      first = false;
    }
    if (raw.ts > result.last_ts) result.last_ts = raw.ts;
    if (raw.ts >= next_tick) {
      broadcast(workers, MessageKind::kTick, raw.ts);
      ++batches_asked;
      next_tick = raw.ts + kNanosPerSecond;
      merge_batches(false);
    } else if (number % kBatchPackets == 0) {
      broadcast(workers, MessageKind::kBatch, raw.ts);
      ++batches_asked;
      merge_batches(false);
    }

    const std::uint64_t wire_bytes = wireLength(raw);
    if (!stage.stage(raw, message.staged)) {
      ++shares[0].packets;
      shares[0].wire_bytes += wire_bytes;
      continue;
    }
    message.ts = raw.ts;
    // The high bits pick the worker; the table uses the low bits, so the two stay independent.
    const auto worker =
        static_cast<std::size_t>(((message.staged.hash >> 32U) * worker_count) >> 32U);
    ++shares[worker].packets;
    shares[worker].wire_bytes += wire_bytes;
    ++shares[worker].ip_packets;
    send(*workers[worker], message, raw.data.first(std::min(raw.data.size(), max_payload)));
  }
  if (options.on_input) report_input();  // the end: 100% of the input
  // The flows still open end in kEndSteps slices of first-seen time, each merged before the next
  // is asked for: a full table never becomes one batch (a flood's end would hold every record and
  // event at once). Slices are by time, not count, so they are the same for any worker count.
  if (!first) {
    const Timestamp slice = (result.last_ts - result.first_ts) / kEndSteps;
    for (Timestamp step = 1; slice > 0 && step < kEndSteps; ++step) {
      broadcast(workers, MessageKind::kEndBefore, result.last_ts, result.first_ts + slice * step);
      ++batches_asked;
      merge_batches(true);
    }
  }
  broadcast(workers, MessageKind::kEnd, result.last_ts);
  const PacketCounters& staged = stage.counters();
  counters.packets = staged.packets;
  counters.wire_bytes = staged.wire_bytes;
  counters.ip_packets = staged.ip_packets;
  counters.anomalies = staged.anomalies;
  counters.non_ip_by_ethertype = staged.non_ip_by_ethertype;
  counters.fragments_unmatched = staged.fragments_unmatched;
  counters.dns_responses = staged.dns.responses;
  counters.dns_answers = staged.dns.answers;
  counters.dns_malformed = staged.dns.malformed;
  for (auto& thread : threads) thread.join();
  result.ndpi_peak_memory = NdpiClassifier::peakMemory();
  result.dns_cache_entries = dns_cache.size();

  ++batches_asked;
  merge_batches(true);  // the workers' last batches, closed by the end marker
  result.files = (*reader)->stats();
  result.errors = (*reader)->errors();
  for (auto& worker : workers) {
    const GeoCacheStats geo = worker->flow().geoStats();
    result.geo_cache.hits += geo.hits;
    result.geo_cache.misses += geo.misses;
    result.geo_cache.evictions += geo.evictions;
    result.geo_cache.not_public += geo.not_public;
    result.worker_counters.push_back(worker->counters());
  }
  fillPacketCounts(stage.counters(), shares, result.worker_counters);
  for (auto& worker : workers) {
    const FlowTableStats& stats = worker->flow().stats();
    result.flow_stats.created += stats.created;
    result.flow_stats.ended += stats.ended;
    result.flow_stats.evicted += stats.evicted;
    result.flow_stats.active_timeouts += stats.active_timeouts;
  }
  result.egress_summaries = std::move(egress);
  if (options.alert_engine != nullptr) {
    AlertEngine& engine = *options.alert_engine;
    merger->finish(result.last_ts);
    result.alerts_raised = engine.raised();
    result.alert_repeats = engine.repeats();
    result.alert_overflowed = engine.overflowed();
  }
  result.namer = std::move(naming);
  result.geo = options.geo;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace camwatch
