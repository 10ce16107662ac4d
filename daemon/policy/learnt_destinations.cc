// The learned baseline's destination records: what learn() gathers per destination, what
// `camwatch baseline show|remove` and the exports read, and their part of the state file.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <camwatch/baseline.h>

#include "policy/learnt_destination_record.h"
#include "util/text.h"

namespace camwatch {

std::string LearntPort::toString() const {
  switch (ip_proto) {
    case 6:
      return fmt::format("tcp/{}", port);
    case 17:
      return fmt::format("udp/{}", port);
    case 1:
      return "icmp";
    case 58:
      return "icmpv6";
    default:
      return fmt::format("proto-{}", ip_proto);
  }
}

std::optional<LearntPort> LearntPort::parse(std::string_view text) {
  auto number = [](std::string_view digits, unsigned max) -> std::optional<unsigned> {
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > max) return std::nullopt;
    return value;
  };
  if (text == "icmp") return LearntPort{1, 0};
  if (text == "icmpv6") return LearntPort{58, 0};
  if (text.starts_with("proto-")) {
    auto proto = number(text.substr(6), 255);
    if (!proto || *proto == 6 || *proto == 17) return std::nullopt;
    return LearntPort{static_cast<std::uint8_t>(*proto), 0};
  }
  for (const auto& [prefix, proto] : {std::pair{"tcp/", 6}, std::pair{"udp/", 17}}) {
    if (!text.starts_with(prefix)) continue;
    auto port = number(text.substr(4), 65535);
    if (!port) return std::nullopt;
    return LearntPort{static_cast<std::uint8_t>(proto), static_cast<std::uint16_t>(*port)};
  }
  return std::nullopt;
}

// Reads one record of a group's "destinations" object at `at`.
tl::expected<LearntDestination, RecordError> readLearntDestination(const std::string& key,
                                                                   const nlohmann::json& record,
                                                                   const std::string& at) {
  auto fail = [](std::string where, std::string what) {
    return tl::unexpected(RecordError{std::move(where), std::move(what)});
  };
  if (!record.is_object()) return fail(at, "expected an object");
  LearntDestination destination;
  const std::optional<IpAddress> key_address = IpAddress::parse(key);
  destination.named = !key_address.has_value();
  destination.name =
      destination.named ? lowerAsciiCopy(withoutTrailingDot(key)) : key_address->toString();
  if (destination.name.empty()) return fail(at, "expected a host name or an address");
  // Calls `add` on each element of the array `list`: "" when all were fine, "!" when `list` is
  // no array, else "<index>|<what is wrong>".
  auto forEach = [](const nlohmann::json& list, auto add) -> std::string {
    if (!list.is_array()) return "!";
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string problem = add(list[i]);
      if (!problem.empty()) return std::to_string(i) + "|" + problem;
    }
    return "";
  };
  for (const auto& [field, value] : record.items()) {
    const std::string field_at = fmt::format("{}.{}", at, field);
    std::string problem;  // of an array element: set by forEach
    if (field == "named") {
      if (!value.is_boolean()) return fail(field_at, "expected true or false");
    } else if (field == "operator") {
      if (!value.is_string()) return fail(field_at, "expected a string");
      destination.operator_name = value.get<std::string>();
    } else if (field == "asns") {
      problem = forEach(value, [&](const nlohmann::json& item) {
        if (!item.is_number_unsigned() || item.get<std::uint64_t>() == 0 ||
            item.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
          return fmt::format("expected an AS number 1-4294967295, not {}", item.dump());
        }
        destination.asns.insert(item.get<std::uint32_t>());
        return std::string();
      });
    } else if (field == "countries") {
      problem = forEach(value, [&](const nlohmann::json& item) {
        if (!item.is_string() || !isCountryCode(item.get_ref<const std::string&>())) {
          return std::string("expected a two-letter country code");
        }
        destination.countries.insert(upperAsciiCopy(item.get_ref<const std::string&>()));
        return std::string();
      });
    } else if (field == "protocols") {
      problem = forEach(value, [&](const nlohmann::json& item) {
        if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
          return std::string("expected a protocol name");
        }
        destination.protocols.insert(item.get<std::string>());
        return std::string();
      });
    } else if (field == "ports") {
      problem = forEach(value, [&](const nlohmann::json& item) {
        auto port =
            item.is_string() ? LearntPort::parse(item.get_ref<const std::string&>()) : std::nullopt;
        if (!port) return std::string("expected \"tcp/443\", \"udp/123\", \"icmp\"");
        destination.ports.insert(*port);
        return std::string();
      });
    } else if (field == "addresses" || field == "cameras") {
      auto& set = field == "addresses" ? destination.addresses : destination.cameras;
      problem = forEach(value, [&](const nlohmann::json& item) {
        auto address =
            item.is_string() ? IpAddress::parse(item.get_ref<const std::string&>()) : std::nullopt;
        if (!address) return std::string("expected an IP address");
        set.insert(*address);
        return std::string();
      });
    } else if (field == "dns_ttl") {
      if (!value.is_number_unsigned() ||
          value.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
        return fail(field_at, "expected seconds");
      }
      destination.dns_ttl = value.get<std::uint32_t>();
    } else if (field == "flows" || field == "bytes") {
      if (!value.is_number_unsigned()) return fail(field_at, "expected a count");
      (field == "flows" ? destination.flows : destination.bytes) = value.get<std::uint64_t>();
    } else if (field == "first_seen" || field == "last_seen") {
      if (value.is_null()) continue;
      auto time = value.is_string() ? parseTimestamp(value.get<std::string>()) : std::nullopt;
      if (!time) return fail(field_at, "expected RFC 3339 UTC time");
      (field == "first_seen" ? destination.first_seen : destination.last_seen) = *time;
    } else {
      return fail(field_at,
                  "unknown key (expected named, operator, asns, countries, protocols, "
                  "ports, addresses, cameras, flows, bytes, dns_ttl, first_seen, last_seen)");
    }
    if (problem.starts_with("!")) return fail(field_at, "expected an array");
    if (!problem.empty()) {
      const std::size_t bar = problem.find('|');
      return fail(field_at + "[" + problem.substr(0, bar) + "]", problem.substr(bar + 1));
    }
  }
  return destination;
}

nlohmann::ordered_json learntDestinationJson(const LearntDestination& destination) {
  nlohmann::ordered_json record;
  record["named"] = destination.named;
  record["operator"] = destination.operator_name;
  record["asns"] = destination.asns;
  record["countries"] = destination.countries;
  record["protocols"] = destination.protocols;
  nlohmann::ordered_json ports = nlohmann::ordered_json::array();
  for (const LearntPort& port : destination.ports) ports.push_back(port.toString());
  record["ports"] = std::move(ports);
  for (const auto& [field, set] : {std::pair{"addresses", &destination.addresses},
                                   std::pair{"cameras", &destination.cameras}}) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const IpAddress& address : *set) list.push_back(address.toString());
    record[field] = std::move(list);
  }
  record["flows"] = destination.flows;
  record["bytes"] = destination.bytes;
  record["dns_ttl"] = destination.dns_ttl;
  for (const auto& [field, time] : {std::pair{"first_seen", destination.first_seen},
                                    std::pair{"last_seen", destination.last_seen}}) {
    record[field] = time == 0 ? nlohmann::ordered_json(nullptr)
                              : nlohmann::ordered_json(formatTimestamp(time, 9));
  }
  return record;
}

bool LearnedBaseline::learnDestination(Group& group, std::string_view hostname,
                                       const BaselineFacts& facts) {
  bool added = false;
  const std::string address_text = hostname.empty() ? facts.ip.toString() : std::string();
  const std::string_view key = hostname.empty() ? std::string_view(address_text) : hostname;
  auto found = group.destinations.find(key);
  if (found == group.destinations.end()) {
    LearntDestination fresh;
    fresh.named = !hostname.empty();
    fresh.name = fresh.named ? lowerAsciiCopy(hostname) : address_text;
    found = group.destinations.emplace(fresh.name, std::move(fresh)).first;
    added = true;
  }
  LearntDestination& destination = found->second;
  if (destination.operator_name.empty() && !facts.operator_name.empty()) {
    destination.operator_name = std::string(facts.operator_name);
    added = true;
  }
  if (facts.asn != 0 && destination.asns.insert(facts.asn).second) added = true;
  if (isCountryCode(facts.country) &&
      destination.countries.insert(upperAsciiCopy(facts.country)).second) {
    added = true;
  }
  if (!facts.protocol.empty() && !destination.protocols.contains(facts.protocol)) {
    destination.protocols.emplace(facts.protocol);
    added = true;
  }
  if (facts.ip_proto != 0 &&
      destination.ports.insert(LearntPort{facts.ip_proto, facts.port}).second)
    added = true;
  if (destination.addresses.insert(facts.ip).second) added = true;
  if (facts.camera && destination.cameras.insert(*facts.camera).second) added = true;
  ++destination.flows;
  destination.bytes += facts.bytes;
  if (facts.dns_ttl != 0) destination.dns_ttl = facts.dns_ttl;
  if (facts.first_seen != 0 &&
      (destination.first_seen == 0 || facts.first_seen < destination.first_seen)) {
    destination.first_seen = facts.first_seen;
    added = true;
  }
  // A later sighting is worth saving (the periodic save writes it), a replay of the same
  // packets is not: its counts alone do not mark the baseline changed.
  if (facts.last_seen > destination.last_seen) {
    destination.last_seen = facts.last_seen;
    added = true;
  }
  return added;
}

void LearnedBaseline::addBytes(std::string_view group_name, std::string_view hostname,
                               const IpAddress& ip, std::uint64_t bytes) {
  auto group = groups_.find(group_name);
  if (group == groups_.end()) return;
  hostname = withoutTrailingDot(hostname);
  const std::string address_text = hostname.empty() ? ip.toString() : std::string();
  auto found =
      group->second.destinations.find(hostname.empty() ? std::string_view(address_text) : hostname);
  if (found != group->second.destinations.end()) found->second.bytes += bytes;
}

std::vector<std::string> LearnedBaseline::groupNames() const {
  std::vector<std::string> names;
  for (const auto& [name, group] : groups_) names.push_back(name);
  return names;
}

std::vector<LearntDestination> LearnedBaseline::destinations(std::string_view group_name) const {
  std::vector<LearntDestination> out;
  auto group = groups_.find(group_name);
  if (group == groups_.end()) return out;
  const Group& learnt = group->second;
  for (const auto& [key, destination] : learnt.destinations) out.push_back(destination);
  // A state file older than destination records: its names and addresses, with their places.
  for (const std::string& domain : learnt.domains) {
    if (learnt.destinations.contains(domain)) continue;
    LearntDestination destination;
    destination.name = domain;
    destination.named = true;
    if (auto place = learnt.places.find(domain); place != learnt.places.end()) {
      destination.asns = place->second.asns;
      destination.countries = place->second.countries;
    }
    out.push_back(std::move(destination));
  }
  for (const IpAddress& address : learnt.addresses) {
    if (learnt.destinations.contains(address.toString())) continue;
    LearntDestination destination;
    destination.name = address.toString();
    destination.addresses.insert(address);
    out.push_back(std::move(destination));
  }
  // Hostnames first, then addresses in address order; each part sorted.
  std::sort(out.begin(), out.end(), [](const LearntDestination& a, const LearntDestination& b) {
    if (a.named != b.named) return a.named;
    if (a.named) return a.name < b.name;
    return *IpAddress::parse(a.name) < *IpAddress::parse(b.name);
  });
  return out;
}

Result<void> LearnedBaseline::remove(std::string_view group_name, std::string_view entry) {
  auto group = groups_.find(group_name);
  if (group == groups_.end()) {
    std::string known;
    for (const auto& [name, learnt] : groups_) known += (known.empty() ? "" : ", ") + name;
    return makeError(fmt::format("no group '{}' in the baseline (it has: {})", group_name,
                                 known.empty() ? std::string("none") : known));
  }
  Group& learnt = group->second;
  const std::optional<IpAddress> address = IpAddress::parse(entry);
  const std::string key = address ? address->toString() : lowerAsciiCopy(withoutTrailingDot(entry));
  const bool had_record = learnt.destinations.contains(key);
  const bool had_facet =
      address ? learnt.addresses.contains(*address) : learnt.domains.contains(key);
  if (!had_record && !had_facet) {
    std::string known;
    for (const LearntDestination& destination : destinations(group_name)) {
      if (known.size() > 200) {
        known += ", ...";
        break;
      }
      known += (known.empty() ? "" : ", ") + destination.name;
    }
    return makeError(fmt::format("group '{}' has no learnt destination '{}' (it has: {})",
                                 group_name, entry, known.empty() ? std::string("none") : known));
  }
  std::set<std::uint32_t> asns;
  if (auto record = learnt.destinations.find(key); record != learnt.destinations.end()) {
    asns = record->second.asns;
    learnt.destinations.erase(record);
  }
  if (address) {
    learnt.addresses.erase(*address);
    // Enforcing allows a nameless flow by its AS: the AS numbers only this entry brought in go
    // with it, or the removed address would still pass.
    for (const std::uint32_t asn : asns) {
      const bool kept = std::any_of(learnt.destinations.begin(), learnt.destinations.end(),
                                    [asn](const auto& other) {
                                      return !other.second.named && other.second.asns.contains(asn);
                                    });
      if (!kept) learnt.asns.erase(asn);
    }
  } else {
    learnt.domains.erase(key);
    learnt.places.erase(key);
  }
  return {};
}

}  // namespace camwatch
