// LearnedBaseline: per group, sorted sets of what was learnt. Sets with transparent comparators
// let check() look names up straight from the string_views of the facts, so enforcing allocates
// nothing; sorted sets also make the state file come out in one stable order.
#include <algorithm>
#include <array>
#include <cerrno>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <camwatch/baseline.h>
#include <camwatch/packet.h>

#include "policy/learnt_destination_record.h"
#include "util/durable_file.h"
#include "util/text.h"

namespace camwatch {
namespace {

constexpr int kStateVersion = 1;

// The destination facet check() reports first when the group has nothing for it.
Novelty destinationNovelty(std::string_view hostname, std::uint32_t asn) {
  if (!hostname.empty()) return Novelty::kNewDomain;
  if (asn != 0) return Novelty::kNewAsn;
  return Novelty::kNewAddress;
}

// Reads the state file's JSON into a LearnedBaseline; every error names the file and the field.
class StateReader {
 public:
  explicit StateReader(const std::string& path) : path_(path) {}

  tl::unexpected<Error> fail(std::string_view where, std::string_view what) const {
    return makeError(fmt::format("{}: {}: {}", path_, where, what));
  }

  // Calls `add(element, where)` for each element of the array `json` at `where`; `add` returns
  // an empty string when the element is fine, else what is wrong with it.
  template <typename Add>
  Result<void> forEachElement(const nlohmann::json& json, const std::string& where, Add add) const {
    if (!json.is_array()) return fail(where, "expected an array");
    for (std::size_t i = 0; i < json.size(); ++i) {
      const std::string problem = add(json[i]);
      if (!problem.empty()) return fail(fmt::format("{}[{}]", where, i), problem);
    }
    return {};
  }

  // The top level must be an object whose "version" is kStateVersion.
  Result<void> checkVersion(const nlohmann::json& json) const {
    if (!json.is_object()) return fail("top level", "expected an object");
    auto version = json.find("version");
    if (version == json.end()) return fail("version", "missing");
    if (!version->is_number_integer() || version->get<std::int64_t>() != kStateVersion) {
      return fail("version",
                  fmt::format("{} is not supported (expected {})", version->dump(), kStateVersion));
    }
    return {};
  }

 private:
  const std::string& path_;
};

// The state file's JSON, or an error naming the file and where the parse failed.
Result<nlohmann::json> parseState(const std::string& path, const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    // what() starts with "[json.exception.parse_error.101] "; the rest says where and why.
    std::string_view what = error.what();
    if (const std::size_t bracket = what.find("] "); bracket != std::string_view::npos) {
      what.remove_prefix(bracket + 2);
    }
    return makeError(fmt::format("{}: {}", path, what));
  }
}

// Reads a group's "places" object: hostname -> {"asns": [...], "countries": [...]}.
template <typename Group>
Result<void> readPlaces(const StateReader& reader, const nlohmann::json& places,
                        const std::string& where, Group& group) {
  if (!places.is_object()) return reader.fail(where, "expected an object");
  for (const auto& [hostname, place_json] : places.items()) {
    const std::string place_where = fmt::format("{}.{}", where, hostname);
    const std::string_view name = withoutTrailingDot(hostname);
    if (name.empty()) return reader.fail(place_where, "expected a host name as the key");
    if (!place_json.is_object()) return reader.fail(place_where, "expected an object");
    LearntPlaces& place = group.places[lowerAsciiCopy(name)];
    for (const auto& [key, list] : place_json.items()) {
      const std::string list_where = fmt::format("{}.{}", place_where, key);
      Result<void> read;
      if (key == "asns") {
        read = reader.forEachElement(list, list_where, [&](const nlohmann::json& item) {
          if (!item.is_number_unsigned() || item.get<std::uint64_t>() == 0 ||
              item.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
            return fmt::format("expected an AS number 1-4294967295, not {}", item.dump());
          }
          place.asns.insert(item.get<std::uint32_t>());
          return std::string();
        });
      } else if (key == "countries") {
        read = reader.forEachElement(list, list_where, [&](const nlohmann::json& item) {
          if (!item.is_string() || !isCountryCode(item.get_ref<const std::string&>())) {
            return std::string("expected a two-letter country code");
          }
          place.countries.insert(upperAsciiCopy(item.get_ref<const std::string&>()));
          return std::string();
        });
      } else {
        return reader.fail(list_where, "unknown key (expected asns, countries)");
      }
      if (!read) return read;
    }
  }
  return {};
}

// Reads a group's "destinations" object: key -> the record of one destination.
template <typename Group>
Result<void> readDestinations(const StateReader& reader, const nlohmann::json& destinations,
                              const std::string& where, Group& group) {
  if (!destinations.is_object()) return reader.fail(where, "expected an object");
  for (const auto& [key, record] : destinations.items()) {
    auto destination = readLearntDestination(key, record, fmt::format("{}.{}", where, key));
    if (!destination) return reader.fail(destination.error().where, destination.error().what);
    const std::string name = destination->name;
    group.destinations[name] = std::move(*destination);
  }
  return {};
}

// Reads the list of one facet ("domains", "asns", ...) of a group at `where` into `group`.
// Group is LearnedBaseline::Group, private to it: a template parameter, so it need not be named.
template <typename Group>
Result<void> readFacet(const StateReader& reader, std::string_view facet,
                       const nlohmann::json& list, const std::string& where, Group& group) {
  if (facet == "domains") {
    return reader.forEachElement(list, where, [&](const nlohmann::json& item) {
      if (!item.is_string()) return std::string("expected a string");
      const std::string_view name = withoutTrailingDot(item.get_ref<const std::string&>());
      if (name.empty()) return std::string("expected a host name");
      group.domains.insert(lowerAsciiCopy(name));
      return std::string();
    });
  }
  if (facet == "asns") {
    return reader.forEachElement(list, where, [&](const nlohmann::json& item) {
      if (!item.is_number()) return std::string("expected a number");
      if (!item.is_number_unsigned() || item.get<std::uint64_t>() == 0 ||
          item.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
        return fmt::format("expected an AS number 1-4294967295, not {}", item.dump());
      }
      group.asns.insert(item.get<std::uint32_t>());
      return std::string();
    });
  }
  if (facet == "countries") {
    return reader.forEachElement(list, where, [&](const nlohmann::json& item) {
      if (!item.is_string() || !isCountryCode(item.get_ref<const std::string&>())) {
        return std::string("expected a two-letter country code");
      }
      group.countries.insert(upperAsciiCopy(item.get_ref<const std::string&>()));
      return std::string();
    });
  }
  if (facet == "protocols") {
    return reader.forEachElement(list, where, [&](const nlohmann::json& item) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        return std::string("expected a protocol name");
      }
      group.protocols.insert(item.get<std::string>());
      return std::string();
    });
  }
  if (facet == "addresses") {
    return reader.forEachElement(list, where, [&](const nlohmann::json& item) {
      auto address =
          item.is_string() ? IpAddress::parse(item.get_ref<const std::string&>()) : std::nullopt;
      if (!address) return std::string("expected an IP address");
      group.addresses.insert(*address);
      return std::string();
    });
  }
  if (facet == "places") return readPlaces(reader, list, where, group);
  if (facet == "destinations") return readDestinations(reader, list, where, group);
  // A typo ("domain") would otherwise drop what the operator meant to allow.
  return reader.fail(where,
                     "unknown key (expected domains, asns, countries, protocols, addresses, "
                     "places, destinations)");
}

// Reads the "groups" object into `groups` (group name -> LearnedBaseline::Group).
template <typename Groups>
Result<void> readGroups(const StateReader& reader, const nlohmann::json& json, Groups& groups) {
  if (!json.is_object()) return reader.fail("groups", "expected an object");
  for (const auto& [group_name, group_json] : json.items()) {
    const std::string where = "groups." + group_name;
    if (!group_json.is_object()) return reader.fail(where, "expected an object");
    auto& group = groups[group_name];
    for (const auto& [facet, list] : group_json.items()) {
      Result<void> read = readFacet(reader, facet, list, fmt::format("{}.{}", where, facet), group);
      if (!read) return read;
    }
  }
  return {};
}

std::string entryText(const std::string& name) { return name; }
std::string entryText(std::uint32_t asn) { return std::to_string(asn); }
std::string entryText(const IpAddress& address) { return address.toString(); }

// Appends "    <key>: [a, b, c]" to `out`. (Not fmt::join: GCC 12 -O3 warns inside fmt for it.)
template <typename Set>
void appendList(std::string& out, std::string_view key, const Set& set) {
  out += "    ";
  out += key;
  out += ": [";
  bool first = true;
  for (const auto& entry : set) {
    if (!first) out += ", ";
    out += entryText(entry);
    first = false;
  }
  out += "]\n";
}

}  // namespace

std::string_view noveltyName(Novelty novelty) {
  switch (novelty) {
    case Novelty::kKnown:
      return "known";
    case Novelty::kNewDomain:
      return "domain";
    case Novelty::kNewAsn:
      return "asn";
    case Novelty::kNewAddress:
      return "address";
    case Novelty::kNewCountry:
      return "country";
    case Novelty::kNewProtocol:
      return "protocol";
  }
  return "unknown";
}

bool LearnedBaseline::CaseInsensitiveLess::operator()(std::string_view a,
                                                      std::string_view b) const {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    // Unsigned, as std::string compares: names that differ only above ASCII keep a total order.
    const auto ca = static_cast<unsigned char>(lowerAscii(a[i]));
    const auto cb = static_cast<unsigned char>(lowerAscii(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::size_t LearnedBaseline::Group::size() const {
  // A name's places are details of its domain entry, not entries of their own.
  return domains.size() + asns.size() + countries.size() + protocols.size() + addresses.size();
}

bool LearnedBaseline::learn(const BaselineFacts& facts) {
  auto found = groups_.find(facts.group);
  if (found == groups_.end()) found = groups_.emplace(std::string(facts.group), Group{}).first;
  Group& group = found->second;
  bool added = false;
  // Look before inserting: in a long learning run almost everything is known already, and the
  // lookups do not allocate.
  const std::string_view hostname = withoutTrailingDot(facts.hostname);
  if (!hostname.empty() && !group.domains.contains(hostname)) {
    group.domains.insert(lowerAsciiCopy(hostname));
    added = true;
  }
  if (!hostname.empty() && (facts.asn != 0 || isCountryCode(facts.country))) {
    auto place = group.places.find(hostname);
    if (place == group.places.end()) {
      place = group.places.emplace(lowerAsciiCopy(hostname), LearntPlaces{}).first;
    }
    if (facts.asn != 0 && place->second.asns.insert(facts.asn).second) added = true;
    if (isCountryCode(facts.country)) {
      const std::array<char, 2> upper = {upperAscii(facts.country[0]),
                                         upperAscii(facts.country[1])};
      if (place->second.countries.emplace(upper.data(), upper.size()).second) added = true;
    }
  }
  if (facts.asn != 0 && group.asns.insert(facts.asn).second) added = true;
  if (hostname.empty() && facts.asn == 0 && group.addresses.insert(facts.ip).second) added = true;
  if (isCountryCode(facts.country) && !group.countries.contains(facts.country)) {
    group.countries.insert(upperAsciiCopy(facts.country));
    added = true;
  }
  if (!facts.protocol.empty() && !group.protocols.contains(facts.protocol)) {
    group.protocols.emplace(facts.protocol);
    added = true;
  }
  if (learnDestination(group, hostname, facts)) added = true;
  return added;
}

Novelty LearnedBaseline::check(const BaselineFacts& facts) const {
  const std::string_view hostname = withoutTrailingDot(facts.hostname);
  auto found = groups_.find(facts.group);
  if (found == groups_.end()) return destinationNovelty(hostname, facts.asn);
  const Group& group = found->second;
  if (!hostname.empty()) {
    if (!group.domains.contains(hostname)) return Novelty::kNewDomain;
  } else if (facts.asn != 0) {
    if (!group.asns.contains(facts.asn)) return Novelty::kNewAsn;
  } else if (!group.addresses.contains(facts.ip)) {
    return Novelty::kNewAddress;
  }
  if (isCountryCode(facts.country) && !group.countries.contains(facts.country)) {
    return Novelty::kNewCountry;
  }
  if (!facts.protocol.empty() && !group.protocols.contains(facts.protocol)) {
    return Novelty::kNewProtocol;
  }
  return Novelty::kKnown;
}

const LearntPlaces* LearnedBaseline::places(std::string_view group_name,
                                            std::string_view hostname) const {
  auto group = groups_.find(group_name);
  if (group == groups_.end()) return nullptr;
  auto found = group->second.places.find(withoutTrailingDot(hostname));
  return found == group->second.places.end() ? nullptr : &found->second;
}

std::size_t LearnedBaseline::size() const {
  std::size_t total = 0;
  for (const auto& [name, group] : groups_) total += group.size();
  return total;
}

Result<LearnedBaseline> LearnedBaseline::load(const std::string& path) {
  auto text = readWholeFile(path);
  LearnedBaseline baseline;
  if (!text) {
    // Nothing saved yet: learning starts from scratch.
    if (text.error().call == "open" && text.error().error == ENOENT) return baseline;
    return makeError(
        fmt::format("{}: {}: {}", path, text.error().call, errnoText(text.error().error)));
  }
  Result<nlohmann::json> json = parseState(path, *text);
  if (!json) return tl::unexpected(json.error());

  const StateReader reader(path);
  if (Result<void> version = reader.checkVersion(*json); !version) {
    return tl::unexpected(version.error());
  }
  for (const auto& [key, value] : json->items()) {
    if (key == "version") continue;
    if (key == "learning_started") {
      if (value.is_null()) continue;
      auto started = value.is_string() ? parseTimestamp(value.get<std::string>()) : std::nullopt;
      if (!started) {
        return reader.fail(key, "expected RFC 3339 UTC time (\"2026-01-15T09:00:00Z\") or null");
      }
      baseline.learning_started_ = *started;
    } else if (key == "groups") {
      if (Result<void> read = readGroups(reader, value, baseline.groups_); !read) {
        return tl::unexpected(read.error());
      }
    } else {
      return reader.fail(key, "unknown key (expected version, learning_started, groups)");
    }
  }
  return baseline;
}

Result<void> LearnedBaseline::save(const std::string& path) const {
  // ordered_json keeps the keys in the order written here; groups_ and the sets are sorted.
  nlohmann::ordered_json json;
  json["version"] = kStateVersion;
  json["learning_started"] = learning_started_ == 0
                                 ? nlohmann::ordered_json(nullptr)
                                 : nlohmann::ordered_json(formatTimestamp(learning_started_, 9));
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (const auto& [name, group] : groups_) {
    nlohmann::ordered_json entry;
    entry["domains"] = group.domains;
    entry["asns"] = group.asns;
    entry["countries"] = group.countries;
    entry["protocols"] = group.protocols;
    nlohmann::ordered_json addresses = nlohmann::ordered_json::array();
    for (const IpAddress& address : group.addresses) addresses.push_back(address.toString());
    entry["addresses"] = std::move(addresses);
    nlohmann::ordered_json places = nlohmann::ordered_json::object();
    for (const auto& [hostname, place] : group.places) {
      places[hostname] = {{"asns", place.asns}, {"countries", place.countries}};
    }
    entry["places"] = std::move(places);
    nlohmann::ordered_json destinations = nlohmann::ordered_json::object();
    for (const auto& [key, destination] : group.destinations) {
      destinations[key] = learntDestinationJson(destination);
    }
    entry["destinations"] = std::move(destinations);
    groups[name] = std::move(entry);
  }
  json["groups"] = std::move(groups);
  return writeFileAtomically(
      path, json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::string LearnedBaseline::describe() const {
  std::string out = "learning_started: ";
  out += learning_started_ == 0 ? std::string("not yet") : formatTimestamp(learning_started_, 0);
  out += '\n';
  if (groups_.empty()) {
    out += "groups: none\n";
    return out;
  }
  out += "groups:\n";
  for (const auto& [name, group] : groups_) {
    out += "  " + name + ":\n";
    appendList(out, "domains", group.domains);
    appendList(out, "asns", group.asns);
    appendList(out, "countries", group.countries);
    appendList(out, "protocols", group.protocols);
    appendList(out, "addresses", group.addresses);
    for (const auto& [hostname, place] : group.places) {
      out += "    places of " + hostname + ":\n  ";
      appendList(out, "asns", place.asns);
      out += "  ";
      appendList(out, "countries", place.countries);
    }
  }
  return out;
}

}  // namespace camwatch
