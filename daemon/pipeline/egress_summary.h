// EgressFlowSummary: a worker's report of one open egress flow's bytes since its last one, for
// the traffic metrics (camera × country × ASN × protocol). Like the camera events
// (alert/camera_event.h) it carries facts, not names: the worker copies addresses, MAC, VLAN tags,
// country, AS number and the protocol name it has at hand (fixed arrays, no allocation), and the
// control side names the camera from the snapshot the summary came with (addEgressSummary), once,
// for live (runtime/) and replay --metrics (cli/) alike.
//
// Threads: made on a worker, moved to the control thread in its Handover, read there.
#pragma once

#include <array>
#include <cstdint>

#include <camwatch/metrics.h>

#include "alert/camera_event.h"

namespace camwatch {

/// Egress traffic of one flow since its last summary. A flow is summarized once a second after
/// its classification ended (so its protocol label does not change), and when it ends.
struct EgressFlowSummary {
  NamingSnapshotPtr naming;       ///< the worker's judgement when it summarized: names the camera
  CameraFacts camera;             ///< the flow's client
  IpAddress server;               ///< the destination (for the operator's prefix rows)
  std::array<char, 3> country{};  ///< ISO code, NUL-padded; empty = unknown
  std::uint32_t asn = 0;
  /// nDPI's name as flow records give it ("TLS.HikConnect"), NUL-terminated (ProtocolText).
  std::array<char, ProtocolText::kSize> protocol{};
  std::uint64_t bytes = 0;  ///< camera to destination, on the wire, since the last summary
  std::uint64_t flows = 0;  ///< 1 in the flow's first summary, else 0
};

/// Names `summary` (the camera by its inventory name, or its IP address without one) and adds it
/// to `table`. Control thread.
void addEgressSummary(EgressTrafficTable& table, const EgressFlowSummary& summary);

}  // namespace camwatch
