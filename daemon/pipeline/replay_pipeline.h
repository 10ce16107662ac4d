// ReplayPipeline: reads capture files in timestamp order on the calling thread, decodes each
// packet, and hands it by a symmetric flow hash to one of N workers over bounded SPSC rings.
// Each worker owns its flow table; nothing is shared on the hot path. Workers' clocks are packet
// time: the reader broadcasts a tick once per second of packet time so idle flows end on every
// worker, and an end marker with the last timestamp when the input is done.
//
// What the workers produce (ended flow records, camera events) goes back in batches: every
// tick, every kBatchPackets packets and the end close a batch on every worker at the same point
// of the input. The reading thread merges batch k of all workers once each has closed it, sorts
// it (flows: first seen, then key; events: sortCameraEvents) and hands it on: flows to the
// ReplayFlowOutput the caller gave, events to the AlertEngine. Batch boundaries depend on
// the input only, so any worker count gives the same order; and nothing is kept longer than a
// batch, so a capture of any size replays in bounded memory.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/capture.h>
#include <camwatch/classifier.h>
#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/dpi.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/metrics.h>
#include <camwatch/policy.h>
#include <camwatch/result.h>

#include "alert/alert_delivery.h"
#include "alert/alert_engine.h"
#include "pipeline/flow_worker.h"

namespace camwatch {

/// Packets after which the reader closes a batch even without a tick (a capture whose packets
/// all carry one second would otherwise make one batch of everything).
inline constexpr std::uint64_t kBatchPackets = 4096;
/// Slices of first-seen time in which the flows still open at the end of the input end.
inline constexpr Timestamp kEndSteps = 64;

struct ReplayProgress;
struct InputProgress;

/// Where the replay's flow records go: each ended record, in output order (batch by batch, see
/// above), on the reading thread. The pipeline keeps none, so what is made of them (cli/: the
/// report's FlowDigest, replay --flows) is the caller's business and memory stays bounded.
class ReplayFlowOutput {
 public:
  virtual ~ReplayFlowOutput() = default;
  /// The time of the first packet kept (within the time bounds); before any flowEnded().
  virtual void firstPacket(Timestamp ts) = 0;
  /// One ended flow record, with the snapshot that names its group and rule ids
  /// (EndedFlow::naming) and the classifier that names its protocols.
  virtual void flowEnded(const EndedFlow& flow, const ProtocolNames& namer) = 0;
};

struct ReplayOptions {
  std::vector<std::string> captures;
  unsigned workers = 1;
  FlowTableConfig flows;
  DpiConfig dpi;
  DnsCacheConfig dns;
  GeoLookupPtr geo;                     ///< null: no geo
  OperatorTablePtr operators;           ///< null: no operators
  std::size_t geo_cache_size = 16'384;  ///< per worker
  PolicyEnginePtr policy;               ///< null: no policy, no alerts
  /// Which hosts are cameras, their names and groups. Null: no cameras, so no egress and no
  /// alerts (the CLI always passes one; the default config makes every private host a camera).
  std::shared_ptr<const CameraInventory> inventory;
  std::string sensor_name;
  std::size_t max_cameras = 16'384;  ///< per worker (inventory.max_cameras)
  /// Receives the cameras' events batch by batch (each sorted, see above) and makes the alerts.
  /// Null: no alerts. Not owned.
  AlertEngine* alert_engine = nullptr;
  /// Receives the engine's notifications as merge rounds close, on the reading thread, so the
  /// sinks get them while the replay goes on; concatenated they are ReplayResult::alerts. Null:
  /// they are only in the result.
  std::function<void(std::span<const Alert>)> on_alerts;
  /// Report flows the group default allowed to the engine too (learning needs them); without
  /// learning only denies are events.
  bool report_default_allows = false;
  std::size_t ring_bytes = std::size_t{8} << 20U;  ///< per worker
  /// Follow packet time: 0 reads as fast as it can; X > 0 sleeps so that X seconds of packet
  /// time take one second (replay --pace), so a scraper sees the counters grow as a sensor's do.
  double pace = 0;
  /// Keep only packets with from <= ts < to (replay --from/--to); unset: no bound. The others are
  /// read (a capture need not be in time order) but not decoded; they count in
  /// DecodeCounters::outside_bounds, not in packets.
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  /// libpcap filter expression applied to every capture as it is read (replay --bpf); empty: all.
  std::string bpf;
  /// Called on the reading thread about once a second (wall clock) while packets are read, with
  /// what the workers published at their last tick; never after the input ended (the caller has
  /// the ReplayResult then). Set, the workers also summarize egress (ReplayProgress::egress).
  /// For replay --metrics ADDR:PORT.
  std::function<void(ReplayProgress&)> on_progress;
  /// Receives the flow records (see ReplayFlowOutput). Null: they are dropped. Not owned.
  ReplayFlowOutput* flow_output = nullptr;
  /// Called on the reading thread about 5 times a second (wall clock) while the input is read,
  /// with how far reading has got; for replay's progress line on a terminal. Cheap: no worker
  /// figures.
  std::function<void(const InputProgress&)> on_input;
};

/// How far reading the captures has got (ReplayOptions::on_input).
struct InputProgress {
  std::uint64_t packets = 0;           ///< packets read, in the time bounds or not
  std::uint64_t wire_bytes = 0;        ///< their wire bytes
  std::uint64_t input_bytes_read = 0;  ///< of the capture files (compressed, for gzip)
  std::uint64_t input_size = 0;        ///< the capture files' sizes summed
};

/// Packets the decoder could not count to a flow, by reason. Owned by the thread that decodes.
struct DecodeCounters {
  std::uint64_t outside_bounds = 0;  ///< read but outside ReplayOptions::from/to, so skipped
  std::uint64_t packets = 0;
  std::uint64_t wire_bytes = 0;
  std::uint64_t ip_packets = 0;  ///< counted to a flow
  std::array<std::uint64_t, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
  std::map<std::uint16_t, std::uint64_t> non_ip_by_ethertype;  // grows only per new ethertype
  std::uint64_t fragments_unmatched = 0;  ///< later fragments whose first fragment was not seen
  std::uint64_t dns_responses = 0;        ///< DNS responses read into the DNS cache
  std::uint64_t dns_answers = 0;          ///< A/AAAA answers cached
  std::uint64_t dns_malformed = 0;        ///< responses that could not be parsed
};

/// A running replay's figures so far (ReplayOptions::on_progress).
struct ReplayProgress {
  /// Per worker, as each published them at its last tick of packet time.
  std::vector<WorkerCountersSnapshot> workers;
  /// The reading thread's counts: packets read, decode anomalies, DNS responses.
  std::uint64_t packets = 0;
  std::uint64_t wire_bytes = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
  DnsLearnCounts dns;
  std::uint64_t dns_cache_entries = 0;
  /// Egress of flows summarized since the previous call (the caller moves them out).
  std::vector<EgressFlowSummary> egress;
};

struct ReplayResult {
  std::vector<CaptureFileStats> files;
  std::vector<std::string> errors;
  DecodeCounters decode;
  FlowTableStats flow_stats;           ///< summed over workers
  std::uint64_t ndpi_peak_memory = 0;  ///< the most bytes nDPI had allocated at once
  std::uint64_t dns_cache_entries = 0;
  Timestamp first_ts = 0;
  Timestamp last_ts = 0;
  std::optional<Timestamp> from;  ///< the time bounds the replay kept packets within
  std::optional<Timestamp> to;
  unsigned workers = 1;
  double wall_seconds = 0;
  /// The process's peak resident memory (VmHWM), taken by the caller at the end; like the wall
  /// time it is only in the text summary, so the JSON summary stays byte-identical across runs.
  std::uint64_t peak_rss_bytes = 0;
  /// A classifier of its own (no flow went through it), to name the protocols in the records.
  std::shared_ptr<const ProtocolNames> namer;
  GeoLookupPtr geo;  ///< the lookup the flows were enriched with (null: none), for organisations
  OperatorTablePtr operators;          ///< who operates each AS (null: none), for operator columns
  std::vector<Alert> alerts;           ///< notifications (firing, repeats, resolved), in time order
  std::uint64_t alerts_raised = 0;     ///< before deduplication
  std::uint64_t alert_repeats = 0;     ///< raises folded into an earlier alert
  std::uint64_t alert_overflowed = 0;  ///< raises folded into a camera's overflow alert
  /// Update notifications: an alert's evidence grown to the whole flow when it ended
  /// (AlertEngine::evidenceUpdates(), filled by the caller).
  std::uint64_t alert_updates = 0;
  /// AlertEngine::overflowedTotal() and camerasUntracked() (filled by the caller), for --metrics
  std::uint64_t alert_overflowed_total = 0;
  std::uint64_t cameras_untracked = 0;
  GeoCacheStats geo_cache;             ///< summed over workers
  std::vector<SeenCamera> cameras;     ///< every camera seen, by address (filled by the caller)
  std::string learning_phase = "off";  ///< "off", "learn" or "enforce" at the end
  std::uint64_t learned_entries = 0;   ///< entries in the learned baseline at the end
  std::vector<SinkDeliveryStats> deliveries;  ///< one per configured sink; empty without sinks
  /// Per worker, for `--metrics`. The reader thread's own counts (decode anomalies, DNS
  /// responses) are in `decode`.
  std::vector<WorkerCountersSnapshot> worker_counters;
  /// With ReplayOptions::on_progress: egress summaries no progress call handed over (the last
  /// ticks' and the flows that ended with the input).
  std::vector<EgressFlowSummary> egress_summaries;
};

/// Runs the whole replay. Fails (before reading anything) when a capture cannot be opened; read
/// errors in the middle of a file are reported in ReplayResult::errors and the rest still counts.
Result<ReplayResult> runReplay(const ReplayOptions& options);

/// Orders the flow records of one batch for output: by first packet time, then by key, so that
/// any worker count gives byte-identical output.
bool flowRecordLess(const FlowRecord& a, const FlowRecord& b);

}  // namespace camwatch
