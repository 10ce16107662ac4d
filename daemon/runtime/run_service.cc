#include "runtime/run_service.h"

#include "pipeline/egress_summary.h"
#include "runtime/live_sensor.h"

namespace camwatch {
namespace run_service {

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
  // export.ipfix: the workers hand their ended records over too.
  flow_options.keep_flows = ipfix_ != nullptr;
  {
    const std::lock_guard lock(shared_.mutex);
    flow_options.judgement = shared_.judgement;
  }
  for (std::size_t i = 0; i < setups_.size(); ++i) {
    workers_.push_back(std::make_unique<LiveWorker>(
        setups_[i], std::move(opened_[i]), liveCaptureOpener(), flow_options,
        std::move(classifiers_[i]), *dns_, shared_, stop_, capture_events_));
  }
  opened_.clear();
  classifiers_.clear();
  for (auto& worker : workers_) {
    threads_.emplace_back([&worker] { worker->run(); });
  }
  worker_clocks_.assign(workers_.size(), 0);
  last_heartbeat_.assign(workers_.size(), 0);
  last_progress_.assign(workers_.size(), SteadyClock::now());
  reported_drops_.assign(workers_.size(), 0);
}

void LiveSensor::pumpEvents(bool final) {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    for (Handover& handover : workers_[i]->mailbox().takeAll()) {
      merger_->hold(handover.events);
      if (ipfix_) {
        for (const EndedFlow& flow : handover.records) {
          ipfix_->add(flow.record, *flow.naming, ipfix_names_->names());
        }
      }
      if (registry_) {
        for (const EgressFlowSummary& flow : handover.egress) {
          addEgressSummary(registry_->egress(), flow);
        }
      }
      worker_clocks_[i] = handover.clock;
    }
  }
  if (worker_clocks_.empty()) return;
  // Events come out in packet-time order up to the slowest worker's clock: what is later waits
  // for the next round, when every worker has caught up with it.
  if (final) {
    merger_->releaseAll(*std::max_element(worker_clocks_.begin(), worker_clocks_.end()));
  } else {
    const Timestamp watermark = *std::min_element(worker_clocks_.begin(), worker_clocks_.end());
    merger_->releaseUpTo(watermark, watermark);
  }
  alert_counters_.publishEngine(engine_->raised(), engine_->repeats(), engine_->overflowed());
  alert_counters_.publishLimits(engine_->overflowedTotal(), engine_->camerasUntracked());
}

void LiveSensor::deliver(std::vector<Alert> notifications) {
  if (notifications.empty()) return;
  for (const Alert& alert : notifications) {
    alert_counters_.recordNotification(alert);
    if (registry_) registry_->cameraAlerts().record(alert);
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
  logSpoolWrite(alert_side_->enqueue(notifications), SteadyClock::now());
}

void LiveSensor::saveBaseline() {
  if (auto saved = alert_side_->saveBaseline(); !saved) {
    spdlog::error("{}", saved.error().message);
  }
}

int LiveSensor::run() {
  started_ = SteadyClock::now();
  sensor_name_ = config_->sensor_name;
  std::optional<LearnedBaseline> baseline;
  if (const int code = checkConfig(baseline); code != kExitOk) return code;
  if (const int code = openCapturesAndDropPrivileges(); code != kExitOk) return code;
  if (const int code = startAlertSide(std::move(*baseline)); code != kExitOk) return code;
  if (const int code = startIpfixExport(); code != kExitOk) return code;
  startWorkers();
  if (const int code = startMetrics(); code != kExitOk) {
    stop();
    return code;
  }
  announceReady();
  waitForStopSignal();
  stop();
  return kExitOk;
}

// Everything that can fail on the config fails here, before any handle is opened: a config that
// cannot work exits 2 (systemd does not restart it).
int LiveSensor::checkConfig(std::optional<LearnedBaseline>& baseline) {
  if (config_->capture.interfaces.empty()) {
    spdlog::error("{}: nothing to capture: set capture.interfaces or pass --interface",
                  config_->source);
    return kExitUsage;
  }
  if (auto probe = NdpiClassifier::create(config_->dpi); !probe) {
    spdlog::error("{}", probe.error().message);
    return kExitUsage;
  }
  auto loaded = loadJudgement(judgementConfig(*config_));
  if (!loaded) {
    spdlog::error("{}", loaded.error().message);
    return kExitUsage;
  }
  for (const std::string& warning : loaded->warnings) spdlog::warn("{}", warning);
  shared_.judgement = loaded->judgement;
  oui_ = loaded->oui;
  auto loaded_baseline = loadAlertBaseline(
      config_->learning, [](const std::string& line) { spdlog::warn("{}", line); });
  if (!loaded_baseline) {
    spdlog::error("{}", loaded_baseline.error().message);
    return kExitUsage;
  }
  baseline = std::move(*loaded_baseline);
  return kExitOk;
}

// Capture handles need CAP_NET_RAW: open them all, then give up what is not needed any more.
int LiveSensor::openCapturesAndDropPrivileges() {
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
  if (config_->ipfix_export) {
    auto names = NdpiClassifier::create(config_->dpi);
    if (!names) {
      spdlog::error("{}", names.error().message);
      return kExitFailure;
    }
    ipfix_names_ = std::move(*names);
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
  return kExitOk;
}

int LiveSensor::startAlertSide(LearnedBaseline baseline) {
  dns_ = std::make_unique<DnsCache>(config_->dns);
  auto sinks = makeAlertSinks(config_->alert_sinks);
  if (!sinks) {
    spdlog::error("{}", sinks.error().message);
    return kExitUsage;
  }
  auto alert_side =
      AlertSide::start(alertSideConfig(*config_), std::move(baseline), std::move(*sinks),
                       [](const std::string& line) { spdlog::warn("{}", line); });
  if (!alert_side) {
    spdlog::error("{}", alert_side.error().message);
    return alert_side.error().kind == AlertSideError::Kind::kConfig ? kExitUsage : kExitFailure;
  }
  alert_side_ = std::move(*alert_side);
  engine_ = &alert_side_->engine();
  merger_.emplace(*engine_,
                  [this](std::vector<Alert> notifications) { deliver(std::move(notifications)); });
  delivery_ = alert_side_->delivery();
  return kExitOk;
}

// export.ipfix: the exporter's thread starts now; the collector may come later (its trouble is
// logged and counted, docs/ipfix.md).
int LiveSensor::startIpfixExport() {
  if (!config_->ipfix_export) return kExitOk;
  auto started = IpfixExporter::start(*config_->ipfix_export,
                                      [](const std::string& line) { spdlog::warn("{}", line); });
  if (!started) {
    spdlog::error("{}: export.ipfix: {}", config_->source, started.error().message);
    return kExitUsage;
  }
  ipfix_ = std::move(*started);
  logInfo({{"collector", ipfix_->collectorName()}}, "exporting flows over IPFIX to {}",
          ipfix_->collectorName());
  return kExitOk;
}

// Metrics: the layout is fixed now that the workers and sinks are.
int LiveSensor::startMetrics() {
  for (const auto& worker : workers_) {
    sources_.workers.push_back(&worker->counters());
    sources_.captures.push_back(CaptureSourceStats{
        CaptureSource{worker->interface(), worker->index()}, &worker->capture_stats});
  }
  sources_.alerts = &alert_counters_;
  sources_.delivery = delivery_;
  sources_.dns_cache = dns_.get();
  if (ipfix_) sources_.ipfix = &ipfix_->counts();
  if (!config_->metrics.enabled) return kExitOk;
  auto serving = MetricsEndpoint::start(metricsEndpointOptions(*config_, config_->metrics.listen),
                                        layoutOf(sources_));
  if (!serving) {
    spdlog::error("metrics: {}", serving.error().message);
    return kExitFailure;
  }
  metrics_ = std::move(*serving);
  registry_ = &metrics_->registry();
  logInfo({{"url", metrics_->url()}}, "metrics at {}", metrics_->url());
  if (const std::string exposed = metricsExposureWarning(*config_, config_->metrics.listen);
      !exposed.empty()) {
    logWarn({{"listen", config_->metrics.listen}}, "{}", exposed);
  }
  return kExitOk;
}

void LiveSensor::announceReady() {
  std::string interfaces;
  for (const std::string& name : config_->capture.interfaces)
    interfaces += (interfaces.empty() ? "" : ", ") + name;
  const std::string ready =
      fmt::format("capturing on {} ({} workers)", interfaces, workers_.size());
  logInfo({{"interfaces", config_->capture.interfaces}, {"workers", workers_.size()}}, "{}", ready);
  notifier_.ready(ready);
}

// The control loop: about ten times a second, merge the workers' handovers and deliver; once a
// second, metrics and health; SIGHUP reloads; SIGTERM or SIGINT ends it.
void LiveSensor::waitForStopSignal() {
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
      return;
    }
    if (signal == SIGHUP) reload();
    pumpEvents(false);
    const SteadyClock::time_point now = SteadyClock::now();
    if (now >= next_second) {
      everySecond(now);
      next_second = now + std::chrono::seconds(1);
    }
  }
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
  if (ipfix_) {
    ipfix_->stop();
    const IpfixExportCounts& counts = ipfix_->counts();
    logInfo({{"collector", ipfix_->collectorName()},
             {"exported", counts.exported.load()},
             {"dropped", counts.dropped.load()},
             {"errors", counts.errors.load()}},
            "IPFIX export to {}: {} flow record(s) exported, {} dropped, {} error(s)",
            ipfix_->collectorName(), counts.exported.load(), counts.dropped.load(),
            counts.errors.load());
  }
  if (delivery_) {
    const auto spent = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - stopping);
    const milliseconds budget =
        std::max(milliseconds(0), std::min(config_->alerts.drain_timeout, kMaxDrain - spent));
    if (const std::uint64_t pending = alert_side_->stop(budget); pending > 0) {
      spdlog::warn(
          "{} alert deliveries still pending after {} ms; they stay in {} for the next "
          "start",
          pending, budget.count(), config_->alerts.spool_dir);
    }
  }
  if (registry_) {
    takeSnapshot(sources_, snapshot_);
    registry_->update(snapshot_);
  }
  // Where every packet went: packets = to flows + not IP + malformed + fragments without
  // their first (docs/metrics.md "What counts as a packet"); bench/live_bench.sh reads it.
  std::uint64_t ip = 0;
  std::uint64_t non_ip = 0;
  std::uint64_t malformed = 0;
  std::uint64_t unmatched = 0;
  for (const auto& worker : workers_) {
    const PacketCounters& counted = worker->packetCounters();
    ip += counted.ip_packets;
    non_ip += counted.nonIpPackets();
    for (const std::uint64_t count : counted.anomalies) malformed += count;
    unmatched += counted.fragments_unmatched;
  }
  spdlog::info(
      "stopped after {} s: {} ({} to flows, {} not IP, {} malformed, {} fragments without their "
      "first)",
      std::chrono::duration_cast<std::chrono::seconds>(SteadyClock::now() - started_).count(),
      statusLine(), ip, non_ip, malformed, unmatched);
  if (metrics_) metrics_->stopServing();
}

}  // namespace run_service

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
  run_service::LiveSensor sensor(options, std::move(*config));
  return sensor.run();
}

}  // namespace camwatch
