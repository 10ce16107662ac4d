// DestinationDriftMonitor: whether a name a camera group may use ("allowed": a rule or the default
// allowed it; "learnt": the baseline learnt it) now leads somewhere else. A vendor that moves its
// cloud from a European provider to a Chinese one keeps the name the firewall allows; only where
// the name resolves changes. The reference of a name is where it led while learning (the
// baseline's places) or, for a name the baseline does not have, the first place a flow of it
// reached since camwatch started (remembered here). A flow into an AS or a country outside the
// reference is a drift; the reference does not grow with drifts, so the alert stays firing while
// the name keeps leading to the new place, and resolves when it returns.
//
// Threads: control thread only, like the alert engine that owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <camwatch/baseline.h>

namespace camwatch {

/// The reference a drifting flow left: the AS numbers and countries its name led to before.
struct DestinationDrift {
  std::vector<std::uint32_t> previous_asns;     ///< sorted
  std::vector<std::string> previous_countries;  ///< sorted, upper case
};

class DestinationDriftMonitor {
 public:
  /// Remembers first places for at most `max_names` (group, name) pairs; names past that have no
  /// reference (counted by namesNotTracked()). Why bounded: names come from the network.
  explicit DestinationDriftMonitor(std::size_t max_names = 65536) : max_names_(max_names) {}

  /// Checks a flow of `group` to `hostname` that reached `asn` (0: unknown) in `country` (two
  /// letters, any case; else unknown). `learnt` is the baseline's places for the name, or null:
  /// then the first place seen for (group, name) is the reference. Unknown facets are not
  /// checked. @return the reference left, when the AS or the country is outside it.
  std::optional<DestinationDrift> check(std::string_view group, std::string_view hostname,
                                        std::uint32_t asn, std::string_view country,
                                        const LearntPlaces* learnt);

  std::size_t namesTracked() const { return first_places_.size(); }
  std::uint64_t namesNotTracked() const { return names_not_tracked_; }

 private:
  std::size_t max_names_;
  std::map<std::pair<std::string, std::string>, LearntPlaces, std::less<>> first_places_;
  std::uint64_t names_not_tracked_ = 0;
};

}  // namespace camwatch
