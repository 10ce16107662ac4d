// MetricsRegistry: the camwatch_* families and the fold of snapshots into them. Every family is
// declared in the tables below; docs/metrics.md lists the same (a unit test compares the two).
#include <ndpi_api.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <camwatch/build_info.h>
#include <camwatch/metrics.h>

#include "metrics/camera_alert_table_impl.h"
#include "metrics/egress_traffic_table_impl.h"

namespace camwatch {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;

enum class Type : std::uint8_t { kCounter, kGauge };

/// One family: its name, type and help text (docs/metrics.md's "meaning" column, word for word).
struct FamilySpec {
  const char* name;
  Type type;
  const char* help;
};

// clang-format off
constexpr FamilySpec kBuildInfo{"camwatch_build_info", Type::kGauge,
    "Always 1; the labels name the camwatch version, its git commit and the nDPI revision."};
constexpr FamilySpec kSensorInfo{"camwatch_sensor_info", Type::kGauge,
    "Always 1; the label is the configured sensor name (sensor.name)."};
constexpr FamilySpec kStartTime{"camwatch_start_time_seconds", Type::kGauge,
    "When the sensor started, in seconds since the Unix epoch."};
constexpr FamilySpec kWorkerPackets{"camwatch_worker_packets_total", Type::kCounter,
    "Packets the worker read."};
constexpr FamilySpec kWorkerBytes{"camwatch_worker_bytes_total", Type::kCounter,
    "Wire length of the packets the worker read."};
constexpr FamilySpec kWorkerIpPackets{"camwatch_worker_ip_packets_total", Type::kCounter,
    "Packets the worker counted to a flow."};
constexpr FamilySpec kWorkerUntracked{"camwatch_worker_untracked_packets_total", Type::kCounter,
    "Packets the worker read but counted to no flow, per reason: not_ip, malformed (a decode anomaly) or fragment_without_first; with camwatch_worker_ip_packets_total they add up to camwatch_worker_packets_total."};
constexpr FamilySpec kWorkerBusy{"camwatch_worker_busy_seconds_total", Type::kCounter,
    "Time the worker spent on packets and ticks; load = rate(busy) / (rate(busy) + rate(idle))."};
constexpr FamilySpec kWorkerIdle{"camwatch_worker_idle_seconds_total", Type::kCounter,
    "Time the worker spent waiting for packets."};
constexpr FamilySpec kFlowsCreated{"camwatch_flows_created_total", Type::kCounter,
    "Flows the worker's flow table created."};
constexpr FamilySpec kFlowsEnded{"camwatch_flows_ended_total", Type::kCounter,
    "Flows that ended for any reason, evictions included."};
constexpr FamilySpec kFlowsEvicted{"camwatch_flows_evicted_total", Type::kCounter,
    "Flows ended early because the flow table was full (flows.max_flows)."};
constexpr FamilySpec kFlowsActive{"camwatch_flows_active", Type::kGauge,
    "Flows in the worker's flow table."};
constexpr FamilySpec kDpiFlowStates{"camwatch_dpi_flow_states", Type::kGauge,
    "nDPI flow states in use: flows still being classified."};
constexpr FamilySpec kDnsResponses{"camwatch_dns_responses_total", Type::kCounter,
    "DNS responses read into the DNS cache."};
constexpr FamilySpec kDnsAnswers{"camwatch_dns_answers_total", Type::kCounter,
    "A and AAAA answers put into the DNS cache."};
constexpr FamilySpec kDnsMalformed{"camwatch_dns_malformed_total", Type::kCounter,
    "DNS responses that could not be parsed."};
constexpr FamilySpec kDnsCacheLookups{"camwatch_dns_cache_lookups_total", Type::kCounter,
    "DNS cache lookups for new flows: result hit (the flow got a name) or miss."};
constexpr FamilySpec kGeoLookups{"camwatch_geoip_lookups_total", Type::kCounter,
    "GeoIP lookups of public addresses: result hit (the worker's cache) or miss (read from the MMDB files)."};
constexpr FamilySpec kGeoEvictions{"camwatch_geoip_cache_evictions_total", Type::kCounter,
    "Entries the workers' GeoIP caches dropped to make room (geoip.cache_size per worker)."};
constexpr FamilySpec kCamerasUntracked{"camwatch_cameras_untracked_total", Type::kCounter,
    "New flows of cameras the worker kept no state for (no first sighting, no egress samples) because it tracked inventory.max_cameras cameras; they are still judged and alerted."};
constexpr FamilySpec kAnomalies{"camwatch_decode_anomalies_total", Type::kCounter,
    "Packets that could not be decoded fully, per anomaly, all workers together."};
constexpr FamilySpec kCaptureReceived{"camwatch_capture_received_packets_total", Type::kCounter,
    "Packets the capture socket received (pcap ps_recv)."};
constexpr FamilySpec kCaptureDropped{"camwatch_capture_dropped_packets_total", Type::kCounter,
    "Packets dropped because the capture ring was full (pcap ps_drop)."};
constexpr FamilySpec kCaptureIfDropped{"camwatch_capture_interface_dropped_packets_total", Type::kCounter,
    "Packets the interface dropped (pcap ps_ifdrop); every worker of an interface reports the same drops."};
constexpr FamilySpec kDpiMemory{"camwatch_dpi_memory_bytes", Type::kGauge,
    "Memory nDPI has allocated, all workers together."};
constexpr FamilySpec kDnsCacheEntries{"camwatch_dns_cache_entries", Type::kGauge,
    "Names in the DNS cache."};
constexpr FamilySpec kDnsCacheCapacity{"camwatch_dns_cache_capacity", Type::kGauge,
    "Names the DNS cache can hold."};
constexpr FamilySpec kDnsCacheEvictions{"camwatch_dns_cache_evictions_total", Type::kCounter,
    "Unexpired names the DNS cache dropped to make room for new answers (dns.cache_size)."};
constexpr FamilySpec kAlerts{"camwatch_alerts_total", Type::kCounter,
    "Alert notifications sent to the sinks; firing covers new episodes, repeats and re-notifications."};
constexpr FamilySpec kAlertRaises{"camwatch_alert_raises_total", Type::kCounter,
    "Alerts raised, before deduplication."};
constexpr FamilySpec kAlertRepeats{"camwatch_alert_repeats_total", Type::kCounter,
    "Raises folded into an alert episode that was already open."};
constexpr FamilySpec kAlertOverflow{"camwatch_alert_overflow_total", Type::kCounter,
    "Raises folded into a camera's overflow alert because it had alerts.max_active_per_camera active alerts."};
constexpr FamilySpec kAlertTotalOverflow{"camwatch_alert_max_active_overflow_total", Type::kCounter,
    "Raises folded into a sensor-wide overflow alert because alerts.max_active alerts were active."};
constexpr FamilySpec kAlertCamerasUntracked{"camwatch_alert_cameras_untracked_total", Type::kCounter,
    "Camera sightings and egress samples the alert engine kept no state for because it tracked inventory.max_cameras cameras."};
constexpr FamilySpec kSinkQueued{"camwatch_alert_sink_queued_total", Type::kCounter,
    "Alerts spooled for the sink."};
constexpr FamilySpec kSinkSent{"camwatch_alert_sink_sent_total", Type::kCounter,
    "Alerts the sink accepted."};
constexpr FamilySpec kSinkRetries{"camwatch_alert_sink_retries_total", Type::kCounter,
    "Deliveries to the sink that followed a failed one."};
constexpr FamilySpec kSinkFailures{"camwatch_alert_sink_failures_total", Type::kCounter,
    "Deliveries to the sink that failed."};
constexpr FamilySpec kSinkDropped{"camwatch_alert_sink_dropped_total", Type::kCounter,
    "Alerts dropped at the spool cap before the sink got them."};
constexpr FamilySpec kSinkPending{"camwatch_alert_sink_pending", Type::kGauge,
    "Alerts spooled for the sink and not yet accepted."};
constexpr FamilySpec kSpoolWriteErrors{"camwatch_alert_spool_write_errors_total", Type::kCounter,
    "Alert spool writes that failed (disk full, I/O error); the alerts are held in memory and spooled later."};
constexpr FamilySpec kSpoolHeld{"camwatch_alert_spool_held_alerts", Type::kGauge,
    "Alerts held in memory because the spool could not be written."};
constexpr FamilySpec kSpoolHeldDropped{"camwatch_alert_spool_held_dropped_total", Type::kCounter,
    "Held alerts dropped because more than 10000 waited for the spool."};
constexpr FamilySpec kIpfixExported{"camwatch_ipfix_records_exported_total", Type::kCounter,
    "Flow records sent to the IPFIX collector (export.ipfix)."};
constexpr FamilySpec kIpfixDropped{"camwatch_ipfix_records_dropped_total", Type::kCounter,
    "Flow records not exported: the collector was down or unreachable, or the export queue was full."};
constexpr FamilySpec kIpfixErrors{"camwatch_ipfix_export_errors_total", Type::kCounter,
    "Connects to and sends to the IPFIX collector that failed."};
constexpr FamilySpec kEgressBytes{"camwatch_egress_bytes_total", Type::kCounter,
    "Bytes cameras sent to public destinations, per camera, country, operator, operator country, AS number and protocol (capped by metrics.max_destinations)."};
constexpr FamilySpec kEgressFlows{"camwatch_egress_flows_total", Type::kCounter,
    "Egress flows cameras started, with the labels of camwatch_egress_bytes_total."};
constexpr FamilySpec kEgressSeries{"camwatch_egress_series", Type::kGauge,
    "Label sets of the egress families, overflow series included."};
constexpr FamilySpec kEgressOverflow{"camwatch_egress_overflow_total", Type::kCounter,
    "Egress updates counted under an overflow series because metrics.max_destinations was reached."};
constexpr FamilySpec kCameraAlerts{"camwatch_camera_alerts_total", Type::kCounter,
    "Alert notifications (firing) per camera and kind; the camera is other for cameras beyond metrics.max_destinations and for alerts that name no camera."};
// clang-format on

/// A worker field and where it goes: a counter (scaled: nanoseconds to seconds) or a gauge, with
/// the label `label`="`value`" when `label` is set.
struct WorkerField {
  std::uint64_t WorkerCountersSnapshot::*field;
  const FamilySpec* family;
  double scale;
  const char* label = nullptr;
  const char* value = nullptr;
};

constexpr double kSecondsPerNano = 1e-9;

const WorkerField kWorkerFields[] = {
    {&WorkerCountersSnapshot::packets, &kWorkerPackets, 1},
    {&WorkerCountersSnapshot::wire_bytes, &kWorkerBytes, 1},
    {&WorkerCountersSnapshot::ip_packets, &kWorkerIpPackets, 1},
    {&WorkerCountersSnapshot::non_ip_packets, &kWorkerUntracked, 1, "reason", "not_ip"},
    {&WorkerCountersSnapshot::fragments_unmatched, &kWorkerUntracked, 1, "reason",
     "fragment_without_first"},
    {&WorkerCountersSnapshot::busy_ns, &kWorkerBusy, kSecondsPerNano},
    {&WorkerCountersSnapshot::idle_ns, &kWorkerIdle, kSecondsPerNano},
    {&WorkerCountersSnapshot::flows_created, &kFlowsCreated, 1},
    {&WorkerCountersSnapshot::flows_ended, &kFlowsEnded, 1},
    {&WorkerCountersSnapshot::flows_evicted, &kFlowsEvicted, 1},
    {&WorkerCountersSnapshot::flows_active, &kFlowsActive, 1},
    {&WorkerCountersSnapshot::dpi_flow_states, &kDpiFlowStates, 1},
    {&WorkerCountersSnapshot::dns_responses, &kDnsResponses, 1},
    {&WorkerCountersSnapshot::dns_answers, &kDnsAnswers, 1},
    {&WorkerCountersSnapshot::dns_malformed, &kDnsMalformed, 1},
    {&WorkerCountersSnapshot::dns_cache_hits, &kDnsCacheLookups, 1, "result", "hit"},
    {&WorkerCountersSnapshot::dns_cache_misses, &kDnsCacheLookups, 1, "result", "miss"},
    {&WorkerCountersSnapshot::geo_hits, &kGeoLookups, 1, "result", "hit"},
    {&WorkerCountersSnapshot::geo_misses, &kGeoLookups, 1, "result", "miss"},
    {&WorkerCountersSnapshot::geo_evictions, &kGeoEvictions, 1},
    {&WorkerCountersSnapshot::cameras_untracked, &kCamerasUntracked, 1},
};

/// A prometheus counter kept equal to an absolute count read elsewhere: fold() adds the
/// difference from the last value seen. Several may feed one prometheus counter (per-worker
/// counts summed into one series).
class FoldedCounter {
 public:
  explicit FoldedCounter(Counter& counter, double scale = 1) : counter_(&counter), scale_(scale) {}

  void fold(std::uint64_t now) {
    // A value below the last one means the source started again from zero (a worker or a
    // capture handle was restarted): all of `now` is new. Counters never go down.
    const std::uint64_t delta = now >= last_ ? now - last_ : now;
    last_ = now;
    if (delta != 0) counter_->Increment(static_cast<double>(delta) * scale_);
  }

 private:
  Counter* counter_;
  double scale_;
  std::uint64_t last_ = 0;
};

/// Either a folded counter or a gauge, for one worker field.
struct WorkerSlot {
  std::optional<FoldedCounter> counter;
  Gauge* gauge = nullptr;
};

double nowUnixSeconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

}  // namespace

BuildInfo currentBuildInfo() {
  const char* ndpi = ndpi_revision();
  return {CAMWATCH_VERSION, CAMWATCH_GIT_HASH, ndpi != nullptr ? ndpi : "unknown"};
}

struct MetricsRegistry::Impl {
  explicit Impl(MetricsLayout shape) : layout(std::move(shape)) {}

  Family<Counter>& counterFamily(const FamilySpec& spec) {
    auto [it, inserted] = counter_families.try_emplace(spec.name, nullptr);
    if (inserted) {
      it->second = &prometheus::BuildCounter().Name(spec.name).Help(spec.help).Register(*registry);
    }
    return *it->second;
  }
  Family<Gauge>& gaugeFamily(const FamilySpec& spec) {
    auto [it, inserted] = gauge_families.try_emplace(spec.name, nullptr);
    if (inserted) {
      it->second = &prometheus::BuildGauge().Name(spec.name).Help(spec.help).Register(*registry);
    }
    return *it->second;
  }

  // The series the constructor makes, a group of families each, for `layout`.
  void addInfo(const MetricsOptions& options);
  void addWorkers();
  void addCaptures();
  void addSinks();
  void addAlerts();
  void addSpool();
  void addCaches();
  void addEgress(std::uint32_t max_destinations);
  void addCameraAlerts(std::uint32_t max_cameras);

  MetricsLayout layout;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::map<std::string, Family<Counter>*> counter_families;
  std::map<std::string, Family<Gauge>*> gauge_families;

  std::vector<std::vector<WorkerSlot>> workers;  // [worker][kWorkerFields index]
  // [worker][anomaly]: every worker's count feeds the one series of its anomaly.
  std::vector<std::vector<std::optional<FoldedCounter>>> anomalies;
  std::vector<FoldedCounter> malformed;              ///< [worker]: the sum of its anomalies
  std::vector<std::vector<FoldedCounter>> captures;  // [capture][received, dropped, ifdropped]
  std::vector<std::vector<FoldedCounter>> sinks;  // [sink][queued, sent, retried, failed, dropped]
  std::vector<Gauge*> sink_pending;
  // [kind][severity][status]; empty where the enum value has no name.
  std::vector<std::optional<FoldedCounter>> alerts;
  std::optional<FoldedCounter> alert_raises;
  std::optional<FoldedCounter> alert_repeats;
  std::optional<FoldedCounter> alert_overflow;
  std::optional<FoldedCounter> alert_total_overflow;
  std::optional<FoldedCounter> alert_cameras_untracked;
  Gauge* dpi_memory = nullptr;
  Gauge* dns_cache_entries = nullptr;
  Gauge* dns_cache_capacity = nullptr;
  std::optional<FoldedCounter> dns_cache_evictions;
  std::optional<FoldedCounter> spool_write_errors;
  Gauge* spool_held = nullptr;
  std::optional<FoldedCounter> spool_held_dropped;
  std::optional<FoldedCounter> ipfix_exported;
  std::optional<FoldedCounter> ipfix_dropped;
  std::optional<FoldedCounter> ipfix_errors;
  std::unique_ptr<EgressTrafficTable> egress;
  std::unique_ptr<CameraAlertTable> camera_alerts;
};

void MetricsRegistry::Impl::addInfo(const MetricsOptions& options) {
  gaugeFamily(kBuildInfo)
      .Add({{"version", options.build.version},
            {"git", options.build.git},
            {"ndpi", options.build.ndpi}})
      .Set(1);
  gaugeFamily(kSensorInfo).Add({{"sensor", options.sensor}}).Set(1);
  gaugeFamily(kStartTime)
      .Add({})
      .Set(options.start_time_seconds != 0 ? options.start_time_seconds : nowUnixSeconds());
}

void MetricsRegistry::Impl::addWorkers() {
  for (unsigned worker = 0; worker < layout.workers; ++worker) {
    const std::string id = std::to_string(worker);
    std::vector<WorkerSlot>& slots = workers.emplace_back();
    for (const WorkerField& field : kWorkerFields) {
      prometheus::Labels labels = {{"worker", id}};
      if (field.label != nullptr) labels.emplace(field.label, field.value);
      WorkerSlot& slot = slots.emplace_back();
      if (field.family->type == Type::kCounter) {
        slot.counter.emplace(counterFamily(*field.family).Add(labels), field.scale);
      } else {
        slot.gauge = &gaugeFamily(*field.family).Add(labels);
      }
    }
    // Decode anomalies of this worker, all together: the untracked reason "malformed".
    malformed.emplace_back(
        counterFamily(kWorkerUntracked).Add({{"worker", id}, {"reason", "malformed"}}));
    auto& worker_anomalies = anomalies.emplace_back(kAnomalyCount);
    for (std::size_t i = 1; i < kAnomalyCount; ++i) {
      const std::string name(anomalyName(static_cast<Anomaly>(i)));
      worker_anomalies[i].emplace(counterFamily(kAnomalies).Add({{"anomaly", name}}));
    }
  }
}

void MetricsRegistry::Impl::addCaptures() {
  for (const CaptureSource& capture : layout.captures) {
    const prometheus::Labels labels = {{"interface", capture.interface},
                                       {"worker", std::to_string(capture.worker)}};
    captures.push_back({FoldedCounter(counterFamily(kCaptureReceived).Add(labels)),
                        FoldedCounter(counterFamily(kCaptureDropped).Add(labels)),
                        FoldedCounter(counterFamily(kCaptureIfDropped).Add(labels))});
  }
}

void MetricsRegistry::Impl::addSinks() {
  for (const std::string& sink : layout.sinks) {
    const prometheus::Labels labels = {{"sink", sink}};
    sinks.push_back({FoldedCounter(counterFamily(kSinkQueued).Add(labels)),
                     FoldedCounter(counterFamily(kSinkSent).Add(labels)),
                     FoldedCounter(counterFamily(kSinkRetries).Add(labels)),
                     FoldedCounter(counterFamily(kSinkFailures).Add(labels)),
                     FoldedCounter(counterFamily(kSinkDropped).Add(labels))});
    sink_pending.push_back(&gaugeFamily(kSinkPending).Add(labels));
  }
}

void MetricsRegistry::Impl::addAlerts() {
  alerts.resize(kAlertKindSlots * kSeveritySlots * kAlertStatusSlots);
  for (std::size_t kind = 0; kind < kAlertKindSlots; ++kind) {
    const std::string_view kind_name = alertKindName(static_cast<AlertKind>(kind));
    if (!alertKindFromName(kind_name)) continue;  // no such kind
    for (std::size_t severity = 0; severity < kSeveritySlots; ++severity) {
      const std::string_view severity_name = severityName(static_cast<Severity>(severity));
      if (!severityFromName(severity_name)) continue;
      for (std::size_t status = 0; status < kAlertStatusSlots; ++status) {
        const std::string_view status_name = alertStatusName(static_cast<AlertStatus>(status));
        if (!alertStatusFromName(status_name)) continue;
        const prometheus::Labels labels = {{"kind", std::string(kind_name)},
                                           {"severity", std::string(severity_name)},
                                           {"status", std::string(status_name)}};
        alerts[(kind * kSeveritySlots + severity) * kAlertStatusSlots + status].emplace(
            counterFamily(kAlerts).Add(labels));
      }
    }
  }
  alert_raises.emplace(counterFamily(kAlertRaises).Add({}));
  alert_repeats.emplace(counterFamily(kAlertRepeats).Add({}));
  alert_overflow.emplace(counterFamily(kAlertOverflow).Add({}));
  alert_total_overflow.emplace(counterFamily(kAlertTotalOverflow).Add({}));
  alert_cameras_untracked.emplace(counterFamily(kAlertCamerasUntracked).Add({}));
}

void MetricsRegistry::Impl::addSpool() {
  spool_write_errors.emplace(counterFamily(kSpoolWriteErrors).Add({}));
  spool_held = &gaugeFamily(kSpoolHeld).Add({});
  spool_held_dropped.emplace(counterFamily(kSpoolHeldDropped).Add({}));
  ipfix_exported.emplace(counterFamily(kIpfixExported).Add({}));
  ipfix_dropped.emplace(counterFamily(kIpfixDropped).Add({}));
  ipfix_errors.emplace(counterFamily(kIpfixErrors).Add({}));
}

void MetricsRegistry::Impl::addCaches() {
  dpi_memory = &gaugeFamily(kDpiMemory).Add({});
  dns_cache_entries = &gaugeFamily(kDnsCacheEntries).Add({});
  dns_cache_evictions.emplace(counterFamily(kDnsCacheEvictions).Add({}));
  dns_cache_capacity = &gaugeFamily(kDnsCacheCapacity).Add({});
}

void MetricsRegistry::Impl::addEgress(std::uint32_t max_destinations) {
  // The egress families start without series: label sets appear as cameras send.
  Gauge& egress_series = gaugeFamily(kEgressSeries).Add({});
  Counter& egress_overflow = counterFamily(kEgressOverflow).Add({});
  egress.reset(new EgressTrafficTable(std::make_unique<EgressTrafficTable::Impl>(
      counterFamily(kEgressBytes), counterFamily(kEgressFlows), egress_series, egress_overflow,
      max_destinations)));
}

void MetricsRegistry::Impl::addCameraAlerts(std::uint32_t max_cameras) {
  // No series until a camera is alerted on: they appear with its first notification of a kind.
  camera_alerts.reset(new CameraAlertTable(
      std::make_unique<CameraAlertTable::Impl>(counterFamily(kCameraAlerts), max_cameras)));
}

MetricsRegistry::MetricsRegistry(const MetricsLayout& layout, const MetricsOptions& options)
    : impl_(std::make_unique<Impl>(layout)) {
  // Each family is registered when first used, and a scrape lists the counter families, then
  // the gauge families, in the order they were registered: keep this order.
  Impl& m = *impl_;
  m.addInfo(options);
  m.addWorkers();
  m.addCaptures();
  m.addSinks();
  m.addAlerts();
  m.addSpool();
  m.addCaches();
  m.addEgress(options.max_destinations);
  m.addCameraAlerts(options.max_destinations);
}

MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::update(const MetricsSnapshot& snapshot) {
  Impl& m = *impl_;
  for (std::size_t worker = 0; worker < m.workers.size() && worker < snapshot.workers.size();
       ++worker) {
    const WorkerCountersSnapshot& values = snapshot.workers[worker];
    std::vector<WorkerSlot>& slots = m.workers[worker];
    for (std::size_t i = 0; i < std::size(kWorkerFields); ++i) {
      const std::uint64_t value = values.*kWorkerFields[i].field;
      if (slots[i].counter) {
        slots[i].counter->fold(value);
      } else {
        slots[i].gauge->Set(static_cast<double>(value));
      }
    }
    std::uint64_t malformed = 0;
    for (std::size_t i = 1; i < kAnomalyCount; ++i) {
      m.anomalies[worker][i]->fold(values.anomalies[i]);
      malformed += values.anomalies[i];
    }
    m.malformed[worker].fold(malformed);
  }
  for (std::size_t i = 0; i < m.captures.size() && i < snapshot.captures.size(); ++i) {
    const CaptureStatsSnapshot& values = snapshot.captures[i];
    m.captures[i][0].fold(values.received);
    m.captures[i][1].fold(values.dropped);
    m.captures[i][2].fold(values.interface_dropped);
  }
  for (std::size_t i = 0; i < m.sinks.size() && i < snapshot.sinks.size(); ++i) {
    const SinkDeliverySnapshot& values = snapshot.sinks[i];
    m.sinks[i][0].fold(values.queued);
    m.sinks[i][1].fold(values.sent);
    m.sinks[i][2].fold(values.retried);
    m.sinks[i][3].fold(values.failed);
    m.sinks[i][4].fold(values.dropped);
    m.sink_pending[i]->Set(static_cast<double>(values.pending));
  }
  m.spool_write_errors->fold(snapshot.spool_write_errors);
  m.spool_held->Set(static_cast<double>(snapshot.spool_held_alerts));
  m.spool_held_dropped->fold(snapshot.spool_held_dropped);
  for (std::size_t kind = 0; kind < kAlertKindSlots; ++kind) {
    for (std::size_t severity = 0; severity < kSeveritySlots; ++severity) {
      for (std::size_t status = 0; status < kAlertStatusSlots; ++status) {
        auto& counter = m.alerts[(kind * kSeveritySlots + severity) * kAlertStatusSlots + status];
        if (counter) counter->fold(snapshot.alerts.notifications[kind][severity][status]);
      }
    }
  }
  m.alert_raises->fold(snapshot.alerts.raised);
  m.alert_repeats->fold(snapshot.alerts.repeats);
  m.alert_overflow->fold(snapshot.alerts.overflowed);
  m.alert_total_overflow->fold(snapshot.alerts.overflowed_total);
  m.alert_cameras_untracked->fold(snapshot.alerts.cameras_untracked);
  m.dpi_memory->Set(static_cast<double>(snapshot.dpi_memory_bytes));
  m.dns_cache_entries->Set(static_cast<double>(snapshot.dns_cache_entries));
  m.dns_cache_capacity->Set(static_cast<double>(snapshot.dns_cache_capacity));
  m.dns_cache_evictions->fold(snapshot.dns_cache_evictions);
  m.ipfix_exported->fold(snapshot.ipfix_records_exported);
  m.ipfix_dropped->fold(snapshot.ipfix_records_dropped);
  m.ipfix_errors->fold(snapshot.ipfix_export_errors);
}

EgressTrafficTable& MetricsRegistry::egress() { return *impl_->egress; }

CameraAlertTable& MetricsRegistry::cameraAlerts() { return *impl_->camera_alerts; }

std::shared_ptr<prometheus::Registry> MetricsRegistry::prometheusRegistry() const {
  return impl_->registry;
}

std::string MetricsRegistry::textExposition() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

const MetricsLayout& MetricsRegistry::layout() const { return impl_->layout; }

}  // namespace camwatch
