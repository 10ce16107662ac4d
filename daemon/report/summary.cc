#include "report/summary.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "report/flow_json.h"

namespace camwatch {
namespace {

// The public server addresses flows went to, most bytes first: where the cameras phone home.
nlohmann::ordered_json internetDestinations(const ReplayResult& result) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const InternetDestinationTally* dest :
       result.digest.topInternetDestinations(kTopDestinations)) {
    const std::string org =
        result.geo && dest->asn != 0 ? result.geo->lookup(dest->ip).org : std::string();
    list.push_back(
        {{"ip", dest->ip.toString()},
         {"hostname", dest->dpi.hostname.data()},
         {"country", std::string(dest->country.data(), strnlen(dest->country.data(), 3))},
         {"asn", dest->asn},
         {"org", org},
         {"app_protocol", result.namer ? result.namer->protocolName(dest->dpi) : "Unknown"},
         {"bytes", dest->bytes},
         {"flows", dest->flows},
         {"clients", dest->clients.size()}});
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

}  // namespace

std::uint64_t peakResidentBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    // "VmHWM:\t  123456 kB"
    if (line.rfind("VmHWM:", 0) != 0) continue;
    std::uint64_t kib = 0;
    for (const char c : line) {
      if (c >= '0' && c <= '9') kib = kib * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return kib * 1024;
  }
  return 0;
}

std::string humanBytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string progressLine(const InputProgress& progress, double elapsed_seconds) {
  const double rate =
      elapsed_seconds > 0 ? static_cast<double>(progress.packets) / elapsed_seconds : 0.0;
  std::string line =
      fmt::format("{} packets  {}", progress.packets, humanBytes(progress.wire_bytes));
  if (progress.input_size > 0) {
    // Whole percents, never 100 before the end: a bar that says 100% must be done.
    std::uint64_t percent = progress.input_bytes_read * 100 / progress.input_size;
    if (percent >= 100 && progress.input_bytes_read < progress.input_size) percent = 99;
    line += fmt::format("  {}% of input", std::min<std::uint64_t>(percent, 100));
  }
  line += fmt::format("  {:.0f} packets/s", rate);
  return line;
}

nlohmann::ordered_json summaryToJson(const ReplayResult& result) {
  nlohmann::ordered_json json;
  json["packets"] = result.decode.packets;
  json["bytes"] = result.decode.wire_bytes;
  json["ip_packets"] = result.decode.ip_packets;
  json["first_ts"] = result.decode.packets > 0 ? formatTimestamp(result.first_ts) : "";
  json["last_ts"] = result.decode.packets > 0 ? formatTimestamp(result.last_ts) : "";
  json["duration_s"] =
      static_cast<double>(result.last_ts - result.first_ts) / static_cast<double>(kNanosPerSecond);

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
  if (!untracked.empty()) {
    untracked["max_hosts"] = digest.limits().max_hosts;
    untracked["max_destination_rows"] = digest.limits().max_destination_rows;
    flows["beyond_limits"] = untracked;
  }
  json["flows"] = flows;

  nlohmann::ordered_json talkers = nlohmann::ordered_json::array();
  for (const TalkerTally& talker : result.digest.topTalkers(kTopTalkers)) {
    talkers.push_back({{"ip", talker.ip.toString()},
                       {"bytes", talker.bytes},
                       {"packets", talker.packets},
                       {"flows", talker.flows}});
  }
  json["top_talkers"] = talkers;
  json["internet_destinations"] = internetDestinations(result);
  std::map<std::string, std::uint64_t> alerts_by_kind;
  for (const Alert& alert : result.alerts) ++alerts_by_kind[std::string(alertKindName(alert.kind))];
  std::map<std::string, std::uint64_t> alerts_by_status;
  for (const Alert& alert : result.alerts)
    ++alerts_by_status[std::string(alertStatusName(alert.status))];
  json["alerts"] = {{"total", result.alerts.size()},   {"raised", result.alerts_raised},
                    {"repeats", result.alert_repeats}, {"overflowed", result.alert_overflowed},
                    {"by_kind", alerts_by_kind},       {"by_status", alerts_by_status}};
  // Only when a limit was hit, so an ordinary replay writes what it always wrote.
  if (result.alert_overflowed_total > 0) {
    json["alerts"]["overflowed_sensor_wide"] = result.alert_overflowed_total;
  }
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
  json["cameras"] = cameras;
  if (result.cameras_untracked > 0) json["cameras_untracked_events"] = result.cameras_untracked;
  json["learning"] = {{"phase", result.learning_phase}, {"entries", result.learned_entries}};
  // Delivery counters depend on the receivers (retries), not on the capture: text summary only.

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
  // Cache hit counts and nDPI memory depend on the worker count, so they are in the text summary
  // only: the JSON stays byte-identical for any --workers.
  json["errors"] = result.errors;
  return json;
}

std::string summaryToText(const ReplayResult& result, const nlohmann::ordered_json& json) {
  std::string text;
  auto line = [&text](const std::string& s) {
    text += s;
    text += '\n';
  };
  const double rate = result.wall_seconds > 0
                          ? static_cast<double>(result.decode.packets) / result.wall_seconds
                          : 0.0;
  line(fmt::format(
      "camwatch replay: {} file(s), {} packets, {} on the wire, {} worker(s), "
      "{:.2f} s ({:.0f} packets/s){}",
      result.files.size(), result.decode.packets, humanBytes(result.decode.wire_bytes),
      result.workers, result.wall_seconds, rate,
      result.peak_rss_bytes > 0 ? ", peak memory " + humanBytes(result.peak_rss_bytes) : ""));
  for (const CaptureFileStats& file : result.files) {
    line(fmt::format("  {}  {}  {} packets  {}{}", file.path, file.link_type, file.packets,
                     humanBytes(file.wire_bytes), file.error.empty() ? "" : "  ERROR"));
  }
  if (result.from || result.to) {
    line(fmt::format("  time bounds: {} .. {} ({} packets outside skipped)",
                     result.from ? formatTimestamp(*result.from, 9) : "start",
                     result.to ? formatTimestamp(*result.to, 9) : "end",
                     result.decode.outside_bounds));
  }
  if (result.decode.packets > 0) {
    line(fmt::format("  time span: {} .. {} ({:.1f} s)", formatTimestamp(result.first_ts),
                     formatTimestamp(result.last_ts), json["duration_s"].get<double>()));
  }
  line(fmt::format("Flows: {}", result.digest.flows()));
  // One row per group, wrapped before 100 columns.
  auto tallies = [&](const char* title, const nlohmann::ordered_json& group) {
    std::string row = fmt::format("  {:<8}", title);
    for (const auto& [name, tally] : group.items()) {
      const std::string item = fmt::format(" {} {} ({})", name, tally["flows"].get<std::uint64_t>(),
                                           humanBytes(tally["bytes"].get<std::uint64_t>()));
      if (row.size() + item.size() > 100) {
        line(row);
        row = std::string(10, ' ');
      }
      row += item;
    }
    line(row);
  };
  tallies("by L4:", json["flows"]["by_l4"]);
  tallies("by VLAN:", json["flows"]["by_vlan"]);
  tallies("by app:", json["flows"]["by_app_protocol"]);
  if (result.flow_stats.evicted > 0) {
    line(fmt::format("  {} flows evicted: the flow table was full (raise flows.max_flows)",
                     result.flow_stats.evicted));
  }
  const FlowDigest& digest = result.digest;
  if (digest.untrackedTalkerFlows() > 0 || digest.untrackedInternetDestinationFlows() > 0) {
    line(fmt::format(
        "  more than {} addresses: top talkers and Internet destinations are among the first "
        "{} seen ({} and {} flows not itemised there; they are in every total)",
        digest.limits().max_hosts, digest.limits().max_hosts, digest.untrackedTalkerFlows(),
        digest.untrackedInternetDestinationFlows()));
  }
  if (digest.unitemisedEgress().flows > 0) {
    line(
        fmt::format("  more than {} camera x destination rows: {} egress flows ({} out) are not "
                    "itemised in --destinations and --report",
                    digest.limits().max_destination_rows, digest.unitemisedEgress().flows,
                    humanBytes(digest.unitemisedEgress().bytes_out)));
  }
  if (!json["internet_destinations"].empty()) {
    line("Internet destinations (public server addresses, by bytes):");
    for (const auto& dest : json["internet_destinations"]) {
      const std::string asn = dest["asn"].get<std::uint32_t>() != 0
                                  ? fmt::format("AS{} {}", dest["asn"].get<std::uint32_t>(),
                                                dest["org"].get<std::string>())
                                  : std::string("-");
      line(fmt::format(
          "  {:<15} {:<2} {:<28.28} {:<24.24} {:<16.16} {:>10} {:>3} client(s)",
          dest["ip"].get<std::string>(),
          dest["country"].get<std::string>().empty() ? "-" : dest["country"].get<std::string>(),
          dest["hostname"].get<std::string>().empty() ? "-" : dest["hostname"].get<std::string>(),
          asn, dest["app_protocol"].get<std::string>(),
          humanBytes(dest["bytes"].get<std::uint64_t>()), dest["clients"].get<std::uint64_t>()));
    }
  }
  if (!result.alerts.empty()) {
    line(fmt::format(
        "Alerts: {} ({} raised, {} folded into repeats{}{})", result.alerts.size(),
        result.alerts_raised, result.alert_repeats,
        result.alert_overflowed > 0
            ? fmt::format(", {} into per-camera overflow alerts: a camera had "
                          "alerts.max_active_per_camera active alerts",
                          result.alert_overflowed)
            : std::string(),
        result.alert_overflowed_total > 0
            ? fmt::format(", {} into sensor-wide overflow alerts: alerts.max_active were active",
                          result.alert_overflowed_total)
            : std::string()));
    // The terminal gets the first ones; an alert storm (a policy denying everything on a busy
    // capture) would otherwise print a line per alert. --alerts FILE has them all.
    std::size_t shown = 0;
    for (const Alert& alert : result.alerts) {
      if (shown++ == kTextAlertLines) {
        line(fmt::format("  ... and {} more (write them all with --alerts FILE)",
                         result.alerts.size() - kTextAlertLines));
        break;
      }
      const std::string destination =
          !alert.destination.hostname.empty()
              ? alert.destination.hostname
              : (alert.destination.ip ? alert.destination.ip->toString() : std::string("-"));
      const std::string port =
          alert.destination.port != 0 ? fmt::format(":{}", alert.destination.port) : "";
      line(fmt::format(
          "  {} {:<8} {:<8} {:<22} {:<15} -> {}{} {} [{}]{}", formatTimestamp(alert.time),
          alertStatusName(alert.status), severityName(alert.severity), alertKindName(alert.kind),
          alert.camera.ip.toString(), destination, port, alert.destination.country, alert.rule,
          alert.repeat_count > 0 ? fmt::format(" x{}", alert.repeat_count + 1) : ""));
    }
  }
  if (!result.cameras.empty()) {
    std::size_t unlisted = 0;
    for (const SeenCamera& camera : result.cameras) unlisted += camera.listed ? 0 : 1;
    line(fmt::format("Cameras: {} seen, {} not in the inventory{}", result.cameras.size(), unlisted,
                     result.cameras_untracked > 0
                         ? fmt::format("; more than inventory.max_cameras: {} sightings and "
                                       "byte samples of cameras not tracked",
                                       result.cameras_untracked)
                         : std::string()));
    std::size_t shown = 0;
    for (const SeenCamera& camera : result.cameras) {
      if (shown++ == kTextCameraLines) {
        line(fmt::format("  ... and {} more (--summary FILE lists them all)",
                         result.cameras.size() - kTextCameraLines));
        break;
      }
      line(fmt::format("  {:<15} {:<17} {:<16.16} {:<14.14} {:<10.10} {:>10} out  {} alert(s){}",
                       camera.camera.ip.toString(),
                       camera.camera.mac.empty() ? "-" : camera.camera.mac,
                       camera.camera.name.empty() ? "-" : camera.camera.name,
                       // The brand: the OUI table adds the registered company in brackets.
                       camera.camera.vendor.empty()
                           ? std::string("-")
                           : camera.camera.vendor.substr(0, camera.camera.vendor.find(" (")),
                       camera.camera.group, humanBytes(camera.egress_bytes), camera.alerts,
                       camera.listed ? "" : "  (discovered)"));
    }
  }
  if (result.learning_phase != "off") {
    line(fmt::format("Learning: {} ({} entries learnt)", result.learning_phase,
                     result.learned_entries));
  }
  for (const SinkDeliveryStats& sink : result.deliveries) {
    line(fmt::format(
        "Alert sink {}: {} queued, {} sent, {} retried, {} failed, {} dropped, {} "
        "pending",
        sink.name, sink.queued, sink.sent, sink.retried, sink.failed, sink.dropped, sink.pending));
  }
  line("Top talkers (bytes, both directions):");
  for (const auto& talker : json["top_talkers"]) {
    line(fmt::format("  {:<40} {:>12}  {:>9} packets  {:>6} flows", talker["ip"].get<std::string>(),
                     humanBytes(talker["bytes"].get<std::uint64_t>()),
                     talker["packets"].get<std::uint64_t>(), talker["flows"].get<std::uint64_t>()));
  }
  if (!json["non_ip_packets"].empty()) {
    std::string row = "Not IP (packets):";
    for (const auto& [name, count] : json["non_ip_packets"].items()) {
      row += fmt::format(" {} {}", name, count.get<std::uint64_t>());
    }
    line(row);
  }
  if (!json["anomalies"].empty() || result.decode.fragments_unmatched > 0) {
    std::string row = "Undecodable (packets):";
    for (const auto& [name, count] : json["anomalies"].items()) {
      row += fmt::format(" {} {}", name, count.get<std::uint64_t>());
    }
    if (result.decode.fragments_unmatched > 0) {
      row += fmt::format(" fragment_without_first {}", result.decode.fragments_unmatched);
    }
    line(row);
  }
  line(
      fmt::format("Run: nDPI peak memory {}, DNS cache {} entries, GeoIP cache {} hits / {} misses",
                  humanBytes(result.ndpi_peak_memory), result.dns_cache_entries,
                  result.geo_cache.hits, result.geo_cache.misses));
  for (const std::string& error : result.errors) line("ERROR: " + error);
  return text;
}

}  // namespace camwatch
