// baseline: what each camera group talked to while camwatch was learning (the `learn` mode), so
// that the `enforce` mode can flag destinations never seen before. Inputs: the facts about one
// egress destination (group, hostname, AS number, country, nDPI protocol, address). Outputs: in
// learn mode, whether anything new was recorded (the caller then saves the state file); in enforce
// mode, the first facet of a destination that was never learnt, which the caller raises as a
// `new_destination` alert.
//
// What is learnt per group: the hostnames (domains), AS numbers, countries and protocols of the
// destinations, and, only for destinations with neither hostname nor AS number, the address itself.
// Per hostname also where it led (its "places": the AS numbers and countries its flows reached), so
// that a learnt name that later resolves into another network or country can be told apart
// (destination_drift, daemon/policy/destination_drift.h).
//
// State file (one JSON document, written atomically by save(), read by load()):
//   {
//     "version": 1,
//     "learning_started": "2026-01-15T09:00:00.000000000Z",   // or null: not started yet
//     "groups": {
//       "<group>": {
//         "domains":   ["cam.example.com", ...],  // lower case, no trailing dot
//         "asns":      [13335, ...],              // 1-4294967295
//         "countries": ["DE", ...],               // two letters, upper case
//         "protocols": ["TLS.HikConnect", "Unknown", ...],  // as nDPI prints them
//         "addresses": ["203.0.113.5", "2001:db8::1", ...],
//         "places": {                                 // optional (files before 0.2 lack it)
//           "cam.example.com": {"asns": [13335], "countries": ["DE"]}, ...
//         }
//       }
//     }
//   }
// Groups are in name order, every array sorted (addresses in address order, IPv4 first), so the
// same learnt content always gives a byte-identical file (diffable, and no rewrite churn).
//
// Threads: owned and used by the control thread only (no locking). Facts arrive in packet-time
// order. check() allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch {

/// One egress destination as the baseline sees it. Views only: valid for the duration of the
/// call; the baseline copies what it keeps.
struct BaselineFacts {
  std::string_view group;     ///< the camera's group
  std::string_view hostname;  ///< SNI, HTTP Host or DNS-cache name; empty when unknown
  std::uint32_t asn = 0;      ///< 0 when unknown
  /// ISO 3166-1 alpha-2, any case; empty (or anything but two ASCII letters) when unknown.
  std::string_view country;
  /// As nDPI prints it ("TLS.HikConnect"). "Unknown" (nDPI gave up) is a protocol like any other
  /// and is learnt; empty means "not classified yet" and is neither learnt nor checked.
  std::string_view protocol;
  IpAddress ip;  ///< the destination address
};

/// Where a learnt hostname's flows went: its AS numbers and countries (either may be empty when
/// GeoIP knew nothing).
struct LearntPlaces {
  std::set<std::uint32_t> asns;
  std::set<std::string, std::less<>> countries;  ///< upper case
  bool operator==(const LearntPlaces&) const = default;
};

/// Which facet of a destination was not learnt. Checked in declaration order after kKnown.
enum class Novelty : std::uint8_t {
  kKnown,        ///< every facet was learnt
  kNewDomain,    ///< the hostname (when known)
  kNewAsn,       ///< the AS number (when there is no hostname)
  kNewAddress,   ///< the address (when there is neither hostname nor AS number)
  kNewCountry,   ///< the country (when known)
  kNewProtocol,  ///< the protocol (when classified)
};

/// "known", "domain", "asn", "address", "country", "protocol": stable label values. Any thread.
std::string_view noveltyName(Novelty novelty);

/// The learnt destinations of every camera group.
class LearnedBaseline {
 public:
  /// Records every known facet of `facts` for `facts.group`: the hostname (lower-cased, trailing
  /// dot dropped), the AS number, the country (upper-cased), the protocol, and the address when
  /// there is neither hostname nor AS number.
  /// @return true when anything was new (the caller then saves); false when all was known.
  bool learn(const BaselineFacts& facts);

  /// The first facet of `facts` not learnt for `facts.group`, in this order: the destination
  /// (the hostname when known -> kNewDomain; else the AS number when known -> kNewAsn; else the
  /// address -> kNewAddress), then the country when known, then the protocol when classified.
  /// Hostnames and countries compare case-insensitively. A group with nothing learnt reports its
  /// destination as new. Allocates nothing.
  /// @return kKnown when every facet was learnt.
  Novelty check(const BaselineFacts& facts) const;

  /// Where the learnt hostname `hostname` of `group` led while learning; null when the name was
  /// not learnt, or was learnt by a state file without places. Case-insensitive; no allocation.
  const LearntPlaces* places(std::string_view group, std::string_view hostname) const;

  /// When learning began, in packet time; 0 = not yet. The caller sets it on the first packet of
  /// a learning run and ends learning after its configured period.
  Timestamp learningStarted() const { return learning_started_; }
  void setLearningStarted(Timestamp ts) { learning_started_ = ts; }

  /// Reads the state file at `path` (format in the comment at the top of this header). Hostnames
  /// and countries are normalised as learn() does; duplicates are merged.
  /// @return the baseline; an empty one when the file does not exist. An error naming the path
  /// and what is wrong: the JSON parse position ("baseline.json: parse error at line 3, column
  /// 5: ..."), or the field ("baseline.json: groups.cameras.asns[2]: expected a number").
  static Result<LearnedBaseline> load(const std::string& path);

  /// Writes the state file atomically: `<path>.tmp` in the same folder, fsync, rename over
  /// `path`, fsync the folder. A reader sees the old file or the new one, never a mix; a failed
  /// save leaves the old file and no temporary file behind.
  /// @return nothing, or an error naming the file and the errno text.
  Result<void> save(const std::string& path) const;

  /// For `camwatch check-config`: YAML-like text with when learning started (RFC 3339) and per
  /// group the learnt domains, asns, countries, protocols and addresses, each sorted. Allocates.
  std::string describe() const;

  /// Learnt entries over all groups and facets.
  std::size_t size() const;

  bool operator==(const LearnedBaseline&) const = default;

 private:
  // Orders strings by their ASCII-lower-cased bytes, so that a lookup with "CAM.Example.com"
  // finds the stored "cam.example.com" without lower-casing into a buffer first.
  struct CaseInsensitiveLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };
  using NameSet = std::set<std::string, CaseInsensitiveLess>;

  struct Group {
    NameSet domains;
    std::set<std::uint32_t> asns;
    NameSet countries;
    std::set<std::string, std::less<>> protocols;
    std::set<IpAddress> addresses;
    std::map<std::string, LearntPlaces, CaseInsensitiveLess> places;  // keys: lower case

    std::size_t size() const;
    bool operator==(const Group&) const = default;
  };

  Timestamp learning_started_ = 0;
  std::map<std::string, Group, std::less<>> groups_;
};

}  // namespace camwatch
