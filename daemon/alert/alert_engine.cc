#include "alert/alert_engine.h"

#include <algorithm>
#include <tuple>

namespace camwatch {
namespace {

const IpAddress& cameraOf(const CameraEvent& event) {
  if (const auto* seen = std::get_if<DeviceSeen>(&event.what)) return seen->camera.ip;
  if (const auto* flow = std::get_if<FlowJudged>(&event.what)) return flow->alert.camera.ip;
  return std::get<EgressSample>(event.what).camera;
}

// Ties after time, kind and camera: what the event is about, so equal events sort equal.
std::tuple<std::string_view, Timestamp, std::string_view> detailOf(const CameraEvent& event) {
  if (const auto* flow = std::get_if<FlowJudged>(&event.what)) {
    return {flow->alert.dedup_key, flow->alert.evidence.first_seen, flow->alert.rule};
  }
  return std::make_tuple(std::string_view(), Timestamp{0}, std::string_view());
}

// Cameras that went quiet leave the budget monitor; the longest window keeps everyone's history.
Timestamp longestBudgetWindow(const AlertEngineOptions& options) {
  Timestamp longest = options.default_egress_budget.window;
  for (const GroupEgressBudget& group : options.group_budgets)
    longest = std::max(longest, group.budget.window);
  return longest;
}

}  // namespace

void sortCameraEvents(std::vector<CameraEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const CameraEvent& a, const CameraEvent& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.what.index() != b.what.index()) return a.what.index() < b.what.index();
    const IpAddress& camera_a = cameraOf(a);
    const IpAddress& camera_b = cameraOf(b);
    if (camera_a != camera_b) return camera_a < camera_b;
    return detailOf(a) < detailOf(b);
  });
  // Workers split a camera's flows between them: their samples for one instant become one, so
  // the budget check sees the same totals whatever the worker count.
  std::vector<CameraEvent> folded;
  folded.reserve(events.size());
  for (CameraEvent& event : events) {
    auto* sample = std::get_if<EgressSample>(&event.what);
    if (sample != nullptr && !folded.empty() && folded.back().time == event.time) {
      auto* last = std::get_if<EgressSample>(&folded.back().what);
      if (last != nullptr && last->camera == sample->camera) {
        last->bytes += sample->bytes;
        continue;
      }
    }
    folded.push_back(std::move(event));
  }
  events = std::move(folded);
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
  } else {
    onEgress(event.time, std::get<EgressSample>(event.what));
  }
}

void AlertEngine::finish(Timestamp now) { lifecycle_.advance(now); }

void AlertEngine::raise(Alert alert) {
  auto camera = cameras_.find(alert.camera.ip);
  if (camera != cameras_.end()) ++camera->second.alerts;
  lifecycle_.raise(std::move(alert));
}

void AlertEngine::onDevice(Timestamp time, const DeviceSeen& seen) {
  auto entry = cameras_.find(seen.camera.ip);
  const bool inserted = entry == cameras_.end();
  if (inserted && cameras_.size() >= options_.max_cameras) {
    // inventory.max_cameras: the camera is not listed (nor budgeted), but its unknown_camera
    // alert is still raised; the lifecycle bounds the alerts.
    ++cameras_untracked_;
    if (!seen.listed && options_.alert_unknown_devices) raiseUnknown(time, seen.camera);
    return;
  }
  if (inserted) entry = cameras_.try_emplace(seen.camera.ip).first;
  SeenCamera& camera = entry->second;
  if (!inserted) {
    // Another worker saw it too; keep what is known, fill in a MAC seen only there.
    if (camera.camera.mac.empty() && !seen.camera.mac.empty()) {
      camera.camera.mac = seen.camera.mac;
      if (camera.camera.vendor.empty()) camera.camera.vendor = seen.camera.vendor;
    }
    return;
  }
  camera.camera = seen.camera;
  camera.listed = seen.listed;
  camera.first_seen = time;
  if (seen.listed || !options_.alert_unknown_devices) return;
  raiseUnknown(time, seen.camera);
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

void AlertEngine::onFlow(Timestamp time, FlowJudged& flow) {
  if (!flow.by_default || options_.learning == LearningMode::kOff) {
    if (flow.deny) raise(std::move(flow.alert));
    return;
  }
  // The group's default decided: the baseline takes its place. For DNS the name is the query,
  // not the server, so the resolver is learnt by its address.
  const bool dns = flow.alert.protocol.master == "DNS" || flow.alert.protocol.app == "DNS";
  BaselineFacts facts;
  facts.group = flow.alert.camera.group;
  facts.hostname = dns ? std::string_view() : std::string_view(flow.alert.destination.hostname);
  facts.asn = flow.alert.destination.asn;
  facts.country = flow.alert.destination.country;
  facts.protocol = flow.protocol;
  if (flow.alert.destination.ip) facts.ip = *flow.alert.destination.ip;
  if (!enforcing_) {
    if (baseline_.learn(facts)) baseline_changed_ = true;
    return;
  }
  const Novelty novelty = baseline_.check(facts);
  if (novelty == Novelty::kKnown) return;
  Alert& alert = flow.alert;
  alert.time = time;
  alert.kind = AlertKind::kNewDestination;
  alert.severity = Severity::kWarning;
  alert.rule = "baseline:" + std::string(noveltyName(novelty));
  alert.dedup_key = dedupKey(alert);
  raise(std::move(alert));
}

const EgressBudget& AlertEngine::budgetOf(const std::string& group) const {
  for (const GroupEgressBudget& candidate : options_.group_budgets) {
    if (candidate.group == group) return candidate.budget;
  }
  return options_.default_egress_budget;
}

void AlertEngine::onEgress(Timestamp time, const EgressSample& sample) {
  auto camera = cameras_.find(sample.camera);
  if (camera != cameras_.end()) camera->second.egress_bytes += sample.bytes;
  const EgressBudget& budget = budgetOf(sample.group);
  if (time >= next_expire_) {
    egress_.expire(time, longest_budget_window_);
    next_expire_ = time + 60 * kNanosPerSecond;
  }
  if (budget.bytes == 0) return;
  // Budget state for the cameras the engine lists, and for others while there is room: bounded
  // by inventory.max_cameras twice over, whatever the workers send.
  if (camera == cameras_.end() && egress_.cameras() >= options_.max_cameras &&
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
  if (camera != cameras_.end()) {
    alert.camera = camera->second.camera;
  } else {
    alert.camera.ip = sample.camera;
    alert.camera.group = sample.group;
  }
  alert.evidence.first_seen = exceeded->window_start;
  alert.evidence.last_seen = time;
  alert.evidence.bytes = exceeded->window_bytes;
  alert.rule = "budget:" + sample.group;
  alert.sensor = options_.sensor_name;
  alert.dedup_key = dedupKey(alert);
  raise(std::move(alert));
}

}  // namespace camwatch
