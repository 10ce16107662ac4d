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
    out.judgement.operators = options.operators;
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

namespace {

using Clock = std::chrono::steady_clock;

// The reading thread of a replay: reads the captures in time order, stages each packet,
// dispatches it to its worker's ring, closes batches (ticks, every kBatchPackets, the end) and
// merges each round every worker closed (see replay_pipeline.h). One per runReplay().
class ReplayReader {
 public:
  ReplayReader(const ReplayOptions& options, std::unique_ptr<MergedCaptureReader> reader)
      : options_(options),
        reader_(std::move(reader)),
        dns_cache_(options.dns),
        stage_(&dns_cache_) {}

  Result<void> startWorkers();
  void readAll();
  void endFlows();
  ReplayResult finish(Clock::time_point wall_start);

 private:
  void pace(const RawPacket& raw);
  void closeBatches(const RawPacket& raw);
  void dispatch(const RawPacket& raw);
  void mergeRounds(bool wait);
  void ask(MessageKind kind, Timestamp ts, Timestamp before = 0);
  void reportProgress();
  void reportInput();
  void collectCounters();

  const ReplayOptions& options_;
  std::unique_ptr<MergedCaptureReader> reader_;
  DnsCache dns_cache_;
  std::vector<std::unique_ptr<ReplayWorker>> workers_;
  std::vector<std::thread> threads_;
  // The reading thread's own module, only to name protocols in what it hands on.
  std::shared_ptr<const NdpiClassifier> naming_;
  ReplayResult result_;
  std::optional<EventMerger> merger_;
  // One round's handovers (given back to their workers once merged), its records in output order
  // and its events (kept to reuse their space).
  std::vector<Handover> round_;
  std::vector<const EndedFlow*> order_;
  std::vector<CameraEvent> events_;
  // Egress summaries the rounds brought, until the next progress report (or the result) has them.
  std::vector<EgressFlowSummary> egress_;
  std::uint64_t batches_asked_ = 0;
  std::uint64_t batches_merged_ = 0;
  PacketStage stage_;
  std::vector<PacketShare> shares_;
  WorkerMessage message_{};
  std::size_t max_payload_ = 0;
  Timestamp next_tick_ = 0;
  bool first_ = true;
  Clock::time_point pace_start_;
  // Progress (replay --metrics ADDR:PORT): about once a wall-clock second.
  Clock::time_point next_progress_ = Clock::now() + std::chrono::seconds(1);
  // The input progress (replay's line on a terminal): packets read, whatever the bounds.
  static constexpr auto kInputInterval = std::chrono::milliseconds(200);
  Clock::time_point next_input_ = Clock::now() + kInputInterval;
  std::uint64_t packets_read_ = 0;
  std::uint64_t wire_bytes_read_ = 0;
};

Result<void> ReplayReader::startWorkers() {
  const unsigned worker_count = std::max(1U, options_.workers);
  // The flow cap is for the whole sensor: each worker gets its share.
  ReplayOptions worker_options = options_;
  worker_options.flows.max_flows = (options_.flows.max_flows + worker_count - 1) / worker_count;
  for (unsigned i = 0; i < worker_count; ++i) {
    // nDPI modules are created one after another, before any thread starts.
    auto classifier = NdpiClassifier::create(options_.dpi);
    if (!classifier) return tl::unexpected(classifier.error());
    workers_.push_back(
        std::make_unique<ReplayWorker>(worker_options, std::move(*classifier), dns_cache_));
  }
  auto namer = NdpiClassifier::create(options_.dpi);
  if (!namer) return tl::unexpected(namer.error());
  naming_ = std::move(*namer);
  for (auto& worker : workers_) threads_.emplace_back([&worker] { worker->run(); });

  result_.workers = worker_count;
  result_.from = options_.from;
  result_.to = options_.to;
  round_.resize(workers_.size());
  shares_.resize(worker_count);
  message_.kind = MessageKind::kPacket;
  // Packets too large for a ring record (over half the ring) go through with their headers only;
  // only later payload inspection could miss anything, and such frames do not exist on Ethernet.
  max_payload_ = workers_.front()->ring().maxRecordSize() - sizeof(WorkerMessage);
  if (options_.alert_engine != nullptr) {
    merger_.emplace(*options_.alert_engine, [this](std::vector<Alert> notifications) {
      if (options_.on_alerts) options_.on_alerts(notifications);
      result_.alerts.insert(result_.alerts.end(), std::make_move_iterator(notifications.begin()),
                            std::make_move_iterator(notifications.end()));
    });
  }
  return {};
}

// Merges every round all workers have closed, in round order; with `wait`, until every batch
// asked for so far was merged.
void ReplayReader::mergeRounds(bool wait) {
  Backoff backoff;
  while (true) {
    if (!std::all_of(workers_.begin(), workers_.end(),
                     [](const auto& worker) { return worker->mailbox().hasHandover(); })) {
      if (!wait || batches_merged_ == batches_asked_) return;
      backoff.wait();
      continue;
    }
    backoff.reset();
    ++batches_merged_;
    order_.clear();
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      round_[i] = workers_[i]->mailbox().takeOldest();
      for (const EndedFlow& flow : round_[i].records) order_.push_back(&flow);
      for (CameraEvent& event : round_[i].events) events_.push_back(std::move(event));
      for (EgressFlowSummary& summary : round_[i].egress) egress_.push_back(std::move(summary));
    }
    std::sort(order_.begin(), order_.end(), [](const EndedFlow* a, const EndedFlow* b) {
      return flowRecordLess(a->record, b->record);
    });
    if (options_.flow_output != nullptr) {
      for (const EndedFlow* flow : order_) options_.flow_output->flowEnded(*flow, *naming_);
    }
    if (merger_) merger_->releaseRound(events_);
    events_.clear();
    // The round's vectors go back to their workers, to be filled again.
    for (std::size_t i = 0; i < workers_.size(); ++i) {
      workers_[i]->mailbox().giveBack(std::move(round_[i]));
    }
  }
}

void ReplayReader::ask(MessageKind kind, Timestamp ts, Timestamp before) {
  broadcast(workers_, kind, ts, before);
  ++batches_asked_;
}

// What the workers published at their last tick plus the reader's own counts.
void ReplayReader::reportProgress() {
  ReplayProgress progress;
  progress.packets = stage_.counters().packets;
  progress.wire_bytes = stage_.counters().wire_bytes;
  progress.anomalies = stage_.counters().anomalies;
  progress.dns = stage_.counters().dns;
  progress.dns_cache_entries = dns_cache_.size();
  for (auto& worker : workers_) progress.workers.push_back(worker->published());
  progress.egress = std::exchange(egress_, {});
  fillPacketCounts(stage_.counters(), shares_, progress.workers);
  options_.on_progress(progress);
  next_progress_ = Clock::now() + std::chrono::seconds(1);
}

void ReplayReader::reportInput() {
  InputProgress input;
  input.packets = packets_read_;
  input.wire_bytes = wire_bytes_read_;
  input.input_bytes_read = reader_->inputBytesRead();
  input.input_size = reader_->inputSize();
  options_.on_input(input);
  next_input_ = Clock::now() + kInputInterval;
}

// --pace: packet time since the first packet, divided by the pace, is when this one is due.
// Reports progress while it waits. Without --pace, reports progress now and then.
void ReplayReader::pace(const RawPacket& raw) {
  if (options_.pace <= 0) {
    if (options_.on_progress && (stage_.counters().packets & 1023U) == 0 &&
        Clock::now() >= next_progress_) {
      reportProgress();
    }
    return;
  }
  if (first_) pace_start_ = Clock::now();
  const Timestamp since_first = first_ ? 0 : std::max<Timestamp>(0, raw.ts - result_.first_ts);
  const auto due = pace_start_ + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                     static_cast<double>(since_first) / options_.pace));
  while (Clock::now() < due) {
    auto wake = options_.on_progress ? std::min(due, next_progress_) : due;
    if (options_.on_input) wake = std::min(wake, next_input_);
    std::this_thread::sleep_until(wake);
    if (options_.on_progress && Clock::now() >= next_progress_) reportProgress();
    if (options_.on_input && Clock::now() >= next_input_) reportInput();
  }
}

// A tick (a second of packet time) or every kBatchPackets packets within the bounds closes a
// batch on every worker at the same packet, so the rounds are the same for any worker count.
void ReplayReader::closeBatches(const RawPacket& raw) {
  // This packet's number among those within the bounds (the stage counts it in dispatch()).
  const std::uint64_t number = stage_.counters().packets + 1;
  if (first_) {
    result_.first_ts = raw.ts;
    if (options_.flow_output != nullptr) options_.flow_output->firstPacket(raw.ts);
    next_tick_ = raw.ts + kNanosPerSecond;
    first_ = false;
  }
  if (raw.ts > result_.last_ts) result_.last_ts = raw.ts;
  if (raw.ts >= next_tick_) {
    ask(MessageKind::kTick, raw.ts);
    next_tick_ = raw.ts + kNanosPerSecond;
    mergeRounds(false);
  } else if (number % kBatchPackets == 0) {
    ask(MessageKind::kBatch, raw.ts);
    mergeRounds(false);
  }
}

void ReplayReader::dispatch(const RawPacket& raw) {
  const std::uint64_t wire_bytes = wireLength(raw);
  if (!stage_.stage(raw, message_.staged)) {
    ++shares_[0].packets;
    shares_[0].wire_bytes += wire_bytes;
    return;
  }
  message_.ts = raw.ts;
  // The high bits pick the worker; the table uses the low bits, so the two stay independent.
  const auto worker =
      static_cast<std::size_t>(((message_.staged.hash >> 32U) * workers_.size()) >> 32U);
  ++shares_[worker].packets;
  shares_[worker].wire_bytes += wire_bytes;
  ++shares_[worker].ip_packets;
  send(*workers_[worker], message_, raw.data.first(std::min(raw.data.size(), max_payload_)));
}

void ReplayReader::readAll() {
  RawPacket raw;
  while (reader_->next(raw)) {
    ++packets_read_;
    wire_bytes_read_ += wireLength(raw);
    if (options_.on_input && (packets_read_ & 255U) == 0 && Clock::now() >= next_input_) {
      reportInput();
    }
    // Bounds first: a skipped packet must not move packet time (ticks, pace, first/last seen).
    if ((options_.from && raw.ts < *options_.from) || (options_.to && raw.ts >= *options_.to)) {
      ++result_.decode.outside_bounds;
      continue;
    }
    pace(raw);
    closeBatches(raw);
    dispatch(raw);
  }
  if (options_.on_input) reportInput();  // the end: 100% of the input
}

// The flows still open end in kEndSteps slices of first-seen time, each merged before the next
// is asked for: a full table never becomes one batch (a flood's end would hold every record and
// event at once). Slices are by time, not count, so they are the same for any worker count.
// Then the end marker, and the workers' last batches.
void ReplayReader::endFlows() {
  if (!first_) {
    const Timestamp slice = (result_.last_ts - result_.first_ts) / kEndSteps;
    for (Timestamp step = 1; slice > 0 && step < kEndSteps; ++step) {
      ask(MessageKind::kEndBefore, result_.last_ts, result_.first_ts + slice * step);
      mergeRounds(true);
    }
  }
  broadcast(workers_, MessageKind::kEnd, result_.last_ts);
  for (auto& thread : threads_) thread.join();
  ++batches_asked_;
  mergeRounds(true);  // the workers' last batches, closed by the end marker
}

void ReplayReader::collectCounters() {
  DecodeCounters& counters = result_.decode;
  const PacketCounters& staged = stage_.counters();
  counters.packets = staged.packets;
  counters.wire_bytes = staged.wire_bytes;
  counters.ip_packets = staged.ip_packets;
  counters.anomalies = staged.anomalies;
  counters.non_ip_by_ethertype = staged.non_ip_by_ethertype;
  counters.fragments_unmatched = staged.fragments_unmatched;
  counters.dns_responses = staged.dns.responses;
  counters.dns_answers = staged.dns.answers;
  counters.dns_malformed = staged.dns.malformed;
  for (auto& worker : workers_) {
    const GeoCacheStats geo = worker->flow().geoStats();
    result_.geo_cache.hits += geo.hits;
    result_.geo_cache.misses += geo.misses;
    result_.geo_cache.evictions += geo.evictions;
    result_.geo_cache.not_public += geo.not_public;
    result_.worker_counters.push_back(worker->counters());
    const FlowTableStats& stats = worker->flow().stats();
    result_.flow_stats.created += stats.created;
    result_.flow_stats.ended += stats.ended;
    result_.flow_stats.evicted += stats.evicted;
    result_.flow_stats.active_timeouts += stats.active_timeouts;
  }
  fillPacketCounts(staged, shares_, result_.worker_counters);
}

ReplayResult ReplayReader::finish(Clock::time_point wall_start) {
  collectCounters();
  result_.ndpi_peak_memory = NdpiClassifier::peakMemory();
  result_.dns_cache_entries = dns_cache_.size();
  result_.files = reader_->stats();
  result_.errors = reader_->errors();
  result_.egress_summaries = std::move(egress_);
  if (options_.alert_engine != nullptr) {
    AlertEngine& engine = *options_.alert_engine;
    merger_->finish(result_.last_ts);
    result_.alerts_raised = engine.raised();
    result_.alert_repeats = engine.repeats();
    result_.alert_overflowed = engine.overflowed();
  }
  result_.namer = std::move(naming_);
  result_.geo = options_.geo;
  result_.operators = options_.operators;
  result_.wall_seconds = std::chrono::duration<double>(Clock::now() - wall_start).count();
  return std::move(result_);
}

}  // namespace

Result<ReplayResult> runReplay(const ReplayOptions& options) {
  const auto wall_start = Clock::now();
  auto reader = MergedCaptureReader::open(options.captures, options.bpf);
  if (!reader) return tl::unexpected(reader.error());
  ReplayReader replay(options, std::move(*reader));
  if (auto started = replay.startWorkers(); !started) return tl::unexpected(started.error());
  replay.readAll();
  replay.endFlows();
  return replay.finish(wall_start);
}

}  // namespace camwatch
