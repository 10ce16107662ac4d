#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <maxminddb.h>

#include <camwatch/geo.h>

#include "geo/address_scope.h"

namespace camwatch {
namespace {

// Schema detection reads this many data records (or walks this many tree nodes, whichever comes
// first): enough to see past the odd record without the usual fields, and still instant on a
// database of millions of nodes.
constexpr int kSampleRecords = 256;
constexpr std::size_t kSampleNodes = 200'000;

enum Role : unsigned { kCountryRole = 1, kAsnRole = 2 };

// An open file descriptor, closed when it goes out of scope.
struct OwnedFd {
  int fd = -1;
  ~OwnedFd() {
    if (fd >= 0) ::close(fd);
  }
};

// Copies the database into a sealed in-memory file and returns a path that opens it
// (/proc/self/fd/N; `memory` keeps N open until MMDB_open has mapped it). Why: libmaxminddb maps
// the file it is given, and GeoIP files get updated in place (`cp new.mmdb country.mmdb`, a
// download written over the old one): a page of a mapping whose file was truncated raises SIGBUS
// on the next lookup, and a rewritten one changes the answers under a running sensor. The sealed
// copy cannot change, so an open lookup answers from the file as it was when it was opened, until
// the next start or SIGHUP opens the new one. Costs the file's size in memory, once per process.
// Empty on any failure (no memfd, no /proc): the caller then maps the file itself, as before.
std::string sealedCopy(const std::string& path, OwnedFd& memory) {
  OwnedFd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat info {};
  if (file.fd < 0 || ::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) return {};
  memory.fd = ::memfd_create("camwatch-geoip", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memory.fd < 0) return {};
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(file.fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return {};
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::write(memory.fd, buffer + done, static_cast<std::size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put <= 0) return {};
      done += put;
    }
  }
  if (::fcntl(memory.fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
      0) {
    return {};
  }
  const std::string proc_path = "/proc/self/fd/" + std::to_string(memory.fd);
  return ::access(proc_path.c_str(), R_OK) == 0 ? proc_path : std::string();
}

// Where a database keeps the country, decided once when it is opened.
enum class GeoCountrySchema : std::uint8_t {
  kNone,
  kMaxmind,       // country.iso_code, falling back to registered_country.iso_code
  kIpLocationDb,  // country_code
};

struct DetectedFields {
  bool maxmind_country = false;
  bool ip_location_country = false;
  bool asn = false;
};

// A field is there when the path resolves to data; a path that runs into a non-map (a database
// whose "country" is a plain string) just means "not this schema".
bool hasValue(MMDB_entry_s entry, const char* const* path, MMDB_entry_data_s& data) {
  return MMDB_aget_value(&entry, &data, path) == MMDB_SUCCESS && data.has_data;
}

constexpr const char* kCountryIsoCode[] = {"country", "iso_code", nullptr};
constexpr const char* kRegisteredCountryIsoCode[] = {"registered_country", "iso_code", nullptr};
constexpr const char* kCountryCode[] = {"country_code", nullptr};
constexpr const char* kAsNumber[] = {"autonomous_system_number", nullptr};
constexpr const char* kAsOrganization[] = {"autonomous_system_organization", nullptr};

void detectIn(const MMDB_entry_s& entry, DetectedFields& fields) {
  MMDB_entry_data_s data;
  if (hasValue(entry, kCountryIsoCode, data) || hasValue(entry, kRegisteredCountryIsoCode, data)) {
    fields.maxmind_country = true;
  }
  if (hasValue(entry, kCountryCode, data)) fields.ip_location_country = true;
  if (hasValue(entry, kAsNumber, data)) fields.asn = true;
}

// libmaxminddb has no record iterator, so walk the search tree depth first from the root, left
// (lower addresses) first, and look at the data records met on the way.
DetectedFields sampleFields(const MMDB_s& mmdb) {
  DetectedFields fields;
  std::vector<std::uint32_t> stack{0};
  std::size_t nodes = 0;
  int records = 0;
  while (!stack.empty() && nodes < kSampleNodes && records < kSampleRecords) {
    const std::uint32_t node_number = stack.back();
    stack.pop_back();
    MMDB_search_node_s node;
    if (MMDB_read_node(&mmdb, node_number, &node) != MMDB_SUCCESS) break;
    ++nodes;
    // Pushed right first so the left branch is walked first.
    const std::pair<std::uint8_t, std::uint64_t> children[] = {
        {node.right_record_type, node.right_record}, {node.left_record_type, node.left_record}};
    const MMDB_entry_s* entries[] = {&node.right_record_entry, &node.left_record_entry};
    for (int side = 0; side < 2; ++side) {
      const auto [type, record] = children[side];
      if (type == MMDB_RECORD_TYPE_SEARCH_NODE && record < mmdb.metadata.node_count) {
        stack.push_back(static_cast<std::uint32_t>(record));
      } else if (type == MMDB_RECORD_TYPE_DATA) {
        detectIn(*entries[side], fields);
        ++records;
      }
    }
  }
  return fields;
}

std::string buildDate(std::uint64_t epoch) {
  const auto seconds = static_cast<std::time_t>(epoch);
  std::tm tm{};
  char text[16];
  if (gmtime_r(&seconds, &tm) == nullptr ||
      std::strftime(text, sizeof(text), "%Y-%m-%d", &tm) == 0) {
    return "?";
  }
  return text;
}

std::string roleName(unsigned roles) {
  if (roles == (kCountryRole | kAsnRole)) return "country and ASN database";
  return roles == kCountryRole ? "country database" : "ASN database";
}

// Copies a 2-letter code; anything else (absent, "", a 3-letter code) leaves `country` empty.
void copyCountry(const MMDB_entry_data_s& data, char (&country)[3]) {
  if (data.type != MMDB_DATA_TYPE_UTF8_STRING || data.data_size != 2) return;
  country[0] = data.utf8_string[0];
  country[1] = data.utf8_string[1];
  country[2] = '\0';
}

std::uint32_t asNumber(const MMDB_entry_data_s& data) {
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      return data.uint16;
    case MMDB_DATA_TYPE_UINT32:
      return data.uint32;
    case MMDB_DATA_TYPE_UINT64:
      return data.uint64 <= 0xffffffffU ? static_cast<std::uint32_t>(data.uint64) : 0;
    case MMDB_DATA_TYPE_INT32:
      return data.int32 > 0 ? static_cast<std::uint32_t>(data.int32) : 0;
    default:
      return 0;
  }
}

}  // namespace

struct MaxmindGeoLookup::Database {
  std::string path;
  unsigned roles = 0;
  MMDB_s mmdb{};
  bool is_open = false;
  GeoCountrySchema country = GeoCountrySchema::kNone;
  bool asn = false;
  // Lookups are const and shared by all workers; errors are rare, so a relaxed atomic is free.
  mutable std::atomic<std::uint64_t> errors{0};

  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() {
    if (is_open) MMDB_close(&mmdb);
  }
};

MaxmindGeoLookup::MaxmindGeoLookup() = default;
MaxmindGeoLookup::~MaxmindGeoLookup() = default;

Result<std::unique_ptr<MaxmindGeoLookup>> MaxmindGeoLookup::open(const GeoDatabasePaths& paths,
                                                                 GeoDatabaseMissing missing) {
  // The same file may serve both roles (a database with country and ASN fields): open it once.
  std::vector<std::pair<std::string, unsigned>> wanted;
  if (!paths.country_db.empty()) wanted.emplace_back(paths.country_db, kCountryRole);
  if (!paths.asn_db.empty()) {
    if (!wanted.empty() && wanted.front().first == paths.asn_db) {
      wanted.front().second |= kAsnRole;
    } else {
      wanted.emplace_back(paths.asn_db, kAsnRole);
    }
  }

  std::unique_ptr<MaxmindGeoLookup> geo(new MaxmindGeoLookup());
  for (const auto& [path, roles] : wanted) {
    const std::string role = roleName(roles);
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) {
      if (missing == GeoDatabaseMissing::kError) {
        return makeError(path + ": " + role + " not found");
      }
      geo->warnings_.push_back(path + ": " + role + " not found; flows get no " +
                               (roles == kAsnRole ? "AS numbers" : "countries") +
                               (roles == (kCountryRole | kAsnRole) ? " or AS numbers" : "") +
                               " (scripts/fetch-geoip.sh fetches the open databases)");
      continue;
    }
    if (status.type() == std::filesystem::file_type::directory) {
      return makeError(path + ": " + role + " is a directory, expected an .mmdb file");
    }

    auto database = std::make_unique<Database>();
    database->path = path;
    database->roles = roles;
    OwnedFd memory;
    const std::string copy = sealedCopy(path, memory);
    errno = 0;
    const int rc =
        MMDB_open(copy.empty() ? path.c_str() : copy.c_str(), MMDB_MODE_MMAP, &database->mmdb);
    const int open_errno = errno;
    if (rc != MMDB_SUCCESS) {
      std::string reason = MMDB_strerror(rc);
      if ((rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR) && open_errno != 0) {
        reason += std::string(": ") + std::strerror(open_errno);
      }
      return makeError(path + ": " + role +
                       ": cannot read it as a MaxMind DB (.mmdb) file: " + reason);
    }
    database->is_open = true;

    const DetectedFields fields = sampleFields(database->mmdb);
    if ((roles & kCountryRole) != 0) {
      if (fields.maxmind_country) {
        database->country = GeoCountrySchema::kMaxmind;
      } else if (fields.ip_location_country) {
        database->country = GeoCountrySchema::kIpLocationDb;
      } else {
        return makeError(path + ": " + role + " of type '" + database->mmdb.metadata.database_type +
                         "' has no country field: expected country.iso_code (MaxMind Country/City)"
                         " or country_code (ip-location-db)");
      }
    }
    if ((roles & kAsnRole) != 0) {
      if (!fields.asn) {
        return makeError(path + ": " + role + " of type '" + database->mmdb.metadata.database_type +
                         "' has no autonomous_system_number field: expected a MaxMind ASN database"
                         " or one built by scripts/csv-to-asn-mmdb.pl");
      }
      database->asn = true;
    }
    geo->databases_.push_back(std::move(database));
  }
  return geo;
}

GeoInfo MaxmindGeoLookup::lookup(const IpAddress& address) const {
  GeoInfo info;
  info.scope = addressScope(address);
  if (info.scope != AddressScope::kPublic || databases_.empty()) return info;

  // A NAT64 address is looked up as the IPv4 address it carries: that is where the flow goes.
  const IpAddress target = geo::nat64Embedded(address).value_or(address);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* socket_address = nullptr;
  if (target.isV4()) {
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, target.bytes.data() + 12, 4);
    socket_address = reinterpret_cast<const sockaddr*>(&v4);
  } else {
    v6.sin6_family = AF_INET6;
    std::memcpy(&v6.sin6_addr, target.bytes.data(), 16);
    socket_address = reinterpret_cast<const sockaddr*>(&v6);
  }

  for (const auto& database : databases_) {
    const bool want_country = database->country != GeoCountrySchema::kNone && info.country[0] == 0;
    const bool want_asn = database->asn && info.asn == 0;
    if (!want_country && !want_asn) continue;
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s result =
        MMDB_lookup_sockaddr(&database->mmdb, socket_address, &mmdb_error);
    // An IPv6 address in an IPv4-only database is simply not in it.
    if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) continue;
    if (mmdb_error != MMDB_SUCCESS) {
      database->errors.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (!result.found_entry) continue;

    MMDB_entry_data_s data;
    if (want_country) {
      if (database->country == GeoCountrySchema::kMaxmind) {
        // registered_country is where the block is registered: the best answer for anycast and
        // satellite blocks, which have no "country".
        if (hasValue(result.entry, kCountryIsoCode, data) ||
            hasValue(result.entry, kRegisteredCountryIsoCode, data)) {
          copyCountry(data, info.country);
        }
      } else if (hasValue(result.entry, kCountryCode, data)) {
        copyCountry(data, info.country);
      }
    }
    if (want_asn && hasValue(result.entry, kAsNumber, data)) {
      info.asn = asNumber(data);
      if (info.asn != 0 && hasValue(result.entry, kAsOrganization, data) &&
          data.type == MMDB_DATA_TYPE_UTF8_STRING) {
        info.org.assign(data.utf8_string, data.data_size);
      }
    }
  }
  return info;
}

bool MaxmindGeoLookup::hasCountry() const {
  for (const auto& database : databases_) {
    if (database->country != GeoCountrySchema::kNone) return true;
  }
  return false;
}

bool MaxmindGeoLookup::hasAsn() const {
  for (const auto& database : databases_) {
    if (database->asn) return true;
  }
  return false;
}

std::vector<GeoDatabaseInfo> MaxmindGeoLookup::databases() const {
  std::vector<GeoDatabaseInfo> infos;
  for (const auto& database : databases_) {
    GeoDatabaseInfo info;
    info.path = database->path;
    info.role = roleName(database->roles);
    if (database->country == GeoCountrySchema::kMaxmind) info.fields = "country.iso_code";
    if (database->country == GeoCountrySchema::kIpLocationDb) info.fields = "country_code";
    if (database->asn) {
      info.fields += info.fields.empty() ? "" : ", ";
      info.fields += "autonomous_system_number/_organization";
    }
    const MMDB_metadata_s& metadata = database->mmdb.metadata;
    info.database_type = metadata.database_type;
    info.ip_version = metadata.ip_version;
    info.built = buildDate(metadata.build_epoch);
    infos.push_back(std::move(info));
  }
  return infos;
}

std::vector<std::string> MaxmindGeoLookup::describe() const {
  std::vector<std::string> lines;
  for (const GeoDatabaseInfo& info : databases()) {
    lines.push_back(info.path + ": " + info.role + " (" + info.fields + "), type '" +
                    info.database_type + "', IPv" + std::to_string(info.ip_version) + ", built " +
                    info.built);
  }
  return lines;
}

std::uint64_t MaxmindGeoLookup::lookupErrors() const {
  std::uint64_t total = 0;
  for (const auto& database : databases_) total += database->errors.load(std::memory_order_relaxed);
  return total;
}

}  // namespace camwatch
