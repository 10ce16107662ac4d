// dns/: DNS answer parsing and the DNS cache shared by the workers, which names flows to bare
// addresses by what they were looked up as.
//
// Reads DNS answers and remembers which name each address was looked up as, so that a flow
// to a bare IP (no SNI, no Host header) can still be named. Inputs: DNS response payloads (UDP, or
// one TCP segment holding a whole length-prefixed message). Outputs: DnsCache entries.
//
// DnsCache is the one piece of enrichment state shared by all workers: a lookup seen by one
// worker names a flow handled by another. It is size-capped (set-associative, oldest entry of a
// set replaced) and TTL-bounded in packet time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include <camwatch/function_ref.h>
#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

/// Longest DNS name in text form (RFC 1035: 255 octets on the wire, 253 characters as text).
inline constexpr std::size_t kMaxDnsName = 254;

/// One address answer: `name` is the name that was asked for (the question), even when the
/// answer came through a CNAME chain; `ttl` in seconds.
struct DnsAnswer {
  std::string_view name;
  IpAddress address;
  std::uint32_t ttl = 0;
};

/// Why a DNS message could not be read; stable names for counters.
enum class DnsParseResult : std::uint8_t {
  kOk,
  kNotAResponse,
  kTruncated,
  kBadName,  ///< label too long, name too long, or a compression pointer loop
  kNoAnswers,
};

/// Parses one DNS response message and calls `on_answer` for each A/AAAA answer. Never reads
/// outside `message`; never allocates (names are decoded into stack buffers, and `on_answer` is
/// a reference: a lambda of any size passes without a copy).
DnsParseResult parseDnsResponse(std::span<const std::uint8_t> message,
                                FunctionRef<void(const DnsAnswer&)> on_answer);

struct DnsCacheConfig {
  std::uint32_t capacity = 65'536;                  ///< entries, over all shards
  Timestamp min_ttl = 300 * kNanosPerSecond;        ///< keep names at least this long
  Timestamp max_ttl = 24 * 3600 * kNanosPerSecond;  ///< and at most this long
};

/// IP -> name, shared by all workers. Thread-safe: each shard has its own mutex, held only for
/// the few dozen instructions of an insert or lookup (once per DNS answer and once per new flow,
/// never per packet).
class DnsCache {
 public:
  explicit DnsCache(const DnsCacheConfig& config = {});

  /// Remembers that `address` was answered for `name` at packet time `now`.
  void insert(const IpAddress& address, std::string_view name, std::uint32_t ttl_seconds,
              Timestamp now);

  /// Copies the name of `address` valid at packet time `now` into `out` (NUL-terminated) and
  /// returns true; false when unknown or expired. Entries learnt after `now` are not used, so a
  /// replay names a flow only from answers that came before it, whatever the worker timing.
  /// `ttl_seconds`, when given, receives the TTL of the answer as it came (before clamping).
  bool lookup(const IpAddress& address, Timestamp now, std::span<char> out,
              std::uint32_t* ttl_seconds = nullptr) const;

  std::uint64_t size() const;
  std::uint64_t capacity() const { return std::uint64_t{sets_} * kWays; }
  /// Answers that replaced another address's unexpired entry because its set was full: the
  /// cache is too small for the names in use (dns.cache_size). Any thread.
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::uint32_t kWays = 8;
  static constexpr std::uint32_t kShards = 64;
  struct Entry {
    IpAddress address;
    Timestamp learnt = 0;
    Timestamp expires = 0;          ///< 0 = empty
    std::uint32_t ttl_seconds = 0;  ///< of the answer, before clamping
    std::array<char, kMaxDnsName + 1> name{};
  };
  struct Shard {
    mutable std::mutex mutex;
  };

  std::uint32_t setOf(const IpAddress& address) const;

  DnsCacheConfig config_;
  std::uint32_t sets_;
  std::unique_ptr<Entry[]> entries_;  // sets_ * kWays
  std::unique_ptr<Shard[]> shards_;
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace camwatch
