// summaryToJson(): the replay summary as deterministic JSON, one function per section. The key
// order is the file format (scripts and goldens read it), so each section is added in turn.
#include <cstring>
#include <map>
#include <string>

#include <fmt/format.h>

#include "report/flow_json.h"
#include "report/summary.h"

namespace camwatch {
namespace {

// The public server addresses flows went to, most bytes first: where the cameras phone home.
nlohmann::ordered_json internetDestinations(const ReplayOutcome& result) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const InternetDestinationTally* dest :
       result.digest.topInternetDestinations(kTopDestinations)) {
    const std::string org =
        result.geo && dest->asn != 0 ? result.geo->lookup(dest->ip).org : std::string();
    const NetworkOperator* op =
        result.operators ? result.operators->find(dest->asn, dest->ip) : nullptr;
    list.push_back(
        {{"ip", dest->ip.toString()},
         {"hostname", dest->dpi.hostname.data()},
         {"country", std::string(dest->country.data(), strnlen(dest->country.data(), 3))},
         {"asn", dest->asn},
         {"org", org},
         {"operator", op != nullptr ? op->name : std::string()},
         {"operator_country", op != nullptr ? op->country : std::string()},
         {"app_protocol", result.namer ? result.namer->protocolName(dest->dpi) : "Unknown"},
         {"bytes", dest->bytes},
         {"flows", dest->flows},
         {"clients", dest->clients.size()}});
  }
  return list;
}

double seconds(Timestamp span) {
  return static_cast<double>(span) / static_cast<double>(kNanosPerSecond);
}

// Cameras contacting a destination at a regular interval (camwatch/beacon.h), by camera address,
// then destination address.
nlohmann::ordered_json beacons(const ReplayOutcome& result) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const BeaconTally& found : result.digest.beacons()) {
    const NetworkOperator* op =
        result.operators ? result.operators->find(found.asn, found.server_ip) : nullptr;
    list.push_back(
        {{"camera", found.camera_ip.toString()},
         {"ip", found.server_ip.toString()},
         {"hostname", found.hostname},
         {"port", found.port},
         {"country", std::string(found.country.data(), strnlen(found.country.data(), 3))},
         {"asn", found.asn},
         {"operator", op != nullptr ? op->name : std::string()},
         {"operator_country", op != nullptr ? op->country : std::string()},
         {"period_s", seconds(found.beacon.period)},
         {"jitter_s", seconds(found.beacon.jitter)},
         {"contacts", found.beacon.contacts},
         {"first_seen", formatTimestamp(found.first_contact)},
         {"last_seen", formatTimestamp(found.last_contact)}});
  }
  return list;
}

std::string vlanLabel(const FlowKey& key) {
  if (key.vlan_outer == 0 && key.vlan_inner == 0) return "untagged";
  if (key.vlan_inner == 0) return std::to_string(key.vlan_outer);
  return fmt::format("{}.{}", key.vlan_outer, key.vlan_inner);
}

struct Tally {
  std::uint64_t flows = 0;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

nlohmann::ordered_json tallyJson(const std::map<std::string, Tally>& tallies) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [name, tally] : tallies) {
    json[name] = {{"flows", tally.flows}, {"packets", tally.packets}, {"bytes", tally.bytes}};
  }
  return json;
}

// Totals, time span, the files read and the --from/--to bounds.
void addInput(nlohmann::ordered_json& json, const ReplayOutcome& result) {
  json["packets"] = result.decode.packets;
  json["bytes"] = result.decode.wire_bytes;
  json["ip_packets"] = result.decode.ip_packets;
  json["first_ts"] = result.decode.packets > 0 ? formatTimestamp(result.first_ts) : "";
  json["last_ts"] = result.decode.packets > 0 ? formatTimestamp(result.last_ts) : "";
  json["duration_s"] = seconds(result.last_ts - result.first_ts);

  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const CaptureFileStats& file : result.files) {
    nlohmann::ordered_json entry = {{"path", file.path},
                                    {"link_type", file.link_type},
                                    {"packets", file.packets},
                                    {"bytes", file.wire_bytes}};
    if (!file.error.empty()) entry["error"] = file.error;
    files.push_back(entry);
  }
  json["files"] = files;
  if (result.from || result.to) {
    // Only with --from/--to, so a replay without them writes what it always wrote.
    json["time_bounds"] = {{"from", result.from ? formatTimestamp(*result.from, 9) : ""},
                           {"to", result.to ? formatTimestamp(*result.to, 9) : ""},
                           {"packets_outside", result.decode.outside_bounds}};
  }
}

// What the digest could not itemise because one of its limits was reached; empty otherwise.
nlohmann::ordered_json beyondLimits(const FlowDigest& digest) {
  nlohmann::ordered_json untracked = nlohmann::ordered_json::object();
  if (digest.untrackedTalkerFlows() > 0) {
    untracked["talker_flows"] = digest.untrackedTalkerFlows();
  }
  if (digest.untrackedInternetDestinationFlows() > 0) {
    untracked["internet_destination_flows"] = digest.untrackedInternetDestinationFlows();
  }
  if (digest.unitemisedEgress().flows > 0) {
    untracked["egress_flows_not_itemised"] = digest.unitemisedEgress().flows;
    untracked["egress_bytes_out_not_itemised"] = digest.unitemisedEgress().bytes_out;
  }
  if (digest.unwatchedContactFlows() > 0) {
    untracked["egress_flows_not_watched_for_beacons"] = digest.unwatchedContactFlows();
  }
  if (!untracked.empty()) {
    untracked["max_hosts"] = digest.limits().max_hosts;
    untracked["max_destination_rows"] = digest.limits().max_destination_rows;
  }
  return untracked;
}

nlohmann::ordered_json flowsJson(const ReplayOutcome& result) {
  // The digest tallied by numbers; names cost allocations (and nDPI's cost an snprintf), so they
  // are made here once per key, not once per flow.
  const FlowDigest& digest = result.digest;
  auto merge = [](Tally& into, const FlowTally& from) {
    into.flows += from.flows;
    into.packets += from.packets;
    into.bytes += from.bytes;
  };
  std::map<std::string, Tally> by_l4;
  for (const auto& [id, tally] : digest.byL4()) merge(by_l4[ipProtocolName(id)], tally);
  std::map<std::string, Tally> by_vlan;
  for (const auto& [id, tally] : digest.byVlan()) {
    FlowKey key;
    key.vlan_outer = id.first;
    key.vlan_inner = id.second;
    merge(by_vlan[vlanLabel(key)], tally);
  }
  std::map<std::string, Tally> by_protocol;
  for (const auto& [id, entry] : digest.byProtocol()) {
    merge(by_protocol[result.namer ? result.namer->protocolName(entry.first) : "Unknown"],
          entry.second);
  }
  std::map<std::string, std::uint64_t> by_end_reason;
  for (const auto& [reason, count] : digest.byEndReason()) {
    by_end_reason[std::string(flowEndReasonName(reason))] += count;
  }
  nlohmann::ordered_json flows;
  flows["total"] = digest.flows();
  flows["by_l4"] = tallyJson(by_l4);
  flows["by_vlan"] = tallyJson(by_vlan);
  flows["by_app_protocol"] = tallyJson(by_protocol);
  flows["by_end_reason"] = by_end_reason;
  flows["evicted"] = result.flow_stats.evicted;
  // Only when a digest limit was reached, so an ordinary replay writes what it always wrote.
  nlohmann::ordered_json untracked = beyondLimits(digest);
  if (!untracked.empty()) flows["beyond_limits"] = untracked;
  return flows;
}

nlohmann::ordered_json topTalkers(const ReplayOutcome& result) {
  nlohmann::ordered_json talkers = nlohmann::ordered_json::array();
  for (const TalkerTally& talker : result.digest.topTalkers(kTopTalkers)) {
    talkers.push_back({{"ip", talker.ip.toString()},
                       {"bytes", talker.bytes},
                       {"packets", talker.packets},
                       {"flows", talker.flows}});
  }
  return talkers;
}

nlohmann::ordered_json alertsJson(const ReplayOutcome& result) {
  std::map<std::string, std::uint64_t> alerts_by_kind;
  for (const Alert& alert : result.alerts) ++alerts_by_kind[std::string(alertKindName(alert.kind))];
  std::map<std::string, std::uint64_t> alerts_by_status;
  for (const Alert& alert : result.alerts)
    ++alerts_by_status[std::string(alertStatusName(alert.status))];
  nlohmann::ordered_json alerts = {
      {"total", result.alerts.size()},         {"raised", result.alerts_raised},
      {"repeats", result.alert_repeats},       {"updates", result.alert_updates},
      {"overflowed", result.alert_overflowed}, {"by_kind", alerts_by_kind},
      {"by_status", alerts_by_status}};
  // Only when a limit was hit, so an ordinary replay writes what it always wrote.
  if (result.alert_overflowed_total > 0) {
    alerts["overflowed_sensor_wide"] = result.alert_overflowed_total;
  }
  return alerts;
}

nlohmann::ordered_json camerasJson(const ReplayOutcome& result) {
  nlohmann::ordered_json cameras = nlohmann::ordered_json::array();
  for (const SeenCamera& camera : result.cameras) {
    cameras.push_back({{"ip", camera.camera.ip.toString()},
                       {"mac", camera.camera.mac},
                       {"name", camera.camera.name},
                       {"vendor", camera.camera.vendor},
                       {"group", camera.camera.group},
                       {"listed", camera.listed},
                       {"first_seen", formatTimestamp(camera.first_seen)},
                       {"egress_bytes", camera.egress_bytes},
                       {"alerts", camera.alerts}});
  }
  return cameras;
}

// What was not IP or could not be decoded, and the DNS answers read.
void addDecoding(nlohmann::ordered_json& json, const ReplayOutcome& result) {
  nlohmann::ordered_json non_ip = nlohmann::ordered_json::object();
  for (const auto& [ethertype, count] : result.decode.non_ip_by_ethertype) {
    non_ip[etherTypeName(ethertype)] =
        non_ip.value(etherTypeName(ethertype), std::uint64_t{0}) + count;
  }
  json["non_ip_packets"] = non_ip;
  nlohmann::ordered_json anomalies = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < result.decode.anomalies.size(); ++i) {
    if (result.decode.anomalies[i] != 0) {
      anomalies[std::string(anomalyName(static_cast<Anomaly>(i)))] = result.decode.anomalies[i];
    }
  }
  json["anomalies"] = anomalies;
  json["fragments_unmatched"] = result.decode.fragments_unmatched;
  json["dns"] = {{"responses", result.decode.dns_responses},
                 {"answers", result.decode.dns_answers},
                 {"malformed", result.decode.dns_malformed},
                 {"cache_entries", result.dns_cache_entries}};
}

}  // namespace

nlohmann::ordered_json summaryToJson(const ReplayOutcome& result) {
  nlohmann::ordered_json json;
  addInput(json, result);
  json["flows"] = flowsJson(result);
  json["top_talkers"] = topTalkers(result);
  json["internet_destinations"] = internetDestinations(result);
  json["beacons"] = beacons(result);
  json["alerts"] = alertsJson(result);
  json["cameras"] = camerasJson(result);
  if (result.cameras_untracked > 0) json["cameras_untracked_events"] = result.cameras_untracked;
  json["learning"] = {{"phase", result.learning_phase}, {"entries", result.learned_entries}};
  // Delivery counters depend on the receivers (retries), not on the capture: text summary only.
  addDecoding(json, result);
  // Cache hit counts and nDPI memory depend on the worker count, so they are in the text summary
  // only: the JSON stays byte-identical for any --workers.
  json["errors"] = result.errors;
  return json;
}

}  // namespace camwatch
