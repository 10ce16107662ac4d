// The `camwatch run` service, inside: the LiveSensor that runtime/live_sensor.h's runLiveSensor()
// runs. Its methods live in run_service.cc (start, the control loop, stop), health_report.cc
// (the 10 s drop and limit reports, the status line, the watchdog), reload.cc (SIGHUP) and
// sensor_log.cc (what it logs of alerts and captures). Internal to runtime/.
#pragma once

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
#include <optional>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <camwatch/capture.h>
#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/metrics.h>

#include "alert/alert_engine.h"
#include "alert/alert_side.h"
#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "export/ipfix_exporter.h"
#include "pipeline/event_merger.h"
#include "pipeline/flow_worker.h"
#include "pipeline/handover.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/live_worker.h"
#include "pipeline/packet_stage.h"
#include "pipeline/worker_shell.h"
#include "runtime/exit_codes.h"
#include "runtime/live_sensor.h"
#include "runtime/logging.h"
#include "runtime/metrics_sources.h"
#include "runtime/service.h"
#include "sinks/jsonl/jsonl_reopen.h"
#include "sinks/sink_registry.h"

namespace camwatch::run_service {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::chrono::seconds kDropReportPeriod{10};
constexpr std::chrono::seconds kStatusPeriod{10};
constexpr std::chrono::seconds kBaselineSavePeriod{300};
// A worker whose loop has not turned for this long is stuck: the watchdog stops being fed.
constexpr std::chrono::seconds kWorkerStuckAfter{10};
// The whole stop (workers ended, alerts spooled and delivered) stays under systemd's
// TimeoutStopSec=45s (docs/deployment.md).
constexpr milliseconds kMaxDrain{30000};
constexpr std::uint32_t kAlertLogLinesPerSecond = 20;

// A live worker's capture trouble, in the sensor's log (logging.format applies).
class LoggedCaptureEvents : public CaptureEvents {
 public:
  void captureFailed(const std::string& interface, unsigned worker,
                     const std::string& error) override {
    logError({{"interface", interface}, {"worker", worker}, {"error", error}},
             "{} (worker {}): {}; reopening it", interface, worker, error);
  }
  void reopenFailed(const std::string& interface, unsigned worker,
                    const std::string& error) override {
    logWarn({{"interface", interface}, {"worker", worker}, {"error", error}},
            "{} (worker {}): cannot reopen: {}; retrying with backoff", interface, worker, error);
  }
  void reopened(const std::string& interface, unsigned worker, std::uint32_t attempts) override {
    logInfo({{"interface", interface}, {"worker", worker}, {"attempts", attempts}},
            "{} (worker {}): capturing again after {} attempt(s)", interface, worker, attempts);
  }
  void linkChanged(const std::string& interface, bool up) override {
    if (up) {
      logInfo({{"interface", interface}, {"link", "up"}}, "{}: interface is up again", interface);
    } else {
      logWarn({{"interface", interface}, {"link", "down"}},
              "{}: interface is down or gone; capturing resumes when it is back", interface);
    }
  }
};

/// One line naming an alert: kind, camera, destination, rule (the log's message).
std::string describeAlert(const Alert& alert);
/// The alert's facts as log fields (the dedup key too: it joins the log line to the sinks').
LogFields alertLogFields(const Alert& alert);

class LiveSensor {
 public:
  LiveSensor(const LiveSensorOptions& options, Config config)
      : options_(options), config_(std::make_unique<Config>(std::move(config))) {}

  int run();

 private:
  // run()'s steps, in order; each returns kExitOk or the exit code it failed with.
  int checkConfig(std::optional<LearnedBaseline>& baseline);
  int openCapturesAndDropPrivileges();
  int startAlertSide(LearnedBaseline baseline);
  int startIpfixExport();
  int startMetrics();
  void announceReady();
  void waitForStopSignal();

  Result<void> openCaptures();
  void startWorkers();
  void pumpEvents(bool final);
  void deliver(std::vector<Alert> notifications);
  void reload();
  void everySecond(SteadyClock::time_point now);
  void reportDrops();
  void reportFullTables();
  void logSpoolWrite(const EnqueueResult& queued, SteadyClock::time_point now);
  std::string statusLine() const;
  void saveBaseline();
  void stop();

  LiveSensorOptions options_;
  std::unique_ptr<const Config> config_;  // the config at start; the engine refers to it
  std::string sensor_name_;
  std::atomic<bool> stop_{false};
  LoggedCaptureEvents capture_events_;
  std::unique_ptr<DnsCache> dns_;
  SharedJudgement shared_;
  std::shared_ptr<const OuiTable> oui_;
  std::vector<WorkerSetup> setups_;
  std::vector<PacketSourcePtr> opened_;
  std::vector<std::unique_ptr<NdpiClassifier>> classifiers_;  // one per worker, until it starts
  // export.ipfix: the exporter, and the nDPI module that names the records' protocols on the
  // control thread (the workers' modules are theirs). Null without export.ipfix.
  std::unique_ptr<IpfixExporter> ipfix_;
  std::unique_ptr<NdpiClassifier> ipfix_names_;
  std::vector<std::unique_ptr<LiveWorker>> workers_;
  std::vector<std::thread> threads_;
  std::unique_ptr<AlertSide> alert_side_;
  AlertEngine* engine_ = nullptr;      // alert_side_'s
  AlertDelivery* delivery_ = nullptr;  // alert_side_'s; null without sinks
  AlertCounters alert_counters_;
  MetricsSources sources_;
  std::unique_ptr<MetricsEndpoint> metrics_;  // null with metrics.enabled false
  MetricsRegistry* registry_ = nullptr;       // metrics_'s
  MetricsSnapshot snapshot_;
  SystemdNotifier notifier_;
  std::optional<EventMerger> merger_;
  std::vector<Timestamp> worker_clocks_;  // of each worker's last handover
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

}  // namespace camwatch::run_service
