// metrics/: the counters the workers and the control side keep, the Prometheus registry, the
// egress traffic table and the /metrics endpoint both commands serve.
//
// The Prometheus metrics of the live sensor (every series is listed in docs/metrics.md).
//
// Jobs:
//  1. Counters the hot path bumps without locks or allocation: WorkerCounters (one per worker),
//     CaptureStats (one per worker and interface), AlertCounters (the alert engine's).
//  2. MetricsRegistry: folds a MetricsSnapshot of those counters (plus alert delivery, DNS cache
//     and nDPI figures) into prometheus-cpp families. The metrics thread takes a snapshot and
//     calls update() on a short period (about once a second).
//  3. EgressTrafficTable: egress bytes and flows per camera, country, ASN and protocol, with a
//     cap on how many label sets exist (metrics.max_destinations); CameraAlertTable: alert
//     notifications per camera and kind, with the same bound on cameras.
//  4. MetricsServer: the HTTP endpoint Prometheus scrapes (/metrics), optionally behind basic
//     auth.
//
// Threads: each WorkerCounters / CaptureStats has exactly one writer (its worker) and is read by
// the metrics thread; AlertCounters, EgressTrafficTable and CameraAlertTable belong to the
// control thread; MetricsRegistry::update() to the metrics thread; scrapes run on the server's
// own threads (inside prometheus-cpp). The prometheus-cpp objects are thread-safe, so none of
// these needs a lock of ours.
//
// Why relaxed atomics and not a seqlock: every field is an independent count. A scrape that sees
// `packets` from one batch and `bytes` from the next is harmless (Prometheus computes rates over
// many seconds), so nothing needs a consistent multi-field snapshot. A relaxed load or store of an
// aligned 64-bit atomic is a plain mov on x86-64 and arm64, so the single writer pays exactly what
// a plain uint64_t costs (it does load + store, not fetch_add: no locked instruction), and the
// reader never sees a torn value; a seqlock would add two stores and fences to every publication
// and a retry loop to the reader, for a guarantee nobody uses.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/decode.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/result.h>

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace camwatch {

/// A 64-bit count with exactly one writer thread and any number of readers (see the header
/// comment). Two writers would lose updates: every counter belongs to one thread.
class SingleWriterCounter {
 public:
  /// Adds `n`. Writer thread only.
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  /// Replaces the value (for gauges, or to publish a count kept elsewhere). Writer thread only.
  void set(std::uint64_t value) noexcept { value_.store(value, std::memory_order_relaxed); }
  /// The value. Any thread.
  std::uint64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// Slots for Anomaly values: index 0 is kNone (never counted), then one per anomaly name.
inline constexpr std::size_t kAnomalyCount = static_cast<std::size_t>(Anomaly::kCount);

/// What one worker has counted so far: plain values, read from WorkerCounters::snapshot().
/// Everything is monotonic except the two gauges.
struct WorkerCountersSnapshot {
  std::uint64_t packets = 0;         ///< packets the worker read
  std::uint64_t wire_bytes = 0;      ///< their length on the wire
  std::uint64_t ip_packets = 0;      ///< packets counted to a flow
  std::uint64_t non_ip_packets = 0;  ///< well-formed frames that are not IP (ARP, LLDP, ...)
  /// Later IP fragments whose first fragment the worker did not see (no ports, no flow)
  std::uint64_t fragments_unmatched = 0;
  std::uint64_t flows_created = 0;     ///< FlowTableStats::created
  std::uint64_t flows_ended = 0;       ///< FlowTableStats::ended (any reason, evictions included)
  std::uint64_t flows_evicted = 0;     ///< FlowTableStats::evicted (table full)
  std::uint64_t flows_active = 0;      ///< gauge: flows in the table now
  std::uint64_t dpi_flow_states = 0;   ///< gauge: nDPI flow states in use (flows being classified)
  std::uint64_t dns_responses = 0;     ///< DNS responses read into the DNS cache
  std::uint64_t dns_answers = 0;       ///< A/AAAA answers cached
  std::uint64_t dns_malformed = 0;     ///< DNS responses that could not be parsed
  std::uint64_t dns_cache_hits = 0;    ///< new flows named from the DNS cache
  std::uint64_t dns_cache_misses = 0;  ///< new flows the DNS cache had no name for
  std::uint64_t geo_hits = 0;          ///< GeoCacheStats::hits
  std::uint64_t geo_misses = 0;        ///< GeoCacheStats::misses (went to the MMDB files)
  std::uint64_t geo_evictions = 0;     ///< GeoCacheStats::evictions (the cache was full)
  /// FlowWorker::camerasUntracked(): new flows of cameras beyond inventory.max_cameras
  std::uint64_t cameras_untracked = 0;
  std::uint64_t busy_ns = 0;  ///< time spent on packets and ticks
  std::uint64_t idle_ns = 0;  ///< time spent waiting for packets
  /// Packets per decode anomaly, indexed by Anomaly (index 0, kNone, stays 0).
  std::array<std::uint64_t, kAnomalyCount> anomalies{};

  bool operator==(const WorkerCountersSnapshot&) const = default;
};

/// One worker's counters. Written by that worker only (plain loads and stores, see
/// SingleWriterCounter), read by the metrics thread through snapshot(). Cache-line aligned so
/// two workers' counters never share a line. Not copyable: the metrics side keeps a pointer.
///
/// Per packet the worker bumps `packets`, `wire_bytes`, `ip_packets` and `anomalies`; counts
/// other components keep for themselves (FlowTableStats, GeoCacheStats) are published once per
/// batch or tick with publishFlowTable() / publishGeoCache().
struct alignas(64) WorkerCounters {
  SingleWriterCounter packets;
  SingleWriterCounter wire_bytes;
  SingleWriterCounter ip_packets;
  SingleWriterCounter non_ip_packets;
  SingleWriterCounter fragments_unmatched;
  SingleWriterCounter flows_created;
  SingleWriterCounter flows_ended;
  SingleWriterCounter flows_evicted;
  SingleWriterCounter flows_active;
  SingleWriterCounter dpi_flow_states;
  SingleWriterCounter dns_responses;
  SingleWriterCounter dns_answers;
  SingleWriterCounter dns_malformed;
  SingleWriterCounter dns_cache_hits;
  SingleWriterCounter dns_cache_misses;
  SingleWriterCounter geo_hits;
  SingleWriterCounter geo_misses;
  SingleWriterCounter geo_evictions;
  SingleWriterCounter cameras_untracked;
  SingleWriterCounter busy_ns;
  SingleWriterCounter idle_ns;
  std::array<SingleWriterCounter, kAnomalyCount> anomalies;

  WorkerCounters() = default;
  WorkerCounters(const WorkerCounters&) = delete;
  WorkerCounters& operator=(const WorkerCounters&) = delete;

  /// Counts one packet with anomaly `anomaly` (kNone is not counted). Writer thread only.
  void countAnomaly(Anomaly anomaly) noexcept {
    const auto index = static_cast<std::size_t>(anomaly);
    if (index != 0 && index < kAnomalyCount) anomalies[index].add();
  }
  /// Publishes the flow table's own counters and its current size. Writer thread only.
  void publishFlowTable(const FlowTableStats& stats, std::size_t active) noexcept;
  /// Publishes the worker's GeoIP cache counters. Writer thread only.
  void publishGeoCache(const GeoCacheStats& stats) noexcept;
  /// Every field, each read once (relaxed). Any thread.
  WorkerCountersSnapshot snapshot() const noexcept;
};

/// libpcap's statistics of one capture handle, extended to 64 bits.
struct CaptureStatsSnapshot {
  std::uint64_t received = 0;           ///< pcap_stat.ps_recv: packets the socket received
  std::uint64_t dropped = 0;            ///< pcap_stat.ps_drop: dropped, the ring was full
  std::uint64_t interface_dropped = 0;  ///< pcap_stat.ps_ifdrop: dropped by the interface

  bool operator==(const CaptureStatsSnapshot&) const = default;
};

/// The capture statistics of one worker's handle on one interface. libpcap reports 32-bit
/// counts that wrap; updateFromPcap() keeps 64-bit totals. Written by the worker that owns the
/// handle (pcap_stats() is not safe from another thread), read by the metrics thread.
class alignas(64) CaptureStats {
 public:
  CaptureStats() = default;
  CaptureStats(const CaptureStats&) = delete;
  CaptureStats& operator=(const CaptureStats&) = delete;

  /// Takes the figures of a pcap_stats() call (cumulative since the handle was opened, modulo
  /// 2^32) and adds what changed since the previous call. Call at least once per 2^32 packets:
  /// once per tick is plenty. Writer thread only.
  void updateFromPcap(std::uint32_t ps_recv, std::uint32_t ps_drop,
                      std::uint32_t ps_ifdrop) noexcept;
  /// After the handle was closed and opened again (its counts restart at 0): the next
  /// updateFromPcap() counts from zero instead of seeing a wrap. Writer thread only.
  void resetPcapBaseline() noexcept { last_recv_ = last_drop_ = last_ifdrop_ = 0; }
  /// Any thread.
  CaptureStatsSnapshot snapshot() const noexcept;

 private:
  SingleWriterCounter received_;
  SingleWriterCounter dropped_;
  SingleWriterCounter interface_dropped_;
  std::uint32_t last_recv_ = 0;  // writer thread only
  std::uint32_t last_drop_ = 0;
  std::uint32_t last_ifdrop_ = 0;
};

/// Slots for alert kinds, severities and statuses: more than there are, so a kind added to
/// AlertKind later is counted without touching this header (the registry makes series for every
/// value alertKindName / severityName / alertStatusName knows).
inline constexpr std::size_t kAlertKindSlots = 32;
inline constexpr std::size_t kSeveritySlots = 4;
inline constexpr std::size_t kAlertStatusSlots = 2;

/// What the alert side has emitted.
struct AlertCountsSnapshot {
  /// Notifications, indexed [kind][severity][status] by the enums' values.
  std::array<std::array<std::array<std::uint64_t, kAlertStatusSlots>, kSeveritySlots>,
             kAlertKindSlots>
      notifications{};
  std::uint64_t raised = 0;      ///< AlertEngine::raised(): raises before deduplication
  std::uint64_t repeats = 0;     ///< AlertEngine::repeats(): raises folded into an open episode
  std::uint64_t overflowed = 0;  ///< AlertEngine::overflowed(): into a camera's overflow alert
  /// AlertEngine::overflowedTotal(): into a sensor-wide overflow alert (alerts.max_active)
  std::uint64_t overflowed_total = 0;
  /// AlertEngine::camerasUntracked(): camera events beyond inventory.max_cameras
  std::uint64_t cameras_untracked = 0;

  bool operator==(const AlertCountsSnapshot&) const = default;
};

/// The alert engine's counts. Written by the thread that runs the AlertEngine (the control
/// thread), read by the metrics thread.
class AlertCounters {
 public:
  AlertCounters() = default;
  AlertCounters(const AlertCounters&) = delete;
  AlertCounters& operator=(const AlertCounters&) = delete;

  /// Counts one notification taken from the engine (firing: a new episode, a repeat after the
  /// suppression window or a re-notification; resolved). Writer thread only.
  void recordNotification(const Alert& notification) noexcept;
  /// Publishes AlertEngine::raised() and repeats(). Writer thread only.
  void publishEngine(std::uint64_t raised, std::uint64_t repeats,
                     std::uint64_t overflowed = 0) noexcept {
    raised_.set(raised);
    repeats_.set(repeats);
    overflowed_.set(overflowed);
  }
  /// Publishes AlertEngine::overflowedTotal() and camerasUntracked(). Writer thread only.
  void publishLimits(std::uint64_t overflowed_total, std::uint64_t cameras_untracked) noexcept {
    overflowed_total_.set(overflowed_total);
    cameras_untracked_.set(cameras_untracked);
  }
  /// Any thread.
  AlertCountsSnapshot snapshot() const noexcept;

 private:
  std::array<std::array<std::array<SingleWriterCounter, kAlertStatusSlots>, kSeveritySlots>,
             kAlertKindSlots>
      notifications_;
  SingleWriterCounter raised_;
  SingleWriterCounter repeats_;
  SingleWriterCounter overflowed_;
  SingleWriterCounter overflowed_total_;
  SingleWriterCounter cameras_untracked_;
};

/// One alert sink's delivery counters (AlertDelivery's SinkCounters, read at snapshot time).
struct SinkDeliverySnapshot {
  std::uint64_t queued = 0;   ///< alerts spooled for the sink
  std::uint64_t sent = 0;     ///< alerts the sink accepted
  std::uint64_t retried = 0;  ///< deliveries that followed a failed one
  std::uint64_t failed = 0;   ///< failed deliveries
  std::uint64_t dropped = 0;  ///< alerts dropped at the spool cap before delivery
  std::uint64_t pending = 0;  ///< gauge: spooled, not yet accepted

  bool operator==(const SinkDeliverySnapshot&) const = default;
};

/// Everything MetricsRegistry::update() folds in, taken by the caller (the metrics thread) from
/// the live counters. The vectors are indexed like the MetricsLayout the registry was made with.
struct MetricsSnapshot {
  std::vector<WorkerCountersSnapshot> workers;  ///< [worker]
  std::vector<CaptureStatsSnapshot> captures;   ///< [index in MetricsLayout::captures]
  std::vector<SinkDeliverySnapshot> sinks;      ///< [index in MetricsLayout::sinks]
  AlertCountsSnapshot alerts;
  std::uint64_t dpi_memory_bytes = 0;  ///< NdpiClassifier::memoryInUse()
  std::uint64_t dns_cache_entries = 0;
  std::uint64_t dns_cache_capacity = 0;
  std::uint64_t dns_cache_evictions = 0;
  /// The alert spool's writes (AlertDelivery::spoolWrites(); zero without alert sinks).
  std::uint64_t spool_write_errors = 0;
  std::uint64_t spool_held_alerts = 0;  ///< gauge: alerts in memory waiting for the disk
  std::uint64_t spool_held_dropped = 0;
  /// The IPFIX export (export.ipfix; zero without it).
  std::uint64_t ipfix_records_exported = 0;
  std::uint64_t ipfix_records_dropped = 0;
  std::uint64_t ipfix_export_errors = 0;
};

/// One capture handle: `worker` reads `interface`.
struct CaptureSource {
  std::string interface;
  unsigned worker = 0;
};

/// The fixed shape of the sensor, known at start: it decides which labelled series exist. Every
/// series is created (at 0) when the registry is made, so the handles are resolved once and
/// rate() works from the first scrape.
struct MetricsLayout {
  unsigned workers = 0;                 ///< workers 0..workers-1 (label worker="0", ...)
  std::vector<CaptureSource> captures;  ///< unique (interface, worker) pairs
  std::vector<std::string> sinks;       ///< alert sink names (unique, as AlertDelivery has them)
};

/// Labels of camwatch_build_info.
struct BuildInfo {
  std::string version;  ///< camwatch's version, "0.1.0"
  std::string git;      ///< the commit it was built from (12 hex digits), or "unknown"
  std::string ndpi;     ///< ndpi_revision() of the nDPI library in use
};

/// This binary's BuildInfo. Any thread.
BuildInfo currentBuildInfo();

struct MetricsOptions {
  /// camwatch_sensor_info{sensor}. The sensor name is not a label on every series: Prometheus
  /// adds the target's own labels (instance, job) at scrape time, and a federating server can
  /// join this info metric when it needs the configured name.
  std::string sensor;
  BuildInfo build = currentBuildInfo();
  /// Cap on egress destination label sets (config metrics.max_destinations); see
  /// EgressTrafficTable.
  std::uint32_t max_destinations = 1000;
  /// camwatch_start_time_seconds: seconds since the Unix epoch; 0 = now.
  double start_time_seconds = 0;
};

/// Which series an egress sample goes to: one (camera, country, ASN, protocol) label set.
struct EgressKey {
  std::string_view camera;    ///< the camera's inventory name, or its IP address when it has none
  std::string_view country;   ///< ISO 3166-1 alpha-2 code; "" = unknown (label "unknown")
  std::uint32_t asn = 0;      ///< AS number; 0 = unknown (label "unknown")
  std::string_view protocol;  ///< application protocol name as flow records give it; "" = unknown
  /// Home country of the network's operator (operators file): whose jurisdiction; "" = not
  /// listed (label "unknown").
  std::string_view operator_country;
  /// The operator itself ("Alibaba"); "" = not listed (label "unknown"). Follows from the AS,
  /// so it adds no series.
  std::string_view network_operator;
};

/// Egress bytes and flows per (camera, country, ASN, protocol, operator, operator_country), as
/// the counter families
/// camwatch_egress_bytes_total and camwatch_egress_flows_total.
///
/// Cardinality cap, with N = max_destinations:
///  - at most N destination series exist; a label set that has a series keeps counting there;
///  - a new label set once N exist goes to its camera's overflow series
///    {camera=<camera>, country="other", asn="other", protocol="other"};
///  - at most N such per-camera overflow series exist; a camera without one once N exist goes to
///    the one global series {camera="other", country="other", asn="other", protocol="other"}.
/// So there are never more than 2N + 1 series, and `sum by (camera)` stays exact while there are
/// at most N cameras. N = 0 sends everything to the global series. Series are never removed
/// (counters must not vanish); a restart starts over. camwatch_egress_series is the number of
/// series, camwatch_egress_overflow_total the add() calls that went to an overflow series.
///
/// Fed by the control thread from flow-end and per-tick events, never per packet. Made and owned
/// by MetricsRegistry.
class EgressTrafficTable {
 public:
  ~EgressTrafficTable();
  EgressTrafficTable(const EgressTrafficTable&) = delete;
  EgressTrafficTable& operator=(const EgressTrafficTable&) = delete;

  /// Adds `bytes` (wire bytes the camera sent) and `flows` (flows that started) to the series of
  /// `key`. A long flow may be reported in pieces: its bytes as they come, flows = 1 once. The
  /// first add() of a new label set creates its series (an allocation); later ones only look it
  /// up. Control thread only.
  void add(const EgressKey& key, std::uint64_t bytes, std::uint64_t flows);

  /// Destination series (not counting overflow ones). Control thread.
  std::size_t destinationSeries() const;
  /// Per-camera overflow series, plus 1 once the global one exists. Control thread.
  std::size_t overflowSeries() const;

 private:
  friend class MetricsRegistry;
  struct Impl;
  explicit EgressTrafficTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Firing alert notifications per camera and kind, as the counter family
/// camwatch_camera_alerts_total{camera, kind}: camwatch_alerts_total counts per kind only, and
/// the dashboards' findings (uploads over budget, unknown devices) need the cameras behind a
/// kind. The camera label is what the egress families use: the inventory name, or the camera's
/// IP address when it has none. Resolved notifications are not counted, so per kind the series
/// add up to camwatch_alerts_total{status="firing"}.
///
/// Cardinality cap, with N = max_destinations (the egress table's bound on per-camera series):
/// at most N cameras have series of their own; the notifications of any further camera, and
/// those of the sensor-wide overflow alerts (which name no camera), count under
/// camera="other". A (camera, kind) series appears with its first notification, so there are
/// at most (N + 1) x (alert kinds) series. Series are never removed; a restart starts over.
///
/// Fed by the control thread with every notification taken from the alert engine, never per
/// packet. Made and owned by MetricsRegistry.
class CameraAlertTable {
 public:
  ~CameraAlertTable();
  CameraAlertTable(const CameraAlertTable&) = delete;
  CameraAlertTable& operator=(const CameraAlertTable&) = delete;

  /// Counts `notification` when it is firing (a new episode, a repeat after the suppression
  /// window or a re-notification). The first of a camera or kind creates its series (an
  /// allocation); later ones only look it up. Control thread only.
  void record(const Alert& notification);

  /// Cameras with series of their own (not counting "other"). Control thread.
  std::size_t cameras() const;

 private:
  friend class MetricsRegistry;
  struct Impl;
  explicit CameraAlertTable(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The camwatch_* metric families, kept in a prometheus::Registry (docs/metrics.md lists them).
/// Counters are kept equal to the absolute counts of the snapshots: each update() adds the
/// difference from the last value it saw (prometheus-cpp counters cannot be set), so they never
/// go down; a source that went back (a worker's counters restarted) counts from zero again.
class MetricsRegistry {
 public:
  /// Creates every family and every series of `layout` (at 0). Control thread, at start.
  MetricsRegistry(const MetricsLayout& layout, const MetricsOptions& options);
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// Folds `snapshot` in: counters advance to its values, gauges are set to them. Entries beyond
  /// the layout are ignored; missing ones leave their series as they were. Metrics thread only
  /// (it keeps the last values it saw); about once a second.
  void update(const MetricsSnapshot& snapshot);

  /// The egress table. The reference lives as long as this object. Control thread only.
  EgressTrafficTable& egress();
  /// The per-camera alert counts. The reference lives as long as this object. Control thread
  /// only.
  CameraAlertTable& cameraAlerts();

  /// The prometheus-cpp registry, for MetricsServer and tests. Any thread (it is thread-safe).
  std::shared_ptr<prometheus::Registry> prometheusRegistry() const;

  /// Every family in the Prometheus text format, as a scrape returns it. Any thread.
  std::string textExposition() const;

  const MetricsLayout& layout() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct MetricsServerOptions {
  /// "host:port": an IPv4 address, or a bracketed IPv6 one ("[::1]:9108") when
  /// MetricsServer::supportsIpv6(); port 0 = the kernel picks one (tests), see
  /// MetricsServer::port().
  std::string listen = "127.0.0.1:9108";
  /// Basic auth: "" = none. With a username, password_file is required.
  std::string username;
  /// File holding the password on its first line (surrounding whitespace trimmed). Read once,
  /// at start.
  std::string password_file;
  std::size_t threads = 2;  ///< HTTP worker threads (one scrape each at a time)
};

/// Serves a MetricsRegistry at http://<listen>/metrics (prometheus::Exposer on civetweb). Wrong
/// or missing credentials get 401 with a WWW-Authenticate challenge. Stopping = destroying it.
class MetricsServer {
 public:
  /// Listens on `options.listen` and serves `metrics`. The server shares ownership of the
  /// prometheus registry behind it, so either may be destroyed first. Control thread, at start.
  /// @return the server, or an error naming the address (malformed, in use, not on this host)
  /// or the password file (unreadable, empty).
  static Result<std::unique_ptr<MetricsServer>> start(const MetricsServerOptions& options,
                                                      const MetricsRegistry& metrics);
  /// Stops listening and joins the server's threads. Control thread.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The port it listens on (the kernel's pick when options.listen asked for 0).
  std::uint16_t port() const;
  /// "http://host:port/metrics" with the real port.
  std::string url() const;

  /// The password for basic auth: the first line of `path`, surrounding whitespace trimmed.
  /// check-config reads it too, so an unreadable or empty file is found before the service
  /// starts. @return the password, or an error naming the file.
  static Result<std::string> readPasswordFile(const std::string& path);

  /// What a sensor serving `options` gives away to the network, for the log: "" when it listens
  /// on loopback only (127.0.0.0/8, [::1]). Otherwise /metrics (camera addresses, destinations,
  /// operators) is plain HTTP on that address, readable by anyone who reaches it without basic
  /// auth, and the password crosses the network in clear with it: camwatch does not serve TLS
  /// itself (Debian 12's civetweb 1.15 crashes on TLS connections with OpenSSL 3, see
  /// docs/metrics.md), so scraping across the network goes through a TLS front such as stunnel.
  static std::string exposureWarning(const MetricsServerOptions& options);

  /// Whether the civetweb in use can listen on IPv6 (Debian 12's is built without it; then a
  /// bracketed IPv6 listen address is an error saying so). Any thread.
  static bool supportsIpv6();

 private:
  struct Impl;
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace camwatch
