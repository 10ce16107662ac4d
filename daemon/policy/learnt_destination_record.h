// learnt_destination_record: the state file's form of a learnt destination (the "destinations"
// of a group, include/camwatch/baseline.h), and the name and country rules the learned baseline
// applies everywhere. Internal to policy/ (learned_baseline.cc, learnt_destinations.cc).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <camwatch/baseline.h>

#include "util/text.h"

namespace camwatch {

// A fully qualified name ("cam.example.com.") is the same host as the relative one.
inline std::string_view withoutTrailingDot(std::string_view hostname) {
  if (!hostname.empty() && hostname.back() == '.') hostname.remove_suffix(1);
  return hostname;
}

// GeoIP databases sometimes answer with placeholders ("--") or nothing; only a real alpha-2 code
// is a country worth learning, so learn() and check() treat anything else as unknown.
inline bool isCountryCode(std::string_view country) {
  return country.size() == 2 && isAsciiLetter(country[0]) && isAsciiLetter(country[1]);
}

/// Where in the state file a record is wrong ("groups.cams.destinations.x.ports[0]") and how.
struct RecordError {
  std::string where;
  std::string what;
};

/// Reads the record `record` of the destination `key` (a hostname or an address) found at `at`.
tl::expected<LearntDestination, RecordError> readLearntDestination(const std::string& key,
                                                                   const nlohmann::json& record,
                                                                   const std::string& at);

/// The record as the state file holds it (every field, in a fixed order).
nlohmann::ordered_json learntDestinationJson(const LearntDestination& destination);

}  // namespace camwatch
