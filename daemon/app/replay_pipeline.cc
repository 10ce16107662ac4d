#include "app/replay_pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/spsc_ring.h"
#include "sinks/flow_json.h"

namespace camwatch {
namespace {

enum class MessageKind : std::uint32_t { kPacket, kTick, kEnd };

// What the reader sends a worker. For kPacket the captured bytes follow it in the record.
struct WorkerMessage {
  MessageKind kind;
  bool src_is_a;
  std::uint64_t hash;
  Timestamp ts;
  DecodedPacket packet;
  FlowKey key;
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

struct IpAddressHash {
  std::size_t operator()(const IpAddress& ip) const {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    std::memcpy(&high, ip.bytes.data(), 8);
    std::memcpy(&low, ip.bytes.data() + 8, 8);
    return static_cast<std::size_t>((high * 0x9e3779b97f4a7c15ULL) ^ (low * 0xc2b2ae3d27d4eb4fULL));
  }
};

// One worker: owns its ring's consumer side, its flow table, its nDPI module and what it
// produced. It is its own FlowEndHandler: a flow that ends is classified for the last time and
// kept for the output.
class ReplayWorker : public FlowEndHandler {
 public:
  ReplayWorker(const ReplayOptions& options, std::unique_ptr<NdpiClassifier> classifier,
               const DnsCache& dns_cache)
      : ring_(options.ring_bytes),
        classifier_(std::move(classifier)),
        policy_(options.policy),
        inventory_(options.inventory),
        report_default_allows_(options.report_default_allows),
        sensor_name_(options.sensor_name),
        dns_cache_(dns_cache),
        table_(options.flows, *this) {
    if (options.geo) geo_ = std::make_unique<CachedGeoLookup>(options.geo, options.geo_cache_size);
  }

  SpscByteRing& ring() { return ring_; }

  // camwatch::FlowEndHandler
  void onFlowEnd(FlowRecord& flow) override {
    const bool was_final = flow.dpi.final;
    classifier_->finish(flow);
    // The last word on a flow whose verdict could still have changed.
    if (!was_final) judgeDns(flow, flow.last_seen);
    if (!flow.alert_raised && (!was_final || !flow.verdict.final)) {
      judge(flow, flow.last_seen, true);
    }
    flow.egress_counter = nullptr;  // the record outlives nothing it points to
    flows_.push_back(flow);
  }

  void run() {
    Backoff backoff;
    while (true) {
      const std::span<const std::uint8_t> record = ring_.beginRead();
      if (record.empty()) {
        backoff.wait();
        continue;
      }
      backoff.reset();
      WorkerMessage message;
      std::memcpy(&message, record.data(), sizeof(message));
      bool done = false;
      switch (message.kind) {
        case MessageKind::kPacket:
          onPacket(message, record.subspan(sizeof(WorkerMessage)));
          break;
        case MessageKind::kTick:
          table_.expire(message.ts);
          flushEgress(message.ts);
          break;
        case MessageKind::kEnd:
          table_.flushAll(message.ts);
          flushEgress(message.ts);
          done = true;
          break;
      }
      ring_.commitRead();
      if (done) return;
    }
  }

  const std::deque<FlowRecord>& flows() const { return flows_; }
  /// After run() returned: hands over the classifier, to name protocols in the output.
  std::unique_ptr<NdpiClassifier> takeClassifier() { return std::move(classifier_); }
  GeoCacheStats geoStats() const { return geo_ ? geo_->stats() : GeoCacheStats{}; }
  std::vector<CameraEvent>& events() { return events_; }
  const FlowTableStats& stats() const { return table_.stats(); }
  /// What this worker did, as the metrics count it (after run() returned).
  WorkerCountersSnapshot counters() const {
    WorkerCountersSnapshot out;
    out.packets = packets_;
    out.wire_bytes = wire_bytes_;
    out.ip_packets = packets_;
    out.flows_created = table_.stats().created;
    out.flows_ended = table_.stats().ended;
    out.flows_evicted = table_.stats().evicted;
    const GeoCacheStats geo = geoStats();
    out.geo_hits = geo.hits;
    out.geo_misses = geo.misses;
    out.dns_cache_hits = dns_named_;
    out.dns_cache_misses = table_.stats().created - dns_named_;
    return out;
  }

 private:
  // Bytes each camera sent out since the last tick. Entries are never erased, so flows can keep
  // a pointer to their camera's counter; there is one per camera this worker saw egress from.
  struct EgressCounter {
    std::uint64_t bytes = 0;
    std::string_view group;
  };

  void onPacket(const WorkerMessage& message, std::span<const std::uint8_t> frame) {
    const DecodedPacket& packet = message.packet;
    ++packets_;
    wire_bytes_ += packet.wire_len;
    const FlowUpdate update = table_.onPacket(packet, message.key, message.src_is_a, message.hash);
    FlowRecord& flow = *update.flow;
    const bool mac_in_frame = packet.has_mac && packet.l2_src_mac_offset + 6 <= frame.size();
    if (!flow.has_client_mac && update.from_client && mac_in_frame) {
      std::memcpy(flow.client_mac.data(), frame.data() + packet.l2_src_mac_offset, 6);
      flow.has_client_mac = true;
    }
    if (update.created) onNewFlow(flow, packet);
    if (!update.from_client && !flow.server_seen) {
      flow.server_seen = true;
      if (flow.server_scope != AddressScope::kPublic) {
        noteDevice(flow.serverIp(),
                   mac_in_frame ? frame.data() + packet.l2_src_mac_offset : nullptr, packet,
                   packet.ts);
      }
    }
    if (update.from_client && flow.egress_counter != nullptr) {
      *flow.egress_counter += packet.wire_len;
    }
    if (!flow.dpi.final) {
      classifier_->onPacket(flow, packet, frame);
      // Classification just ended: protocol and hostname are known now.
      if (flow.dpi.final) {
        judgeDns(flow, packet.ts);
        judge(flow, packet.ts, false);
      }
    } else if (update.created) {
      judge(flow, packet.ts, false);
    }
  }

  // Facts about both sides that do not depend on the packets: looked up once per flow.
  void onNewFlow(FlowRecord& flow, const DecodedPacket& packet) {
    const Timestamp ts = packet.ts;
    if (dns_cache_.lookup(flow.serverIp(), ts, flow.dpi.hostname)) {
      flow.dpi.hostname_source = HostnameSource::kDnsCache;
      ++dns_named_;
    }
    flow.server_scope = addressScope(flow.serverIp());
    if (inventory_) {
      const HostIdentity client = inventory_->identify(
          flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
          flow.key.vlan_outer, flow.key.vlan_inner);
      flow.client_is_camera = client.camera;
      flow.camera_group = client.group;
      if (client.camera)
        noteDevice(flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr, packet,
                   ts);
      flow.egress = client.camera && flow.server_scope == AddressScope::kPublic &&
                    !inventory_->isLocal(flow.serverIp());
      if (flow.egress) {
        EgressCounter& counter = egress_[flow.clientIp()];
        counter.group = client.group;
        flow.egress_counter = &counter.bytes;
      }
    }
    if (geo_ && flow.server_scope == AddressScope::kPublic) {
      const GeoInfo& geo = geo_->lookup(flow.serverIp());
      std::memcpy(flow.server_country.data(), geo.country, 3);
      flow.server_asn = geo.asn;
      flow.geo_looked_up = true;
    }
  }

  // The first time this worker sees a camera, it tells the alert engine (discovery,
  // unknown_camera). Once per camera per worker: a set lookup per new flow, not per packet.
  void noteDevice(const IpAddress& ip, const std::uint8_t* mac6, const DecodedPacket& packet,
                  Timestamp ts) {
    if (!inventory_ || seen_devices_.count(ip) != 0) return;
    const HostIdentity identity =
        inventory_->identify(ip, mac6, packet.vlan_outer, packet.vlan_inner);
    if (!identity.camera) return;
    const AddressScope scope = addressScope(ip);
    if (scope == AddressScope::kUnspecified || scope == AddressScope::kBroadcast ||
        scope == AddressScope::kMulticast) {
      return;
    }
    seen_devices_.insert(ip);
    DeviceSeen seen;
    seen.camera.ip = ip;
    if (mac6 != nullptr) {
      std::array<std::uint8_t, 6> mac{};
      std::memcpy(mac.data(), mac6, 6);
      seen.camera.mac = macToString(mac);
    }
    seen.camera.name = std::string(identity.name);
    seen.camera.vendor = std::string(identity.vendor);
    seen.camera.group = std::string(identity.group);
    seen.listed = identity.listed;
    events_.push_back(CameraEvent{ts, std::move(seen)});
  }

  void flushEgress(Timestamp now) {
    for (auto& [camera, counter] : egress_) {
      if (counter.bytes == 0) continue;
      events_.push_back(
          CameraEvent{now, EgressSample{camera, std::string(counter.group), counter.bytes}});
      counter.bytes = 0;
    }
  }

  // A camera's DNS query for a name a deny rule lists: dns_lookup_blocked, whether or not a flow
  // to the answer follows. nDPI gives the query name once it has seen the query.
  void judgeDns(FlowRecord& flow, Timestamp now) {
    if (!policy_ || flow.dns_judged || !flow.client_is_camera || flow.dpi.hostname[0] == '\0' ||
        flow.dpi.hostname_source != HostnameSource::kDnsQuery) {
      return;
    }
    flow.dns_judged = true;
    const Verdict verdict = policy_->evaluateDnsQuery(flow.camera_group, flow.dpi.hostname.data());
    if (verdict.action != PolicyAction::kDeny || !verdict.alert) return;
    FlowJudged judged;
    Alert& alert = judged.alert;
    fillAlert(flow, now, alert);
    alert.severity = verdict.severity;
    alert.kind = *verdict.alert;
    alert.destination = AlertDestination{};
    alert.destination.port = flow.serverPort();
    alert.destination.hostname = flow.dpi.hostname.data();
    alert.destination.hostname_source = hostnameSourceName(flow.dpi.hostname_source);
    alert.rule = std::string(verdict.rule);
    alert.dedup_key = dedupKey(alert);
    judged.deny = true;
    events_.push_back(CameraEvent{now, std::move(judged)});
  }

  // Asks the policy about an egress flow; reports it once, when the verdict is a final deny or
  // comes from the group's default (the baseline may override those), or at the flow's end.
  void judge(FlowRecord& flow, Timestamp now, bool at_end) {
    if (!policy_ || !flow.egress || flow.alert_raised) return;
    const std::string protocol = classifier_->protocolName(flow.dpi);
    const std::string master = classifier_->protocolIdName(flow.dpi.master_protocol);
    const std::string app = classifier_->protocolIdName(flow.dpi.app_protocol);
    const std::string category = classifier_->categoryName(flow.dpi);
    DestinationFacts facts;
    facts.ip = flow.serverIp();
    facts.port = flow.serverPort();
    facts.ip_proto = flow.key.ip_proto;
    facts.hostname = flow.dpi.hostname.data();
    facts.scope = flow.server_scope;
    facts.country =
        std::string_view(flow.server_country.data(), strnlen(flow.server_country.data(), 3));
    facts.asn = flow.server_asn;
    facts.app_protocol = protocol;
    facts.master_protocol = master;
    facts.app_name = app;
    facts.category = category;
    facts.classified = flow.dpi.final;
    flow.verdict = policy_->evaluate(flow.camera_group, facts);
    const bool deny = flow.verdict.action == PolicyAction::kDeny && flow.verdict.alert;
    const bool by_default = flow.verdict.rule == "default";
    // A default allow matters only to the learned baseline; without learning it is no event.
    if (!deny && !(by_default && report_default_allows_)) return;
    if (!flow.verdict.final && !at_end) return;  // wait: classification may still decide
    flow.alert_raised = true;
    FlowJudged judged;
    Alert& alert = judged.alert;
    fillAlert(flow, now, alert);
    alert.protocol.app = protocol == "Unknown" ? protocol : app;
    alert.protocol.master = master;
    alert.protocol.category = category;
    if (deny) {
      alert.severity = flow.verdict.severity;
      alert.kind = *flow.verdict.alert;
    }
    alert.rule = std::string(flow.verdict.rule);
    alert.dedup_key = dedupKey(alert);
    judged.deny = deny;
    judged.by_default = by_default;
    judged.protocol = protocol;
    events_.push_back(CameraEvent{now, std::move(judged)});
  }

  // What every alert about a flow says: camera, destination, protocol, evidence, sensor.
  void fillAlert(const FlowRecord& flow, Timestamp now, Alert& alert) {
    alert.time = now;
    alert.camera.ip = flow.clientIp();
    if (inventory_) {
      const HostIdentity identity = inventory_->identify(
          flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
          flow.key.vlan_outer, flow.key.vlan_inner);
      alert.camera.name = std::string(identity.name);
      alert.camera.vendor = std::string(identity.vendor);
      alert.camera.group = std::string(identity.group);
    }
    if (flow.has_client_mac) alert.camera.mac = macToString(flow.client_mac);
    alert.destination.ip = flow.serverIp();
    alert.destination.port = flow.serverPort();
    alert.destination.hostname = flow.dpi.hostname.data();
    alert.destination.hostname_source = hostnameSourceName(flow.dpi.hostname_source);
    alert.destination.country =
        std::string(flow.server_country.data(), strnlen(flow.server_country.data(), 3));
    alert.destination.asn = flow.server_asn;
    if (geo_ && flow.server_asn != 0)
      alert.destination.org = geo_->backend().lookup(flow.serverIp()).org;
    alert.protocol.l4 = ipProtocolName(flow.key.ip_proto);
    alert.protocol.risks = riskNames(flow.dpi.risk);
    alert.evidence.first_seen = flow.first_seen;
    alert.evidence.last_seen = flow.last_seen;
    alert.evidence.packets = flow.packets[kToServer];
    alert.evidence.bytes = flow.bytes[kToServer];
    alert.sensor = sensor_name_;
  }

  SpscByteRing ring_;
  std::unique_ptr<NdpiClassifier> classifier_;
  PolicyEnginePtr policy_;
  std::shared_ptr<const CameraInventory> inventory_;
  bool report_default_allows_;
  std::string sensor_name_;
  std::vector<CameraEvent> events_;
  std::unordered_map<IpAddress, EgressCounter, IpAddressHash> egress_;
  std::unordered_set<IpAddress, IpAddressHash> seen_devices_;
  std::unique_ptr<CachedGeoLookup> geo_;
  const DnsCache& dns_cache_;
  std::deque<FlowRecord> flows_;  // a deque: growing it never copies what is already there
  std::uint64_t packets_ = 0;
  std::uint64_t wire_bytes_ = 0;
  std::uint64_t dns_named_ = 0;
  FlowTable table_;
};

// DNS responses are read on the reader thread, the one place that sees every packet in order, so
// the cache holds an answer before any later packet reaches a worker.
void learnDns(const DecodedPacket& packet, std::span<const std::uint8_t> frame, Timestamp ts,
              DnsCache& cache, DecodeCounters& counters) {
  constexpr std::uint16_t kDnsPort = 53;
  if (!packet.has_l4 || packet.src_port != kDnsPort || packet.payload_len == 0) return;
  std::span<const std::uint8_t> message = frame.subspan(packet.payload_offset, packet.payload_len);
  if (packet.ip_proto == kIpProtoTcp) {
    // DNS over TCP: a 2-byte length, then the message; only messages whole in one segment.
    if (message.size() < 2) return;
    const std::size_t length = (std::size_t{message[0]} << 8U) | message[1];
    if (length + 2 > message.size()) return;
    message = message.subspan(2, length);
  } else if (packet.ip_proto != kIpProtoUdp) {
    return;
  }
  const DnsParseResult result = parseDnsResponse(message, [&](const DnsAnswer& answer) {
    cache.insert(answer.address, answer.name, answer.ttl, ts);
    ++counters.dns_answers;
  });
  if (result == DnsParseResult::kOk) {
    ++counters.dns_responses;
  } else if (result == DnsParseResult::kTruncated || result == DnsParseResult::kBadName) {
    ++counters.dns_malformed;
  }
}

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

void broadcast(std::vector<std::unique_ptr<ReplayWorker>>& workers, MessageKind kind,
               Timestamp ts) {
  WorkerMessage message{};
  message.kind = kind;
  message.ts = ts;
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
  auto reader = MergedCaptureReader::open(options.captures);
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
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->run(); });

  ReplayResult result;
  result.workers = worker_count;
  DecodeCounters& counters = result.decode;
  FragmentTracker fragments;
  RawPacket raw;
  WorkerMessage message{};
  message.kind = MessageKind::kPacket;
  Timestamp next_tick = 0;
  bool first = true;
  // Packets too large for a ring record (over half the ring) go through with their headers only;
  // only later payload inspection could miss anything, and such frames do not exist on Ethernet.
  const std::size_t max_payload = workers.front()->ring().maxRecordSize() - sizeof(WorkerMessage);

  while ((*reader)->next(raw)) {
    ++counters.packets;
    counters.wire_bytes += std::max<std::uint64_t>(raw.wire_len, raw.data.size());
    if (first) {
      result.first_ts = raw.ts;
      next_tick = raw.ts + kNanosPerSecond;
      first = false;
    }
    if (raw.ts > result.last_ts) result.last_ts = raw.ts;
    if (raw.ts >= next_tick) {
      broadcast(workers, MessageKind::kTick, raw.ts);
      next_tick = raw.ts + kNanosPerSecond;
    }

    DecodedPacket& packet = message.packet;
    if (!decodePacket(raw, packet)) {
      if (packet.anomaly != Anomaly::kNone) {
        ++counters.anomalies[static_cast<std::size_t>(packet.anomaly)];
      } else {
        ++counters.non_ip_by_ethertype[packet.ethertype];
      }
      continue;
    }
    if (!fragments.resolve(packet)) {
      ++counters.fragments_unmatched;
      continue;
    }
    ++counters.ip_packets;
    learnDns(packet, raw.data, raw.ts, dns_cache, counters);
    message.key = makeFlowKey(packet, message.src_is_a);
    message.hash = hashFlowKey(message.key);
    message.ts = raw.ts;
    // The high bits pick the worker; the table uses the low bits, so the two stay independent.
    const auto worker = static_cast<std::size_t>(((message.hash >> 32U) * worker_count) >> 32U);
    send(*workers[worker], message, raw.data.first(std::min(raw.data.size(), max_payload)));
  }
  broadcast(workers, MessageKind::kEnd, result.last_ts);
  for (auto& thread : threads) thread.join();
  result.ndpi_peak_memory = NdpiClassifier::peakMemory();
  result.dns_cache_entries = dns_cache.size();

  result.files = (*reader)->stats();
  result.errors = (*reader)->errors();
  // Sort pointers, then copy each record once into its place: records are a few hundred bytes.
  std::vector<const FlowRecord*> order;
  for (const auto& worker : workers) {
    for (const FlowRecord& flow : worker->flows()) order.push_back(&flow);
  }
  std::sort(order.begin(), order.end(),
            [](const FlowRecord* a, const FlowRecord* b) { return flowRecordLess(*a, *b); });
  result.flows.reserve(order.size());
  for (const FlowRecord* flow : order) result.flows.push_back(*flow);
  for (auto& worker : workers) {
    const GeoCacheStats geo = worker->geoStats();
    result.geo_cache.hits += geo.hits;
    result.geo_cache.misses += geo.misses;
    result.geo_cache.evictions += geo.evictions;
    result.geo_cache.not_public += geo.not_public;
    result.worker_counters.push_back(worker->counters());
    const FlowTableStats& stats = worker->stats();
    result.flow_stats.created += stats.created;
    result.flow_stats.ended += stats.ended;
    result.flow_stats.evicted += stats.evicted;
    result.flow_stats.active_timeouts += stats.active_timeouts;
  }
  // Alerts: every worker's events in one packet-time order, then one engine, so the same capture
  // gives the same alerts for any worker count.
  if (options.alert_engine != nullptr) {
    std::vector<CameraEvent> events;
    for (auto& worker : workers) {
      for (CameraEvent& event : worker->events()) events.push_back(std::move(event));
      worker->events().clear();
    }
    sortCameraEvents(events);
    AlertEngine& engine = *options.alert_engine;
    for (CameraEvent& event : events) engine.onEvent(std::move(event));
    engine.finish(result.last_ts);
    result.alerts = engine.takeNotifications();
    result.alerts_raised = engine.raised();
    result.alert_repeats = engine.repeats();
  }
  result.namer = workers.front()->takeClassifier();
  result.geo = options.geo;
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

}  // namespace camwatch
