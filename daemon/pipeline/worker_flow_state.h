// WorkerFlowState: what a worker keeps about each open flow besides its FlowRecord: the
// classifier's handle, the camera's egress counter, what has been judged and reported. It lives
// here, not in the record, because only the worker needs it while the flow is open; records
// handed to the outputs carry what is reported and nothing else.
//
// WorkerFlowStates is an array parallel to the FlowTable's entries, indexed by the slot the table
// gives (FlowUpdate::slot, FlowEndHandler::onFlowEnd): allocated once for the table's capacity,
// no allocation per flow or packet, and pages touched only as flows arrive (like the table's).
// Thread: the owning worker only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

#include <camwatch/classifier.h>

namespace camwatch {

inline constexpr std::uint32_t kNoEgressCounter = 0xffffffffU;

// Ordered for size: 32 bytes a flow, where FlowRecord shrank by 40 when these left it.
struct WorkerFlowState {
  std::uint64_t egress_bytes_reported = 0;  ///< see open_egress_index
  ClassifierState classifier;               ///< empty once the classification is final
  /// Live egress summaries: the flow's place in the worker's list of open egress flows, bytes to
  /// the server already reported, and whether the flow was counted.
  std::uint32_t open_egress_index = 0;
  /// The index of the client camera's byte counter in the worker's (egress flows with one),
  /// added to per packet the camera sends: no lookup per packet. kNoEgressCounter otherwise.
  std::uint32_t egress_counter = kNoEgressCounter;
  bool egress_counted = false;
  bool client_is_camera = false;  ///< the inventory says the client is a camera
  bool server_seen = false;       ///< a packet from the server arrived (device discovery)
  bool dns_judged = false;        ///< the DNS query name was checked (dns_lookup_blocked)
  /// The DNS query name raised dns_lookup_blocked while the flow was open: its end reports the
  /// flow's evidence (FlowEvidence), as for alert_raised.
  bool dns_alert_raised = false;
  /// Judged and reported once while open or at the end; repeats are the alert lifecycle's. Set
  /// while open, the flow's end reports its whole evidence (FlowEvidence).
  bool alert_raised = false;
  /// The number of the worker's judgement whose ids the record holds (camera_group, verdict):
  /// the one the flow started under, or a later one that judged it after a reload. 16 bits: it
  /// would take 65536 reloads while one flow is open to confuse two.
  std::uint16_t judgement = 0;
};
// Slots are reused by constructing over them, which needs nothing to be destroyed.
static_assert(std::is_trivially_destructible_v<WorkerFlowState>);
static_assert(sizeof(WorkerFlowState) <= 32, "per-flow memory: keep the worker's state small");

class WorkerFlowStates {
 public:
  explicit WorkerFlowStates(std::size_t capacity)
      : capacity_(capacity), states_(std::allocator<WorkerFlowState>().allocate(capacity)) {}
  ~WorkerFlowStates() { std::allocator<WorkerFlowState>().deallocate(states_, capacity_); }
  WorkerFlowStates(const WorkerFlowStates&) = delete;
  WorkerFlowStates& operator=(const WorkerFlowStates&) = delete;

  /// A new flow took `slot`: its state starts afresh.
  WorkerFlowState& start(std::uint32_t slot) { return *std::construct_at(states_ + slot); }
  /// The state of the open flow at `slot` (start() was called for it).
  WorkerFlowState& operator[](std::uint32_t slot) { return states_[slot]; }

  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  WorkerFlowState* states_;  // raw storage: a slot is constructed when a flow first takes it
};

}  // namespace camwatch
