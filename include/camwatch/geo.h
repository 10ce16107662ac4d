// geo/: address scopes, GeoIP country and AS lookups from MMDB files, and the per-worker caches
// in front of them.
//
// Where the remote side of a flow is. Inputs: an IP address (once per flow, not per packet).
// Outputs: GeoInfo: the address scope, and for public addresses the ISO country code and the
// AS number and organisation from MMDB files (docs/geoip.md).
//
// Threads: one MaxmindGeoLookup is opened on the control thread and shared read-only by every
// worker (behind std::shared_ptr<const GeoLookup>); each worker puts its own CachedGeoLookup in
// front of it. Addresses that are not public (RFC 1918, loopback, documentation, ...) are labelled
// with their scope and never looked up: no database knows where 10.0.0.1 is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/result.h>

namespace camwatch {

/// What kind of address this is. Only kPublic addresses are looked up. Names (scopeName) are
/// stable snake_case label values.
enum class AddressScope : std::uint8_t {
  kPublic,         ///< globally routable unicast: looked up
  kPrivate,        ///< RFC 1918 (10/8, 172.16/12, 192.168/16), IPv6 unique local fc00::/7
  kLoopback,       ///< 127/8, ::1
  kLinkLocal,      ///< 169.254/16, fe80::/10
  kMulticast,      ///< 224/4, ff00::/8
  kCgnat,          ///< shared address space 100.64/10 (RFC 6598): the carrier's NAT, not a place
  kDocumentation,  ///< 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kReserved,       ///< 0/8, 192.0.0/24, 198.18/15 (benchmarking), 240/4; IPv6 outside 2000::/3
  kUnspecified,    ///< 0.0.0.0, ::
  kBroadcast,      ///< 255.255.255.255
};

/// "public", "private", "loopback", "link_local", "multicast", "cgnat", "documentation",
/// "reserved", "unspecified", "broadcast".
std::string_view scopeName(AddressScope scope);

/// The scope of `address`. IPv4 is recognised in its IPv4-mapped form, and in the NAT64
/// well-known prefix 64:ff9b::/96 (RFC 6052) the embedded IPv4 address decides. Cheap: no
/// allocation, a few comparisons. Any thread.
AddressScope addressScope(const IpAddress& address);

/// What is known about one address. Cheap to copy except `org`, which is copied once per flow.
struct GeoInfo {
  AddressScope scope = AddressScope::kPublic;
  char country[3] = {};   ///< ISO 3166-1 alpha-2 code ("DE"), NUL-terminated; "" when unknown
  std::uint32_t asn = 0;  ///< autonomous system number; 0 when unknown
  std::string org;        ///< the AS's organisation; empty when unknown

  std::string_view countryCode() const { return country; }
  bool operator==(const GeoInfo&) const = default;
};

/// Looks addresses up in a shared, read-only data set.
class GeoLookup {
 public:
  virtual ~GeoLookup() = default;

  /// What is known about `address`. An address whose scope is not kPublic comes back with its
  /// scope and nothing else; an address no database knows comes back kPublic with empty fields.
  /// Implementations are immutable after construction: any thread, concurrently.
  virtual GeoInfo lookup(const IpAddress& address) const = 0;
};
using GeoLookupPtr = std::shared_ptr<const GeoLookup>;

/// Where the databases are. An empty path means "not configured": no lookup of that kind.
struct GeoDatabasePaths {
  std::string country_db;  ///< a MaxMind Country/City DB or an ip-location-db country MMDB
  std::string asn_db;      ///< a MaxMind ASN DB or an ASN MMDB with the same field names
};

/// One open GeoIP database as its file and its MMDB metadata describe it: for the start-up log,
/// `camwatch version` and the replay report's provenance (docs/report.md).
struct GeoDatabaseInfo {
  std::string path;           ///< as configured
  std::string role;           ///< "country database", "ASN database", "country and ASN database"
  std::string fields;         ///< the fields read: "country.iso_code", ...
  std::string database_type;  ///< metadata.database_type: "GeoLite2-Country"
  unsigned ip_version = 0;    ///< 4 or 6
  std::string built;          ///< metadata.build_epoch as a UTC date: "2024-01-01"
};

/// Whether a configured database that does not exist is an error.
enum class GeoDatabaseMissing : std::uint8_t {
  kError,  ///< open() fails, naming the file
  kWarn,   ///< open() succeeds without it and says so once in warnings()
};

/// Country and ASN lookups in MMDB files through libmaxminddb, memory-mapped and read-only.
/// Either database may be absent; a database may also carry both kinds of field (then both are
/// read from it). Which fields each file holds is detected when it is opened, from a sample of
/// its records, so the same code reads MaxMind GeoLite2/GeoIP2 and ip-location-db files.
class MaxmindGeoLookup final : public GeoLookup {
 public:
  /// Opens the databases named in `paths` (empty paths are skipped). Fails naming the file when
  /// one cannot be opened or read as an MMDB, or carries none of the fields it is meant for
  /// (country_db: country.iso_code / registered_country.iso_code / country_code; asn_db:
  /// autonomous_system_number). A file that does not exist fails too, or with
  /// GeoDatabaseMissing::kWarn is left out and named in warnings(). Control thread.
  static Result<std::unique_ptr<MaxmindGeoLookup>> open(
      const GeoDatabasePaths& paths, GeoDatabaseMissing missing = GeoDatabaseMissing::kError);
  ~MaxmindGeoLookup() override;
  MaxmindGeoLookup(const MaxmindGeoLookup&) = delete;
  MaxmindGeoLookup& operator=(const MaxmindGeoLookup&) = delete;

  // camwatch::GeoLookup
  GeoInfo lookup(const IpAddress& address) const override;

  /// Whether any open database gives countries / AS numbers.
  bool hasCountry() const;
  bool hasAsn() const;
  /// Each open database: path, detected schema, database type and build date.
  std::vector<GeoDatabaseInfo> databases() const;
  /// One line per open database (databases() as text); for the start-up log.
  std::vector<std::string> describe() const;
  /// Databases that were configured but missing (GeoDatabaseMissing::kWarn), one line each,
  /// naming the file and what is off without it. The caller logs them once.
  const std::vector<std::string>& warnings() const { return warnings_; }
  /// Lookups that failed inside a database (corrupt data section); such an address comes back
  /// with empty fields. Any thread.
  std::uint64_t lookupErrors() const;

 private:
  struct Database;
  MaxmindGeoLookup();

  std::vector<std::unique_ptr<Database>> databases_;
  std::vector<std::string> warnings_;
};

/// Counters of one CachedGeoLookup; read by its owner thread.
struct GeoCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;      ///< went to the backend
  std::uint64_t evictions = 0;   ///< entries dropped to make room (least recently used first)
  std::uint64_t not_public = 0;  ///< answered from addressScope() alone: neither hit nor miss
};

/// A fixed-capacity LRU cache of lookups in front of a shared GeoLookup. One per worker: not
/// thread-safe, by design, so it needs no lock. All memory is reserved up front; an entry is
/// recycled when the cache is full. Only public addresses are cached (the others need no lookup).
class CachedGeoLookup {
 public:
  /// `capacity` entries (0 turns caching off: every public address goes to the backend).
  CachedGeoLookup(GeoLookupPtr backend, std::size_t capacity);
  ~CachedGeoLookup();
  CachedGeoLookup(const CachedGeoLookup&) = delete;
  CachedGeoLookup& operator=(const CachedGeoLookup&) = delete;

  /// What the backend says about `address`, from the cache when it was asked before. The
  /// reference stays valid until the next call on this cache. Owner thread only.
  const GeoInfo& lookup(const IpAddress& address);

  /// Forgets every entry (e.g. after the databases were reloaded); keeps the counters.
  void clear();

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  const GeoCacheStats& stats() const { return stats_; }
  const GeoLookup& backend() const { return *backend_; }

 private:
  struct Entry;
  static constexpr std::uint32_t kNil = 0xffffffffU;

  std::uint32_t findSlot(const IpAddress& address, std::uint64_t hash) const;
  void eraseFromIndex(std::uint32_t entry_index);
  void unlink(std::uint32_t index);
  void pushFront(std::uint32_t index);

  GeoLookupPtr backend_;
  std::uint32_t capacity_;
  std::uint32_t size_ = 0;
  std::unique_ptr<Entry[]> entries_;
  std::unique_ptr<std::uint32_t[]> index_;  // open addressing: entry index + 1, 0 = empty
  std::uint32_t index_mask_ = 0;
  std::uint32_t head_ = kNil;  // most recently used
  std::uint32_t tail_ = kNil;  // least recently used: evicted first
  GeoInfo scratch_;            // answer for uncached lookups (capacity 0, non-public)
  GeoCacheStats stats_;
};

}  // namespace camwatch
