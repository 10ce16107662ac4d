// Per-camera destinations: every camera's egress flows folded into one row per destination
// (server address, L4 and application protocol), for `replay --destinations FILE.csv` and the
// camera tables of `replay --report`. Built once after the replay from the FlowDigest's rows, off
// the packet path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

#include "report/flow_json.h"
#include "report/replay_outcome.h"

namespace camwatch {

/// One camera x destination: the egress flows of `camera_ip` to `server_ip` with the same L4
/// and application protocol, summed.
struct DestinationRow {
  IpAddress camera_ip;
  std::string camera_name;  ///< inventory name; empty when the camera is not listed
  std::string camera_group;
  IpAddress server_ip;
  std::string l4;        ///< "tcp", "udp", ...
  std::string protocol;  ///< nDPI's name as ndpiReader prints it ("TLS.HikConnect")
  /// The names the flows carried (DNS answer, SNI, HTTP Host), distinct, in first-seen order,
  /// joined by a space. Attacker-controlled text: escape it wherever it goes.
  std::string hostname;
  std::vector<std::uint16_t> server_ports;  ///< distinct, ascending
  std::uint64_t flows = 0;
  std::uint64_t packets_out = 0;  ///< camera to server
  std::uint64_t packets_in = 0;
  std::uint64_t bytes_out = 0;  ///< on-the-wire bytes, camera to server
  std::uint64_t bytes_in = 0;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::string country;  ///< ISO 3166-1 alpha-2; empty when unknown
  std::uint32_t asn = 0;
  std::string org;
  std::string network_operator;  ///< who operates the network (operators file); or empty
  std::string operator_country;  ///< that operator's parent's home country; or empty
  std::string vendor_cloud;      ///< the catalog protocol ("HikConnect"); empty when none
  /// "deny" when any of the flows was denied (alerted), else "allow"; `rule` and `alert_kind`
  /// are the first denied flow's (for an allowed row: the first flow's rule, no kind).
  std::string verdict;
  std::string rule;
  std::string alert_kind;
};

/// The itemised egress rows of `result.digest` (at most replay.max_destination_rows), ordered by
/// camera address, then bytes out (most first), then server address, L4 and protocol: the same
/// for any worker count. `naming` names protocols and AS organisations (members may be null).
std::vector<DestinationRow> buildDestinations(const ReplayOutcome& result,
                                              const FlowNaming& naming);

/// The catalog vendor cloud (defaultVendorCloudCatalog(), ASCII case ignored) the protocol names
/// of a flow match, as the policy engine matches them; empty when none.
std::string vendorCloudOf(std::string_view app_protocol, std::string_view master,
                          std::string_view app);

/// One CSV field per RFC 4180: quoted when it holds , " CR or LF (inner quotes doubled). A field
/// starting with = + - @ TAB or CR gets a leading ' first, so a spreadsheet shows it as text
/// instead of running it as a formula (hostnames come from the cameras' own DNS traffic).
std::string csvField(std::string_view text);

/// The rows as CSV: a header row, then one line per row, CRLF line ends (RFC 4180), UTF-8,
/// times RFC 3339 UTC. docs/report.md lists the columns.
std::string destinationsToCsv(const std::vector<DestinationRow>& rows);

}  // namespace camwatch
