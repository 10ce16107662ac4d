// The learned baseline as a MUD file: ietf-mud (RFC 8520 section 2) with one from-device and one
// to-device ACL per address family (RFC 8519), an ACE pair per destination and port.
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "policy/mud.h"

namespace camwatch {
namespace {

using Json = nlohmann::ordered_json;

// RFC 8519's port match: one port, "eq".
Json portMatch(std::uint16_t port) { return Json{{"operator", "eq"}, {"port", port}}; }

// The ACE matching the destination `remote` (a name or a prefix) on `port`, from the device
// (`from_device`: the remote is the destination) or its answers to the device (the remote is
// the source).
Json ace(const std::string& name, bool from_device, const std::string& family,
         const LearntDestination& destination, const std::string& prefix, const LearntPort& port) {
  Json ip;
  if (destination.named) {
    ip[from_device ? "ietf-acldns:dst-dnsname" : "ietf-acldns:src-dnsname"] = destination.name;
  } else {
    const std::string key =
        fmt::format("{}-{}-network", from_device ? "destination" : "source", family);
    ip[key] = prefix;
  }
  if (port.ip_proto != 0) ip["protocol"] = port.ip_proto;
  Json matches;
  matches[family] = std::move(ip);
  if (port.ip_proto == 6 || port.ip_proto == 17) {
    Json l4;
    // TCP: only connections the camera opened (RFC 8520 section 2.1, direction-initiated).
    if (port.ip_proto == 6) l4["ietf-mud:direction-initiated"] = "from-device";
    l4[from_device ? "destination-port" : "source-port"] = portMatch(port.port);
    matches[port.ip_proto == 6 ? "tcp" : "udp"] = std::move(l4);
  }
  return Json{
      {"name", name}, {"matches", std::move(matches)}, {"actions", Json{{"forwarding", "accept"}}}};
}

// The ACL name of a group, family and direction: "camwatch-cameras-v4fr".
std::string aclName(const std::string& group, const std::string& family, bool from_device) {
  return fmt::format("camwatch-{}-v{}{}", group, family == "ipv4" ? "4" : "6",
                     from_device ? "fr" : "to");
}

}  // namespace

std::string mudProfileJson(const std::vector<LearntDestination>& destinations,
                           const MudExportOptions& options) {
  // ACEs per family and direction; a name goes to the families of the addresses it led to
  // (ipv4 when none is known).
  std::vector<Json> aces[2][2];  // [v6][to-device]
  std::size_t index = 0;
  for (const LearntDestination& destination : destinations) {
    bool v4 = false;
    bool v6 = false;
    for (const IpAddress& address : destination.addresses) (address.isV4() ? v4 : v6) = true;
    if (!v4 && !v6) v4 = true;
    std::vector<LearntPort> ports(destination.ports.begin(), destination.ports.end());
    if (ports.empty()) ports.push_back(LearntPort{});  // any protocol: the remote alone
    for (const int family : {0, 1}) {
      if (family == 0 ? !v4 : !v6) continue;
      const std::string family_name = family == 0 ? "ipv4" : "ipv6";
      std::vector<std::string> prefixes;
      if (destination.named) {
        prefixes.emplace_back();
      } else {
        for (const IpAddress& address : destination.addresses) {
          if (address.isV4() != (family == 0)) continue;
          prefixes.push_back(address.toString() + (family == 0 ? "/32" : "/128"));
        }
      }
      for (std::size_t p = 0; p < prefixes.size(); ++p) {
        for (std::size_t port = 0; port < ports.size(); ++port) {
          const std::string base = fmt::format("d{}-{}-{}", index, p, port);
          aces[family][0].push_back(
              ace(base + "-frdev", true, family_name, destination, prefixes[p], ports[port]));
          aces[family][1].push_back(
              ace(base + "-todev", false, family_name, destination, prefixes[p], ports[port]));
        }
      }
    }
    ++index;
  }
  Json from_lists = Json::array();
  Json to_lists = Json::array();
  Json acls = Json::array();
  for (const int family : {0, 1}) {
    // An IPv4 ACL always, so that a group with nothing learnt still gets a valid, empty profile.
    if (family == 1 && aces[1][0].empty()) continue;
    const std::string family_name = family == 0 ? "ipv4" : "ipv6";
    for (const int to_device : {0, 1}) {
      const std::string name = aclName(options.group, family_name, to_device == 0);
      (to_device == 0 ? from_lists : to_lists).push_back(Json{{"name", name}});
      Json ace_list = Json::array();
      for (Json& entry : aces[family][to_device]) ace_list.push_back(std::move(entry));
      acls.push_back(Json{{"name", name},
                          {"type", family_name + "-acl-type"},
                          {"aces", Json{{"ace", std::move(ace_list)}}}});
    }
  }
  Json mud;
  mud["mud-version"] = 1;
  mud["mud-url"] = options.mud_url.empty()
                       ? fmt::format("https://camwatch.invalid/mud/{}.json", options.group)
                       : options.mud_url;
  mud["last-update"] = formatTimestamp(options.last_update, 0);
  mud["cache-validity"] = 48;
  mud["is-supported"] = true;
  mud["systeminfo"] = fmt::format("camwatch learned baseline of camera group {}: {} destination(s)",
                                  options.group, destinations.size());
  mud["from-device-policy"] = Json{{"access-lists", Json{{"access-list", std::move(from_lists)}}}};
  mud["to-device-policy"] = Json{{"access-lists", Json{{"access-list", std::move(to_lists)}}}};
  Json out;
  out["ietf-mud:mud"] = std::move(mud);
  out["ietf-access-control-list:acls"] = Json{{"acl", std::move(acls)}};
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace camwatch
