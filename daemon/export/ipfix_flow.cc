#include "export/ipfix_flow.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "report/destinations_csv.h"

namespace camwatch {
namespace {

void copyAddress(const IpAddress& ip, bool ipv6, std::array<std::uint8_t, 16>& out) {
  // IPv4 is kept IPv4-mapped (::ffff:a.b.c.d): its four bytes are the last four.
  if (ipv6) {
    out = ip.bytes;
  } else {
    std::memcpy(out.data(), ip.bytes.data() + 12, 4);
  }
}

std::uint64_t unixMilliseconds(Timestamp ts) {
  return ts <= 0 ? 0 : static_cast<std::uint64_t>(ts / (kNanosPerSecond / 1000));
}

}  // namespace

std::string_view ipfixTransportName(IpfixTransport transport) {
  return transport == IpfixTransport::kTcp ? "tcp" : "udp";
}

Result<IpfixCollector> parseIpfixCollector(std::string_view text) {
  const auto fail = [text](std::string_view why) {
    return makeError(fmt::format(
        "IPFIX collector '{}': {}; expected HOST:PORT, HOST:PORT/udp or HOST:PORT/tcp", text, why));
  };
  IpfixCollector collector;
  std::string_view address = text;
  if (const std::size_t slash = text.rfind('/'); slash != std::string_view::npos) {
    const std::string_view transport = text.substr(slash + 1);
    if (transport == "udp") {
      collector.transport = IpfixTransport::kUdp;
    } else if (transport == "tcp") {
      collector.transport = IpfixTransport::kTcp;
    } else {
      return fail(fmt::format("unknown transport '{}'", transport));
    }
    address = text.substr(0, slash);
  }
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return fail("no host or no port");
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return fail("an IPv6 address goes in brackets: [::1]:4739");
  }
  if (host.empty()) return fail("no host");
  const std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return fail(fmt::format("port '{}' is not 1 to 65535", port_text));
  }
  collector.host = std::string(host);
  collector.port = static_cast<std::uint16_t>(port);
  return collector;
}

std::uint8_t ipfixEndReason(FlowEndReason reason) {
  switch (reason) {
    case FlowEndReason::kIdle:
      return 1;
    case FlowEndReason::kActive:
      return 2;
    case FlowEndReason::kTcpClosed:
      return 3;
    case FlowEndReason::kEndOfCapture:
      return 4;
    case FlowEndReason::kEvicted:
      return 5;
  }
  return 0;
}

IpfixFlow nameIpfixFlow(const FlowRecord& flow, const NamingSnapshot& naming,
                        const ProtocolNames& names) {
  IpfixFlow out;
  out.ipv6 = !flow.key.addr_a.isV4();
  copyAddress(flow.clientIp(), out.ipv6, out.source);
  copyAddress(flow.serverIp(), out.ipv6, out.destination);
  out.source_port = flow.clientPort();
  out.destination_port = flow.serverPort();
  out.protocol = flow.key.ip_proto;
  out.vlan = flow.key.vlan_outer;
  out.vlan_inner = flow.key.vlan_inner;
  out.start_ms = unixMilliseconds(flow.first_seen);
  out.end_ms = unixMilliseconds(flow.last_seen);
  out.packets = flow.packets[kToServer];
  out.bytes = flow.bytes[kToServer];
  out.reverse_packets = flow.packets[kToClient];
  out.reverse_bytes = flow.bytes[kToClient];
  out.tcp_flags = flow.tcp_flags[kToServer];
  out.reverse_tcp_flags = flow.tcp_flags[kToClient];
  if (flow.has_client_mac) out.source_mac = flow.client_mac;
  out.end_reason = ipfixEndReason(flow.end_reason);
  out.destination_asn = flow.server_asn;
  out.application = names.protocolName(flow.dpi);
  // A DNS flow's name is its question, not the server's: the flows output keeps them apart too.
  if (flow.dpi.hostname_source != HostnameSource::kDnsQuery)
    out.hostname = flow.dpi.hostname.data();
  if (naming.inventory) {
    const HostIdentity client = naming.inventory->identify(
        flow.clientIp(), flow.has_client_mac ? flow.client_mac.data() : nullptr,
        flow.key.vlan_outer, flow.key.vlan_inner);
    out.camera_name = std::string(client.name);
    out.camera_group = std::string(client.group);
  }
  if (out.camera_group.empty()) out.camera_group = std::string(naming.groupName(flow.camera_group));
  out.vendor_cloud = vendorCloudOf(out.application, names.protocolIdName(flow.dpi.master_protocol),
                                   names.protocolIdName(flow.dpi.app_protocol));
  out.country = std::string(flow.server_country.data(), strnlen(flow.server_country.data(), 3));
  if (naming.geo && flow.server_asn != 0)
    out.as_organization = naming.geo->lookup(flow.serverIp()).org;
  if (naming.operators) {
    if (const NetworkOperator* op = naming.operators->find(flow.server_asn, flow.serverIp())) {
      out.network_operator = op->name;
      out.operator_country = op->country;
    }
  }
  // Only a camera's egress is judged: other flows carry the default verdict, which says nothing.
  if (flow.egress) {
    out.verdict = std::string(policyActionName(flow.verdict.action));
    out.rule = std::string(naming.ruleLabel(flow.verdict.rule));
  }
  return out;
}

}  // namespace camwatch
