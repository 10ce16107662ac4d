// FlowDigest: what the replay's summary, report, destinations CSV and metrics need from the flow
// records, folded as the records come instead of kept. A replay of a capture with a million
// flows must not hold a million records: the digest's memory is bounded by FlowDigestLimits,
// whatever the capture holds (issue 8: a camera flooding new destinations).
//
// Records arrive in the replay's output order (ReplayFlowOutput::flowEnded), which is the same for
// any worker count; so "the first N" below (tracked addresses, itemised rows, a destination's name)
// are the same for any worker count too, and so is every output built from the digest.
//
// Thread: the replay's reading thread while it runs, then the control thread; not shared.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <camwatch/alert_kind.h>
#include <camwatch/beacon.h>
#include <camwatch/flow.h>
#include <camwatch/ip_address.h>
#include <camwatch/policy.h>

#include "decode/address_map.h"

namespace camwatch {

/// How much the digest keeps. Each limit, when reached, is counted and named in the outputs:
/// what comes later is still in every total, just not itemised.
struct FlowDigestLimits {
  /// Addresses tracked for the top talkers and the Internet destinations (each).
  std::size_t max_hosts = 100'000;
  /// Camera x destination rows (the destinations CSV, the report's camera tables).
  std::size_t max_destination_rows = 100'000;
  /// Cameras with an egress timeline in the report.
  std::size_t max_timelines = 1'000;
  /// Distinct clients counted per Internet destination.
  std::size_t max_clients_per_destination = 1'000;
};

/// Flows, packets and bytes (both ways) summed.
struct FlowTally {
  std::uint64_t flows = 0;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  void add(const FlowRecord& flow);
};

/// One address's traffic, both as client and as server.
struct TalkerTally {
  IpAddress ip;
  std::uint64_t bytes = 0;
  std::uint64_t packets = 0;
  std::uint64_t flows = 0;
};

/// One public server address: what the flows to it carried.
struct InternetDestinationTally {
  IpAddress ip;
  /// Names it: the first flow's, or the first one with a hostname once one has.
  FlowClassification dpi;
  std::array<char, 3> country{};
  std::uint32_t asn = 0;
  std::uint64_t bytes = 0;
  std::uint64_t flows = 0;
  /// Distinct clients, at most FlowDigestLimits::max_clients_per_destination.
  std::vector<IpAddress> clients;
  bool clients_capped = false;
};

/// One camera x destination (server address, L4, application protocol ids) of egress flows.
/// Names (protocol, organisation, camera) are added when the rows are built (buildDestinations).
struct EgressRowTally {
  IpAddress camera_ip;
  IpAddress server_ip;
  std::uint8_t ip_proto = 0;
  FlowClassification dpi;  ///< the first flow's: names the protocol
  std::string camera_group;
  std::string hostname;                     ///< distinct names in first-seen order, space separated
  std::vector<std::uint16_t> server_ports;  ///< distinct, ascending
  std::uint64_t flows = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_in = 0;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::array<char, 3> country{};
  std::uint32_t asn = 0;
  bool denied = false;
  std::string rule;  ///< the first flow's, or the first denied one's
  std::optional<AlertKind> alert_kind;
};

/// Egress flows the rows could not itemise (FlowDigestLimits::max_destination_rows reached).
struct UnitemisedEgress {
  std::uint64_t flows = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_in = 0;
};

/// One camera's contacts with one destination address (egress flows, each a contact unless it
/// continues a record split by the active timeout), for the beacons (camwatch/beacon.h).
struct ContactSeries {
  /// The latest start times kept per camera and destination: 512 bytes at most, and 63
  /// intervals tell the rhythm of the last half hour of a 30 s beacon.
  static constexpr std::uint32_t kKept = 64;
  ContactTimes times{kKept};
  std::uint16_t port = 0;      ///< the server port of the contacts
  bool several_ports = false;  ///< they used more than one
};

/// A camera x destination whose contacts are regular (FlowDigest::beacons()).
struct BeaconTally {
  IpAddress camera_ip;
  IpAddress server_ip;
  std::uint16_t port = 0;  ///< 0 when the contacts used several ports
  Beacon beacon;
  Timestamp first_contact = 0;
  Timestamp last_contact = 0;
  /// From the camera's destination rows of this address: their names (distinct, space
  /// separated), the first row's country and AS; empty when none was itemised.
  std::string hostname;
  std::array<char, 3> country{};
  std::uint32_t asn = 0;
};

/// A camera's egress bytes over time, at a resolution that coarsens as the capture grows: 1024
/// buckets from the replay's first second, each 1 s wide until a flow ends past the last one,
/// then twice as wide (neighbours merged), and so on. Bounded, whatever the capture's span.
class EgressTimeline {
 public:
  static constexpr std::size_t kBuckets = 1024;
  /// Spreads `bytes` evenly over first..last (a record does not say when each byte went).
  void add(Timestamp origin, Timestamp first, Timestamp last, std::uint64_t bytes);
  /// The bytes in `count` buckets of `width` from `start` (start <= origin), each fine bucket
  /// split by overlap.
  std::vector<double> rebucket(Timestamp origin, Timestamp start, Timestamp width,
                               std::size_t count) const;

 private:
  void spread(Timestamp origin, Timestamp first, Timestamp last, double bytes);
  Timestamp width_ = kNanosPerSecond;
  std::vector<double> bytes_;  // empty until the first add
};

/// The names of a record's ids (FlowRecord::camera_group, verdict.rule), made by whoever hands
/// the record over from the judgement snapshot the record came with (cli/: the pipeline's
/// EndedFlow::naming). Views: valid for the add() call.
struct FlowLabels {
  std::string_view camera_group;
  std::string_view rule;
};

class FlowDigest {
 public:
  explicit FlowDigest(FlowDigestLimits limits = {});

  /// The replay's first packet time: timelines start at its second. Before the first add().
  void setOrigin(Timestamp first_ts);
  /// One flow record, in output order, with the names of its group and rule.
  void add(const FlowRecord& flow, const FlowLabels& labels = {});

  const FlowDigestLimits& limits() const { return limits_; }
  std::uint64_t flows() const { return flows_; }
  std::uint64_t egressFlows() const { return egress_flows_; }
  std::uint64_t egressBytesOut() const { return egress_bytes_out_; }

  using VlanId = std::pair<std::uint16_t, std::uint16_t>;
  using ProtocolId = std::pair<std::uint16_t, std::uint16_t>;  ///< master, app
  const std::map<std::uint8_t, FlowTally>& byL4() const { return by_l4_; }
  const std::map<VlanId, FlowTally>& byVlan() const { return by_vlan_; }
  /// With the last classification seen, to name the protocol.
  const std::map<ProtocolId, std::pair<FlowClassification, FlowTally>>& byProtocol() const {
    return by_protocol_;
  }
  const std::map<FlowEndReason, std::uint64_t>& byEndReason() const { return by_end_reason_; }

  /// The `count` addresses with the most bytes (ties: lower address first).
  std::vector<TalkerTally> topTalkers(std::size_t count) const;
  /// Flows with an address not tracked because max_hosts were (they are in every total).
  std::uint64_t untrackedTalkerFlows() const { return untracked_talker_flows_; }
  /// The `count` public server addresses with the most bytes (ties: lower address first).
  std::vector<const InternetDestinationTally*> topInternetDestinations(std::size_t count) const;
  std::uint64_t untrackedInternetDestinationFlows() const { return untracked_destination_flows_; }

  /// Every itemised camera x destination, keyed by camera, server, L4 and protocol ids.
  using RowKey = std::tuple<IpAddress, IpAddress, std::uint8_t, std::uint16_t, std::uint16_t>;
  const std::map<RowKey, EgressRowTally>& egressRows() const { return rows_; }
  const UnitemisedEgress& unitemisedEgress() const { return unitemised_; }

  /// The camera x destination address pairs whose contacts are regular, by camera, then
  /// destination address. Pairs are watched up to max_destination_rows of them.
  std::vector<BeaconTally> beacons() const;
  /// Egress flows of pairs not watched for beacons (max_destination_rows pairs were).
  std::uint64_t unwatchedContactFlows() const { return unwatched_contact_flows_; }

  /// The camera's egress timeline; null when it sent nothing out or max_timelines were taken.
  const EgressTimeline* timeline(const IpAddress& camera) const;
  Timestamp origin() const { return origin_; }
  /// Egress flows of cameras without a timeline (max_timelines reached).
  std::uint64_t egressFlowsWithoutTimeline() const { return egress_flows_without_timeline_; }

 private:
  void addTalker(const IpAddress& ip, const FlowRecord& flow);
  void addInternetDestination(const FlowRecord& flow);
  void addEgress(const FlowRecord& flow, const FlowLabels& labels);
  void addContact(const FlowRecord& flow);

  FlowDigestLimits limits_;
  Timestamp origin_ = 0;
  std::uint64_t flows_ = 0;
  std::uint64_t egress_flows_ = 0;
  std::uint64_t egress_bytes_out_ = 0;
  std::map<std::uint8_t, FlowTally> by_l4_;
  std::map<VlanId, FlowTally> by_vlan_;
  std::map<ProtocolId, std::pair<FlowClassification, FlowTally>> by_protocol_;
  std::map<FlowEndReason, std::uint64_t> by_end_reason_;
  // Hashed, not ordered: two lookups per record (a tree of 100k addresses was a fifth of the
  // digest's time), and the tops sort by bytes then address, so no output depends on the order.
  // Flat (AddressMap): one probe per lookup, no node allocation per address.
  AddressMap<TalkerTally> talkers_;
  std::uint64_t untracked_talker_flows_ = 0;
  AddressMap<InternetDestinationTally> destinations_;
  std::uint64_t untracked_destination_flows_ = 0;
  std::map<RowKey, EgressRowTally> rows_;
  UnitemisedEgress unitemised_;
  // Keyed by camera, then server: the order beacons() lists them in.
  std::map<std::pair<IpAddress, IpAddress>, ContactSeries> contacts_;
  std::uint64_t unwatched_contact_flows_ = 0;
  AddressMap<EgressTimeline> timelines_;  // looked up per egress record, never listed
  std::uint64_t egress_flows_without_timeline_ = 0;
};

}  // namespace camwatch
