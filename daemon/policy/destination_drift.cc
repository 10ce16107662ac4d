// DestinationDriftMonitor: first places in a map keyed by (group, lower-cased name); a check of a
// known name allocates only for the key it builds, and only the control thread calls it, once per
// judged flow with a name (never per packet).
#include "policy/destination_drift.h"

#include <array>

#include "util/text.h"

namespace camwatch {
namespace {

bool isCountryCode(std::string_view country) {
  return country.size() == 2 && isAsciiLetter(country[0]) && isAsciiLetter(country[1]);
}

std::string_view withoutTrailingDot(std::string_view hostname) {
  if (!hostname.empty() && hostname.back() == '.') hostname.remove_suffix(1);
  return hostname;
}

}  // namespace

std::optional<DestinationDrift> DestinationDriftMonitor::check(std::string_view group,
                                                               std::string_view hostname,
                                                               std::uint32_t asn,
                                                               std::string_view country,
                                                               const LearntPlaces* learnt) {
  hostname = withoutTrailingDot(hostname);
  const bool has_country = isCountryCode(country);
  if (hostname.empty() || (asn == 0 && !has_country)) return std::nullopt;
  std::string upper_country;
  if (has_country) upper_country = {upperAscii(country[0]), upperAscii(country[1])};

  const LearntPlaces* reference = learnt;
  if (reference == nullptr) {
    auto key = std::make_pair(std::string(group), lowerAsciiCopy(hostname));
    auto found = first_places_.find(key);
    if (found == first_places_.end()) {
      if (first_places_.size() >= max_names_) {
        ++names_not_tracked_;
        return std::nullopt;
      }
      // The first flow of the name sets its reference: nothing to compare it with yet.
      LearntPlaces first;
      if (asn != 0) first.asns.insert(asn);
      if (has_country) first.countries.insert(upper_country);
      first_places_.emplace(std::move(key), std::move(first));
      return std::nullopt;
    }
    // A facet the first flow did not know (GeoIP had no AS) is learnt from the next that does.
    LearntPlaces& first = found->second;
    if (first.asns.empty() && asn != 0) first.asns.insert(asn);
    if (first.countries.empty() && has_country) first.countries.insert(upper_country);
    reference = &first;
  }
  const bool new_asn = asn != 0 && !reference->asns.empty() && !reference->asns.contains(asn);
  const bool new_country =
      has_country && !reference->countries.empty() && !reference->countries.contains(upper_country);
  if (!new_asn && !new_country) return std::nullopt;
  DestinationDrift drift;
  drift.previous_asns.assign(reference->asns.begin(), reference->asns.end());
  drift.previous_countries.assign(reference->countries.begin(), reference->countries.end());
  return drift;
}

}  // namespace camwatch
