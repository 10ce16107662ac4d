// IpfixFlow: one flow record with everything the IPFIX export writes of it, named on the control
// side (camera, group, operator, rule: text the workers never make), and the collector address
// `HOST:PORT[/udp|/tcp]` as `replay --ipfix` and `export.ipfix.collector` write it. Pure
// functions, no I/O; the exporter (export/ipfix_exporter.h) queues IpfixFlows for its thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/classifier.h>
#include <camwatch/flow.h>
#include <camwatch/result.h>

#include "alert/camera_event.h"

namespace camwatch {

/// The transports an IPFIX exporter can use (RFC 7011 section 10; SCTP is not offered: Debian's
/// libfixbuf has it, but few collectors listen on it).
enum class IpfixTransport : std::uint8_t { kUdp, kTcp };
std::string_view ipfixTransportName(IpfixTransport transport);

/// Where the records go.
struct IpfixCollector {
  std::string host;  ///< a name or an address; IPv6 addresses in brackets in the text form
  std::uint16_t port = 0;
  IpfixTransport transport = IpfixTransport::kUdp;
};

/// Parses "HOST:PORT", "HOST:PORT/udp" or "HOST:PORT/tcp" ("[::1]:4739/tcp" for IPv6). UDP when
/// no transport is given. Fails naming the text and what is wrong with it.
Result<IpfixCollector> parseIpfixCollector(std::string_view text);

/// A flow as the exporter writes it. The source is the flow's client (the side that sent the
/// first packet), as in the flows output (docs/flows.md); the forward counters are the client's,
/// the reverse ones (RFC 5103) the server's.
struct IpfixFlow {
  bool ipv6 = false;
  std::array<std::uint8_t, 16> source{};  ///< IPv4: the 4 bytes first, network order
  std::array<std::uint8_t, 16> destination{};
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t protocol = 0;
  std::uint16_t vlan = 0;        ///< outer 802.1Q/802.1ad VLAN id, 0 when untagged
  std::uint16_t vlan_inner = 0;  ///< inner (customer) VLAN id of a QinQ frame, else 0
  std::uint64_t start_ms = 0;    ///< Unix time of the first packet, milliseconds
  std::uint64_t end_ms = 0;
  std::uint64_t packets = 0;  ///< client to server
  std::uint64_t bytes = 0;
  std::uint64_t reverse_packets = 0;  ///< server to client
  std::uint64_t reverse_bytes = 0;
  std::uint8_t tcp_flags = 0;
  std::uint8_t reverse_tcp_flags = 0;
  std::array<std::uint8_t, 6> source_mac{};  ///< all zero when the link layer had none
  std::uint8_t end_reason = 0;               ///< IANA flowEndReason: 1 idle ... 5 lack of resources
  std::uint32_t destination_asn = 0;
  std::string application;  ///< nDPI's name as ndpiReader prints it ("TLS.Google")
  std::string hostname;     ///< the server's name (SNI, HTTP Host, DNS cache), escaped as in flows
  std::string camera_name;  ///< the inventory's name of the client camera; "" when not listed
  std::string camera_group;
  std::string vendor_cloud;     ///< the catalog protocol ("HikConnect"); "" when none
  std::string country;          ///< the server's ISO 3166-1 alpha-2 country; "" when unknown
  std::string as_organization;  ///< the server AS's organisation
  std::string network_operator;
  std::string operator_country;
  std::string verdict;  ///< "allow" or "deny" for a camera's egress flow; "" for other flows
  std::string rule;     ///< the step that decided ("rule:no-china", "catalog:HikConnect")
};

/// The IANA flowEndReason (RFC 5102) of `reason`: idle 1, active timeout 2, end detected 3
/// (TCP closed), forced end 4 (end of capture), lack of resources 5 (evicted).
std::uint8_t ipfixEndReason(FlowEndReason reason);

/// Names `flow` with the judgement its ids belong to (`naming`) and nDPI's `names`. Control
/// thread (inventory, GeoIP and operator lookups; allocates).
IpfixFlow nameIpfixFlow(const FlowRecord& flow, const NamingSnapshot& naming,
                        const ProtocolNames& names);

}  // namespace camwatch
