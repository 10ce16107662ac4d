// AlertEngine: the one place that turns what the workers saw into the alerts people get. Inputs:
// camera events in packet-time order (a judged flow, bytes a camera sent out, a device seen for
// the first time, the end of a flow judged while open). It applies what needs a view across
// workers: the learned baseline (learn, then enforce: new_destination), egress byte budgets
// (egress_volume), discovery of cameras not in the inventory (unknown_camera), the alert lifecycle
// (suppression, re-notify, resolve), and the evidence of an alert about a flow, grown to the whole
// flow when it ends. Outputs: notifications, in packet-time order, and the table of cameras seen.
//
// Thread: the control thread only. Workers share nothing with it: replay hands their events over
// batch by batch, each sorted (sortCameraEvents), so any worker count gives the same alerts.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/baseline.h>
#include <camwatch/egress_budget.h>

#include "alert/alert_factory.h"
#include "alert/alert_lifecycle.h"
#include "alert/alerts_config.h"
#include "alert/camera_event.h"
#include "decode/address_map.h"
#include "policy/destination_drift.h"

namespace camwatch {

/// One camera as the engine knows it, for the summary.
struct SeenCamera {
  AlertCamera camera;
  bool listed = false;
  Timestamp first_seen = 0;
  std::uint64_t egress_bytes = 0;
  std::uint64_t alerts = 0;  ///< raises (before deduplication) that named this camera
};

/// A camera group's egress budget (`groups.<name>.egress_budget`).
struct GroupEgressBudget {
  std::string group;
  EgressBudget budget;
};

/// What the engine is configured by, cut from the config (config/component_options.h).
struct AlertEngineOptions {
  std::string sensor_name;  ///< on the alerts the engine makes itself (unknown_camera, budgets)
  LearningMode learning = LearningMode::kOff;
  Timestamp learning_period = 7 * 24 * 3600 * kNanosPerSecond;
  AlertLifecycleOptions lifecycle;
  /// `inventory.max_cameras`: cameras the engine keeps state for (see camerasUntracked()).
  std::size_t max_cameras = 16'384;
  bool alert_unknown_devices = false;  ///< `inventory.alert_unknown_devices`
  Severity unknown_device_severity = Severity::kWarning;
  std::vector<GroupEgressBudget> group_budgets;  ///< `groups:` in file order; first match wins
  EgressBudget default_egress_budget;            ///< groups not in group_budgets ("default")
};

class AlertEngine {
 public:
  /// `baseline` is the loaded state (learning off: ignored). Control thread.
  AlertEngine(AlertEngineOptions options, LearnedBaseline baseline);

  /// Takes the next event (events come in sortCameraEvents() order).
  void onEvent(CameraEvent event);
  /// Moves packet time to `now` (the end of the input): resolves what went quiet.
  void finish(Timestamp now);

  /// Notifications so far, in time order; clears them.
  std::vector<Alert> takeNotifications() { return lifecycle_.takeNotifications(); }

  const LearnedBaseline& baseline() const { return baseline_; }
  /// Whether learning added anything since the state was loaded (then save it).
  bool baselineChanged() const { return baseline_changed_; }
  /// "learn" or "enforce" at the last event ("off" without learning).
  std::string_view learningPhase() const;
  /// Every camera the engine keeps state for, by address (a copy: for the summary, at the end).
  std::vector<SeenCamera> camerasByAddress() const;
  std::size_t cameraCount() const { return cameras_.size(); }
  std::uint64_t raised() const { return lifecycle_.raised(); }
  std::uint64_t repeats() const { return lifecycle_.repeats(); }
  /// Raises folded into a camera's overflow alert (alerts.max_active_per_camera).
  std::uint64_t overflowed() const { return lifecycle_.overflowed(); }
  /// Raises folded into a sensor-wide overflow alert (alerts.max_active).
  std::uint64_t overflowedTotal() const { return lifecycle_.overflowedTotal(); }
  /// Alerts active now (AlertLifecycle::active()).
  std::size_t activeAlerts() const { return lifecycle_.active(); }
  /// Flows that raised an alert while open and have not ended yet (their end grows it).
  std::size_t openAlertedFlows() const { return open_flows_.size(); }
  /// Update notifications: alert evidence grown by the end of the flow it was about
  /// (AlertLifecycle::evidenceUpdates()).
  std::uint64_t evidenceUpdates() const { return lifecycle_.evidenceUpdates(); }
  /// Camera events the engine kept no state for because of inventory.max_cameras: first
  /// sightings of a camera once that many are listed (each worker reports a camera once, so a
  /// camera may count once per worker), and egress samples of a camera not listed once the
  /// budget monitor holds that many.
  std::uint64_t camerasUntracked() const { return cameras_untracked_; }

 private:
  void onDevice(Timestamp time, const DeviceSeen& seen);
  void onFlow(Timestamp time, const FlowJudged& flow);
  void onEgress(Timestamp time, const EgressSample& sample);
  void onFlowEnd(Timestamp time, const FlowEvidence& ended);
  // continued_flow: AlertLifecycle::raise()'s, a flow split by the active timeout.
  void raise(Alert alert, bool continued_flow = false);
  // raise() for an alert about `flow`: held in the lifecycle until the flow ends when it is open.
  void raiseAbout(const FlowJudged& flow, Alert alert);
  void raiseUnknown(Timestamp time, const AlertCamera& camera);
  /// destination_drift for an allowed flow of a group watching for it (`learnt`: the baseline's
  /// places of its name, or null). @return whether it raised.
  bool checkDrift(Timestamp time, const FlowJudged& flow, std::string_view group,
                  const LearntPlaces* learnt);
  const EgressBudget& budgetOf(std::string_view group) const;

  const AlertEngineOptions options_;
  /// The longest budget window of all groups: how long a quiet camera's bytes are kept.
  const Timestamp longest_budget_window_;
  AlertFactory factory_;
  LearnedBaseline baseline_;
  bool baseline_changed_ = false;
  bool enforcing_ = false;
  EgressVolumeMonitor egress_;
  DestinationDriftMonitor drift_;
  AlertLifecycle lifecycle_;
  // Looked up per event (flows, egress samples, raises): a flat index, sorted only for
  // camerasByAddress().
  AddressMap<SeenCamera> cameras_;
  // The alerts each open flow raised (one, or two for a DNS flow: its query and its server),
  // until its FlowEvidence: one entry per flow that raised an alert and is still open, so
  // bounded by the workers' flow tables (flows.max_flows).
  std::map<FlowRef, std::vector<EvidenceHold>> open_flows_;
  // Flows the baseline learnt while they were open, until their end brings their bytes: one
  // entry per open learnt flow (bounded by the workers' flow tables).
  struct LearningFlow {
    std::string group;
    std::string hostname;  // empty: learnt by address
    IpAddress server;
  };
  std::map<FlowRef, LearningFlow> learning_flows_;
  Timestamp next_expire_ = 0;
  std::uint64_t cameras_untracked_ = 0;
};

}  // namespace camwatch
