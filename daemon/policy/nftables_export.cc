// The ruleset is plain text: sets first (so that a reader sees what is allowed), then one chain.
// Set and log names come from group names, cut to what nft accepts.
#include "policy/nftables_export.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace camwatch {
namespace {

// The private, shared, link-local and multicast ranges: never egress (address_scope.h), and
// what a camera needs on the site (its resolver, NTP server, recorder).
constexpr const char* kLocalV4 =
    "10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.168.0.0/16, "
    "224.0.0.0/4, 255.255.255.255/32";
constexpr const char* kLocalV6 = "::1/128, fc00::/7, fe80::/10, ff00::/8";

// A group name as an nft identifier: letters, digits and '_' (others become '_').
std::string identifier(const std::string& name) {
  std::string out = "g_";
  for (const char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += keep ? c : '_';
  }
  return out;
}

std::string timeText(Timestamp time) { return time == 0 ? "unknown" : formatTimestamp(time, 0); }

// A set declaration with its elements one a line, comment lines ("# ...") between them;
// without elements, the bare declaration (nft refuses "elements = { }").
std::string setText(const std::string& name, const std::string& type, bool interval,
                    const std::vector<std::string>& lines) {
  std::string out = fmt::format("  set {} {{\n    type {}\n", name, type);
  // auto-merge: inventory.local_networks may overlap the private ranges.
  if (interval) out += "    flags interval\n    auto-merge\n";
  std::size_t last = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with("#")) last = i;
  }
  if (last != lines.size()) {
    out += "    elements = {\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const bool element = !lines[i].starts_with("#");
      out += "      " + lines[i] + (element && i != last ? ",\n" : "\n");
    }
    out += "    }\n";
  }
  out += "  }\n";
  return out;
}

struct FamilySets {
  std::vector<std::string> cameras;
  std::vector<std::string> ported;  ///< address . protocol . port
  std::vector<std::string> other;   ///< address . protocol (ICMP and other portless ones)
};

}  // namespace

std::string nftablesRuleset(const std::vector<NftablesGroup>& groups,
                            const NftablesExportOptions& options) {
  std::string out = fmt::format(
      "#!/usr/sbin/nft -f\n"
      "# camwatch baseline export --format nftables, {}\n"
      "# Per camera group: the destinations its learned baseline holds are accepted, the rest of\n"
      "# its egress is logged and dropped. Names are written as the addresses camwatch saw them\n"
      "# lead to while learning (no DNS lookup when exporting): a name that moves to another\n"
      "# address is blocked there until the baseline learns it and this file is exported again.\n"
      "# Load on the router between the camera VLANs and the internet: nft -f FILE (replaces the\n"
      "# table inet camwatch).\n"
      "table inet camwatch\n"
      "delete table inet camwatch\n"
      "table inet camwatch {{\n",
      timeText(options.generated));
  std::vector<std::string> local_v4 = {kLocalV4};
  std::vector<std::string> local_v6 = {kLocalV6};
  for (const IpPrefix& prefix : options.local_networks) {
    (prefix.isV4() ? local_v4 : local_v6).push_back(prefix.toString());
  }
  out += "  # on the site (private ranges, inventory.local_networks): not egress\n";
  out += setText("local_v4", "ipv4_addr", true, local_v4);
  out += setText("local_v6", "ipv6_addr", true, local_v6);

  std::string rules;
  for (const NftablesGroup& group : groups) {
    const std::string id = identifier(group.name);
    FamilySets sets[2];  // v4, v6
    std::set<IpAddress> cameras;
    for (const LearntDestination& destination : group.destinations) {
      cameras.insert(destination.cameras.begin(), destination.cameras.end());
      const std::string comment = fmt::format(
          "# {}{}: seen {} to {}{}", destination.name,
          destination.named ? " (resolved from the DNS answers and flows camwatch saw)" : "",
          timeText(destination.first_seen), timeText(destination.last_seen),
          destination.dns_ttl != 0 ? fmt::format(", DNS TTL {} s", destination.dns_ttl) : "");
      bool commented[2] = {false, false};
      for (const IpAddress& address : destination.addresses) {
        FamilySets& family = sets[address.isV4() ? 0 : 1];
        bool& said = commented[address.isV4() ? 0 : 1];
        for (const LearntPort& port : destination.ports) {
          if (!said) {
            (port.ip_proto == 6 || port.ip_proto == 17 ? family.ported : family.other)
                .push_back(comment);
          }
          if (port.ip_proto == 6 || port.ip_proto == 17) {
            family.ported.push_back(
                fmt::format("{} . {} . {}", address.toString(), port.ip_proto, port.port));
          } else {
            family.other.push_back(fmt::format("{} . {}", address.toString(), port.ip_proto));
          }
          said = true;
        }
      }
    }
    for (const IpAddress& camera : cameras) {
      sets[camera.isV4() ? 0 : 1].cameras.push_back(camera.toString());
    }
    out += fmt::format("  # group {}: {} destination(s), {} camera(s)\n", group.name,
                       group.destinations.size(), cameras.size());
    for (const int v : {0, 1}) {
      const std::string family = v == 0 ? "v4" : "v6";
      const std::string addr = v == 0 ? "ipv4_addr" : "ipv6_addr";
      out += setText(fmt::format("{}_cameras_{}", id, family), addr, false, sets[v].cameras);
      out += setText(fmt::format("{}_allowed_{}", id, family),
                     addr + " . inet_proto . inet_service", false, sets[v].ported);
      out += setText(fmt::format("{}_allowed_other_{}", id, family), addr + " . inet_proto", false,
                     sets[v].other);
      const std::string ip = v == 0 ? "ip" : "ip6";
      const std::string from = fmt::format("{} saddr @{}_cameras_{}", ip, id, family);
      rules += fmt::format("    {} {} daddr @local_{} accept\n", from, ip, family);
      rules += fmt::format("    {} {} daddr . meta l4proto . th dport @{}_allowed_{} accept\n",
                           from, ip, id, family);
      rules += fmt::format("    {} {} daddr . meta l4proto @{}_allowed_other_{} accept\n", from, ip,
                           id, family);
      rules +=
          fmt::format("    {} log prefix \"camwatch {} drop: \" drop\n", from, id.substr(0, 80));
    }
  }
  out +=
      "  chain forward {\n"
      "    type filter hook forward priority filter; policy accept;\n"
      "    ct state established,related accept\n";
  out += rules;
  out += "  }\n}\n";
  return out;
}

}  // namespace camwatch
