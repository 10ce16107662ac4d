#include "pipeline/flow_worker.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <camwatch/dpi.h>

#include "util/text.h"

namespace camwatch {

void learnDnsResponse(const DecodedPacket& packet, std::span<const std::uint8_t> frame,
                      Timestamp ts, DnsCache& cache, DnsLearnCounts& counts) {
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
    ++counts.answers;
  });
  if (result == DnsParseResult::kOk) {
    ++counts.responses;
  } else if (result == DnsParseResult::kTruncated || result == DnsParseResult::kBadName) {
    ++counts.malformed;
  }
}

FlowWorker::FlowWorker(const FlowWorkerOptions& options, std::unique_ptr<Classifier> classifier,
                       const DnsCache& dns_cache)
    : classifier_(std::move(classifier)),
      judgement_(options.judgement),
      keep_flows_(options.keep_flows),
      summarize_egress_(options.summarize_egress),
      egress_samples_(options.egress_samples),
      max_cameras_(options.max_cameras),
      flow_timeouts_(options.flows),
      dns_cache_(dns_cache),
      table_(options.flows, *this),
      states_(table_.capacity()) {
  longest_flow_ = options.flows.active_timeout +
                  std::max(options.flows.tcp_idle_timeout, options.flows.udp_idle_timeout) +
                  60 * kNanosPerSecond;
  useJudgement();
}

FlowWorker::~FlowWorker() = default;

void FlowWorker::useJudgement() {
  naming_ = std::make_shared<const NamingSnapshot>(
      NamingSnapshot{judgement_.inventory, judgement_.geo, judgement_.operators, judgement_.policy,
                     judgement_.sensor_name});
  policy_groups_.clear();
  if (judgement_.policy) {
    const std::size_t groups = judgement_.inventory ? judgement_.inventory->groupCount() : 1;
    for (std::size_t id = 0; id < groups; ++id) {
      policy_groups_.push_back(
          judgement_.policy->groupId(naming_->groupName(GroupId{static_cast<std::uint16_t>(id)})));
    }
  }
  geo_.reset();
  if (judgement_.geo)
    geo_ = std::make_unique<CachedGeoLookup>(judgement_.geo, judgement_.geo_cache_size);
}

void FlowWorker::setJudgement(const FlowJudgement& judgement, Timestamp now) {
  retired_.push_back(Retired{now + longest_flow_, std::move(naming_), judgement_number_});
  retired_geo_ = geoStats();  // the new cache starts at zero; the totals go on
  judgement_ = judgement;
  ++judgement_number_;
  useJudgement();
}

const NamingSnapshotPtr& FlowWorker::namingOf(std::uint16_t judgement) const {
  if (judgement == judgement_number_) return naming_;
  for (const Retired& retired : retired_) {
    if (retired.number == judgement) return retired.naming;
  }
  return naming_;  // not reached: a judgement is retired only after its flows ended
}

// The policy group of the flow's camera under the current judgement.
PolicyGroupId FlowWorker::policyGroup(const FlowRecord& flow, const WorkerFlowState& state) const {
  if (state.judgement == judgement_number_) {
    return flow.camera_group.index < policy_groups_.size() ? policy_groups_[flow.camera_group.index]
                                                           : policy_groups_.front();
  }
  // A flow open across a reload: its group id is an old inventory's; the new policy takes the
  // group by its name, as before ids (a scan of the groups, once per judging of such a flow).
  return judgement_.policy->groupId(namingOf(state.judgement)->groupName(flow.camera_group));
}

// A flow open across a reload that the current judgement just judged: its verdict is the current
// policy's now, so its group becomes the current inventory's too (by name, or for a group the
// reload removed the camera's group now), and the record is named with the current snapshot.
void FlowWorker::adoptJudgement(FlowRecord& flow, WorkerFlowState& state) const {
  if (state.judgement == judgement_number_) return;
  const std::string_view name = namingOf(state.judgement)->groupName(flow.camera_group);
  flow.camera_group = kNoGroup;
  if (judgement_.inventory) {
    flow.camera_group = judgement_.inventory->groupId(name);
    if (flow.camera_group == kNoGroup && !name.empty()) {
      flow.camera_group =
          judgement_.inventory
              ->identify(flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
                         flow.key.vlan_outer, flow.key.vlan_inner)
              .group_id;
    }
  }
  state.judgement = judgement_number_;
}

GeoCacheStats FlowWorker::geoStats() const {
  GeoCacheStats stats = retired_geo_;
  if (geo_) {
    const GeoCacheStats& now = geo_->stats();
    stats.hits += now.hits;
    stats.misses += now.misses;
    stats.evictions += now.evictions;
    stats.not_public += now.not_public;
  }
  return stats;
}

void FlowWorker::publish(WorkerCounters& counters) const {
  counters.publishFlowTable(table_.stats(), table_.size());
  counters.publishGeoCache(geoStats());
  if (classifier_) counters.dpi_flow_states.set(classifier_->statesInUse());
  counters.dns_cache_hits.set(dns_named_);
  counters.dns_cache_misses.set(table_.stats().created - dns_named_);
  counters.cameras_untracked.set(cameras_untracked_);
}

void FlowWorker::onFlowEnd(FlowRecord& flow, std::uint32_t slot) {
  WorkerFlowState& state = states_[slot];
  // Events sent while the flow was open carry its evidence up to their verdict; the rest is
  // reported now that it has ended, so their alerts show the whole flow (a 30 MB upload, not
  // the handshake it was judged by) and the learned baseline counts all its bytes.
  const bool judged_while_open = state.alert_raised || state.dns_alert_raised;
  const bool was_final = flow.dpi.final;
  classifier_->finish(flow.dpi, state.classifier);
  // The last word on a flow whose verdict could still have changed.
  if (!was_final) judgeDns(flow, state, flow.last_seen, true);
  if (!state.alert_raised && (!was_final || !flow.verdict.final)) {
    judge(flow, state, flow.last_seen, true);
  }
  if (judged_while_open) reportEvidence(flow);
  if (summarize_egress_ && flow.egress) {
    summarizeEgress(flow, state);
    forgetOpenEgress(state);
  }
  if (keep_flows_) flows_.push_back(EndedFlow{flow, namingOf(state.judgement)});
}

// Swap-remove: the last open flow takes the ended one's place (the order of the summaries a
// tick makes does not matter: the traffic table adds them up).
void FlowWorker::forgetOpenEgress(const WorkerFlowState& state) {
  const std::uint32_t index = state.open_egress_index;
  const std::uint32_t last = open_egress_.back();
  open_egress_[index] = last;
  states_[last].open_egress_index = index;
  open_egress_.pop_back();
}

void FlowWorker::summarizeEgress(const FlowRecord& flow, WorkerFlowState& state) {
  const std::uint64_t bytes = flow.bytes[kToServer] - state.egress_bytes_reported;
  if (bytes == 0 && state.egress_counted) return;
  // Facts only (the control side names the camera: addEgressSummary): no allocation here.
  EgressFlowSummary& summary = egress_summaries_.emplace_back();
  summary.naming = naming_;
  summary.camera =
      cameraFacts(flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
                  flow.key.vlan_outer, flow.key.vlan_inner);
  summary.server = flow.serverIp();
  summary.country = flow.server_country;
  summary.asn = flow.server_asn;
  ProtocolText::set(summary.protocol, protocol_names_.protocolName(classifier_->names(), flow.dpi));
  summary.bytes = bytes;
  summary.flows = state.egress_counted ? 0 : 1;
  state.egress_bytes_reported += bytes;
  state.egress_counted = true;
}

void FlowWorker::onPacket(const DecodedPacket& packet, const FlowKey& key, bool src_is_a,
                          std::uint64_t hash, std::span<const std::uint8_t> frame) {
  now_ = packet.ts;  // flows this packet ends (idle, active timeout, eviction) end now
  const FlowUpdate update = table_.onPacket(packet, key, src_is_a, hash);
  FlowRecord& flow = *update.flow;
  WorkerFlowState& state = update.created ? states_.start(update.slot) : states_[update.slot];
  const bool mac_in_frame = packet.has_mac && packet.l2_src_mac_offset + 6 <= frame.size();
  if (!flow.has_client_mac && update.from_client && mac_in_frame) {
    std::memcpy(flow.client_mac.data(), frame.data() + packet.l2_src_mac_offset, 6);
    flow.has_client_mac = true;
  }
  if (update.created) {
    state.judgement = judgement_number_;
    onNewFlow(flow, state, update.slot, packet);
  }
  if (!update.from_client && !state.server_seen) {
    state.server_seen = true;
    if (flow.server_scope != AddressScope::kPublic &&
        !noteDevice(flow.serverIp(),
                    mac_in_frame ? frame.data() + packet.l2_src_mac_offset : nullptr, packet,
                    packet.ts)) {
      ++cameras_untracked_;
    }
  }
  if (update.from_client && state.egress_counter != kNoEgressCounter) {
    std::uint64_t& bytes = egress_[state.egress_counter].bytes;
    if (bytes == 0 && packet.wire_len != 0) egress_sent_.push_back(state.egress_counter);
    bytes += packet.wire_len;
  }
  if (!flow.dpi.final) {
    classifier_->onPacket(flow.dpi, state.classifier, flow.packets[0] + flow.packets[1], packet,
                          frame);
    // Classification just ended: protocol and hostname are known now.
    if (flow.dpi.final) {
      judgeDns(flow, state, packet.ts, false);
      judge(flow, state, packet.ts, false);
    }
  } else if (update.created) {
    judge(flow, state, packet.ts, false);
  }
}

void FlowWorker::tick(Timestamp now) {
  now_ = now;
  table_.expire(now);
  flushEgress(now);
  for (const std::uint32_t slot : open_egress_) {
    const FlowRecord& flow = table_.at(slot);
    if (flow.dpi.final) summarizeEgress(flow, states_[slot]);
  }
  std::erase_if(retired_, [now](const Retired& retired) { return retired.until <= now; });
}

void FlowWorker::finish(Timestamp now) {
  now_ = now;
  table_.flushAll(now);
  flushEgress(now);
}

// Facts about both sides that do not depend on the packets: looked up once per flow.
void FlowWorker::onNewFlow(FlowRecord& flow, WorkerFlowState& state, std::uint32_t slot,
                           const DecodedPacket& packet) {
  const Timestamp ts = packet.ts;
  if (dns_cache_.lookup(flow.serverIp(), ts, flow.dpi.hostname, &flow.dpi.dns_ttl)) {
    flow.dpi.hostname_source = HostnameSource::kDnsCache;
    ++dns_named_;
  }
  flow.server_scope = addressScope(flow.serverIp());
  if (judgement_.inventory) {
    const HostIdentity client = judgement_.inventory->identify(
        flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
        flow.key.vlan_outer, flow.key.vlan_inner);
    state.client_is_camera = client.camera;
    flow.camera_group = client.group_id;
    bool untracked = false;
    if (client.camera) {
      untracked = !noteDevice(flow.clientIp(),
                              flow.has_client_mac ? flow.client_mac.data() : nullptr, packet, ts);
    }
    flow.egress = client.camera && flow.server_scope == AddressScope::kPublic &&
                  !judgement_.inventory->isLocal(flow.serverIp());
    if (flow.egress && egress_samples_) {
      std::uint32_t index = egress_.find(flow.clientIp());
      if (index == egress_.kNotFound && egress_.size() < max_cameras_) {
        index = egress_.tryEmplace(flow.clientIp()).first;
      }
      if (index != egress_.kNotFound) {
        EgressCounter& counter = egress_[index];
        counter.group = client.group_id;
        if (counter.naming != naming_) counter.naming = naming_;
        state.egress_counter = index;
      } else {
        untracked = true;  // judged and alerted all the same; only its bytes go unsampled
      }
    }
    if (untracked) ++cameras_untracked_;
    if (flow.egress && summarize_egress_) {
      state.open_egress_index = static_cast<std::uint32_t>(open_egress_.size());
      open_egress_.push_back(slot);
    }
  }
  if (geo_ && flow.server_scope == AddressScope::kPublic) {
    const GeoInfo& geo = geo_->lookup(flow.serverIp());
    std::memcpy(flow.server_country.data(), geo.country, 3);
    flow.server_asn = geo.asn;
  }
}

// The first time this worker sees a camera, it tells the alert engine (discovery,
// unknown_camera). Once per camera per worker: a set lookup per new flow, not per packet.
bool FlowWorker::noteDevice(const IpAddress& ip, const std::uint8_t* mac6,
                            const DecodedPacket& packet, Timestamp ts) {
  if (!judgement_.inventory || seen_devices_.contains(ip)) return true;
  const HostIdentity identity =
      judgement_.inventory->identify(ip, mac6, packet.vlan_outer, packet.vlan_inner);
  if (!identity.camera) return true;
  const AddressScope scope = addressScope(ip);
  if (scope == AddressScope::kUnspecified || scope == AddressScope::kBroadcast ||
      scope == AddressScope::kMulticast) {
    return true;
  }
  // inventory.max_cameras: a flood of spoofed camera addresses must not grow this set.
  if (seen_devices_.size() >= max_cameras_) return false;
  seen_devices_.tryEmplace(ip);
  DeviceSeen seen;
  seen.naming = naming_;
  seen.camera = cameraFacts(ip, mac6, packet.vlan_outer, packet.vlan_inner);
  events_.push_back(CameraEvent{ts, std::move(seen)});
  return true;
}

CameraFacts FlowWorker::cameraFacts(const IpAddress& ip, const std::uint8_t* mac6,
                                    std::uint16_t vlan_outer, std::uint16_t vlan_inner) {
  CameraFacts camera;
  camera.ip = ip;
  if (mac6 != nullptr) {
    std::memcpy(camera.mac.data(), mac6, 6);
    camera.has_mac = true;
  }
  camera.vlan_outer = vlan_outer;
  camera.vlan_inner = vlan_inner;
  return camera;
}

// Only the counters that sent since the last tick, in the order they started to: the order of
// the samples does not matter, sortCameraEvents() orders them by camera (one each per tick).
void FlowWorker::flushEgress(Timestamp now) {
  for (const std::uint32_t index : egress_sent_) {
    EgressCounter& counter = egress_[index];
    events_.push_back(CameraEvent{
        now, EgressSample{egress_.key(index), counter.group, counter.bytes, counter.naming}});
    counter.bytes = 0;
  }
  egress_sent_.clear();
}

// A camera's DNS query for a name a deny rule lists: dns_lookup_blocked, whether or not a flow
// to the answer follows. nDPI gives the query name once it has seen the query.
void FlowWorker::judgeDns(FlowRecord& flow, WorkerFlowState& state, Timestamp now, bool at_end) {
  if (!judgement_.policy || state.dns_judged || !state.client_is_camera ||
      flow.dpi.hostname[0] == '\0' || flow.dpi.hostname_source != HostnameSource::kDnsQuery) {
    return;
  }
  state.dns_judged = true;
  const Verdict verdict =
      judgement_.policy->evaluateDnsQuery(policyGroup(flow, state), flow.dpi.hostname.data());
  if (verdict.action != PolicyAction::kDeny || !verdict.alert) return;
  state.dns_alert_raised = !at_end;
  FlowJudged judged;
  fillFacts(flow, now, judged);
  judged.flow_open = !at_end;
  judged.dns_query = true;
  judged.severity = verdict.severity;
  judged.kind = *verdict.alert;
  judged.rule = verdict.rule;
  judged.deny = true;
  events_.push_back(CameraEvent{now, std::move(judged)});
}

// Asks the policy about an egress flow; reports it once, when the verdict is a final deny or
// comes from the group's default (the baseline may override those), or at the flow's end. A
// camera's flow to a host on the site is asked about only when its group lists its resolvers
// (external_resolver, encrypted_dns for DNS to another one).
void FlowWorker::judge(FlowRecord& flow, WorkerFlowState& state, Timestamp now, bool at_end) {
  if (!judgement_.policy || state.alert_raised) return;
  const PolicyGroupId group = policyGroup(flow, state);
  const bool on_site = !flow.egress;
  if (on_site && (!state.client_is_camera || !judgement_.policy->judgesOnSiteDns(group))) return;
  // Views, no copies: most verdicts are a silent allow, and strings are made only for an event.
  const ProtocolNames& names = classifier_->names();
  const std::string_view protocol = protocol_names_.protocolName(names, flow.dpi);
  const std::string_view master = names.protocolIdName(flow.dpi.master_protocol);
  const std::string_view app = names.protocolIdName(flow.dpi.app_protocol);
  const std::string_view category = names.categoryName(flow.dpi);
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
  flow.verdict = on_site ? judgement_.policy->evaluateOnSite(group, facts)
                         : judgement_.policy->evaluate(group, facts);
  adoptJudgement(flow, state);
  const bool deny = flow.verdict.action == PolicyAction::kDeny && flow.verdict.alert;
  const bool by_default = flow.verdict.rule == kDefaultRule;
  // An allowed flow to a named server matters to the drift watch of its group (a DNS flow's
  // name is its question, not the server's). An allow rule may be final before the SNI or Host
  // names the server: the watch waits for classification.
  std::optional<Severity> drift =
      deny || flow.dpi.hostname_source == HostnameSource::kDnsQuery
          ? std::nullopt
          : judgement_.policy->destinationDrift(policyGroup(flow, state));
  if (drift && flow.dpi.hostname[0] == '\0') {
    if (!flow.dpi.final && !at_end) return;
    drift.reset();
  }
  // A default allow matters only to the learned baseline; without learning it is no event.
  if (!deny && !(by_default && judgement_.report_default_allows) && !drift) return;
  if (!flow.verdict.final && !at_end) return;  // wait: classification may still decide
  state.alert_raised = true;
  FlowJudged judged;
  fillFacts(flow, now, judged);
  judged.flow_open = !at_end;
  setProtocolText(flow, judged);
  judged.tally_follows = by_default && judgement_.report_default_allows && !at_end && flow.egress;
  if (deny) {
    judged.severity = flow.verdict.severity;
    judged.kind = *flow.verdict.alert;
  }
  judged.rule = flow.verdict.rule;
  judged.deny = deny;
  judged.by_default = by_default;
  if (drift) {
    judged.watch_drift = true;
    judged.drift_severity = *drift;
  }
  events_.push_back(CameraEvent{now, std::move(judged)});
}

// nDPI's names for the flow's protocol, as judge() asked the policy with them.
void FlowWorker::setProtocolText(const FlowRecord& flow, FlowJudged& judged) {
  const ProtocolNames& names = classifier_->names();
  ProtocolText::set(judged.protocol.name, protocol_names_.protocolName(names, flow.dpi));
  ProtocolText::set(judged.protocol.master, names.protocolIdName(flow.dpi.master_protocol));
  ProtocolText::set(judged.protocol.app, names.protocolIdName(flow.dpi.app_protocol));
  ProtocolText::set(judged.protocol.category, names.categoryName(flow.dpi));
}

// What every event about a flow says: camera, destination, evidence (the control side names
// them when it raises an alert: AlertFactory).
void FlowWorker::fillFacts(const FlowRecord& flow, Timestamp now, FlowJudged& judged) const {
  judged.naming = naming_;
  judged.time = now;
  judged.camera =
      cameraFacts(flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
                  flow.key.vlan_outer, flow.key.vlan_inner);
  judged.server = flow.serverIp();
  judged.port = flow.serverPort();
  judged.client_port = flow.clientPort();
  judged.ip_proto = flow.key.ip_proto;
  judged.risk = flow.dpi.risk;
  judged.hostname = flow.dpi.hostname;
  judged.hostname_source = flow.dpi.hostname_source;
  judged.dns_ttl = flow.dpi.dns_ttl;
  judged.country = flow.server_country;
  judged.asn = flow.server_asn;
  judged.first_seen = flow.first_seen;
  judged.last_seen = flow.last_seen;
  judged.packets = flow.packets[kToServer];
  judged.bytes = flow.bytes[kToServer];
  judged.continuation = flow.continuation;
}

// When the flow ended by the table's rules: an idle (or closed) timeout after its last packet,
// whenever a tick or a packet noticed it (replay ticks on packets, live once a second: the same
// instant for both); else now (the packet that ended it, the end of the input).
Timestamp FlowWorker::endedAt(const FlowRecord& flow) const {
  Timestamp timeout = 0;
  switch (flow.end_reason) {
    case FlowEndReason::kTcpClosed:
      timeout = flow_timeouts_.tcp_closed_timeout;
      break;
    case FlowEndReason::kIdle:
      timeout = flow.key.ip_proto == kIpProtoTcp ? flow_timeouts_.tcp_idle_timeout
                                                 : flow_timeouts_.udp_idle_timeout;
      break;
    default:
      return now_;
  }
  return std::min(now_, flow.last_seen + timeout);
}

// The end of a flow judged while open: its whole evidence, camera to destination, at the instant
// it ended. Facts only: the engine finds the alerts the flow raised by its FlowRef.
void FlowWorker::reportEvidence(const FlowRecord& flow) {
  FlowEvidence ended;
  ended.flow.camera = flow.clientIp();
  ended.flow.server = flow.serverIp();
  ended.flow.client_port = flow.clientPort();
  ended.flow.server_port = flow.serverPort();
  ended.flow.vlan_outer = flow.key.vlan_outer;
  ended.flow.vlan_inner = flow.key.vlan_inner;
  ended.flow.ip_proto = flow.key.ip_proto;
  ended.flow.first_seen = flow.first_seen;
  ended.last_seen = flow.last_seen;
  ended.packets = flow.packets[kToServer];
  ended.bytes = flow.bytes[kToServer];
  events_.push_back(CameraEvent{endedAt(flow), ended});
}

}  // namespace camwatch
