#include "cli/replay_command.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <thread>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <camwatch/alert.h>
#include <camwatch/inventory.h>

#include "alert/alert_side.h"
#include "cli/capture_args.h"
#include "cli/cli.h"
#include "cli/replay_metrics.h"
#include "cli/report_input.h"
#include "cli/terminal_progress.h"
#include "cli/time_bounds.h"
#include "config/component_options.h"
#include "config/config.h"
#include "export/ipfix_exporter.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/replay_pipeline.h"
#include "report/destinations_csv.h"
#include "report/flow_json.h"
#include "report/report_html.h"
#include "report/report_pdf.h"
#include "report/summary.h"
#include "runtime/metrics_sources.h"
#include "sinks/json_lines_writer.h"
#include "sinks/sink_registry.h"

namespace camwatch::cli {
namespace {

Result<Config> configFrom(const std::string& path) {
  if (path.empty()) return defaultConfig();
  return loadConfig(path);
}

bool writeTextFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::out | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    std::cerr << "camwatch: " << path << ": cannot write: " << std::strerror(errno) << '\n';
    return false;
  }
  return true;
}

// What spooling replay's alerts ran into, said once at the end.
class SpoolTrouble {
 public:
  void add(const EnqueueResult& queued) {
    dropped_ += queued.drop.alerts;
    if (queued.write_error) write_error_ = *queued.write_error;
  }
  /// @return false when alerts could not be spooled (`held` of them are still in memory).
  bool report(std::uint64_t held) const {
    if (dropped_ > 0) {
      std::cerr << "camwatch: alert spool full: dropped " << dropped_ << " undelivered alert(s)\n";
    }
    if (held == 0) return true;
    std::cerr << "camwatch: alert spool cannot be written: " << write_error_ << "; " << held
              << " alert(s) not spooled and not delivered\n";
    return false;
  }

 private:
  std::uint64_t dropped_ = 0;
  std::string write_error_;
};

// What the replay hands on of its flow records: each folded into the digest the summary, the
// destinations and the report are built from, and written to --flows when asked, so none has
// to be kept.
class ReplayFlows final : public ReplayFlowOutput {
 public:
  void firstPacket(Timestamp ts) override { digest.setOrigin(ts); }
  void flowEnded(const EndedFlow& flow, const ProtocolNames& namer) override {
    // The record's ids, named by the judgement it was made with.
    const NamingSnapshot& naming = *flow.naming;
    digest.add(flow.record, FlowLabels{naming.groupName(flow.record.camera_group),
                                       naming.ruleLabel(flow.record.verdict.rule)});
    if (writer) writer->write(flow.record, FlowNaming{&namer, geo, oui, naming.operators.get()});
    if (ipfix) ipfix->add(flow.record, naming, namer);
  }

  FlowDigest digest;
  std::unique_ptr<FlowJsonLinesWriter> writer;  ///< --flows; null without
  const GeoLookup* geo = nullptr;               ///< what names the records in --flows
  const OuiTable* oui = nullptr;
  std::unique_ptr<IpfixExporter> ipfix;  ///< --ipfix or export.ipfix; null without
};

// A step's way out: the exit code when the command ends there, nullopt to go on.
using Stop = std::optional<int>;

// Names `message` on standard error. @return `code`, to end the command with.
int complain(const std::string& message, int code) {
  std::cerr << "camwatch: " << message << '\n';
  return code;
}

// One replay, built up by the steps of replayCommand. The callbacks in `options` point into it,
// so it is neither copied nor moved. The members are declared in the order the steps make them,
// so they are destroyed in reverse (the flows writer and the metrics before the alert side, the
// alert side before the config it reads), as the locals of one long function were.
struct ReplayRun {
  explicit ReplayRun(const ReplayArgs& replay_args) : args(replay_args) {}
  ReplayRun(const ReplayRun&) = delete;
  ReplayRun& operator=(const ReplayRun&) = delete;

  const ReplayArgs& args;
  Config config;
  ReplayOptions options;
  std::shared_ptr<const OuiTable> oui;
  JudgementSources sources;  ///< for the report's provenance
  std::string chromium;      ///< --report-pdf: the browser found before the replay
  unsigned workers = 0;
  std::unique_ptr<AlertSide> alert_side;
  SpoolTrouble spool_trouble;
  std::unique_ptr<ReplayMetrics> metrics;
  ReplayFlows flows;
};

// CAPTURE, --bpf, --from and --to: which files the replay reads, and which of their packets.
Stop selectPackets(const ReplayArgs& args, ReplayOptions& options) {
  auto captures = expandCaptureArguments(args.captures);
  if (!captures) return complain(captures.error().message, kExitFailure);
  options.captures = std::move(*captures);
  options.bpf = args.bpf;
  for (const auto& [option, text, bound] : {std::tuple{"--from", &args.from, &options.from},
                                            std::tuple{"--to", &args.to, &options.to}}) {
    if (text->empty()) continue;
    auto parsed = parseTimeBound(option, *text);
    if (!parsed) return complain(parsed.error().message, kExitUsage);
    *bound = *parsed;
  }
  if (options.from && options.to && *options.from >= *options.to) {
    std::cerr << "camwatch: --from " << args.from << " is not before --to " << args.to
              << ": no packet could be kept\n";
    return kExitUsage;
  }
  return std::nullopt;
}

// Step 1: the config (the built-in one without --config), what the replay reads, and what judges
// its flows (policy, inventory, GeoIP), into `run.options`.
Stop loadConfigAndJudgement(ReplayRun& run) {
  auto config = configFrom(run.args.config_path);
  if (!config) return complain(config.error().message, kExitUsage);
  run.config = std::move(*config);
  if (run.args.learn_only) {
    if (run.config.learning.state_file.empty()) {
      return complain(
          run.args.config_path + ": learning.state_file is not set: baseline learn writes there",
          kExitUsage);
    }
    // Everything the captures hold is learnt: no enforcing after a period (a century is no
    // period), and no alert leaves for the sinks.
    run.config.learning.mode = LearningMode::kLearn;
    run.config.learning.period = 100LL * 365 * 24 * 3600 * kNanosPerSecond;
    run.config.alert_sinks.clear();
  }
  ReplayOptions& options = run.options;
  if (Stop stop = selectPackets(run.args, options)) return stop;
  options.flows = run.config.flows;
  FlowDigestLimits limits;
  limits.max_hosts = run.config.replay_limits.max_hosts;
  limits.max_destination_rows = run.config.replay_limits.max_destination_rows;
  limits.max_timelines = run.config.replay_limits.max_timelines;
  run.flows.digest = FlowDigest(limits);
  options.flow_output = &run.flows;
  options.dpi = run.config.dpi;
  options.dns = run.config.dns;
  auto loaded = loadJudgement(judgementConfig(run.config));
  if (!loaded) return complain(loaded.error().message, kExitUsage);
  for (const std::string& warning : loaded->warnings) std::cerr << "camwatch: " << warning << '\n';
  options.geo_cache_size = loaded->judgement.geo_cache_size;
  options.geo = loaded->judgement.geo;
  options.operators = loaded->judgement.operators;
  options.policy = loaded->judgement.policy;
  options.inventory = loaded->judgement.inventory;
  options.sensor_name = loaded->judgement.sensor_name;
  options.max_cameras = run.config.max_cameras;
  run.oui = loaded->oui;
  run.sources = std::move(loaded->sources);
  run.workers = run.args.workers.value_or(run.config.workers);
  if (run.workers == 0) run.workers = std::max(1U, std::thread::hardware_concurrency());
  options.workers = run.workers;
  return std::nullopt;
}

// Step 2: the learned baseline, the alert engine and the sinks with their delivery thread.
Stop startAlertSide(ReplayRun& run) {
  const DeliveryLog to_stderr = [](const std::string& line) {
    std::cerr << "camwatch: " << line << '\n';
  };
  auto baseline = loadAlertBaseline(run.config.learning, to_stderr);
  if (!baseline) return complain(baseline.error().message, kExitUsage);
  auto sinks = makeAlertSinks(run.config.alert_sinks);
  if (!sinks) return complain(sinks.error().message, kExitUsage);
  // Delivery starts before the replay: alerts an earlier run left in the spool go out first.
  auto started_side = AlertSide::start(alertSideConfig(run.config), std::move(*baseline),
                                       std::move(*sinks), to_stderr);
  if (!started_side) {
    return complain(
        started_side.error().message,
        started_side.error().kind == AlertSideError::Kind::kConfig ? kExitUsage : kExitFailure);
  }
  run.alert_side = std::move(*started_side);
  AlertSide& alert_side = *run.alert_side;
  run.options.report_default_allows = run.config.learning.mode != LearningMode::kOff;
  run.options.alert_engine = &alert_side.engine();
  // The sinks get each round's alerts as the replay closes it, as a sensor's would.
  if (alert_side.delivery() != nullptr) {
    run.options.on_alerts = [&alert_side,
                             &spool_trouble = run.spool_trouble](std::span<const Alert> alerts) {
      spool_trouble.add(alert_side.enqueue(alerts));
    };
  }
  return std::nullopt;
}

// --metrics: served from now on, or kept for the file written at the end.
Stop startMetrics(ReplayRun& run) {
  if (run.args.metrics_path.empty()) return std::nullopt;
  auto started =
      ReplayMetrics::start(run.args.metrics_path, run.config, run.workers, *run.alert_side);
  if (!started) return complain(started.error().message, kExitUsage);
  run.metrics = std::move(*started);
  if (run.metrics->served()) {
    std::cerr << "camwatch: metrics at " << run.metrics->url() << '\n';
    const std::string exposed = metricsExposureWarning(run.config, run.args.metrics_path);
    if (!exposed.empty()) std::cerr << "camwatch: warning: " << exposed << '\n';
  }
  run.options.on_progress = [&metrics = run.metrics](ReplayProgress& progress) {
    metrics->onProgress(progress);
  };
  return std::nullopt;
}

// --flows: each record is written as the replay hands it over (ReplayFlows).
Stop openFlowsWriter(ReplayRun& run) {
  if (run.args.flows_path.empty()) return std::nullopt;
  auto opened = FlowJsonLinesWriter::open(run.args.flows_path);
  if (!opened) return complain(opened.error().message, kExitFailure);
  run.flows.writer = std::move(*opened);
  run.flows.geo = run.options.geo.get();
  run.flows.oui = run.oui.get();
  return std::nullopt;
}

// --ipfix (or the config's export.ipfix): each record is queued for the exporter's thread as
// the replay hands it over.
Stop startIpfixExport(ReplayRun& run) {
  std::optional<IpfixExportOptions> options = run.config.ipfix_export;
  if (!run.args.ipfix_collector.empty()) {
    auto collector = parseIpfixCollector(run.args.ipfix_collector);
    if (!collector) return complain("--ipfix: " + collector.error().message, kExitUsage);
    if (!options) options.emplace();
    options->collector = *collector;
  }
  if (!options) return std::nullopt;
  auto started = IpfixExporter::start(
      *options, [](const std::string& line) { std::cerr << "camwatch: " << line << '\n'; });
  if (!started) return complain(started.error().message, kExitUsage);
  run.flows.ipfix = std::move(*started);
  if (run.metrics) run.metrics->setIpfixCounts(&run.flows.ipfix->counts());
  return std::nullopt;
}

// --ipfix: what is queued goes out before the command ends; what could not is said.
void stopIpfixExport(ReplayRun& run) {
  if (!run.flows.ipfix) return;
  IpfixExporter& ipfix = *run.flows.ipfix;
  ipfix.stop();
  const IpfixExportCounts& counts = ipfix.counts();
  if (counts.dropped > 0 || counts.errors > 0) {
    std::cerr << "camwatch: IPFIX collector " << ipfix.collectorName() << ": " << counts.exported
              << " flow record(s) exported, " << counts.dropped << " dropped, " << counts.errors
              << " error(s)\n";
  }
}

// Step 3: the outputs the replay feeds while it runs (--metrics, --flows, --ipfix).
Stop setUpOutputs(ReplayRun& run) {
  if (run.args.linger_seconds > 0 && !isListenAddress(run.args.metrics_path)) {
    std::cerr << "camwatch: --linger needs --metrics ADDR:PORT (it keeps serving /metrics)\n";
    return kExitUsage;
  }
  run.options.pace = run.args.pace;
  if (!run.args.report_pdf_path.empty()) {
    // Looked for now, not after a replay that may take minutes.
    auto chromium = findChromium(run.args.chromium);
    if (!chromium) return complain(chromium.error().message, kExitFailure);
    run.chromium = std::move(*chromium);
  }
  if (Stop stop = startMetrics(run)) return stop;
  if (Stop stop = startIpfixExport(run)) return stop;
  return openFlowsWriter(run);
}

// Step 4: the replay itself, with the progress line when standard error is a terminal.
Result<ReplayResult> runWithProgress(ReplayRun& run) {
  TerminalProgress progress;
  if (TerminalProgress::wanted()) {
    run.options.on_input = [&progress](const InputProgress& input) { progress.draw(input); };
  }
  auto result = runReplay(run.options);
  progress.erase();
  run.options.on_input = nullptr;  // it points at `progress`, which ends here
  return result;
}

// What the engine knows at the end, for the summary and the report.
void takeEngineFigures(const AlertEngine& engine, ReplayResult& result) {
  result.cameras = engine.camerasByAddress();
  result.alert_overflowed_total = engine.overflowedTotal();
  result.alert_updates = engine.evidenceUpdates();
  result.cameras_untracked = engine.camerasUntracked();
  result.learning_phase = std::string(engine.learningPhase());
  result.learned_entries = engine.baseline().size();
}

// Step 5: the baseline saved, the engine's figures taken, the delivery drained and stopped.
// @return false when something failed (said on standard error).
bool finishAlertSide(ReplayRun& run, ReplayResult& result) {
  bool ok = true;
  AlertSide& alert_side = *run.alert_side;
  if (auto saved = alert_side.saveBaseline(); !saved) {
    std::cerr << "camwatch: " << saved.error().message << '\n';
    ok = false;
  }
  takeEngineFigures(alert_side.engine(), result);
  if (AlertDelivery* delivery = alert_side.delivery(); delivery != nullptr) {
    // A spool that failed mid-way gets one more try; what it still cannot take is not delivered
    // (--alerts has it).
    if (delivery->heldCount() > 0) run.spool_trouble.add(delivery->retryHeld());
    ok = run.spool_trouble.report(delivery->heldCount()) && ok;
    if (const std::uint64_t pending = alert_side.stop(run.config.alerts.drain_timeout);
        pending > 0) {
      std::cerr << "camwatch: " << pending
                << " alert deliveries still pending after alerts.drain_timeout; they stay in "
                << run.config.alerts.spool_dir << " for the next start\n";
    }
    result.deliveries = alert_side.sinkStats();
  }
  return ok;
}

// --destinations, --report and --report-pdf, which share the destination rows (and the page).
bool writeDestinationsAndReport(const ReplayRun& run, const ReplayOutcome& result) {
  const ReplayArgs& args = run.args;
  bool ok = true;
  const FlowNaming naming{result.namer.get(), run.options.geo.get(), run.oui.get(),
                          run.options.operators.get()};
  const std::vector<DestinationRow> rows = buildDestinations(result, naming);
  if (!args.destinations_path.empty()) {
    ok = writeTextFile(args.destinations_path, destinationsToCsv(rows)) && ok;
  }
  if (args.report_path.empty() && args.report_pdf_path.empty()) return ok;
  const LoadedSources loaded{&run.sources, run.options.operators.get(), run.oui.get()};
  const std::string html =
      reportToHtml(result, rows, reportInput(args, run.config, result, loaded));
  if (!args.report_path.empty()) ok = writeTextFile(args.report_path, html) && ok;
  if (!args.report_pdf_path.empty()) {
    if (auto printed = printPdf(html, args.report_pdf_path, run.chromium,
                                std::chrono::seconds(args.pdf_timeout_seconds));
        !printed) {
      std::cerr << "camwatch: " << printed.error().message << '\n';
      ok = false;
    }
  }
  return ok;
}

// Step 6: --flows closed, then --alerts, --summary, --destinations, --report, --report-pdf and
// --metrics.
// @return false when one could not be written (said on standard error).
bool writeOutputs(ReplayRun& run, const ReplayOutcome& result,
                  const nlohmann::ordered_json& summary) {
  const ReplayArgs& args = run.args;
  bool ok = true;
  stopIpfixExport(run);
  if (run.flows.writer) {
    if (auto written = run.flows.writer->close(); !written) {
      std::cerr << "camwatch: " << written.error().message << '\n';
      ok = false;
    }
  }
  if (!args.alerts_path.empty()) {
    // One JSON object per line (docs/alerts.md); with no alerts the file exists and is empty, so
    // a script can tell "nothing to report" from "not run".
    ok = writeTextFile(args.alerts_path, alertsToJsonLines(result.alerts)) && ok;
  }
  if (!args.summary_path.empty()) {
    ok = writeTextFile(
             args.summary_path,
             summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n") &&
         ok;
  }
  if (!args.destinations_path.empty() || !args.report_path.empty() ||
      !args.report_pdf_path.empty()) {
    ok = writeDestinationsAndReport(run, result) && ok;
  }
  if (run.metrics) {
    // Before the final figures: a scraper that saw them may stop us.
    if (run.metrics->served()) catchLingerSignals();
    run.metrics->finish(result);
    if (!run.metrics->served()) {
      ok = writeTextFile(args.metrics_path, run.metrics->textExposition()) && ok;
    }
  }
  return ok;
}

}  // namespace

int replayCommand(const ReplayArgs& args) {
  ReplayRun run(args);
  if (Stop stop = loadConfigAndJudgement(run)) return *stop;
  if (Stop stop = startAlertSide(run)) return *stop;
  if (Stop stop = setUpOutputs(run)) return *stop;
  auto replayed = runWithProgress(run);
  if (!replayed) return complain(replayed.error().message, kExitFailure);
  ReplayOutcome result{std::move(*replayed), std::move(run.flows.digest), std::nullopt};
  bool ok = result.errors.empty();
  for (const std::string& error : result.errors) std::cerr << "camwatch: " << error << '\n';
  ok = finishAlertSide(run, result) && ok;
  if (run.config.learning.mode != LearningMode::kOff) {
    result.baseline = run.alert_side->engine().baseline();
  }
  const nlohmann::ordered_json summary = summaryToJson(result);
  ok = writeOutputs(run, result, summary) && ok;
  result.peak_rss_bytes = peakResidentBytes();
  if (args.learn_only) {
    const LearnedBaseline& baseline = run.alert_side->engine().baseline();
    for (const std::string& group : baseline.groupNames()) {
      std::cout << "group " << group << ": " << baseline.destinations(group).size()
                << " destination(s) learnt\n";
    }
    std::cout << "saved to " << run.config.learning.state_file << '\n' << std::flush;
    return ok ? kExitOk : kExitFailure;
  }
  std::cout << summaryToText(result, summary) << std::flush;
  if (isListenAddress(args.metrics_path) && args.linger_seconds > 0) {
    std::cerr << "camwatch: serving the final metrics at " << run.metrics->url() << " for "
              << args.linger_seconds << " s (SIGTERM or SIGINT end it)\n";
    linger(args.linger_seconds);
  }
  return ok ? kExitOk : kExitFailure;
}

}  // namespace camwatch::cli
