#include "runtime/live_sensor.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <camwatch/capture.h>
#include <camwatch/config.h>
#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/metrics.h>

#include "alert/alert_engine.h"
#include "alert/alert_output.h"
#include "alert/delivery_thread.h"
#include "cli/cli.h"
#include "metrics/metrics_sources.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "runtime/logging.h"
#include "runtime/service.h"
#include "sinks/jsonl/jsonl_reopen.h"

namespace camwatch {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kHousekeepingPeriod{100};
// When its ring is empty a worker's packet time follows the wall clock, this far behind: a
// packet the kernel stamped earlier than that would have been in a block the ring retired
// (capture timeout 100 ms) and read already.
constexpr Timestamp kIdleLag = 500 * kNanosPerSecond / 1000;
constexpr std::chrono::seconds kLinkCheckPeriod{5};
constexpr std::chrono::seconds kDropReportPeriod{10};
constexpr std::chrono::seconds kStatusPeriod{10};
constexpr std::chrono::seconds kBaselineSavePeriod{300};
// A worker whose loop has not turned for this long is stuck: the watchdog stops being fed.
constexpr std::chrono::seconds kWorkerStuckAfter{10};
// The whole stop (workers ended, alerts spooled and delivered) stays under systemd's
// TimeoutStopSec=45s (docs/deployment.md).
constexpr milliseconds kMaxDrain{30000};
constexpr std::uint32_t kAlertLogLinesPerSecond = 20;

Timestamp wallClockNow() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<Timestamp>(now.tv_sec) * kNanosPerSecond + now.tv_nsec;
}

// ---- workers -------------------------------------------------------------------------------

// What workers judge flows by; a reload replaces it and bumps the generation. Workers look at
// the generation once per housekeeping round and copy the judgement only when it changed.
struct SharedJudgement {
  std::mutex mutex;
  FlowJudgement judgement;
  std::atomic<std::uint64_t> generation{0};
};

// Where a worker leaves its events for the control thread.
struct Outbox {
  std::mutex mutex;
  std::vector<CameraEvent> events;
  std::vector<EgressFlowSummary> egress;
  Timestamp clock = 0;  ///< every event up to this packet time has been handed over
  bool done = false;    ///< the worker ended every flow and stopped
};

struct WorkerSetup {
  unsigned index = 0;
  unsigned slot = 0;  ///< index among the workers of its interface
  LiveCaptureOptions capture;
};

class LiveWorker {
 public:
  LiveWorker(WorkerSetup setup, std::unique_ptr<LiveCapture> capture,
             const FlowWorkerOptions& flow_options, std::unique_ptr<NdpiClassifier> classifier,
             DnsCache& dns, SharedJudgement& shared, const std::atomic<bool>& stop)
      : setup_(std::move(setup)),
        capture_(std::move(capture)),
        flow_(flow_options, std::move(classifier), dns),
        dns_(dns),
        shared_(shared),
        stop_(stop) {
    generation_ = shared_.generation.load();
  }

  WorkerCounters counters;
  CaptureStats capture_stats;
  Outbox outbox;
  std::atomic<std::uint64_t> heartbeat{0};

  const std::string& interface() const { return setup_.capture.interface; }
  unsigned index() const { return setup_.index; }
  std::uint64_t nonIpPackets() const { return non_ip_; }
  std::uint64_t fragmentsUnmatched() const { return fragments_unmatched_; }

  void run() {
    RawPacket raw;
    DecodedPacket packet;
    std::uint32_t since_check = 0;
    last_housekeeping_ = SteadyClock::now();
    while (!stop_.load(std::memory_order_relaxed)) {
      bool idle = true;
      if (capture_) {
        // The clock is read around a wait only when the last call did not bring a packet: a busy
        // worker reads it once per 256 packets, an idle one's waits are what idle time is.
        const bool timed = since_check == 0;
        const SteadyClock::time_point before =
            timed ? SteadyClock::now() : SteadyClock::time_point{};
        const ReadStatus status = capture_->next(raw);
        if (status == ReadStatus::kPacket) {
          onPacket(raw, packet);
          if (++since_check < 256) continue;
          idle = false;
        } else if (status == ReadStatus::kError) {
          onCaptureError();
        } else if (timed) {
          idle_ns_ += static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - before)
                  .count());
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
  void onPacket(const RawPacket& raw, DecodedPacket& packet) {
    ++packets_;
    wire_bytes_ += std::max<std::uint64_t>(raw.wire_len, raw.data.size());
    if (raw.ts > clock_) clock_ = raw.ts;
    if (!decodePacket(raw, packet)) {
      if (packet.anomaly != Anomaly::kNone) {
        counters.countAnomaly(packet.anomaly);
      } else {
        ++non_ip_;
      }
      return;
    }
    if (!fragments_.resolve(packet)) {
      ++fragments_unmatched_;
      return;
    }
    ++ip_packets_;
    learnDnsResponse(packet, raw.data, raw.ts, dns_, dns_counts_);
    bool src_is_a = false;
    const FlowKey key = makeFlowKey(packet, src_is_a);
    flow_.onPacket(packet, key, src_is_a, hashFlowKey(key), raw.data);
  }

  void onCaptureError() {
    logError({{"interface", interface()}, {"worker", setup_.index}, {"error", capture_->error()}},
             "{} (worker {}): {}; reopening it", interface(), setup_.index, capture_->error());
    publishCaptureStats();
    capture_.reset();
    reopen_attempt_ = 0;
    next_reopen_ = SteadyClock::now() + reopenDelay(0);
  }

  // Without a handle: sleep (at most one housekeeping period), then try to open it again.
  void waitAndReopen() {
    const SteadyClock::time_point now = SteadyClock::now();
    if (now < next_reopen_) {
      const auto wait = std::min<SteadyClock::duration>(next_reopen_ - now, kHousekeepingPeriod);
      std::this_thread::sleep_for(wait);
      idle_ns_ += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count());
      return;
    }
    auto opened = LiveCapture::open(setup_.capture);
    if (!opened) {
      if (opened.error().message != last_open_error_) {
        logWarn({{"interface", interface()},
                 {"worker", setup_.index},
                 {"error", opened.error().message}},
                "{} (worker {}): cannot reopen: {}; retrying with backoff", interface(),
                setup_.index, opened.error().message);
        last_open_error_ = opened.error().message;
      }
      next_reopen_ = now + reopenDelay(++reopen_attempt_);
      return;
    }
    capture_ = std::move(*opened);
    capture_stats.resetPcapBaseline();
    last_open_error_.clear();
    logInfo(
        {{"interface", interface()}, {"worker", setup_.index}, {"attempts", reopen_attempt_ + 1}},
        "{} (worker {}): capturing again after {} attempt(s)", interface(), setup_.index,
        reopen_attempt_ + 1);
  }

  void publishCaptureStats() {
    if (!capture_) return;
    auto stats = capture_->stats();
    if (!stats) return;
    // LiveCapture widened them already; CaptureStats takes libpcap's 32-bit view and keeps
    // the running total across reopened handles.
    capture_stats.updateFromPcap(static_cast<std::uint32_t>(stats->received),
                                 static_cast<std::uint32_t>(stats->dropped),
                                 static_cast<std::uint32_t>(stats->if_dropped));
  }

  // About every 100 ms: ticks, reloads, counters, the outbox. `final`: the last one, which ends
  // every flow.
  void housekeeping(bool idle, bool final) {
    const SteadyClock::time_point now = SteadyClock::now();
    if (!final && now - last_housekeeping_ < kHousekeepingPeriod) return;
    const auto elapsed = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_housekeeping_).count());
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
      flow_.setJudgement(judgement, clock_);
      generation_ = generation;
    }
    if (final) {
      flow_.finish(clock_);
    } else if (clock_ >= next_tick_) {
      flow_.tick(clock_);
      next_tick_ = clock_ + kNanosPerSecond;
    }
    if (!final && idle && capture_ && setup_.slot == 0) checkLink(now);

    counters.packets.set(packets_);
    counters.wire_bytes.set(wire_bytes_);
    counters.ip_packets.set(ip_packets_);
    counters.dns_responses.set(dns_counts_.responses);
    counters.dns_answers.set(dns_counts_.answers);
    counters.dns_malformed.set(dns_counts_.malformed);
    flow_.publish(counters);
    const std::uint64_t idle_ns = std::min(idle_ns_, elapsed);
    counters.idle_ns.add(idle_ns);
    counters.busy_ns.add(elapsed - idle_ns);
    idle_ns_ = 0;
    publishCaptureStats();

    {
      const std::lock_guard lock(outbox.mutex);
      for (CameraEvent& event : flow_.events()) outbox.events.push_back(std::move(event));
      for (EgressFlowSummary& summary : flow_.egressSummaries())
        outbox.egress.push_back(std::move(summary));
      outbox.clock = clock_;
      outbox.done = final;
    }
    flow_.events().clear();
    flow_.egressSummaries().clear();
  }

  // A link set down keeps its handle (libpcap sees only timeouts): say so once, and once when
  // it is back.
  void checkLink(SteadyClock::time_point now) {
    if (now < next_link_check_) return;
    next_link_check_ = now + kLinkCheckPeriod;
    const bool up = interfaceIsUp(interface());
    if (up == link_up_) return;
    link_up_ = up;
    if (up) {
      logInfo({{"interface", interface()}, {"link", "up"}}, "{}: interface is up again",
              interface());
    } else {
      logWarn({{"interface", interface()}, {"link", "down"}},
              "{}: interface is down or gone; capturing resumes when it is back", interface());
    }
  }

  WorkerSetup setup_;
  std::unique_ptr<LiveCapture> capture_;
  FlowWorker flow_;
  DnsCache& dns_;
  SharedJudgement& shared_;
  const std::atomic<bool>& stop_;
  std::uint64_t generation_ = 0;
  FragmentTracker fragments_;
  DnsLearnCounts dns_counts_;
  Timestamp clock_ = 0;
  Timestamp next_tick_ = 0;
  std::uint64_t packets_ = 0;
  std::uint64_t wire_bytes_ = 0;
  std::uint64_t ip_packets_ = 0;
  std::uint64_t non_ip_ = 0;
  std::uint64_t fragments_unmatched_ = 0;
  std::uint64_t idle_ns_ = 0;
  SteadyClock::time_point last_housekeeping_;
  SteadyClock::time_point next_reopen_;
  std::uint32_t reopen_attempt_ = 0;
  std::string last_open_error_;
  SteadyClock::time_point next_link_check_;
  bool link_up_ = true;
};

// ---- the control thread --------------------------------------------------------------------

std::string describeAlert(const Alert& alert) {
  std::string camera = alert.camera.name.empty() ? alert.camera.ip.toString() : alert.camera.name;
  std::string destination;
  if (alert.destination.ip) {
    destination =
        alert.destination.hostname.empty()
            ? alert.destination.ip->toString()
            : fmt::format("{} ({})", alert.destination.hostname, alert.destination.ip->toString());
    if (alert.destination.port != 0) destination += fmt::format(" port {}", alert.destination.port);
  } else if (!alert.destination.hostname.empty()) {
    destination = alert.destination.hostname;
  }
  return fmt::format("alert {} {} {}: camera {}{}{} (rule {})", alertStatusName(alert.status),
                     alertKindName(alert.kind), severityName(alert.severity), camera,
                     destination.empty() ? "" : " -> ", destination, alert.rule);
}

// The alert's facts as log fields (the dedup key too: it joins the log line to the sinks').
LogFields alertLogFields(const Alert& alert) {
  LogFields fields = {{"alert_status", std::string(alertStatusName(alert.status))},
                      {"alert_kind", std::string(alertKindName(alert.kind))},
                      {"severity", std::string(severityName(alert.severity))},
                      {"camera_ip", alert.camera.ip.toString()},
                      {"rule", alert.rule}};
  if (!alert.camera.name.empty()) fields["camera"] = alert.camera.name;
  if (alert.destination.ip) fields["destination_ip"] = alert.destination.ip->toString();
  if (!alert.destination.hostname.empty()) fields["hostname"] = alert.destination.hostname;
  if (alert.destination.port != 0) fields["port"] = alert.destination.port;
  fields["dedup_key"] = alert.dedup_key.empty() ? dedupKey(alert) : alert.dedup_key;
  return fields;
}

class LiveSensor {
 public:
  LiveSensor(const LiveSensorOptions& options, Config config)
      : options_(options), config_(std::make_unique<Config>(std::move(config))) {}

  int run();

 private:
  Result<void> openCaptures();
  void startWorkers();
  void pumpEvents(bool final);
  void deliver(std::vector<Alert> notifications);
  void reload();
  void everySecond(SteadyClock::time_point now);
  void reportDrops();
  void logSpoolWrite(const EnqueueResult& queued, SteadyClock::time_point now);
  std::string statusLine() const;
  void saveBaseline();
  void stop();

  LiveSensorOptions options_;
  std::unique_ptr<const Config> config_;  // the config at start; the engine refers to it
  std::string sensor_name_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<DnsCache> dns_;
  SharedJudgement shared_;
  std::shared_ptr<const OuiTable> oui_;
  std::vector<WorkerSetup> setups_;
  std::vector<std::unique_ptr<LiveCapture>> opened_;
  std::vector<std::unique_ptr<NdpiClassifier>> classifiers_;  // one per worker, until it starts
  std::vector<std::unique_ptr<LiveWorker>> workers_;
  std::vector<std::thread> threads_;
  std::unique_ptr<AlertEngine> engine_;
  std::unique_ptr<DeliveryThread> delivery_;
  AlertCounters alert_counters_;
  MetricsSources sources_;
  std::unique_ptr<MetricsRegistry> registry_;
  std::unique_ptr<MetricsServer> server_;
  MetricsSnapshot snapshot_;
  SystemdNotifier notifier_;
  std::vector<CameraEvent> pending_;
  Timestamp watermark_ = 0;
  std::uint64_t alerts_out_ = 0;
  std::uint32_t alerts_logged_this_second_ = 0;
  std::uint64_t alerts_not_logged_ = 0;
  std::uint64_t overflow_logged_ = 0;  // engine_->overflowed() at the last log line
  SteadyClock::time_point next_overflow_log_{};
  bool spool_failing_ = false;  // the last spool write failed: alerts are held in memory
  SteadyClock::time_point next_spool_error_log_{};
  std::vector<std::uint64_t> last_heartbeat_;
  std::vector<SteadyClock::time_point> last_progress_;
  std::vector<std::uint64_t> reported_drops_;
  std::uint64_t reported_evictions_ = 0;
  std::uint64_t reported_dns_evictions_ = 0;
  std::uint64_t reported_geo_evictions_ = 0;
  std::uint64_t reported_untracked_ = 0;  // workers' and engine's, summed
  std::uint64_t reported_total_overflow_ = 0;
  SteadyClock::time_point next_drop_report_;
  SteadyClock::time_point next_status_;
  SteadyClock::time_point next_baseline_save_;
  SteadyClock::time_point started_;
};

Result<void> LiveSensor::openCaptures() {
  const CaptureConfig& capture = config_->capture;
  unsigned per_interface = options_.workers.value_or(capture.workers);
  if (per_interface == 0) per_interface = std::max(1U, std::thread::hardware_concurrency());
  // Fanout group ids are per network namespace: one per interface, from the pid, so a second
  // camwatch (or a tool) on the same interface does not join ours.
  const auto base = static_cast<std::uint16_t>((static_cast<unsigned>(getpid()) * 16U) & 0xfff0U);
  unsigned index = 0;
  for (std::size_t i = 0; i < capture.interfaces.size(); ++i) {
    for (unsigned slot = 0; slot < per_interface; ++slot) {
      WorkerSetup setup;
      setup.index = index++;
      setup.slot = slot;
      setup.capture.interface = capture.interfaces[i];
      setup.capture.snaplen = capture.snaplen;
      // libpcap takes an int: 4 GiB (the config's maximum) becomes the largest it can take.
      setup.capture.buffer_bytes = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(std::uint64_t{capture.buffer_mib} << 20U, 0x7fffffffU));
      setup.capture.bpf = capture.bpf;
      setup.capture.promiscuous = capture.promiscuous;
      setup.capture.timeout_ms = static_cast<int>(kHousekeepingPeriod.count());
      setup.capture.fanout_group =
          per_interface > 1 ? static_cast<std::uint16_t>(base + 1 + (i % 15)) : 0;
      auto opened = LiveCapture::open(setup.capture);
      if (!opened) return tl::unexpected(opened.error());
      for (const std::string& warning : (*opened)->warnings()) spdlog::warn("{}", warning);
      opened_.push_back(std::move(*opened));
      setups_.push_back(std::move(setup));
    }
  }
  return {};
}

void LiveSensor::startWorkers() {
  FlowWorkerOptions flow_options;
  flow_options.flows = config_->flows;
  const auto count = static_cast<std::uint32_t>(setups_.size());
  // The flow cap is for the whole sensor: each worker gets its share.
  flow_options.flows.max_flows = (config_->flows.max_flows + count - 1) / count;
  flow_options.summarize_egress = true;
  // Per-camera byte samples feed only the egress budgets: without a budget they are not made.
  bool budgets = config_->default_egress_budget.bytes > 0;
  for (const CameraGroupConfig& group : config_->groups) budgets |= group.egress_budget.bytes > 0;
  flow_options.egress_samples = budgets;
  flow_options.max_cameras = config_->max_cameras;
  {
    const std::lock_guard lock(shared_.mutex);
    flow_options.judgement = shared_.judgement;
  }
  for (std::size_t i = 0; i < setups_.size(); ++i) {
    workers_.push_back(std::make_unique<LiveWorker>(setups_[i], std::move(opened_[i]), flow_options,
                                                    std::move(classifiers_[i]), *dns_, shared_,
                                                    stop_));
  }
  opened_.clear();
  classifiers_.clear();
  for (auto& worker : workers_) {
    threads_.emplace_back([&worker] { worker->run(); });
  }
  last_heartbeat_.assign(workers_.size(), 0);
  last_progress_.assign(workers_.size(), SteadyClock::now());
  reported_drops_.assign(workers_.size(), 0);
}

void LiveSensor::pumpEvents(bool final) {
  Timestamp watermark = final ? std::numeric_limits<Timestamp>::max() : 0;
  bool first = true;
  for (auto& worker : workers_) {
    Outbox& outbox = worker->outbox;
    const std::lock_guard lock(outbox.mutex);
    for (CameraEvent& event : outbox.events) pending_.push_back(std::move(event));
    outbox.events.clear();
    for (const EgressFlowSummary& flow : outbox.egress) {
      if (registry_) {
        registry_->egress().add(EgressKey{flow.camera, flow.country, flow.asn, flow.protocol},
                                flow.bytes, flow.flows);
      }
    }
    outbox.egress.clear();
    if (!final) watermark = first ? outbox.clock : std::min(watermark, outbox.clock);
    first = false;
  }
  // Events come out in packet-time order up to the slowest worker's clock: what is later waits
  // for the next round, when every worker has caught up with it.
  auto later = std::stable_partition(pending_.begin(), pending_.end(),
                                     [&](const CameraEvent& e) { return e.time <= watermark; });
  std::vector<CameraEvent> ready(std::make_move_iterator(pending_.begin()),
                                 std::make_move_iterator(later));
  pending_.erase(pending_.begin(), later);
  sortCameraEvents(ready);
  for (CameraEvent& event : ready) {
    // A worker that lagged behind the watermark (descheduled past its idle lag) reports late;
    // the engine's clock does not go back.
    if (event.time < watermark_) event.time = watermark_;
    watermark_ = event.time;
    engine_->onEvent(std::move(event));
  }
  Timestamp now = watermark;
  if (final) {
    now = watermark_;
    for (auto& worker : workers_) now = std::max(now, worker->outbox.clock);
  }
  if (now != std::numeric_limits<Timestamp>::max() && now > watermark_) {
    watermark_ = now;
    engine_->finish(now);
  }
  deliver(engine_->takeNotifications());
  alert_counters_.publishEngine(engine_->raised(), engine_->repeats(), engine_->overflowed());
  alert_counters_.publishLimits(engine_->overflowedTotal(), engine_->camerasUntracked());
}

void LiveSensor::deliver(std::vector<Alert> notifications) {
  if (notifications.empty()) return;
  for (const Alert& alert : notifications) {
    alert_counters_.recordNotification(alert);
    ++alerts_out_;
    // The log names each alert, up to a limit per second: an alert storm (a policy that denies
    // everything) must not flood the journal. The sinks and the metrics still get every one.
    if (alerts_logged_this_second_ < kAlertLogLinesPerSecond) {
      ++alerts_logged_this_second_;
      logInfo(alertLogFields(alert), "{}", describeAlert(alert));
    } else {
      ++alerts_not_logged_;
    }
  }
  if (!delivery_) return;
  logSpoolWrite(delivery_->delivery().enqueueAll(notifications), SteadyClock::now());
}

// The spool's trouble, logged once when it starts, every 10 s while it lasts, and once when it
// ends; camwatch_alert_spool_write_errors_total and camwatch_alert_spool_held_alerts show it too.
void LiveSensor::logSpoolWrite(const EnqueueResult& queued, SteadyClock::time_point now) {
  if (queued.drop.alerts > 0) {
    spdlog::warn("alert spool full: dropped {} undelivered alert(s)", queued.drop.alerts);
  }
  if (queued.held_dropped > 0) {
    spdlog::error(
        "alert spool: dropped the {} oldest alert(s) held in memory (at most {} wait "
        "for the disk)",
        queued.held_dropped, delivery_->delivery().maxHeld());
  }
  if (queued.write_error) {
    if (!spool_failing_ || now >= next_spool_error_log_) {
      spdlog::error("alert spool {}: {}; {} alert(s) held in memory until it can be written",
                    spool_failing_ ? "still cannot be written" : "cannot be written",
                    *queued.write_error, queued.held);
      next_spool_error_log_ = now + std::chrono::seconds(10);
    }
    spool_failing_ = true;
  } else if (spool_failing_ && queued.held == 0) {
    spdlog::info("alert spool writable again: {} held alert(s) spooled", queued.from_held);
    spool_failing_ = false;
  }
}

void LiveSensor::reload() {
  notifier_.reloading();
  logInfo({{"signal", "SIGHUP"}, {"config", options_.config_path}}, "SIGHUP: reloading {}",
          options_.config_path);
  reopenAlertLogFiles();
  auto config = loadConfig(options_.config_path);
  if (!config) {
    spdlog::error("reload failed, the running config stays: {}", config.error().message);
    notifier_.reloaded();
    return;
  }
  if (!sensor_name_.empty()) config->sensor_name = sensor_name_;
  auto loaded = loadJudgement(*config);
  if (!loaded) {
    spdlog::error("reload failed, the running config stays: {}", loaded.error().message);
    notifier_.reloaded();
    return;
  }
  for (const std::string& warning : loaded->warnings) spdlog::warn("{}", warning);
  {
    const std::lock_guard lock(shared_.mutex);
    shared_.judgement = loaded->judgement;
  }
  shared_.generation.fetch_add(1, std::memory_order_release);
  oui_ = loaded->oui;
  spdlog::set_level(spdlog::level::from_str(config->logging.level));
  spdlog::info(
      "reloaded {}: policy, inventory, groups and GeoIP databases apply to new verdicts now "
      "(logging.level too); capture, flows, dpi, dns, learning, alerts, egress budgets, "
      "inventory.max_cameras and metrics changes apply at the next restart",
      options_.config_path);
  notifier_.reloaded();
}

// The 10 s report's warning about a bounded resource: only when `count` grew since the last one,
// with the growth and the total (`line` formats the message from them).
template <typename Line>
void warnIfGrew(std::uint64_t count, std::uint64_t& reported, const Line& line) {
  if (count <= reported) return;
  spdlog::warn("{}", line(count - reported, count));
  reported = count;
}

void LiveSensor::reportDrops() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const CaptureStatsSnapshot stats = workers_[i]->capture_stats.snapshot();
    const std::uint64_t dropped = stats.dropped + stats.interface_dropped;
    if (dropped > reported_drops_[i]) {
      logWarn({{"interface", workers_[i]->interface()},
               {"worker", i},
               {"dropped", dropped - reported_drops_[i]},
               {"dropped_total", dropped}},
              "{} (worker {}): {} packets dropped in the last {} s ({} in all): the worker fell "
              "behind; more capture.workers or a larger capture.buffer_size may help",
              workers_[i]->interface(), i, dropped - reported_drops_[i], kDropReportPeriod.count(),
              dropped);
      reported_drops_[i] = dropped;
    }
  }
  // A full flow table is a bounded resource doing its job (the least recently seen flow is
  // ended early), but the operator should know: flows.max_flows may be too small for the site,
  // or something is opening flows by the million.
  std::uint64_t evicted = 0;
  for (const auto& worker : workers_) evicted += worker->counters.flows_evicted.load();
  warnIfGrew(evicted, reported_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "flow table full: {} flows ended early in the last {} s ({} in all) to make room "
        "(flows.max_flows = {}); camwatch_flows_evicted_total counts them",
        grew, kDropReportPeriod.count(), total, config_->flows.max_flows);
  });
  // Full caches are bounded too, and cost only lookups (a flow whose name was evicted goes
  // unnamed; a GeoIP entry is looked up again), but a cache too small for the site should be
  // raised.
  const std::uint64_t dns_evicted = dns_ ? dns_->evictions() : 0;
  warnIfGrew(dns_evicted, reported_dns_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "DNS answer cache full: {} unexpired names dropped in the last {} s ({} in all) to make "
        "room (dns.cache_size = {}); flows to those addresses may go unnamed; "
        "camwatch_dns_cache_evictions_total counts them",
        grew, kDropReportPeriod.count(), total, config_->dns.capacity);
  });
  std::uint64_t geo_evicted = 0;
  for (const auto& worker : workers_) geo_evicted += worker->counters.geo_evictions.load();
  warnIfGrew(geo_evicted, reported_geo_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    std::size_t geo_cache_size = 0;  // a reload may have changed it
    {
      const std::lock_guard lock(shared_.mutex);
      geo_cache_size = shared_.judgement.geo_cache_size;
    }
    return fmt::format(
        "GeoIP cache full: {} entries dropped in the last {} s ({} in all) to make room "
        "(geoip.cache_size = {} per worker); camwatch_geoip_cache_evictions_total counts them",
        grew, kDropReportPeriod.count(), total, geo_cache_size);
  });
  // Per-camera state is bounded by inventory.max_cameras (per worker and in the engine): a flood
  // of spoofed camera addresses still gets judged and alerted, but not listed or budgeted.
  std::uint64_t untracked = engine_ ? engine_->camerasUntracked() : 0;
  for (const auto& worker : workers_) untracked += worker->counters.cameras_untracked.load();
  warnIfGrew(untracked, reported_untracked_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "camera limit reached: {} new flows or sightings of cameras not tracked in the last {} s "
        "({} in all) (inventory.max_cameras = {}); they are still judged and alerted, but not "
        "listed, budgeted or reported as new; camwatch_cameras_untracked_total and "
        "camwatch_alert_cameras_untracked_total count them",
        grew, kDropReportPeriod.count(), total, config_->max_cameras);
  });
  const std::uint64_t total_overflow = engine_ ? engine_->overflowedTotal() : 0;
  warnIfGrew(total_overflow, reported_total_overflow_,
             [&](std::uint64_t grew, std::uint64_t total) {
               return fmt::format(
                   "alert limit reached: {} alert raise(s) folded into sensor-wide overflow "
                   "alerts in the last {} s ({} in all) (alerts.max_active = {}); "
                   "camwatch_alert_max_active_overflow_total counts them",
                   grew, kDropReportPeriod.count(), total, config_->alerts.max_active);
             });
}

std::string LiveSensor::statusLine() const {
  std::uint64_t packets = 0;
  std::uint64_t dropped = 0;
  std::uint64_t flows = 0;
  for (const auto& worker : workers_) {
    packets += worker->counters.packets.load();
    flows += worker->counters.flows_active.load();
    const CaptureStatsSnapshot stats = worker->capture_stats.snapshot();
    dropped += stats.dropped + stats.interface_dropped;
  }
  return fmt::format("{} packets, {} dropped, {} flows active, {} alert notifications", packets,
                     dropped, flows, alerts_out_);
}

void LiveSensor::everySecond(SteadyClock::time_point now) {
  if (registry_) {
    takeSnapshot(sources_, snapshot_);
    registry_->update(snapshot_);
  }
  // The watchdog is fed only while every worker's loop turns (each turns at least ten times a
  // second, idle or not); a stuck one lets systemd restart the sensor.
  bool healthy = true;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const std::uint64_t beat = workers_[i]->heartbeat.load(std::memory_order_relaxed);
    if (beat != last_heartbeat_[i]) {
      last_heartbeat_[i] = beat;
      last_progress_[i] = now;
    } else if (now - last_progress_[i] > kWorkerStuckAfter) {
      if (healthy) {
        spdlog::error(
            "worker {} ({}) has not moved for {} s; no longer feeding the watchdog", i,
            workers_[i]->interface(),
            std::chrono::duration_cast<std::chrono::seconds>(now - last_progress_[i]).count());
      }
      healthy = false;
    }
  }
  if (healthy) notifier_.watchdog();
  if (alerts_not_logged_ > 0) {
    spdlog::info(
        "{} more alert notifications since the last report, not logged one by one (the alert "
        "sinks and camwatch_alerts_total have them all)",
        alerts_not_logged_);
    alerts_not_logged_ = 0;
  }
  alerts_logged_this_second_ = 0;
  if (engine_ && engine_->overflowed() > overflow_logged_ && now >= next_overflow_log_) {
    spdlog::warn(
        "{} alert raise(s) folded into per-camera overflow alerts: a camera has {} active alerts "
        "(alerts.max_active_per_camera); its further destinations are in one alert per kind",
        engine_->overflowed() - overflow_logged_, config_->alerts.max_active_per_camera);
    overflow_logged_ = engine_->overflowed();
    next_overflow_log_ = now + std::chrono::seconds(10);
  }
  if (delivery_ && delivery_->delivery().heldCount() > 0) {
    logSpoolWrite(delivery_->delivery().retryHeld(), now);
  }
  if (now >= next_drop_report_) {
    reportDrops();
    next_drop_report_ = now + kDropReportPeriod;
  }
  if (now >= next_status_) {
    notifier_.status(statusLine());
    next_status_ = now + kStatusPeriod;
  }
  if (now >= next_baseline_save_) {
    saveBaseline();
    next_baseline_save_ = now + kBaselineSavePeriod;
  }
}

void LiveSensor::saveBaseline() {
  if (config_->learning.mode == LearningMode::kOff || !engine_->baselineChanged()) return;
  if (auto saved = engine_->baseline().save(config_->learning.state_file); !saved) {
    spdlog::error("{}", saved.error().message);
  }
}

int LiveSensor::run() {
  started_ = SteadyClock::now();
  sensor_name_ = config_->sensor_name;
  if (config_->capture.interfaces.empty()) {
    spdlog::error("{}: nothing to capture: set capture.interfaces or pass --interface",
                  config_->source);
    return kExitUsage;
  }
  // Everything that can fail on the config fails here, before any handle is opened.
  {
    auto probe = NdpiClassifier::create(config_->dpi);
    if (!probe) {
      spdlog::error("{}", probe.error().message);
      return kExitUsage;
    }
  }
  auto loaded = loadJudgement(*config_);
  if (!loaded) {
    spdlog::error("{}", loaded.error().message);
    return kExitUsage;
  }
  for (const std::string& warning : loaded->warnings) spdlog::warn("{}", warning);
  shared_.judgement = loaded->judgement;
  oui_ = loaded->oui;
  LearnedBaseline baseline;
  if (config_->learning.mode != LearningMode::kOff) {
    auto state = LearnedBaseline::load(config_->learning.state_file);
    if (!state) {
      spdlog::error("{}", state.error().message);
      return kExitUsage;
    }
    baseline = std::move(*state);
  }

  // Capture handles need CAP_NET_RAW: open them all, then give up what is not needed any more.
  if (auto opened = openCaptures(); !opened) {
    spdlog::error("{}", opened.error().message);
    return kExitFailure;
  }
  // The workers' nDPI modules read the protocols file: made now, one after another, while the
  // files the config names are readable whoever we become.
  for (std::size_t i = 0; i < setups_.size(); ++i) {
    auto classifier = NdpiClassifier::create(config_->dpi);
    if (!classifier) {
      spdlog::error("{}", classifier.error().message);
      return kExitFailure;
    }
    classifiers_.push_back(std::move(*classifier));
  }
  PrivilegeDropOptions drop;
  drop.user = config_->run_as_user;
  // Reopening a capture handle needs CAP_NET_RAW only (docs/deployment.md), as in the unit.
  drop.keep_capabilities = {CAP_NET_RAW};
  auto dropped = dropPrivileges(drop);
  if (!dropped) {
    spdlog::error("{}", dropped.error().message);
    return kExitFailure;
  }
  if (dropped->still_root) {
    spdlog::warn("running as root: set sensor.user to run as an unprivileged user");
  }
  spdlog::info("credentials: {}", describeCredentials());

  dns_ = std::make_unique<DnsCache>(config_->dns);
  engine_ = std::make_unique<AlertEngine>(*config_, std::move(baseline));
  if (!config_->alerts.sinks.empty()) {
    auto sinks = makeAlertSinks(config_->alerts);
    if (!sinks) {
      spdlog::error("{}", sinks.error().message);
      return kExitUsage;
    }
    auto started = DeliveryThread::start(config_->alerts, std::move(*sinks),
                                         [](const std::string& line) { spdlog::warn("{}", line); });
    if (!started) {
      spdlog::error("{}", started.error().message);
      return kExitFailure;
    }
    delivery_ = std::move(*started);
  }
  startWorkers();

  // Metrics: the layout is fixed now that the workers and sinks are.
  for (const auto& worker : workers_) {
    sources_.workers.push_back(&worker->counters);
    sources_.captures.push_back(CaptureSourceStats{
        CaptureSource{worker->interface(), worker->index()}, &worker->capture_stats});
  }
  sources_.alerts = &alert_counters_;
  sources_.delivery = delivery_ ? &delivery_->delivery() : nullptr;
  sources_.dns_cache = dns_.get();
  if (config_->metrics.enabled) {
    MetricsOptions metrics;
    metrics.sensor = config_->sensor_name;
    metrics.max_destinations = config_->metrics.max_destinations;
    registry_ = std::make_unique<MetricsRegistry>(layoutOf(sources_), metrics);
    MetricsServerOptions server;
    server.listen = config_->metrics.listen;
    server.username = config_->metrics.username;
    server.password_file = config_->metrics.password_file;
    auto serving = MetricsServer::start(server, *registry_);
    if (!serving) {
      spdlog::error("metrics: {}", serving.error().message);
      stop();
      return kExitFailure;
    }
    server_ = std::move(*serving);
    logInfo({{"url", server_->url()}}, "metrics at {}", server_->url());
  }

  std::string interfaces;
  for (const std::string& name : config_->capture.interfaces)
    interfaces += (interfaces.empty() ? "" : ", ") + name;
  const std::string ready =
      fmt::format("capturing on {} ({} workers)", interfaces, workers_.size());
  logInfo({{"interfaces", config_->capture.interfaces}, {"workers", workers_.size()}}, "{}", ready);
  notifier_.ready(ready);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  SteadyClock::time_point next_second = SteadyClock::now();
  next_drop_report_ = next_second + kDropReportPeriod;
  next_status_ = next_second + kStatusPeriod;
  next_baseline_save_ = next_second + kBaselineSavePeriod;
  while (true) {
    const timespec wait{0, kHousekeepingPeriod.count() * 1'000'000};
    const int signal = sigtimedwait(&signals, nullptr, &wait);
    if (signal == SIGTERM || signal == SIGINT) {
      const char* name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
      logInfo({{"signal", name}}, "{}: stopping", name);
      break;
    }
    if (signal == SIGHUP) reload();
    pumpEvents(false);
    const SteadyClock::time_point now = SteadyClock::now();
    if (now >= next_second) {
      everySecond(now);
      next_second = now + std::chrono::seconds(1);
    }
  }
  stop();
  return kExitOk;
}

void LiveSensor::stop() {
  const SteadyClock::time_point stopping = SteadyClock::now();
  notifier_.stopping("ending flows and delivering alerts");
  stop_.store(true, std::memory_order_relaxed);
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  if (engine_) {
    pumpEvents(true);
    saveBaseline();
  }
  if (delivery_) {
    const auto spent = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - stopping);
    const milliseconds budget =
        std::max(milliseconds(0), std::min(config_->alerts.drain_timeout, kMaxDrain - spent));
    if (!delivery_->drain(budget)) {
      spdlog::warn(
          "{} alert deliveries still pending after {} ms; they stay in {} for the next "
          "start",
          delivery_->pending(), budget.count(), config_->alerts.spool_dir);
    }
    delivery_->stop();
  }
  if (registry_) {
    takeSnapshot(sources_, snapshot_);
    registry_->update(snapshot_);
  }
  std::uint64_t non_ip = 0;
  std::uint64_t unmatched = 0;
  for (const auto& worker : workers_) {
    non_ip += worker->nonIpPackets();
    unmatched += worker->fragmentsUnmatched();
  }
  spdlog::info(
      "stopped after {} s: {} ({} not IP, {} fragments without their first)",
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started_).count(),
      statusLine(), non_ip, unmatched);
  server_.reset();
}

}  // namespace

int runLiveSensor(const LiveSensorOptions& options) {
  // Signals are taken by the control thread with sigtimedwait: block them before any thread
  // exists, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = loadConfig(options.config_path);
  if (!config) {
    setUpLogging(LoggingConfig{});
    spdlog::error("{}", config.error().message);
    return kExitUsage;
  }
  setUpLogging(config->logging);
  if (!options.interfaces.empty()) config->capture.interfaces = options.interfaces;
  if (!options.metrics_listen.empty()) {
    config->metrics.listen = options.metrics_listen;
    config->metrics.enabled = true;
  }
  LiveSensor sensor(options, std::move(*config));
  return sensor.run();
}

}  // namespace camwatch
