#include "app/destinations.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include <camwatch/alert_kind.h>
#include <camwatch/policy.h>

#include "util/text.h"

namespace camwatch {
namespace {

using RowKey = std::tuple<IpAddress, IpAddress, std::string, std::string>;

std::string countryOf(const FlowRecord& flow) {
  return {flow.server_country.data(), strnlen(flow.server_country.data(), 3)};
}

void addHostname(std::string& names, std::string_view name) {
  if (name.empty()) return;
  // Whole-word match: "a.com" must not hide "a.com.evil".
  std::size_t at = 0;
  while (at < names.size()) {
    std::size_t end = names.find(' ', at);
    if (end == std::string::npos) end = names.size();
    if (std::string_view(names).substr(at, end - at) == name) return;
    at = end + 1;
  }
  if (!names.empty()) names += ' ';
  names += name;
}

}  // namespace

std::string vendorCloudOf(std::string_view app_protocol, std::string_view master,
                          std::string_view app) {
  for (const std::string& cloud : defaultVendorCloudCatalog()) {
    if (equalsIgnoreCase(app_protocol, cloud) || equalsIgnoreCase(master, cloud) ||
        equalsIgnoreCase(app, cloud)) {
      return cloud;
    }
  }
  return {};
}

std::vector<DestinationRow> buildDestinations(const ReplayResult& result,
                                              const FlowNaming& naming) {
  std::map<IpAddress, const SeenCamera*> cameras;
  for (const SeenCamera& camera : result.cameras) cameras.emplace(camera.camera.ip, &camera);

  // Flows come sorted by first seen, so "first" below is the same for any worker count.
  std::map<RowKey, DestinationRow> rows;
  for (const FlowRecord& flow : result.flows) {
    if (!flow.egress) continue;
    const std::string l4(ipProtocolName(flow.key.ip_proto));
    std::string protocol = "Unknown";
    std::string master;
    std::string app;
    if (naming.dpi != nullptr) {
      protocol = naming.dpi->protocolName(flow.dpi);
      master = naming.dpi->protocolIdName(flow.dpi.master_protocol);
      app = naming.dpi->protocolIdName(flow.dpi.app_protocol);
    }
    auto [it, added] = rows.try_emplace(RowKey{flow.clientIp(), flow.serverIp(), l4, protocol});
    DestinationRow& row = it->second;
    if (added) {
      row.camera_ip = flow.clientIp();
      row.server_ip = flow.serverIp();
      row.l4 = l4;
      row.protocol = protocol;
      row.camera_group = std::string(flow.camera_group);
      if (auto camera = cameras.find(row.camera_ip); camera != cameras.end()) {
        row.camera_name = camera->second->camera.name;
        if (row.camera_group.empty()) row.camera_group = camera->second->camera.group;
      }
      row.first_seen = flow.first_seen;
      row.last_seen = flow.last_seen;
      row.country = countryOf(flow);
      row.asn = flow.server_asn;
      if (naming.geo != nullptr && flow.server_asn != 0) {
        row.org = naming.geo->lookup(flow.serverIp()).org;
      }
      row.vendor_cloud = vendorCloudOf(protocol, master, app);
      row.verdict = "allow";
      row.rule = std::string(flow.verdict.rule);
    }
    addHostname(row.hostname,
                std::string_view(flow.dpi.hostname.data(),
                                 strnlen(flow.dpi.hostname.data(), flow.dpi.hostname.size())));
    const std::uint16_t port = flow.serverPort();
    if (std::find(row.server_ports.begin(), row.server_ports.end(), port) ==
        row.server_ports.end()) {
      row.server_ports.push_back(port);
      std::sort(row.server_ports.begin(), row.server_ports.end());
    }
    ++row.flows;
    row.packets_out += flow.packets[kToServer];
    row.packets_in += flow.packets[kToClient];
    row.bytes_out += flow.bytes[kToServer];
    row.bytes_in += flow.bytes[kToClient];
    row.first_seen = std::min(row.first_seen, flow.first_seen);
    row.last_seen = std::max(row.last_seen, flow.last_seen);
    if (flow.verdict.action == PolicyAction::kDeny && row.verdict != "deny") {
      row.verdict = "deny";
      row.rule = std::string(flow.verdict.rule);
      if (flow.verdict.alert) row.alert_kind = std::string(alertKindName(*flow.verdict.alert));
    }
  }

  std::vector<DestinationRow> out;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  std::stable_sort(out.begin(), out.end(), [](const DestinationRow& a, const DestinationRow& b) {
    if (a.camera_ip != b.camera_ip) return a.camera_ip < b.camera_ip;
    if (a.bytes_out != b.bytes_out) return a.bytes_out > b.bytes_out;
    return std::tie(a.server_ip, a.l4, a.protocol) < std::tie(b.server_ip, b.l4, b.protocol);
  });
  return out;
}

std::string csvField(std::string_view text) {
  std::string value;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    value += '\'';
  }
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string destinationsToCsv(const std::vector<DestinationRow>& rows) {
  static constexpr const char* kHeader[] = {
      "camera_ip",    "camera_name",  "camera_group", "server_ip",   "hostname",   "l4",
      "protocol",     "server_ports", "flows",        "packets_out", "packets_in", "bytes_out",
      "bytes_in",     "first_seen",   "last_seen",    "country",     "asn",        "org",
      "vendor_cloud", "verdict",      "rule",         "alert_kind"};
  std::string csv;
  for (std::size_t i = 0; i < std::size(kHeader); ++i) {
    csv += i == 0 ? "" : ",";
    csv += kHeader[i];
  }
  csv += "\r\n";
  for (const DestinationRow& row : rows) {
    std::string ports;
    for (const std::uint16_t port : row.server_ports) {
      ports += (ports.empty() ? "" : " ") + std::to_string(port);
    }
    const std::string fields[] = {row.camera_ip.toString(),
                                  row.camera_name,
                                  row.camera_group,
                                  row.server_ip.toString(),
                                  row.hostname,
                                  row.l4,
                                  row.protocol,
                                  ports,
                                  std::to_string(row.flows),
                                  std::to_string(row.packets_out),
                                  std::to_string(row.packets_in),
                                  std::to_string(row.bytes_out),
                                  std::to_string(row.bytes_in),
                                  formatTimestamp(row.first_seen),
                                  formatTimestamp(row.last_seen),
                                  row.country,
                                  row.asn == 0 ? std::string() : std::to_string(row.asn),
                                  row.org,
                                  row.vendor_cloud,
                                  row.verdict,
                                  row.rule,
                                  row.alert_kind};
    static_assert(sizeof(fields) / sizeof(fields[0]) == std::size(kHeader));
    for (std::size_t i = 0; i < std::size(fields); ++i) {
      if (i > 0) csv += ',';
      csv += csvField(fields[i]);
    }
    csv += "\r\n";
  }
  return csv;
}

}  // namespace camwatch
