#include "report/destinations_csv.h"

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

std::string countryOf(const std::array<char, 3>& country) {
  return {country.data(), strnlen(country.data(), country.size())};
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

std::vector<DestinationRow> buildDestinations(const ReplayOutcome& result,
                                              const FlowNaming& naming) {
  std::map<IpAddress, const SeenCamera*> cameras;
  for (const SeenCamera& camera : result.cameras) cameras.emplace(camera.camera.ip, &camera);

  std::vector<DestinationRow> out;
  out.reserve(result.digest.egressRows().size());
  for (const auto& [key, tally] : result.digest.egressRows()) {
    DestinationRow row;
    row.camera_ip = tally.camera_ip;
    row.server_ip = tally.server_ip;
    row.l4 = std::string(ipProtocolName(tally.ip_proto));
    row.protocol = "Unknown";
    std::string master;
    std::string app;
    if (naming.dpi != nullptr) {
      row.protocol = naming.dpi->protocolName(tally.dpi);
      master = naming.dpi->protocolIdName(tally.dpi.master_protocol);
      app = naming.dpi->protocolIdName(tally.dpi.app_protocol);
    }
    row.camera_group = tally.camera_group;
    if (auto camera = cameras.find(row.camera_ip); camera != cameras.end()) {
      row.camera_name = camera->second->camera.name;
      if (row.camera_group.empty()) row.camera_group = camera->second->camera.group;
    }
    row.hostname = tally.hostname;
    row.server_ports = tally.server_ports;
    row.flows = tally.flows;
    row.packets_out = tally.packets_out;
    row.packets_in = tally.packets_in;
    row.bytes_out = tally.bytes_out;
    row.bytes_in = tally.bytes_in;
    row.first_seen = tally.first_seen;
    row.last_seen = tally.last_seen;
    row.country = countryOf(tally.country);
    row.asn = tally.asn;
    if (naming.geo != nullptr && tally.asn != 0) row.org = naming.geo->lookup(row.server_ip).org;
    if (naming.operators != nullptr) {
      if (const NetworkOperator* op = naming.operators->find(tally.asn, row.server_ip)) {
        row.network_operator = op->name;
        row.operator_country = op->country;
      }
    }
    row.vendor_cloud = vendorCloudOf(row.protocol, master, app);
    row.verdict = tally.denied ? "deny" : "allow";
    row.rule = tally.rule;
    if (tally.alert_kind) row.alert_kind = std::string(alertKindName(*tally.alert_kind));
    out.push_back(std::move(row));
  }
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
      "camera_ip", "camera_name",      "camera_group", "server_ip",   "hostname",   "l4",
      "protocol",  "server_ports",     "flows",        "packets_out", "packets_in", "bytes_out",
      "bytes_in",  "first_seen",       "last_seen",    "country",     "asn",        "org",
      "operator",  "operator_country", "vendor_cloud", "verdict",     "rule",       "alert_kind"};
  std::string csv;
  for (std::size_t i = 0; i < std::size(kHeader); ++i) {
    csv += i == 0 ? "" : ",";
    csv += kHeader[i];
  }
  csv += "\r\n";
  for (const DestinationRow& row : rows) {
    std::string ports;
    for (const std::uint16_t port : row.server_ports) {
      if (!ports.empty()) ports += ' ';
      ports += std::to_string(port);
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
                                  row.network_operator,
                                  row.operator_country,
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
