#include "alert/alert_engine.h"

#include <algorithm>
#include <cstring>
#include <tuple>

namespace camwatch {
namespace {

const IpAddress& cameraOf(const CameraEvent& event) {
  if (const auto* seen = std::get_if<DeviceSeen>(&event.what)) return seen->camera.ip;
  if (const auto* flow = std::get_if<FlowJudged>(&event.what)) return flow->camera.ip;
  if (const auto* ended = std::get_if<FlowEvidence>(&event.what)) return ended->flow.camera;
  return std::get<EgressSample>(event.what).camera;
}

bool sameTimeKindCamera(const CameraEvent& a, const CameraEvent& b) {
  return a.time == b.time && a.what.index() == b.what.index() && cameraOf(a) == cameraOf(b);
}

// Events equal in time, kind and camera, in input order: flows go by what they are about (dedup
// key, start, rule), so equal events sort equal. Keys are made only here, for such ties (rare),
// once per event of the run.
void sortTiedFlows(std::vector<CameraEvent>::iterator begin,
                   std::vector<CameraEvent>::iterator end) {
  if (end - begin < 2) return;
  if (std::holds_alternative<FlowEvidence>(begin->what)) {
    // Flow ends by the flow they are about (no key needed: each is one flow).
    std::stable_sort(begin, end, [](const CameraEvent& a, const CameraEvent& b) {
      return std::get<FlowEvidence>(a.what).flow < std::get<FlowEvidence>(b.what).flow;
    });
    return;
  }
  if (!std::holds_alternative<FlowJudged>(begin->what)) return;
  const AlertFactory factory;
  struct Tied {
    std::string dedup_key;
    Timestamp first_seen;
    std::string_view rule;
    std::ptrdiff_t at;
  };
  std::vector<Tied> tied;
  for (auto event = begin; event != end; ++event) {
    const auto& flow = std::get<FlowJudged>(event->what);
    // The rule by its text (named by the event's own snapshot), not its id: the same order.
    tied.push_back(Tied{factory.dedupKey(flow), flow.first_seen, AlertFactory::ruleLabel(flow),
                        event - begin});
  }
  std::stable_sort(tied.begin(), tied.end(), [](const Tied& a, const Tied& b) {
    return std::tie(a.dedup_key, a.first_seen, a.rule) <
           std::tie(b.dedup_key, b.first_seen, b.rule);
  });
  std::vector<CameraEvent> sorted;
  sorted.reserve(tied.size());
  for (const Tied& entry : tied) sorted.push_back(std::move(*(begin + entry.at)));
  std::move(sorted.begin(), sorted.end(), begin);
}

// Cameras that went quiet leave the budget monitor; the longest window keeps everyone's history.
Timestamp longestBudgetWindow(const AlertEngineOptions& options) {
  Timestamp longest = options.default_egress_budget.window;
  for (const GroupEgressBudget& group : options.group_budgets)
    longest = std::max(longest, group.budget.window);
  return longest;
}

}  // namespace

FlowRef flowRef(const FlowJudged& flow) {
  return FlowRef{
      flow.camera.ip,         flow.server,   flow.client_port, flow.port, flow.camera.vlan_outer,
      flow.camera.vlan_inner, flow.ip_proto, flow.first_seen};
}

void sortCameraEvents(std::vector<CameraEvent>& events) {
  // Stable by time, kind and camera, then ties by detail: the same order as one stable sort by
  // all four, without a dedup key per comparison.
  std::stable_sort(events.begin(), events.end(), [](const CameraEvent& a, const CameraEvent& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.what.index() != b.what.index()) return a.what.index() < b.what.index();
    return cameraOf(a) < cameraOf(b);
  });
  for (auto run = events.begin(); run != events.end();) {
    auto next = run + 1;
    while (next != events.end() && sameTimeKindCamera(*run, *next)) ++next;
    sortTiedFlows(run, next);
    run = next;
  }
  // Workers split a camera's flows between them: their samples for one instant become one, so
  // the budget check sees the same totals whatever the worker count.
  // In place: the kept events move down over the folded ones, no second vector per round.
  auto kept = events.begin();
  for (auto event = events.begin(); event != events.end(); ++event) {
    auto* sample = std::get_if<EgressSample>(&event->what);
    if (sample != nullptr && kept != events.begin() && (kept - 1)->time == event->time) {
      auto* last = std::get_if<EgressSample>(&(kept - 1)->what);
      if (last != nullptr && last->camera == sample->camera) {
        last->bytes += sample->bytes;
        continue;
      }
    }
    if (kept != event) *kept = std::move(*event);
    ++kept;
  }
  events.erase(kept, events.end());
}

std::string_view learningModeName(LearningMode mode) {
  switch (mode) {
    case LearningMode::kOff:
      return "off";
    case LearningMode::kLearn:
      return "learn";
    case LearningMode::kEnforce:
      return "enforce";
  }
  return "off";
}

AlertEngine::AlertEngine(AlertEngineOptions options, LearnedBaseline baseline)
    : options_(std::move(options)),
      longest_budget_window_(longestBudgetWindow(options_)),
      baseline_(std::move(baseline)),
      lifecycle_(options_.lifecycle) {
  enforcing_ = options_.learning == LearningMode::kEnforce;
}

std::string_view AlertEngine::learningPhase() const {
  if (options_.learning == LearningMode::kOff) return "off";
  return enforcing_ ? "enforce" : "learn";
}

void AlertEngine::onEvent(CameraEvent event) {
  if (options_.learning == LearningMode::kLearn) {
    // The period runs from the first event ever seen; the state file keeps that instant, so a
    // restart continues the period instead of starting it again.
    if (baseline_.learningStarted() == 0) {
      baseline_.setLearningStarted(event.time);
      baseline_changed_ = true;
    }
    enforcing_ = event.time >= baseline_.learningStarted() + options_.learning_period;
  }
  if (auto* seen = std::get_if<DeviceSeen>(&event.what)) {
    onDevice(event.time, *seen);
  } else if (auto* flow = std::get_if<FlowJudged>(&event.what)) {
    onFlow(event.time, *flow);
  } else if (auto* ended = std::get_if<FlowEvidence>(&event.what)) {
    onFlowEnd(event.time, *ended);
  } else {
    onEgress(event.time, std::get<EgressSample>(event.what));
  }
}

void AlertEngine::finish(Timestamp now) { lifecycle_.advance(now); }

std::vector<SeenCamera> AlertEngine::camerasByAddress() const {
  std::vector<std::uint32_t> order(cameras_.size());
  for (std::uint32_t index = 0; index < order.size(); ++index) order[index] = index;
  std::sort(order.begin(), order.end(),
            [this](std::uint32_t a, std::uint32_t b) { return cameras_.key(a) < cameras_.key(b); });
  std::vector<SeenCamera> cameras;
  cameras.reserve(order.size());
  for (const std::uint32_t index : order) cameras.push_back(cameras_[index]);
  return cameras;
}

void AlertEngine::raise(Alert alert, bool continued_flow) {
  const std::uint32_t camera = cameras_.find(alert.camera.ip);
  if (camera != cameras_.kNotFound) ++cameras_[camera].alerts;
  lifecycle_.raise(std::move(alert), continued_flow);
}

void AlertEngine::raiseAbout(const FlowJudged& flow, Alert alert) {
  if (!flow.flow_open) {
    raise(std::move(alert), flow.continuation);
    return;
  }
  const std::uint32_t camera = cameras_.find(alert.camera.ip);
  if (camera != cameras_.kNotFound) ++cameras_[camera].alerts;
  open_flows_[flowRef(flow)].push_back(lifecycle_.raiseHeld(std::move(alert), flow.continuation));
}

void AlertEngine::onFlowEnd(Timestamp time, const FlowEvidence& ended) {
  // A flow learnt while open: its whole bytes join its destination's record (not after a switch
  // to enforcing, which saves no more).
  if (const auto learnt = learning_flows_.find(ended.flow); learnt != learning_flows_.end()) {
    if (!enforcing_) {
      baseline_.addBytes(learnt->second.group, learnt->second.hostname, learnt->second.server,
                         ended.bytes);
    }
    learning_flows_.erase(learnt);
  }
  // A flow that raised nothing here (allowed, or learnt by the baseline) has no entry.
  const auto found = open_flows_.find(ended.flow);
  if (found == open_flows_.end()) return;
  for (const EvidenceHold& hold : found->second) {
    lifecycle_.release(hold, ended.packets, ended.bytes, ended.last_seen, time);
  }
  open_flows_.erase(found);
}

void AlertEngine::onDevice(Timestamp time, const DeviceSeen& seen) {
  // Named here, once per camera per worker: the inventory the worker saw it with.
  const HostIdentity identity = factory_.identity(seen.naming.get(), seen.camera);
  std::uint32_t entry = cameras_.find(seen.camera.ip);
  const bool inserted = entry == cameras_.kNotFound;
  if (inserted && cameras_.size() >= options_.max_cameras) {
    // inventory.max_cameras: the camera is not listed (nor budgeted), but its unknown_camera
    // alert is still raised; the lifecycle bounds the alerts.
    ++cameras_untracked_;
    if (!identity.listed && options_.alert_unknown_devices)
      raiseUnknown(time, factory_.camera(seen.naming.get(), seen.camera));
    return;
  }
  if (inserted) entry = cameras_.tryEmplace(seen.camera.ip).first;
  SeenCamera& camera = cameras_[entry];
  if (!inserted) {
    // Another worker saw it too; keep what is known, fill in a MAC seen only there.
    if (camera.camera.mac.empty() && seen.camera.has_mac) {
      const AlertCamera named = factory_.camera(seen.naming.get(), seen.camera);
      camera.camera.mac = named.mac;
      if (camera.camera.vendor.empty()) camera.camera.vendor = named.vendor;
    }
    return;
  }
  camera.camera = factory_.camera(seen.naming.get(), seen.camera);
  camera.listed = identity.listed;
  camera.first_seen = time;
  if (identity.listed || !options_.alert_unknown_devices) return;
  raiseUnknown(time, camera.camera);
}

void AlertEngine::raiseUnknown(Timestamp time, const AlertCamera& seen) {
  Alert alert;
  alert.time = time;
  alert.severity = options_.unknown_device_severity;
  alert.kind = AlertKind::kUnknownCamera;
  alert.camera = seen;
  alert.evidence.first_seen = time;
  alert.evidence.last_seen = time;
  alert.rule = "inventory";
  alert.sensor = options_.sensor_name;
  alert.dedup_key = dedupKey(alert);
  raise(std::move(alert));
}

void AlertEngine::onFlow(Timestamp time, const FlowJudged& flow) {
  if (!flow.by_default || options_.learning == LearningMode::kOff) {
    if (flow.deny) {
      raiseAbout(flow, factory_.flowAlert(flow));
    } else if (flow.watch_drift) {
      checkDrift(time, flow, factory_.identity(flow.naming.get(), flow.camera).group, nullptr);
    }
    return;
  }
  // The group's default decided: the baseline takes its place. For DNS the name is the query,
  // not the server, so the resolver is learnt by its address.
  const HostIdentity identity = factory_.identity(flow.naming.get(), flow.camera);
  // A learnt name that now leads elsewhere is a drift, said with what it left; not also a
  // new_destination of the new AS or country. A name learnt without places (a state file older
  // than them) or not learnt at all is compared with where it first led since the start.
  if (enforcing_ && flow.watch_drift) {
    const LearntPlaces* learnt = baseline_.places(identity.group, flow.hostname.data());
    if (checkDrift(time, flow, identity.group, learnt)) return;
  }
  BaselineFacts facts;
  facts.group = identity.group;
  facts.hostname = AlertFactory::isDns(flow) ? std::string_view() : flow.hostname.data();
  facts.asn = flow.asn;
  facts.country = std::string_view(flow.country.data(), strnlen(flow.country.data(), 3));
  facts.protocol = AlertFactory::protocolName(flow);
  if (!flow.dns_query) facts.ip = flow.server;
  facts.port = flow.port;
  facts.ip_proto = flow.ip_proto;
  facts.camera = flow.camera.ip;
  facts.bytes = flow.tally_follows ? 0 : flow.bytes;  // else the tally at its end brings them
  facts.first_seen = flow.first_seen;
  facts.last_seen = time;
  facts.dns_ttl = flow.dns_ttl;
  if (!enforcing_) {
    // Who runs the network, for `baseline show`: named here, off the workers (one GeoIP lookup
    // per learnt flow).
    const AlertDestination named = AlertFactory::destination(flow, true);
    facts.operator_name = named.network_operator.empty() ? named.org : named.network_operator;
    if (baseline_.learn(facts)) baseline_changed_ = true;
    // Its bytes come with its end (onFlowEnd).
    if (flow.tally_follows) {
      learning_flows_[flowRef(flow)] =
          LearningFlow{std::string(identity.group), std::string(facts.hostname), flow.server};
    }
    return;
  }
  const Novelty novelty = baseline_.check(facts);
  if (novelty == Novelty::kKnown) return;
  Alert alert = factory_.flowAlert(flow);
  alert.time = time;
  alert.kind = AlertKind::kNewDestination;
  alert.severity = Severity::kWarning;
  alert.rule = "baseline:" + std::string(noveltyName(novelty));
  alert.dedup_key = dedupKey(alert);
  raiseAbout(flow, std::move(alert));
}

bool AlertEngine::checkDrift(Timestamp time, const FlowJudged& flow, std::string_view group,
                             const LearntPlaces* learnt) {
  const std::string_view country(flow.country.data(), strnlen(flow.country.data(), 3));
  std::optional<DestinationDrift> drift =
      drift_.check(group, flow.hostname.data(), flow.asn, country, learnt);
  if (!drift) return false;
  Alert alert = factory_.flowAlert(flow);
  alert.time = time;
  alert.kind = AlertKind::kDestinationDrift;
  alert.severity = flow.drift_severity;
  alert.rule = "drift:" + std::string(learnt != nullptr ? "learnt" : "first_seen");
  alert.destination.previous_asns = std::move(drift->previous_asns);
  alert.destination.previous_countries = std::move(drift->previous_countries);
  alert.dedup_key = dedupKey(alert);
  raiseAbout(flow, std::move(alert));
  return true;
}

const EgressBudget& AlertEngine::budgetOf(std::string_view group) const {
  for (const GroupEgressBudget& candidate : options_.group_budgets) {
    if (candidate.group == group) return candidate.budget;
  }
  return options_.default_egress_budget;
}

void AlertEngine::onEgress(Timestamp time, const EgressSample& sample) {
  const std::uint32_t camera = cameras_.find(sample.camera);
  if (camera != cameras_.kNotFound) cameras_[camera].egress_bytes += sample.bytes;
  const std::string_view group = sample.naming ? sample.naming->groupName(sample.group) : "";
  const EgressBudget& budget = budgetOf(group);
  if (time >= next_expire_) {
    egress_.expire(time, longest_budget_window_);
    next_expire_ = time + 60 * kNanosPerSecond;
  }
  if (budget.bytes == 0) return;
  // Budget state for the cameras the engine lists, and for others while there is room: bounded
  // by inventory.max_cameras twice over, whatever the workers send.
  if (camera == cameras_.kNotFound && egress_.cameras() >= options_.max_cameras &&
      !egress_.tracks(sample.camera)) {
    ++cameras_untracked_;
    return;
  }
  const auto exceeded = egress_.add(sample.camera, time, sample.bytes, budget);
  if (!exceeded) return;
  Alert alert;
  alert.time = time;
  alert.severity = Severity::kWarning;
  alert.kind = AlertKind::kEgressVolume;
  if (camera != cameras_.kNotFound) {
    alert.camera = cameras_[camera].camera;
  } else {
    alert.camera.ip = sample.camera;
    alert.camera.group = std::string(group);
  }
  alert.evidence.first_seen = exceeded->window_start;
  alert.evidence.last_seen = time;
  alert.evidence.bytes = exceeded->window_bytes;
  alert.rule = "budget:" + std::string(group);
  alert.sensor = options_.sensor_name;
  alert.dedup_key = dedupKey(alert);
  raise(std::move(alert));
}

}  // namespace camwatch
