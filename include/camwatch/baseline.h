// baseline: what each camera group talked to while camwatch was learning (the `learn` mode), so
// that the `enforce` mode can flag destinations never seen before. Inputs: the facts about one
// egress destination (group, hostname, AS number, country, nDPI protocol, address). Outputs: in
// learn mode, whether anything new was recorded (the caller then saves the state file); in enforce
// mode, the first facet of a destination that was never learnt, which the caller raises as a
// `new_destination` alert.
//
// What is learnt per group: per destination (a hostname, or the address of a flow without one)
// what `camwatch baseline show` lists, exports and removes (its AS numbers, operator, countries,
// protocols, ports, addresses, cameras, flows, bytes, first and last seen); and, as the facets
// enforcing checks, the hostnames (domains), AS numbers, countries and protocols of the
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
//         },
//         "destinations": {                           // optional (files before 0.3 lack it)
//           "cam.example.com": {                      // the hostname, or the address when none
//             "named": true, "operator": "Cloudflare", "asns": [13335], "countries": ["DE"],
//             "protocols": ["TLS"], "ports": ["tcp/443"], "addresses": ["203.0.113.5"],
//             "cameras": ["192.168.10.21"], "flows": 3, "bytes": 5120, "dns_ttl": 300,
//             "first_seen": "2026-01-15T09:00:01.000000000Z", "last_seen": "..."
//           }, ...
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
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

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
  // For the destination record (LearntDestination); learn() only, check() ignores them.
  std::uint16_t port = 0;     ///< the server port; 0 for protocols without ports
  std::uint8_t ip_proto = 0;  ///< 6 TCP, 17 UDP, ...; 0 when unknown
  std::optional<IpAddress> camera;
  std::uint64_t bytes = 0;         ///< camera to destination, as far as the flow was seen
  Timestamp first_seen = 0;        ///< the flow's first packet
  Timestamp last_seen = 0;         ///< when it was judged
  std::string_view operator_name;  ///< who runs the network (operators file, else AS org)
  /// The TTL of the DNS answer that named the address (seconds); 0: not named by DNS.
  std::uint32_t dns_ttl = 0;
};

/// A transport and server port a destination was reached on ("tcp/443").
struct LearntPort {
  std::uint8_t ip_proto = 0;  ///< 6 TCP, 17 UDP, 1 ICMP, ...
  std::uint16_t port = 0;     ///< 0 for protocols without ports
  auto operator<=>(const LearntPort&) const = default;
  /// "tcp/443", "udp/123", "icmp", "proto-47".
  std::string toString() const;
  /// Reads what toString() writes; nullopt for anything else.
  static std::optional<LearntPort> parse(std::string_view text);
};

/// One destination a group reached while learning: a hostname ("named"), or an address for the
/// flows that had no name. What `camwatch baseline show` lists and the exports are made from.
struct LearntDestination {
  std::string name;           ///< lower case hostname, or the address text
  bool named = false;         ///< a hostname; else `name` is an address
  std::string operator_name;  ///< who runs its network; empty when unknown
  std::set<std::uint32_t> asns;
  std::set<std::string, std::less<>> countries;
  std::set<std::string, std::less<>> protocols;
  std::set<LearntPort> ports;
  std::set<IpAddress> addresses;  ///< the server addresses its flows reached
  std::set<IpAddress> cameras;
  std::uint64_t flows = 0;
  std::uint64_t bytes = 0;
  /// The TTL of the latest DNS answer that named it (seconds); 0: none seen (a name from TLS
  /// SNI or HTTP Host only, or an address).
  std::uint32_t dns_ttl = 0;
  Timestamp first_seen = 0;  ///< 0: unknown (a state file older than destination records)
  Timestamp last_seen = 0;
  bool operator==(const LearntDestination&) const = default;
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

  /// Adds `bytes` to the record of the destination `hostname` (or `ip` when empty) of `group`,
  /// learnt before; nothing when there is none. Does not count as a change to save (the next
  /// save writes it).
  void addBytes(std::string_view group, std::string_view hostname, const IpAddress& ip,
                std::uint64_t bytes);

  /// The groups with anything learnt, in name order.
  std::vector<std::string> groupNames() const;

  /// The learnt destinations of `group`, in name order (hostnames, then addresses). For a state
  /// file older than destination records, the learnt hostnames and addresses with only what the
  /// facets say (places; no ports, cameras, bytes or times). Empty for an unknown group.
  std::vector<LearntDestination> destinations(std::string_view group) const;

  /// Drops the destination `entry` (a hostname, any case, or an address) of `group`: its record,
  /// the hostname (and its places) or the address, and the AS numbers only it brought in. An
  /// error naming the group, or the entry and what the group does have, when there is no such
  /// thing.
  Result<void> remove(std::string_view group, std::string_view entry);

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
    // Keys: lower case hostname or address text.
    std::map<std::string, LearntDestination, CaseInsensitiveLess> destinations;

    std::size_t size() const;
    bool operator==(const Group&) const = default;
  };

  // Records `facts` in the destination record of `hostname` (or of the address when empty).
  // @return true when anything new was recorded, or the destination was seen later than before.
  static bool learnDestination(Group& group, std::string_view hostname, const BaselineFacts& facts);

  Timestamp learning_started_ = 0;
  std::map<std::string, Group, std::less<>> groups_;
};

}  // namespace camwatch
