#include "report/flow_json.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include <camwatch/dpi.h>

#include "util/text.h"

namespace camwatch {

std::string tcpFlagLetters(std::uint8_t flags) {
  static constexpr struct {
    std::uint8_t bit;
    char letter;
  } kFlags[] = {{kTcpFin, 'F'}, {kTcpSyn, 'S'}, {kTcpRst, 'R'},
                {kTcpPsh, 'P'}, {kTcpAck, 'A'}, {0x20, 'U'}};
  std::string letters;
  for (const auto& flag : kFlags) {
    if ((flags & flag.bit) != 0) letters += flag.letter;
  }
  return letters;
}

nlohmann::ordered_json flowToJson(const FlowRecord& flow, const FlowNaming& naming) {
  nlohmann::ordered_json json;
  json["ts_first"] = formatTimestamp(flow.first_seen);
  json["ts_last"] = formatTimestamp(flow.last_seen);
  json["duration_s"] =
      static_cast<double>(flow.last_seen - flow.first_seen) / static_cast<double>(kNanosPerSecond);
  json["vlan"] = flow.key.vlan_outer;
  json["vlan_inner"] = flow.key.vlan_inner;
  json["ip_version"] = flow.key.addr_a.isV4() ? 4 : 6;
  json["l4"] = ipProtocolName(flow.key.ip_proto);
  json["src_ip"] = flow.clientIp().toString();
  json["src_port"] = flow.clientPort();
  json["dst_ip"] = flow.serverIp().toString();
  json["dst_port"] = flow.serverPort();
  json["packets_to_server"] = flow.packets[kToServer];
  json["packets_to_client"] = flow.packets[kToClient];
  json["bytes_to_server"] = flow.bytes[kToServer];
  json["bytes_to_client"] = flow.bytes[kToClient];
  if (flow.key.ip_proto == kIpProtoTcp) {
    json["tcp_flags_to_server"] = tcpFlagLetters(flow.tcp_flags[kToServer]);
    json["tcp_flags_to_client"] = tcpFlagLetters(flow.tcp_flags[kToClient]);
  }
  json["fragments"] = flow.fragments;
  json["end_reason"] = flowEndReasonName(flow.end_reason);
  json["client_mac"] = flow.has_client_mac ? macToString(flow.client_mac) : "";
  std::string vendor;
  if (naming.oui != nullptr && flow.has_client_mac) {
    if (auto found = naming.oui->vendorOf(flow.client_mac.data())) vendor = *found;
  }
  json["client_vendor"] = vendor;
  json["dst_scope"] = scopeName(flow.server_scope);
  json["dst_country"] =
      std::string(flow.server_country.data(), strnlen(flow.server_country.data(), 3));
  json["dst_asn"] = flow.server_asn;
  std::string org;
  if (naming.geo != nullptr && flow.server_asn != 0) org = naming.geo->lookup(flow.serverIp()).org;
  json["dst_org"] = org;
  const FlowClassification& dpi = flow.dpi;
  if (naming.dpi != nullptr) {
    json["app_protocol"] = naming.dpi->protocolName(dpi);
    json["master_protocol"] = naming.dpi->protocolIdName(dpi.master_protocol);
    json["app"] = naming.dpi->protocolIdName(dpi.app_protocol);
    json["category"] = naming.dpi->categoryName(dpi);
  } else {
    json["app_protocol"] = "Unknown";
    json["master_protocol"] = "Unknown";
    json["app"] = "Unknown";
    json["category"] = "";
  }
  json["dpi_guessed"] = dpi.guessed;
  json["dpi_packets"] = dpi.packets_inspected;
  json["hostname"] = dpi.hostname.data();
  json["hostname_source"] = hostnameSourceName(dpi.hostname_source);
  json["risks"] = riskNames(dpi.risk);
  return json;
}

Result<std::unique_ptr<FlowJsonLinesWriter>> FlowJsonLinesWriter::open(const std::string& path) {
  auto writer = std::unique_ptr<FlowJsonLinesWriter>(new FlowJsonLinesWriter(path));
  writer->out_ = &std::cout;
  if (path != "-") {
    writer->file_.open(path, std::ios::out | std::ios::trunc);
    if (!writer->file_) {
      return makeError(fmt::format("{}: cannot write flows: {}", path, std::strerror(errno)));
    }
    writer->out_ = &writer->file_;
  }
  return writer;
}

void FlowJsonLinesWriter::write(const FlowRecord& flow, const FlowNaming& naming) {
  *out_ << flowToJson(flow, naming).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
}

Result<void> FlowJsonLinesWriter::close() {
  out_->flush();
  if (file_.is_open()) file_.close();
  if (!*out_) {
    return makeError(fmt::format("{}: writing flows failed: {}", path_, std::strerror(errno)));
  }
  return {};
}

}  // namespace camwatch
