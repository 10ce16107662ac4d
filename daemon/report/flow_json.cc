#include "report/flow_json.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include <camwatch/dpi.h>

#include "report/json_line.h"
#include "util/text.h"

namespace camwatch {
namespace {

// Who operates the destination's network (only public destinations have one).
const NetworkOperator* operatorOf(const FlowRecord& flow, const FlowNaming& naming) {
  return naming.operators != nullptr ? naming.operators->find(flow.server_asn, flow.serverIp())
                                     : nullptr;
}

// Where the flow's name came from; "none" for a public destination with no name at all (no DNS
// answer seen for it, no SNI, no HTTP Host): an address the camera has built in.
std::string_view hostnameSourceOf(const FlowRecord& flow) {
  return destinationNameSource(flow.dpi.hostname_source, flow.dpi.hostname[0] != '\0',
                               flow.server_scope == AddressScope::kPublic);
}

}  // namespace

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
  const NetworkOperator* op = operatorOf(flow, naming);
  json["dst_operator"] = op != nullptr ? op->name : "";
  json["dst_operator_country"] = op != nullptr ? op->country : "";
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
  const bool question = dpi.hostname_source == HostnameSource::kDnsQuery;
  json["hostname"] = question ? "" : dpi.hostname.data();
  json["hostname_source"] = std::string(hostnameSourceOf(flow));
  json["dns_query"] = question ? dpi.hostname.data() : "";
  json["risks"] = riskNames(dpi.risk);
  return json;
}

void appendFlowJson(std::string& out, const FlowRecord& flow, const FlowNaming& naming,
                    ProtocolNameCache& protocol_names) {
  JsonLine json(out);
  json.text("ts_first", formatTimestamp(flow.first_seen));
  json.text("ts_last", formatTimestamp(flow.last_seen));
  json.floatNumber("duration_s", static_cast<double>(flow.last_seen - flow.first_seen) /
                                     static_cast<double>(kNanosPerSecond));
  json.unsignedNumber("vlan", flow.key.vlan_outer);
  json.unsignedNumber("vlan_inner", flow.key.vlan_inner);
  json.signedNumber("ip_version", flow.key.addr_a.isV4() ? 4 : 6);
  json.text("l4", ipProtocolName(flow.key.ip_proto));
  json.text("src_ip", flow.clientIp().toString());
  json.unsignedNumber("src_port", flow.clientPort());
  json.text("dst_ip", flow.serverIp().toString());
  json.unsignedNumber("dst_port", flow.serverPort());
  json.unsignedNumber("packets_to_server", flow.packets[kToServer]);
  json.unsignedNumber("packets_to_client", flow.packets[kToClient]);
  json.unsignedNumber("bytes_to_server", flow.bytes[kToServer]);
  json.unsignedNumber("bytes_to_client", flow.bytes[kToClient]);
  if (flow.key.ip_proto == kIpProtoTcp) {
    json.text("tcp_flags_to_server", tcpFlagLetters(flow.tcp_flags[kToServer]));
    json.text("tcp_flags_to_client", tcpFlagLetters(flow.tcp_flags[kToClient]));
  }
  json.unsignedNumber("fragments", flow.fragments);
  json.text("end_reason", flowEndReasonName(flow.end_reason));
  json.text("client_mac", flow.has_client_mac ? macToString(flow.client_mac) : "");
  std::string_view vendor;
  if (naming.oui != nullptr && flow.has_client_mac) {
    if (auto found = naming.oui->vendorOf(flow.client_mac.data())) vendor = *found;
  }
  json.text("client_vendor", vendor);
  json.text("dst_scope", scopeName(flow.server_scope));
  json.text("dst_country",
            std::string_view(flow.server_country.data(), strnlen(flow.server_country.data(), 3)));
  json.unsignedNumber("dst_asn", flow.server_asn);
  if (naming.geo != nullptr && flow.server_asn != 0) {
    json.text("dst_org", naming.geo->lookup(flow.serverIp()).org);
  } else {
    json.text("dst_org", "");
  }
  const NetworkOperator* op = operatorOf(flow, naming);
  json.text("dst_operator", op != nullptr ? std::string_view(op->name) : std::string_view());
  json.text("dst_operator_country",
            op != nullptr ? std::string_view(op->country) : std::string_view());
  const FlowClassification& dpi = flow.dpi;
  if (naming.dpi != nullptr) {
    json.text("app_protocol", protocol_names.protocolName(*naming.dpi, dpi));
    json.text("master_protocol", naming.dpi->protocolIdName(dpi.master_protocol));
    json.text("app", naming.dpi->protocolIdName(dpi.app_protocol));
    json.text("category", naming.dpi->categoryName(dpi));
  } else {
    json.text("app_protocol", "Unknown");
    json.text("master_protocol", "Unknown");
    json.text("app", "Unknown");
    json.text("category", "");
  }
  json.boolean("dpi_guessed", dpi.guessed);
  json.unsignedNumber("dpi_packets", dpi.packets_inspected);
  const bool question = dpi.hostname_source == HostnameSource::kDnsQuery;
  json.text("hostname", question ? std::string_view() : std::string_view(dpi.hostname.data()));
  json.text("hostname_source", hostnameSourceOf(flow));
  json.text("dns_query", question ? std::string_view(dpi.hostname.data()) : std::string_view());
  json.texts("risks", riskNames(dpi.risk));
  json.close();
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
  if (naming.dpi != names_for_) {  // the cache's names are one module's
    protocol_names_ = ProtocolNameCache();
    names_for_ = naming.dpi;
  }
  line_.clear();
  appendFlowJson(line_, flow, naming, protocol_names_);
  line_ += '\n';
  out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
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
