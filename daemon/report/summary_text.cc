// summaryToText(): the replay summary for the person at the terminal, one function per section,
// from the result and its summaryToJson() (which already holds the names and sorted tallies).
#include <string>

#include <fmt/format.h>

#include "report/flow_json.h"
#include "report/summary.h"

namespace camwatch {
namespace {

// The text being built, a line at a time.
class TextLines {
 public:
  void line(const std::string& s) {
    text_ += s;
    text_ += '\n';
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

// The run (files, packets, workers, time and memory), its files and its time span.
void writeHeader(TextLines& out, const ReplayOutcome& result, const nlohmann::ordered_json& json) {
  const double rate = result.wall_seconds > 0
                          ? static_cast<double>(result.decode.packets) / result.wall_seconds
                          : 0.0;
  out.line(fmt::format(
      "camwatch replay: {} file(s), {} packets, {} on the wire, {} worker(s), "
      "{:.2f} s ({:.0f} packets/s){}",
      result.files.size(), result.decode.packets, humanBytes(result.decode.wire_bytes),
      result.workers, result.wall_seconds, rate,
      result.peak_rss_bytes > 0 ? ", peak memory " + humanBytes(result.peak_rss_bytes) : ""));
  for (const CaptureFileStats& file : result.files) {
    out.line(fmt::format("  {}  {}  {} packets  {}{}", file.path, file.link_type, file.packets,
                         humanBytes(file.wire_bytes), file.error.empty() ? "" : "  ERROR"));
  }
  if (result.from || result.to) {
    out.line(fmt::format("  time bounds: {} .. {} ({} packets outside skipped)",
                         result.from ? formatTimestamp(*result.from, 9) : "start",
                         result.to ? formatTimestamp(*result.to, 9) : "end",
                         result.decode.outside_bounds));
  }
  if (result.decode.packets > 0) {
    out.line(fmt::format("  time span: {} .. {} ({:.1f} s)", formatTimestamp(result.first_ts),
                         formatTimestamp(result.last_ts), json["duration_s"].get<double>()));
  }
}

// Flow totals by L4, VLAN and app, and what the flow table and digest could not keep.
void writeFlows(TextLines& out, const ReplayOutcome& result, const nlohmann::ordered_json& json) {
  out.line(fmt::format("Flows: {}", result.digest.flows()));
  // One row per group, wrapped before 100 columns.
  auto tallies = [&](const char* title, const nlohmann::ordered_json& group) {
    std::string row = fmt::format("  {:<8}", title);
    for (const auto& [name, tally] : group.items()) {
      const std::string item = fmt::format(" {} {} ({})", name, tally["flows"].get<std::uint64_t>(),
                                           humanBytes(tally["bytes"].get<std::uint64_t>()));
      if (row.size() + item.size() > 100) {
        out.line(row);
        row = std::string(10, ' ');
      }
      row += item;
    }
    out.line(row);
  };
  tallies("by L4:", json["flows"]["by_l4"]);
  tallies("by VLAN:", json["flows"]["by_vlan"]);
  tallies("by app:", json["flows"]["by_app_protocol"]);
  if (result.flow_stats.evicted > 0) {
    out.line(fmt::format("  {} flows evicted: the flow table was full (raise flows.max_flows)",
                         result.flow_stats.evicted));
  }
  const FlowDigest& digest = result.digest;
  if (digest.untrackedTalkerFlows() > 0 || digest.untrackedInternetDestinationFlows() > 0) {
    out.line(fmt::format(
        "  more than {} addresses: top talkers and Internet destinations are among the first "
        "{} seen ({} and {} flows not itemised there; they are in every total)",
        digest.limits().max_hosts, digest.limits().max_hosts, digest.untrackedTalkerFlows(),
        digest.untrackedInternetDestinationFlows()));
  }
  if (digest.unitemisedEgress().flows > 0) {
    out.line(
        fmt::format("  more than {} camera x destination rows: {} egress flows ({} out) are not "
                    "itemised in --destinations and --report",
                    digest.limits().max_destination_rows, digest.unitemisedEgress().flows,
                    humanBytes(digest.unitemisedEgress().bytes_out)));
  }
}

void writeInternetDestinations(TextLines& out, const nlohmann::ordered_json& json) {
  if (json["internet_destinations"].empty()) return;
  out.line("Internet destinations (public server addresses, by bytes):");
  for (const auto& dest : json["internet_destinations"]) {
    const std::string asn = dest["asn"].get<std::uint32_t>() != 0
                                ? fmt::format("AS{} {}", dest["asn"].get<std::uint32_t>(),
                                              dest["org"].get<std::string>())
                                : std::string("-");
    out.line(fmt::format(
        "  {:<15} {:<2} {:<28.28} {:<24.24} {:<16.16} {:>10} {:>3} client(s)",
        dest["ip"].get<std::string>(),
        dest["country"].get<std::string>().empty() ? "-" : dest["country"].get<std::string>(),
        dest["hostname"].get<std::string>().empty() ? "-" : dest["hostname"].get<std::string>(),
        asn, dest["app_protocol"].get<std::string>(),
        humanBytes(dest["bytes"].get<std::uint64_t>()), dest["clients"].get<std::uint64_t>()));
  }
}

// One line per camera x destination whose contacts repeat at a regular interval.
void writeBeacons(TextLines& out, const nlohmann::ordered_json& json) {
  if (json["beacons"].empty()) return;
  out.line("Beacons (a camera contacting a destination at a regular interval):");
  std::size_t shown = 0;
  for (const auto& found : json["beacons"]) {
    if (shown++ == kTextBeaconLines) {
      out.line(fmt::format("  ... and {} more (--summary FILE lists them all)",
                           json["beacons"].size() - kTextBeaconLines));
      break;
    }
    const std::string host = found["hostname"].get<std::string>();
    const auto port = found["port"].get<std::uint16_t>();
    out.line(
        fmt::format("  {:<15} -> {:<15} {:<34.34} every {:.1f} s, jitter {:.1f} s, {} contacts",
                    found["camera"].get<std::string>(), found["ip"].get<std::string>(),
                    (host.empty() ? std::string("-") : host) +
                        (port != 0 ? fmt::format(":{}", port) : std::string()),
                    found["period_s"].get<double>(), found["jitter_s"].get<double>(),
                    found["contacts"].get<std::uint64_t>()));
  }
}

void writeAlerts(TextLines& out, const ReplayOutcome& result) {
  if (result.alerts.empty()) return;
  out.line(fmt::format(
      "Alerts: {} ({} raised, {} folded into repeats{}{}{})", result.alerts.size(),
      result.alerts_raised, result.alert_repeats,
      result.alert_updates > 0
          ? fmt::format(", {} evidence update(s): flows that ended", result.alert_updates)
          : std::string(),
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
      out.line(fmt::format("  ... and {} more (write them all with --alerts FILE)",
                           result.alerts.size() - kTextAlertLines));
      break;
    }
    const std::string destination =
        !alert.destination.hostname.empty()
            ? alert.destination.hostname
            : (alert.destination.ip ? alert.destination.ip->toString() : std::string("-"));
    const std::string port =
        alert.destination.port != 0 ? fmt::format(":{}", alert.destination.port) : "";
    out.line(fmt::format(
        "  {} {:<8} {:<8} {:<22} {:<15} -> {}{} {} [{}]{}", formatTimestamp(alert.time),
        alertStatusName(alert.status), severityName(alert.severity), alertKindName(alert.kind),
        alert.camera.ip.toString(), destination, port, alert.destination.country, alert.rule,
        alert.repeat_count > 0 ? fmt::format(" x{}", alert.repeat_count + 1) : ""));
  }
}

void writeCameras(TextLines& out, const ReplayOutcome& result) {
  if (result.cameras.empty()) return;
  std::size_t unlisted = 0;
  for (const SeenCamera& camera : result.cameras) unlisted += camera.listed ? 0 : 1;
  out.line(fmt::format("Cameras: {} seen, {} not in the inventory{}", result.cameras.size(),
                       unlisted,
                       result.cameras_untracked > 0
                           ? fmt::format("; more than inventory.max_cameras: {} sightings and "
                                         "byte samples of cameras not tracked",
                                         result.cameras_untracked)
                           : std::string()));
  std::size_t shown = 0;
  for (const SeenCamera& camera : result.cameras) {
    if (shown++ == kTextCameraLines) {
      out.line(fmt::format("  ... and {} more (--summary FILE lists them all)",
                           result.cameras.size() - kTextCameraLines));
      break;
    }
    out.line(fmt::format("  {:<15} {:<17} {:<16.16} {:<14.14} {:<10.10} {:>10} out  {} alert(s){}",
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

void writeLearningAndSinks(TextLines& out, const ReplayOutcome& result) {
  if (result.learning_phase != "off") {
    out.line(fmt::format("Learning: {} ({} entries learnt)", result.learning_phase,
                         result.learned_entries));
  }
  for (const SinkDeliveryStats& sink : result.deliveries) {
    out.line(fmt::format(
        "Alert sink {}: {} queued, {} sent, {} retried, {} failed, {} dropped, {} "
        "pending",
        sink.name, sink.queued, sink.sent, sink.retried, sink.failed, sink.dropped, sink.pending));
  }
}

void writeTopTalkers(TextLines& out, const nlohmann::ordered_json& json) {
  out.line("Top talkers (bytes, both directions):");
  for (const auto& talker : json["top_talkers"]) {
    out.line(
        fmt::format("  {:<40} {:>12}  {:>9} packets  {:>6} flows", talker["ip"].get<std::string>(),
                    humanBytes(talker["bytes"].get<std::uint64_t>()),
                    talker["packets"].get<std::uint64_t>(), talker["flows"].get<std::uint64_t>()));
  }
}

// Packets that were not IP or could not be decoded.
void writeUndecodable(TextLines& out, const ReplayOutcome& result,
                      const nlohmann::ordered_json& json) {
  if (!json["non_ip_packets"].empty()) {
    std::string row = "Not IP (packets):";
    for (const auto& [name, count] : json["non_ip_packets"].items()) {
      row += fmt::format(" {} {}", name, count.get<std::uint64_t>());
    }
    out.line(row);
  }
  if (!json["anomalies"].empty() || result.decode.fragments_unmatched > 0) {
    std::string row = "Undecodable (packets):";
    for (const auto& [name, count] : json["anomalies"].items()) {
      row += fmt::format(" {} {}", name, count.get<std::uint64_t>());
    }
    if (result.decode.fragments_unmatched > 0) {
      row += fmt::format(" fragment_without_first {}", result.decode.fragments_unmatched);
    }
    out.line(row);
  }
}

// Memory and caches (they depend on the worker count, so the JSON has none of it), then errors.
void writeResources(TextLines& out, const ReplayOutcome& result) {
  out.line(
      fmt::format("Run: nDPI peak memory {}, DNS cache {} entries, GeoIP cache {} hits / {} misses",
                  humanBytes(result.ndpi_peak_memory), result.dns_cache_entries,
                  result.geo_cache.hits, result.geo_cache.misses));
  for (const std::string& error : result.errors) out.line("ERROR: " + error);
}

}  // namespace

std::string summaryToText(const ReplayOutcome& result, const nlohmann::ordered_json& json) {
  TextLines out;
  writeHeader(out, result, json);
  writeFlows(out, result, json);
  writeInternetDestinations(out, json);
  writeBeacons(out, json);
  writeAlerts(out, result);
  writeCameras(out, result);
  writeLearningAndSinks(out, result);
  writeTopTalkers(out, json);
  writeUndecodable(out, result, json);
  writeResources(out, result);
  return out.take();
}

}  // namespace camwatch
