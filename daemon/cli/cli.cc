#include "cli/cli.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <maxminddb.h>
#include <ndpi/ndpi_api.h>
#include <pcap/pcap.h>

#include <camwatch/alert.h>
#include <camwatch/build_info.h>
#include <camwatch/config.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/metrics.h>

#include "alert/alert_engine.h"
#include "alert/alert_output.h"
#include "alert/alert_side.h"
#include "alert/delivery_thread.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/replay_pipeline.h"
#include "report/destinations_csv.h"
#include "report/flow_json.h"
#include "report/report_html.h"
#include "report/summary.h"
#include "runtime/live_sensor.h"
#include "runtime/metrics_sources.h"
#include "sinks/json_lines_writer.h"
#include "util/sha256.h"

namespace camwatch {
namespace {

struct ReplayArgs {
  std::string config_path;
  std::optional<unsigned> workers;
  std::string flows_path;
  std::string alerts_path;
  std::string summary_path;
  std::string metrics_path;       // a file, or ADDR:PORT to serve (isListenAddress)
  std::string report_path;        // --report FILE.html
  std::string destinations_path;  // --destinations FILE.csv
  double linger_seconds = 0;
  double pace = 0;
  std::string from;  // --from TIME, as given
  std::string to;    // --to TIME
  std::string bpf;   // --bpf EXPR
  std::vector<std::string> captures;
};

// `replay --metrics` takes a file or an address. An address has a ':' and a port number (0 to
// 65535, digits only) after the last one: "127.0.0.1:9108", "0.0.0.0:0". Anything else is a file
// name, so "out.prom" and "./a:b.prom" stay files; "dir/x:9108" would be an address (with an
// invalid host, which MetricsServer then names), so write "./x:9108" only for a directory "x".
bool isListenAddress(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoul(port) <= 65535;
}

// CAPTURE arguments with * ? or [ are glob(3) patterns, so a quoted "dir/*.pcap" works where
// the shell's expansion would be too long (or when no shell expands it). Each pattern's matches
// are sorted bytewise (glob sorts by locale, which would make the order depend on the user's);
// a file named twice is read once, since reading it twice would double every flow. A pattern
// that matches nothing is an error: an empty replay would look like a quiet network.
Result<std::vector<std::string>> expandCaptureArguments(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& path) {
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  };
  for (const std::string& arg : args) {
    if (arg.find_first_of("*?[") == std::string::npos) {
      add(arg);
      continue;
    }
    glob_t matches{};
    const int rc = glob(arg.c_str(), GLOB_NOSORT, nullptr, &matches);
    std::vector<std::string> found;
    if (rc == 0) found.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    globfree(&matches);
    if (rc == GLOB_NOMATCH || (rc == 0 && found.empty())) {
      return makeError(fmt::format("{}: no capture file matches this pattern", arg));
    }
    if (rc != 0) {
      return makeError(fmt::format("{}: cannot expand the pattern: {}", arg,
                                   rc == GLOB_NOSPACE ? "out of memory" : "read error"));
    }
    std::sort(found.begin(), found.end());
    for (const std::string& path : found) add(path);
  }
  return out;
}

// Parses `digits` (only 0-9, at least one) into `out`; false on anything else or overflow.
bool parseDigits(std::string_view digits, std::int64_t& out) {
  if (digits.empty()) return false;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size() && out >= 0;
}

// Nanoseconds of a fraction's digits after the '.' ("5" is 500 ms); more than 9 digits are cut.
bool parseFraction(std::string_view digits, Timestamp& nanos) {
  nanos = 0;
  if (digits.empty()) return false;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] < '0' || digits[i] > '9') return false;
  }
  std::string padded(digits.substr(0, 9));
  padded.resize(9, '0');
  return parseDigits(padded, nanos);
}

// --from/--to: RFC 3339 ("2026-01-15T09:03:00Z", "2026-01-15T10:03:00.25+01:00") or seconds since
// the epoch ("1768467780", "1768467780.5"). Errors name the option and the value.
Result<Timestamp> parseTimeBound(const std::string& option, const std::string& text) {
  const auto bad = [&](std::string_view why) {
    return makeError(
        fmt::format("{} '{}': {}; give RFC 3339 (2026-01-15T09:03:00Z) or seconds since the epoch",
                    option, text, why));
  };
  const std::string_view value(text);
  if (value.find_first_not_of("0123456789.") == std::string_view::npos) {
    const std::size_t dot = value.find('.');
    std::int64_t seconds = 0;
    Timestamp nanos = 0;
    if (!parseDigits(value.substr(0, dot), seconds) ||
        (dot != std::string_view::npos && !parseFraction(value.substr(dot + 1), nanos)) ||
        seconds > std::numeric_limits<Timestamp>::max() / kNanosPerSecond - 1) {
      return bad("not a number of seconds");
    }
    return seconds * kNanosPerSecond + nanos;
  }
  // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then Z or +HH:MM / -HH:MM.
  if (value.size() < 20 || value[4] != '-' || value[7] != '-' ||
      (value[10] != 'T' && value[10] != 't' && value[10] != ' ') || value[13] != ':' ||
      value[16] != ':') {
    return bad("not a time");
  }
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!parseDigits(value.substr(0, 4), year) || !parseDigits(value.substr(5, 2), month) ||
      !parseDigits(value.substr(8, 2), day) || !parseDigits(value.substr(11, 2), hour) ||
      !parseDigits(value.substr(14, 2), minute) || !parseDigits(value.substr(17, 2), second)) {
    return bad("not a time");
  }
  std::string_view rest = value.substr(19);
  Timestamp nanos = 0;
  if (!rest.empty() && rest.front() == '.') {
    const std::size_t end = rest.find_first_not_of("0123456789", 1);
    if (end == std::string_view::npos || !parseFraction(rest.substr(1, end - 1), nanos)) {
      return bad("bad fraction of a second");
    }
    rest = rest.substr(end);
  }
  std::int64_t offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    std::int64_t offset_hours = 0, offset_minutes = 0;
    if (!parseDigits(rest.substr(1, 2), offset_hours) ||
        !parseDigits(rest.substr(4, 2), offset_minutes) || offset_hours > 23 ||
        offset_minutes > 59) {
      return bad("bad UTC offset");
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return bad("needs a time zone (Z or +HH:MM)");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad("out of range");
  }
  std::tm utc{};
  utc.tm_year = static_cast<int>(year - 1900);
  utc.tm_mon = static_cast<int>(month - 1);
  utc.tm_mday = static_cast<int>(day);
  utc.tm_hour = static_cast<int>(hour);
  utc.tm_min = static_cast<int>(minute);
  utc.tm_sec = static_cast<int>(second);
  const std::time_t seconds = timegm(&utc);
  if (utc.tm_mday != day) return bad("no such day");  // timegm rolled 2026-02-30 over
  return (static_cast<Timestamp>(seconds) - offset_seconds) * kNanosPerSecond + nanos;
}

// The figures of a finished replay as one MetricsSnapshot (the live sensor's families).
MetricsSnapshot replaySnapshot(const Config& config, const ReplayResult& result) {
  MetricsSnapshot snapshot;
  snapshot.workers = result.worker_counters;  // packet counts filled by runReplay
  for (const SinkDeliveryStats& sink : result.deliveries) {
    snapshot.sinks.push_back(SinkDeliverySnapshot{sink.queued, sink.sent, sink.retried, sink.failed,
                                                  sink.dropped, sink.pending});
  }
  AlertCounters alerts;
  for (const Alert& alert : result.alerts) alerts.recordNotification(alert);
  alerts.publishEngine(result.alerts_raised, result.alert_repeats, result.alert_overflowed);
  alerts.publishLimits(result.alert_overflowed_total, result.cameras_untracked);
  snapshot.alerts = alerts.snapshot();
  snapshot.dpi_memory_bytes = result.ndpi_peak_memory;
  snapshot.dns_cache_entries = result.dns_cache_entries;
  snapshot.dns_cache_capacity = config.dns.capacity;
  return snapshot;
}

// replay --metrics: the live sensor's families, filled by the same path as the sensor's: worker,
// decode, DNS and delivery figures from the replay's progress about once a second, egress from
// the workers' egress summaries (so the `camera` label is the inventory name, as on a sensor,
// and nothing is cut at replay.max_destination_rows), alerts at the end. With an address
// (ADDR:PORT) a MetricsEndpoint serves them while the replay runs, and the reader's packets are
// one capture series, interface "replay", worker "0", never dropping, so drop panels and rules
// see the series a sensor has; with a file, the final figures are written there as Prometheus
// text (for node_exporter's textfile collector, or to compare a capture with a sensor).
class ReplayMetrics {
 public:
  static Result<std::unique_ptr<ReplayMetrics>> start(const std::string& target,
                                                      const Config& config, unsigned workers,
                                                      AlertSide& side) {
    const bool served = isListenAddress(target);
    MetricsLayout layout;
    layout.workers = workers;
    if (served) layout.captures.push_back(CaptureSource{"replay", 0});
    if (const AlertDelivery* delivery = side.delivery(); delivery != nullptr) {
      for (std::size_t i = 0; i < delivery->sinkCount(); ++i) {
        layout.sinks.emplace_back(delivery->sinkName(i));
      }
    }
    auto metrics = std::unique_ptr<ReplayMetrics>(new ReplayMetrics(config, side.delivery()));
    if (served) {
      auto serving = MetricsEndpoint::start(metricsEndpointOptions(config, target), layout);
      if (!serving) return tl::unexpected(serving.error());
      metrics->endpoint_ = std::move(*serving);
      metrics->registry_ = &metrics->endpoint_->registry();
    } else {
      MetricsOptions options;
      options.sensor = config.sensor_name;
      options.max_destinations = config.metrics.max_destinations;
      metrics->file_registry_ = std::make_unique<MetricsRegistry>(layout, options);
      metrics->registry_ = metrics->file_registry_.get();
    }
    return metrics;
  }

  bool served() const { return endpoint_ != nullptr; }
  std::string url() const { return endpoint_ ? endpoint_->url() : std::string(); }

  // ReplayOptions::on_progress: on the replay's reading thread.
  void onProgress(ReplayProgress& progress) {
    MetricsSnapshot snapshot;
    snapshot.workers = progress.workers;
    if (served()) snapshot.captures.push_back(CaptureStatsSnapshot{progress.packets, 0, 0});
    if (delivery_ != nullptr) snapshot.sinks = sinkSnapshots(*delivery_);
    snapshot.dpi_memory_bytes = NdpiClassifier::memoryInUse();
    snapshot.dns_cache_entries = progress.dns_cache_entries;
    snapshot.dns_cache_capacity = config_.dns.capacity;
    addEgress(progress.egress);
    registry_->update(snapshot);
  }

  // The final figures, after the replay and the delivery drain. Control thread.
  void finish(const ReplayResult& result) {
    MetricsSnapshot snapshot = replaySnapshot(config_, result);
    if (served()) snapshot.captures.push_back(CaptureStatsSnapshot{result.decode.packets, 0, 0});
    addEgress(result.egress_summaries);
    registry_->update(snapshot);
  }

  std::string textExposition() const { return registry_->textExposition(); }

 private:
  ReplayMetrics(const Config& config, const AlertDelivery* delivery)
      : config_(config), delivery_(delivery) {}

  void addEgress(const std::vector<EgressFlowSummary>& summaries) {
    for (const EgressFlowSummary& flow : summaries) {
      registry_->egress().add(EgressKey{flow.camera, flow.country, flow.asn, flow.protocol},
                              flow.bytes, flow.flows);
    }
  }

  const Config& config_;
  const AlertDelivery* delivery_;
  std::unique_ptr<MetricsEndpoint> endpoint_;       // --metrics ADDR:PORT
  std::unique_ptr<MetricsRegistry> file_registry_;  // --metrics FILE
  MetricsRegistry* registry_ = nullptr;             // one of the two
};

// replay's progress line on standard error, only when it is a terminal (a log or a pipe gets
// nothing, so scripts see the same stderr as before). Redrawn in place with '\r' and erased at
// the end, so the summary that follows starts on a clean line.
class TerminalProgress {
 public:
  static bool wanted() { return isatty(STDERR_FILENO) == 1; }

  // ReplayOptions::on_input: the replay's reading thread.
  void draw(const InputProgress& progress) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::cerr << "\r\033[K"
              << "camwatch: " << progressLine(progress, elapsed) << std::flush;
    drawn_ = true;
  }

  void erase() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

volatile std::sig_atomic_t g_linger_stop = 0;

extern "C" void onLingerSignal(int /*signal*/) { g_linger_stop = 1; }

// replay --linger: the final figures stay up for `seconds`, so Prometheus scrapes them at least
// once more; SIGTERM or SIGINT end the wait early (and the replay exits as it would have).
void catchLingerSignals() {
  struct sigaction action {};
  action.sa_handler = onLingerSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

void linger(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (g_linger_stop == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Result<Config> configFrom(const std::string& path) {
  if (path.empty()) return defaultConfig();
  return loadConfig(path);
}

// What the report says about the config and the captures: their bytes' SHA-256, so a reader can
// later check which files a report was made from. Read again after the replay (off the packet
// path); a file that cannot be read again is named on standard error and shown without a digest.
ReportInput reportInput(const ReplayArgs& args, const Config& config, const ReplayResult& result) {
  ReportInput input;
  input.version = fmt::format("{} (git {})", CAMWATCH_VERSION, CAMWATCH_GIT_HASH);
  input.sensor_name = config.sensor_name;
  if (args.config_path.empty()) {
    input.config_path = config.source;
    input.config_text = describeConfig(config);
  } else {
    input.config_path = args.config_path;
    std::ifstream file(args.config_path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file) {
      std::cerr << "camwatch: " << args.config_path << ": cannot read again for the report\n";
    }
    input.config_text = text.str();
  }
  input.config_sha256 = sha256Hex(input.config_text);
  for (const CaptureFileStats& stats : result.files) {
    ReportCaptureFile file;
    std::error_code error;
    file.size = std::filesystem::file_size(stats.path, error);
    if (error) file.size = 0;
    if (auto digest = sha256File(stats.path)) {
      file.sha256 = *digest;
    } else {
      std::cerr << "camwatch: " << digest.error().message << '\n';
    }
    input.files.push_back(std::move(file));
  }
  return input;
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

int replayCommand(const ReplayArgs& args) {
  auto config = configFrom(args.config_path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  ReplayOptions options;
  auto captures = expandCaptureArguments(args.captures);
  if (!captures) {
    std::cerr << "camwatch: " << captures.error().message << '\n';
    return kExitFailure;
  }
  options.captures = std::move(*captures);
  options.bpf = args.bpf;
  for (const auto& [option, text, bound] : {std::tuple{"--from", &args.from, &options.from},
                                            std::tuple{"--to", &args.to, &options.to}}) {
    if (text->empty()) continue;
    auto parsed = parseTimeBound(option, *text);
    if (!parsed) {
      std::cerr << "camwatch: " << parsed.error().message << '\n';
      return kExitUsage;
    }
    *bound = *parsed;
  }
  if (options.from && options.to && *options.from >= *options.to) {
    std::cerr << "camwatch: --from " << args.from << " is not before --to " << args.to
              << ": no packet could be kept\n";
    return kExitUsage;
  }
  options.flows = config->flows;
  options.digest_limits.max_hosts = config->replay_limits.max_hosts;
  options.digest_limits.max_destination_rows = config->replay_limits.max_destination_rows;
  options.digest_limits.max_timelines = config->replay_limits.max_timelines;
  options.dpi = config->dpi;
  options.dns = config->dns;
  auto loaded = loadJudgement(*config);
  if (!loaded) {
    std::cerr << "camwatch: " << loaded.error().message << '\n';
    return kExitUsage;
  }
  for (const std::string& warning : loaded->warnings) std::cerr << "camwatch: " << warning << '\n';
  options.geo_cache_size = loaded->judgement.geo_cache_size;
  options.geo = loaded->judgement.geo;
  options.policy = loaded->judgement.policy;
  options.inventory = loaded->judgement.inventory;
  options.sensor_name = loaded->judgement.sensor_name;
  options.max_cameras = config->max_cameras;
  std::shared_ptr<const OuiTable> oui = loaded->oui;
  unsigned workers = args.workers.value_or(config->workers);
  if (workers == 0) workers = std::max(1U, std::thread::hardware_concurrency());
  options.workers = workers;

  const DeliveryLog to_stderr = [](const std::string& line) {
    std::cerr << "camwatch: " << line << '\n';
  };
  auto baseline = loadAlertBaseline(*config, to_stderr);
  if (!baseline) {
    std::cerr << "camwatch: " << baseline.error().message << '\n';
    return kExitUsage;
  }
  // Delivery starts before the replay: alerts an earlier run left in the spool go out first.
  auto started_side = AlertSide::start(*config, std::move(*baseline), to_stderr);
  if (!started_side) {
    std::cerr << "camwatch: " << started_side.error().message << '\n';
    return started_side.error().kind == AlertSideError::Kind::kConfig ? kExitUsage : kExitFailure;
  }
  AlertSide& alert_side = **started_side;
  AlertEngine& engine = alert_side.engine();
  options.report_default_allows = config->learning.mode != LearningMode::kOff;
  options.alert_engine = &engine;
  // The sinks get each round's alerts as the replay closes it, as a sensor's would.
  SpoolTrouble spool_trouble;
  if (alert_side.delivery() != nullptr) {
    options.on_alerts = [&alert_side, &spool_trouble](std::span<const Alert> alerts) {
      spool_trouble.add(alert_side.enqueue(alerts));
    };
  }

  const bool serve_metrics = isListenAddress(args.metrics_path);
  if (args.linger_seconds > 0 && !serve_metrics) {
    std::cerr << "camwatch: --linger needs --metrics ADDR:PORT (it keeps serving /metrics)\n";
    return kExitUsage;
  }
  options.pace = args.pace;
  std::unique_ptr<ReplayMetrics> metrics;
  if (!args.metrics_path.empty()) {
    auto started = ReplayMetrics::start(args.metrics_path, *config, workers, alert_side);
    if (!started) {
      std::cerr << "camwatch: " << started.error().message << '\n';
      return kExitUsage;
    }
    metrics = std::move(*started);
    if (metrics->served()) std::cerr << "camwatch: metrics at " << metrics->url() << '\n';
    options.on_progress = [&metrics](ReplayProgress& progress) { metrics->onProgress(progress); };
  }

  // --flows: each record is written as the replay hands it over, so none has to be kept.
  std::unique_ptr<FlowJsonLinesWriter> flows_writer;
  if (!args.flows_path.empty()) {
    auto opened = FlowJsonLinesWriter::open(args.flows_path);
    if (!opened) {
      std::cerr << "camwatch: " << opened.error().message << '\n';
      return kExitFailure;
    }
    flows_writer = std::move(*opened);
    options.on_flow = [&flows_writer, &options, &oui](const FlowRecord& flow,
                                                      const NdpiClassifier& namer) {
      flows_writer->write(flow, FlowNaming{&namer, options.geo.get(), oui.get()});
    };
  }

  TerminalProgress progress;
  if (TerminalProgress::wanted()) {
    options.on_input = [&progress](const InputProgress& input) { progress.draw(input); };
  }
  auto result = runReplay(options);
  progress.erase();
  if (!result) {
    std::cerr << "camwatch: " << result.error().message << '\n';
    return kExitFailure;
  }
  bool ok = result->errors.empty();
  for (const std::string& error : result->errors) std::cerr << "camwatch: " << error << '\n';
  if (auto saved = alert_side.saveBaseline(); !saved) {
    std::cerr << "camwatch: " << saved.error().message << '\n';
    ok = false;
  }
  result->cameras.reserve(engine.cameras().size());
  for (const auto& [ip, camera] : engine.cameras()) result->cameras.push_back(camera);
  result->alert_overflowed_total = engine.overflowedTotal();
  result->cameras_untracked = engine.camerasUntracked();
  result->learning_phase = std::string(engine.learningPhase());
  result->learned_entries = engine.baseline().size();
  if (AlertDelivery* delivery = alert_side.delivery(); delivery != nullptr) {
    // A spool that failed mid-way gets one more try; what it still cannot take is not delivered
    // (--alerts has it).
    if (delivery->heldCount() > 0) spool_trouble.add(delivery->retryHeld());
    ok = spool_trouble.report(delivery->heldCount()) && ok;
    if (const std::uint64_t pending = alert_side.stop(config->alerts.drain_timeout); pending > 0) {
      std::cerr << "camwatch: " << pending
                << " alert deliveries still pending after alerts.drain_timeout; they stay in "
                << config->alerts.spool_dir << " for the next start\n";
    }
    result->deliveries = alert_side.sinkStats();
  }
  const nlohmann::ordered_json summary = summaryToJson(*result);
  if (flows_writer) {
    if (auto written = flows_writer->close(); !written) {
      std::cerr << "camwatch: " << written.error().message << '\n';
      ok = false;
    }
  }
  if (!args.alerts_path.empty()) {
    // One JSON object per line (docs/alerts.md); with no alerts the file exists and is empty, so
    // a script can tell "nothing to report" from "not run".
    ok = writeTextFile(args.alerts_path, alertsToJsonLines(result->alerts)) && ok;
  }
  if (!args.summary_path.empty()) {
    ok = writeTextFile(
             args.summary_path,
             summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n") &&
         ok;
  }
  if (!args.destinations_path.empty() || !args.report_path.empty()) {
    const FlowNaming naming{result->namer.get(), options.geo.get(), oui.get()};
    const std::vector<DestinationRow> rows = buildDestinations(*result, naming);
    if (!args.destinations_path.empty()) {
      ok = writeTextFile(args.destinations_path, destinationsToCsv(rows)) && ok;
    }
    if (!args.report_path.empty()) {
      ok = writeTextFile(args.report_path,
                         reportToHtml(*result, rows, reportInput(args, *config, *result))) &&
           ok;
    }
  }
  if (metrics) {
    // Before the final figures: a scraper that saw them may stop us.
    if (metrics->served()) catchLingerSignals();
    metrics->finish(*result);
    if (!metrics->served()) ok = writeTextFile(args.metrics_path, metrics->textExposition()) && ok;
  }
  result->peak_rss_bytes = peakResidentBytes();
  std::cout << summaryToText(*result, summary) << std::flush;
  if (serve_metrics && args.linger_seconds > 0) {
    std::cerr << "camwatch: serving the final metrics at " << metrics->url() << " for "
              << args.linger_seconds << " s (SIGTERM or SIGINT end it)\n";
    linger(args.linger_seconds);
  }
  return ok ? kExitOk : kExitFailure;
}

int checkConfigCommand(const std::string& path) {
  auto config = loadConfig(path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  std::cout << path << ": OK\n" << describeConfig(*config);
  if (config->learning.mode != LearningMode::kOff) {
    auto baseline = LearnedBaseline::load(config->learning.state_file);
    if (!baseline) {
      std::cerr << "camwatch: " << baseline.error().message << '\n';
      return kExitUsage;
    }
    std::cout << "# learnt so far (" << config->learning.state_file << ")\n"
              << baseline->describe();
  }
  return kExitOk;
}

int versionCommand() {
  std::cout << fmt::format("camwatch {} (git {})\n  nDPI {}\n  {}\n  libmaxminddb {}\n",
                           CAMWATCH_VERSION, CAMWATCH_GIT_HASH, ndpi_revision(), pcap_lib_version(),
                           MMDB_lib_version());
  return kExitOk;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"camwatch: watches the egress of camera VLANs and says when a camera phones home"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");

  ReplayArgs replay;
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Replay capture files (pcap, pcapng) through the pipeline and print a summary");
  replay_cmd->add_option("-c,--config", replay.config_path, "Config file (YAML)")
      ->check(CLI::ExistingFile);
  replay_cmd
      ->add_option("--workers", replay.workers,
                   "Worker threads (default: from the config, else one per core)")
      ->check(CLI::Range(1, 256));
  replay_cmd->add_option("--flows", replay.flows_path,
                         "Write every flow as a JSON line to FILE ('-' for stdout)");
  replay_cmd->add_option("--alerts", replay.alerts_path, "Write alerts as JSON lines to FILE");
  replay_cmd->add_option("--summary", replay.summary_path, "Write the summary as JSON to FILE");
  replay_cmd->add_option("--report", replay.report_path,
                         "Write a self-contained HTML report to FILE (cameras and their "
                         "destinations, alerts, charts, capture files with SHA-256, the config; "
                         "opens offline; docs/report.md)");
  replay_cmd->add_option("--destinations", replay.destinations_path,
                         "Write every camera's destinations as CSV to FILE (docs/report.md)");
  replay_cmd->add_option(
      "--metrics", replay.metrics_path,
      "FILE: write the run's counters as Prometheus text at the end; ADDR:PORT (a ':' and a port "
      "number after the last one): serve them on /metrics while the replay runs "
      "(docs/metrics.md)");
  replay_cmd
      ->add_option("--linger", replay.linger_seconds,
                   "With --metrics ADDR:PORT: keep serving the final figures for SECONDS after "
                   "the capture ends (SIGTERM/SIGINT end it early)")
      ->check(CLI::Range(0.0, 86400.0));
  replay_cmd
      ->add_option("--pace", replay.pace,
                   "Follow packet time: X seconds of capture per second (0 = as fast as possible)")
      ->check(CLI::Range(0.0, 1e9));
  replay_cmd->add_option("--from", replay.from,
                         "Keep packets at or after TIME (RFC 3339, e.g. 2026-01-15T09:03:00Z, or "
                         "seconds since the epoch)");
  replay_cmd->add_option("--to", replay.to, "Keep packets before TIME (as --from)");
  replay_cmd->add_option("--bpf", replay.bpf,
                         "Read only the packets this libpcap filter matches (e.g. 'host "
                         "192.168.10.21 and not port 554'), compiled for each file");
  replay_cmd
      ->add_option("CAPTURE", replay.captures,
                   "Capture files or glob patterns ('dir/*.pcap', sorted, each file read once); "
                   "several are merged in timestamp order")
      ->required();

  LiveSensorOptions live;
  std::string check_config;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Run the live sensor on network interfaces until SIGTERM/SIGINT (SIGHUP reloads the "
      "config); logs go to standard error");
  run_cmd->add_option("-c,--config", live.config_path, "Config file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  run_cmd->add_option("-i,--interface", live.interfaces,
                      "Capture on IFACE (repeat for several); replaces capture.interfaces");
  run_cmd->add_option("--metrics", live.metrics_listen,
                      "Serve Prometheus metrics on ADDR:PORT (e.g. 127.0.0.1:9108); replaces "
                      "metrics.listen and turns metrics on");
  run_cmd
      ->add_option("--workers", live.workers,
                   "Capture workers per interface; replaces capture.workers (0 = one per core)")
      ->check(CLI::Range(0, 256));
  CLI::App* check_cmd =
      app.add_subcommand("check-config", "Validate a config file and print the effective config");
  check_cmd->add_option("-c,--config", check_config, "Config file (YAML)")->required();
  CLI::App* version_cmd =
      app.add_subcommand("version", "Print versions of camwatch and its libraries");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (replay_cmd->parsed()) return replayCommand(replay);
  if (check_cmd->parsed()) return checkConfigCommand(check_config);
  if (version_cmd->parsed()) return versionCommand();
  if (run_cmd->parsed()) return runLiveSensor(live);
  return kExitUsage;
}

}  // namespace camwatch
