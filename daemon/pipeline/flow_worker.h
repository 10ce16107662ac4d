// FlowWorker: what one worker does with the packets it owns, in replay and live alike. It keeps
// the worker's flow table, classifies flows with its own Classifier (an nDPI module), names their
// servers from the DNS cache, looks up GeoIP, tells cameras from other hosts, asks the policy about
// egress flows and turns what it learns into CameraEvents for the AlertEngine.
//
// Threads: one FlowWorker belongs to one worker thread; the only thing it shares is the DNS
// cache (sharded mutexes, taken once per new flow). Who feeds it packets and ticks, and what
// happens to its events, is up to the pipeline around it (ReplayPipeline, LiveSensor).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <camwatch/classifier.h>
#include <camwatch/decode.h>
#include <camwatch/dns.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/metrics.h>
#include <camwatch/policy.h>

#include "alert/camera_event.h"
#include "decode/address_map.h"
#include "dpi/protocol_name_cache.h"
#include "pipeline/egress_summary.h"
#include "pipeline/worker_flow_state.h"

namespace camwatch {

/// What a worker judges flows by. Reloading the config (live: SIGHUP) hands workers a new one.
struct FlowJudgement {
  PolicyEnginePtr policy;  ///< null: no policy, no alerts
  /// Which hosts are cameras. Null: no cameras, so no egress and no alerts.
  std::shared_ptr<const CameraInventory> inventory;
  GeoLookupPtr geo;                     ///< null: no geo
  OperatorTablePtr operators;           ///< null: no operators (names outputs, feeds the policy)
  std::size_t geo_cache_size = 16'384;  ///< per worker
  std::string sensor_name;
  /// Report flows the group default allowed to the engine too (learning needs them); without
  /// learning only denies are events.
  bool report_default_allows = false;
};

/// An ended flow record with the judgement snapshot its ids belong to (FlowRecord::camera_group,
/// verdict.rule): whoever writes the record out names them with `naming`, whatever judgement
/// the worker has taken since.
struct EndedFlow {
  FlowRecord record;
  NamingSnapshotPtr naming;
};

struct FlowWorkerOptions {
  FlowTableConfig flows;  ///< this worker's share (max_flows already divided)
  FlowJudgement judgement;
  bool keep_flows = false;        ///< keep ended records until the caller takes them (replay)
  bool summarize_egress = false;  ///< make EgressFlowSummary records (live)
  /// Report each camera's egress bytes once a tick (EgressSample: egress budgets, the summary's
  /// per-camera bytes). Live turns it off when no group has a budget.
  bool egress_samples = true;
  /// Cameras this worker keeps state for (inventory.max_cameras): a first-sighting entry
  /// (DeviceSeen) and an egress byte counter each. A camera beyond it is still judged and its
  /// denies still raise alerts; it only gets no DeviceSeen and no EgressSample.
  std::size_t max_cameras = 16'384;
};

/// How a DNS response read by learnDnsResponse() counted.
struct DnsLearnCounts {
  std::uint64_t responses = 0;  ///< responses read into the cache
  std::uint64_t answers = 0;    ///< A/AAAA answers cached
  std::uint64_t malformed = 0;  ///< responses that could not be parsed
};

/// Reads a DNS response (UDP, or TCP with the whole message in one segment) from source port 53
/// into `cache`; anything else is ignored. Never allocates.
void learnDnsResponse(const DecodedPacket& packet, std::span<const std::uint8_t> frame,
                      Timestamp ts, DnsCache& cache, DnsLearnCounts& counts);

class FlowWorker : public FlowEndHandler {
 public:
  FlowWorker(const FlowWorkerOptions& options, std::unique_ptr<Classifier> classifier,
             const DnsCache& dns_cache);
  ~FlowWorker() override;
  FlowWorker(const FlowWorker&) = delete;
  FlowWorker& operator=(const FlowWorker&) = delete;

  /// One decoded IP packet of a flow this worker owns; `frame` is the captured bytes.
  void onPacket(const DecodedPacket& packet, const FlowKey& key, bool src_is_a, std::uint64_t hash,
                std::span<const std::uint8_t> frame);
  /// Time moved to `now` (about once a second): idle flows end, egress bytes become samples.
  void tick(Timestamp now);
  /// The input ended at `now`: every flow ends.
  void finish(Timestamp now);
  /// The input ended at `now`: idle flows end, and those that started before `before`
  /// (FlowTable::flushStartedBefore); finish() ends the rest.
  void finishStartedBefore(Timestamp now, Timestamp before) {
    now_ = now;
    table_.flushStartedBefore(now, before);
  }
  /// Takes a new policy, inventory and GeoIP lookup (after a reload). Flows already judged keep
  /// their verdict; new flows and verdicts still open use the new ones (an open flow's group is
  /// carried over by name). The old one stays known until every flow that started under it has
  /// ended (their records hold its ids), i.e. until `now` + the longest a flow record lasts.
  void setJudgement(const FlowJudgement& judgement, Timestamp now);

  /// Events since the caller last cleared them (the caller moves them out).
  std::vector<CameraEvent>& events() { return events_; }
  /// Egress traffic since the caller last cleared them (summarize_egress only).
  std::vector<EgressFlowSummary>& egressSummaries() { return egress_summaries_; }
  /// Records ended since the caller last cleared them (keep_flows only; the caller moves them
  /// out).
  std::vector<EndedFlow>& flows() { return flows_; }
  /// Hands over the classifier (after the last packet), to name protocols in the output.
  std::unique_ptr<Classifier> takeClassifier() { return std::move(classifier_); }
  /// GeoIP cache counts, including those of caches a reload replaced.
  GeoCacheStats geoStats() const;
  const FlowTableStats& stats() const { return table_.stats(); }
  std::size_t activeFlows() const { return table_.size(); }
  std::uint64_t dnsNamed() const { return dns_named_; }
  /// New flows of a camera this worker kept no state for because it had max_cameras already.
  std::uint64_t camerasUntracked() const { return cameras_untracked_; }
  /// Cameras with a first-sighting entry, and with an egress byte counter (each <= max_cameras).
  std::size_t camerasTracked() const { return seen_devices_.size(); }
  std::size_t egressCounters() const { return egress_.size(); }
  /// Publishes this worker's flow table, GeoIP and DNS cache counts (once per tick, not per
  /// packet). Worker thread.
  void publish(WorkerCounters& counters) const;

 private:
  // Bytes each camera sent out since the last tick. Entries are never erased, so flows can keep
  // the index of their camera's counter; there is one per camera this worker saw egress from,
  // up to max_cameras.
  struct EgressCounter {
    std::uint64_t bytes = 0;
    GroupId group;             // an id of naming's inventory
    NamingSnapshotPtr naming;  // the snapshot of the camera's last new flow
  };

  // camwatch::FlowEndHandler
  void onFlowEnd(FlowRecord& flow, std::uint32_t slot) override;

  void onNewFlow(FlowRecord& flow, WorkerFlowState& state, std::uint32_t slot,
                 const DecodedPacket& packet);
  // Returns false when the camera gets no entry because max_cameras are tracked already.
  bool noteDevice(const IpAddress& ip, const std::uint8_t* mac6, const DecodedPacket& packet,
                  Timestamp ts);
  void flushEgress(Timestamp now);
  // `at_end`: the flow has ended (its evidence is final; no FlowEvidence follows the event).
  void judgeDns(FlowRecord& flow, WorkerFlowState& state, Timestamp now, bool at_end);
  void judge(FlowRecord& flow, WorkerFlowState& state, Timestamp now, bool at_end);
  void reportEvidence(const FlowRecord& flow);
  Timestamp endedAt(const FlowRecord& flow) const;
  void fillFacts(const FlowRecord& flow, Timestamp now, FlowJudged& judged) const;
  void setProtocolText(const FlowRecord& flow, FlowJudged& judged);
  static CameraFacts cameraFacts(const IpAddress& ip, const std::uint8_t* mac6,
                                 std::uint16_t vlan_outer, std::uint16_t vlan_inner);
  // Makes naming_ and policy_groups_ for judgement_ (at start and on every reload).
  void useJudgement();
  // The snapshot of a judgement by its number (the current one, or one retired).
  const NamingSnapshotPtr& namingOf(std::uint16_t judgement) const;
  PolicyGroupId policyGroup(const FlowRecord& flow, const WorkerFlowState& state) const;
  void adoptJudgement(FlowRecord& flow, WorkerFlowState& state) const;
  void summarizeEgress(const FlowRecord& flow, WorkerFlowState& state);
  void forgetOpenEgress(const WorkerFlowState& state);

  std::unique_ptr<Classifier> classifier_;
  FlowJudgement judgement_;
  NamingSnapshotPtr naming_;  // judgement_ as the control side names this worker's events by
  // The policy group of each camera group of judgement_'s inventory, by GroupId: resolved by
  // name once per judgement, so no verdict looks a group up by name.
  std::vector<PolicyGroupId> policy_groups_;
  // judgement_'s number; WorkerFlowState::judgement says which one a flow's ids belong to.
  std::uint16_t judgement_number_ = 0;
  struct Retired {
    Timestamp until = 0;
    NamingSnapshotPtr naming;  // the judgement's inventory, GeoIP and policy
    std::uint16_t number = 0;
  };
  std::vector<Retired> retired_;  // judgements whose ids open flows may still hold
  Timestamp longest_flow_;        // the longest a flow record can last (active + idle timeout)
  bool keep_flows_;
  bool summarize_egress_;
  bool egress_samples_;
  std::size_t max_cameras_;
  FlowTableConfig flow_timeouts_;  // when a flow that timed out ended (endedAt)
  std::uint64_t cameras_untracked_ = 0;
  // The packet time the worker is at (the packet, tick or end it is handling): when a flow the
  // table ends during the call was found to have ended.
  Timestamp now_ = 0;
  std::vector<CameraEvent> events_;
  std::vector<EgressFlowSummary> egress_summaries_;
  // The table slots of the open egress flows (summarize_egress only), each at its
  // WorkerFlowState::open_egress_index: no allocation per flow (the vector only grows to the
  // most open at once).
  std::vector<std::uint32_t> open_egress_;
  ProtocolNameCache protocol_names_;
  AddressMap<EgressCounter> egress_;
  // The indices of the counters that went from 0 bytes to more since the last tick (each once,
  // in that order): a tick reports those, not a walk over every camera ever seen.
  std::vector<std::uint32_t> egress_sent_;
  AddressSet seen_devices_;
  std::unique_ptr<CachedGeoLookup> geo_;
  GeoCacheStats retired_geo_;  // counts of caches a reload replaced
  const DnsCache& dns_cache_;
  std::vector<EndedFlow> flows_;
  std::uint64_t dns_named_ = 0;
  FlowTable table_;
  WorkerFlowStates states_;  // by the table's slots
};

}  // namespace camwatch
