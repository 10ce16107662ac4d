// AlertFactory: the text of an alert, made from a worker's facts (camera_event.h) on the control
// thread, only for an alert the engine raises (or a camera it lists): camera name, vendor and
// group from the inventory, MAC text, the AS organisation from GeoIP, protocol and risk names,
// the rule text and the dedup key. Each event is named with the snapshot it was judged with.
//
// Thread: the control thread (the inventory and GeoIP lookups it uses are safe on any thread).
#pragma once

#include <string>

#include <camwatch/alert.h>
#include <camwatch/inventory.h>

#include "alert/camera_event.h"

namespace camwatch {

class AlertFactory {
 public:
  /// The camera as the inventory of `naming` names it (null: the address and MAC only).
  AlertCamera camera(const NamingSnapshot* naming, const CameraFacts& facts) const;
  /// What the inventory of `naming` says about the camera (nothing without one).
  HostIdentity identity(const NamingSnapshot* naming, const CameraFacts& facts) const;
  /// The alert about a judged flow: kind, severity and rule of its verdict.
  Alert flowAlert(const FlowJudged& flow) const;
  /// dedupKey() of flowAlert(flow) without the rest of the alert.
  std::string dedupKey(const FlowJudged& flow) const;
  /// The protocol name the baseline learns ("TLS.HikConnect").
  static std::string_view protocolName(const FlowJudged& flow) {
    return ProtocolText::view(flow.protocol.name);
  }
  /// Whether the flow is DNS (then the baseline learns the resolver, not the queried name).
  static bool isDns(const FlowJudged& flow);
  /// The verdict's rule text, named by the flow's own snapshot (the fixed labels without one).
  static std::string_view ruleLabel(const FlowJudged& flow) {
    return flow.naming ? flow.naming->ruleLabel(flow.rule) : fixedRuleLabel(flow.rule);
  }
  /// The flow's destination as an alert names it. With `with_org`, the AS organisation too (a
  /// GeoIP lookup): for an alert, and for the operator the learned baseline records.
  static AlertDestination destination(const FlowJudged& flow, bool with_org);
};

}  // namespace camwatch
