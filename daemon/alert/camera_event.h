// Camera events: what a worker hands the control side about a camera, as compact facts (ids,
// addresses, country, AS number, hostname, verdict), never as names. A worker judges every egress
// flow; most verdicts raise nothing, so the text of an alert (camera name, vendor, MAC text, AS
// organisation, protocol and risk names, dedup key) is made on the control thread, by the
// AlertFactory, only for an alert the engine raises.
//
// Threads: made on a worker, moved to the control thread with the worker's batch, read there.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <camwatch/alert_kind.h>
#include <camwatch/classification.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>
#include <camwatch/policy.h>

namespace camwatch {

/// The inventory, GeoIP and policy a worker judged an event with, shared with the control side
/// so that it names the event with the same ones. Events hold it by shared_ptr rather than by a
/// generation number looked up in a control-side history: a reload swaps the worker's judgement
/// at any time, and events of the old one may still be in a ring or a batch; the reference keeps
/// the old snapshot (and the views into it: the rule text, the group) alive exactly as long as
/// an event needs it, however fast reloads come. One atomic increment per event (a judged flow,
/// not a packet), no allocation: a worker makes the snapshot once per reload.
/// Events and flow records carry group and rule ids (GroupId, RuleId), not text: the snapshot
/// they came with names them, on the control side or in the outputs.
struct NamingSnapshot {
  std::shared_ptr<const CameraInventory> inventory;  ///< null: no camera is named
  GeoLookupPtr geo;                                  ///< null: no AS organisation
  OperatorTablePtr operators;                        ///< null: no operator named
  PolicyEnginePtr policy;                            ///< names the rule ids of its verdicts
  std::string sensor_name;

  /// The group `id` of this snapshot's inventory ("" without one). Views into the snapshot.
  std::string_view groupName(GroupId id) const;
  /// The rule `id` of this snapshot's policy (the fixed labels without one).
  std::string_view ruleLabel(RuleId id) const;
};
using NamingSnapshotPtr = std::shared_ptr<const NamingSnapshot>;

/// A camera as the worker saw it: enough for the inventory to name it again.
struct CameraFacts {
  IpAddress ip;
  std::array<std::uint8_t, 6> mac{};  ///< wire order; valid when has_mac
  bool has_mac = false;
  std::uint16_t vlan_outer = 0;
  std::uint16_t vlan_inner = 0;
};

/// nDPI's names for a flow's protocol, copied from the worker's nDPI module: that module belongs
/// to the worker and may be gone when the control thread names the event, and the names are
/// few and short (a copy of the worker's cached views, no formatting). nDPI formats the whole
/// name into 64 bytes, so 64 holds every name it gives.
struct ProtocolText {
  static constexpr std::size_t kSize = 64;
  std::array<char, kSize> name{};  ///< "TLS.HikConnect"; NUL-terminated
  std::array<char, kSize> master{};
  std::array<char, kSize> app{};
  std::array<char, kSize> category{};

  /// Copies `text` into `field` (cut at kSize - 1 bytes).
  static void set(std::array<char, kSize>& field, std::string_view text);
  static std::string_view view(const std::array<char, kSize>& field);
};

/// One flow, the same in every event about it (its judging, its end) and for any worker count:
/// the engine matches a flow's end to the alerts it raised by it.
struct FlowRef {
  IpAddress camera;
  IpAddress server;
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;
  std::uint16_t vlan_outer = 0;
  std::uint16_t vlan_inner = 0;
  std::uint8_t ip_proto = 0;
  Timestamp first_seen = 0;

  auto operator<=>(const FlowRef&) const = default;
};

/// A flow the policy judged: a deny (its alert), a verdict of the group's default action, which
/// the learned baseline may override, or an allowed flow with a name whose group watches for
/// destination drift.
struct FlowJudged {
  NamingSnapshotPtr naming;
  /// When the worker judged it: the alert's time (CameraEvent::time may be moved later when
  /// live merges workers' events, the alert keeps this one).
  Timestamp time = 0;
  CameraFacts camera;
  IpAddress server;
  std::uint16_t port = 0;
  std::uint16_t client_port = 0;
  std::uint8_t ip_proto = 0;
  /// Judged while the flow was open: the evidence is the flow up to now, and the flow's end
  /// sends a FlowEvidence with the rest (the alert grows then). false: judged at its end, the
  /// evidence is the whole flow.
  bool flow_open = false;
  std::uint64_t risk = 0;  ///< nDPI risk bitmap
  ProtocolText protocol;
  std::array<char, 80> hostname{};  ///< NUL-terminated, as FlowClassification::hostname
  HostnameSource hostname_source = HostnameSource::kNone;
  std::uint32_t dns_ttl = 0;      ///< of the DNS answer that named the server (seconds); 0: none
  std::array<char, 3> country{};  ///< ISO code, NUL-padded; empty when unknown
  std::uint32_t asn = 0;
  /// A camera's DNS query a deny rule lists: the destination is the queried name only, and the
  /// protocol names are left out.
  bool dns_query = false;
  bool deny = false;
  bool by_default = false;  ///< the verdict came from the group's default action
  /// An allowed flow with a name, of a group that watches for destination_drift: the engine
  /// compares where the name led with before, and raises with `drift_severity`.
  bool watch_drift = false;
  Severity drift_severity = Severity::kWarning;
  Severity severity = Severity::kWarning;              ///< when deny
  AlertKind kind = AlertKind::kDisallowedDestination;  ///< when deny
  RuleId rule;  ///< the verdict's rule, named by naming->policy
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::uint64_t packets = 0;  ///< camera to destination
  std::uint64_t bytes = 0;
  bool continuation = false;  ///< FlowRecord::continuation: the same contact as a raise before
  /// A default verdict about an egress flow judged before it ended: its bytes so far do not
  /// count for the learned baseline; the flow's end (FlowEvidence) brings them all.
  bool tally_follows = false;
};

/// A flow that was judged while open, and sent a FlowJudged then, has ended: its whole evidence,
/// camera to destination. The engine grows the alerts that flow raised by what it sent after
/// their raise (docs/alerts.md, Lifecycle). One per such flow, none for flows that raised
/// nothing; facts only (no names, no snapshot), so it costs the worker one small copy.
struct FlowEvidence {
  FlowRef flow;
  Timestamp last_seen = 0;    ///< the flow's last packet
  std::uint64_t packets = 0;  ///< camera to destination, the whole flow
  std::uint64_t bytes = 0;
};

/// The flow a judged flow's event is about.
FlowRef flowRef(const FlowJudged& flow);

/// Bytes one camera sent to non-local hosts since the worker's last tick.
struct EgressSample {
  IpAddress camera;
  GroupId group;  ///< the camera's group, named by naming->inventory
  std::uint64_t bytes = 0;
  NamingSnapshotPtr naming;
};

/// A camera a worker saw for the first time (each worker reports each camera once).
struct DeviceSeen {
  NamingSnapshotPtr naming;
  CameraFacts camera;
};

struct CameraEvent {
  /// Packet time. FlowEvidence: when the flow ended (its idle or closed timeout after its last
  /// packet, the packet that ended it, the end of the input): the time of its alert's update.
  Timestamp time = 0;
  std::variant<DeviceSeen, FlowJudged, EgressSample, FlowEvidence> what;
};

/// Orders events by time, then devices before flows before byte samples before flow ends (so a
/// flow's judging comes before its end at the same instant), then by camera and, for flows, by
/// dedup key or flow, and folds byte samples of one camera at one instant into one: the order
/// every worker count agrees on.
void sortCameraEvents(std::vector<CameraEvent>& events);

}  // namespace camwatch
