// DnsCache: lookups in packet time (never from the future), TTL clamping, replacement, the size
// cap, cutting names to the caller's buffer, and concurrent use by several workers.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <camwatch/dns.h>

namespace camwatch {
namespace {

constexpr Timestamp kSecond = kNanosPerSecond;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// 10.<a>.<b>.<c> from a number, for many distinct IPv4 addresses.
IpAddress v4(std::uint32_t n) {
  const std::uint8_t bytes[4] = {10, static_cast<std::uint8_t>(n >> 16),
                                 static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  return IpAddress::fromV4(bytes);
}

// The name the cache gives `address` at `now`, or "<miss>".
std::string lookup(const DnsCache& cache, const IpAddress& address, Timestamp now) {
  std::array<char, kMaxDnsName + 1> out{};
  if (!cache.lookup(address, now, out)) return "<miss>";
  return out.data();
}

TEST(DnsCacheTest, InsertThenLookup) {
  DnsCache cache;
  cache.insert(ip("203.0.113.7"), "cam.example.net", 600, 10 * kSecond);
  cache.insert(ip("2001:db8::7"), "cam6.example.net", 600, 10 * kSecond);
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 11 * kSecond), "cam.example.net");
  EXPECT_EQ(lookup(cache, ip("2001:db8::7"), 11 * kSecond), "cam6.example.net");
  EXPECT_EQ(lookup(cache, ip("203.0.113.8"), 11 * kSecond), "<miss>");
  // The IPv4-mapped IPv6 form is the same address as the IPv4 one.
  EXPECT_EQ(lookup(cache, ip("::ffff:203.0.113.7"), 11 * kSecond), "cam.example.net");
  EXPECT_EQ(cache.size(), 2U);
}

TEST(DnsCacheTest, LookupAtTheTimeOfTheAnswerHits) {
  DnsCache cache;
  cache.insert(ip("203.0.113.7"), "cam.example.net", 600, 10 * kSecond);
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 10 * kSecond), "cam.example.net");
}

TEST(DnsCacheTest, LookupBeforeTheAnswerWasLearntMisses) {
  // A replay worker may look a flow up after the reader already learnt a later answer: the flow
  // must not be named from the future.
  DnsCache cache;
  cache.insert(ip("203.0.113.7"), "cam.example.net", 600, 10 * kSecond);
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 10 * kSecond - 1), "<miss>");
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 0), "<miss>");
}

TEST(DnsCacheTest, RefreshOfTheSameNameKeepsEarlierLookupsNamed) {
  // A camera re-resolves its cloud name: the answer at 20 s repeats the one at 10 s. A flow at
  // 15 s was named by the answer at 10 s; whether the worker looks it up before or after the
  // reader learnt the answer at 20 s must not matter (dns.h: "whatever the worker timing").
  DnsCache cache;
  cache.insert(ip("203.0.113.7"), "cam.example.net", 600, 10 * kSecond);
  cache.insert(ip("203.0.113.7"), "cam.example.net", 600, 20 * kSecond);
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 15 * kSecond), "cam.example.net");
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 25 * kSecond), "cam.example.net");
}

TEST(DnsCacheTest, SameAddressWithANewNameReplacesIt) {
  DnsCache cache;
  cache.insert(ip("203.0.113.7"), "old.example.net", 600, 10 * kSecond);
  cache.insert(ip("203.0.113.7"), "new.example.net", 600, 20 * kSecond);
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 20 * kSecond), "new.example.net");
  EXPECT_EQ(lookup(cache, ip("203.0.113.7"), 300 * kSecond), "new.example.net");
  EXPECT_EQ(cache.size(), 1U);
}

TEST(DnsCacheTest, ShortTtlIsRaisedToTheMinimum) {
  DnsCacheConfig config;
  config.min_ttl = 300 * kSecond;
  config.max_ttl = 3600 * kSecond;
  DnsCache cache(config);
  cache.insert(ip("192.0.2.1"), "short.example", 5, 100 * kSecond);
  EXPECT_EQ(lookup(cache, ip("192.0.2.1"), 106 * kSecond), "short.example")
      << "past the record's own 5 s, still within min_ttl";
  EXPECT_EQ(lookup(cache, ip("192.0.2.1"), 400 * kSecond - 1), "short.example");
  EXPECT_EQ(lookup(cache, ip("192.0.2.1"), 400 * kSecond), "<miss>");
}

TEST(DnsCacheTest, ZeroTtlIsRaisedToTheMinimum) {
  DnsCacheConfig config;
  config.min_ttl = 60 * kSecond;
  DnsCache cache(config);
  cache.insert(ip("192.0.2.2"), "zero.example", 0, 0);
  EXPECT_EQ(lookup(cache, ip("192.0.2.2"), 59 * kSecond), "zero.example");
  EXPECT_EQ(lookup(cache, ip("192.0.2.2"), 60 * kSecond), "<miss>");
}

TEST(DnsCacheTest, LongTtlIsCutToTheMaximum) {
  DnsCacheConfig config;
  config.min_ttl = 300 * kSecond;
  config.max_ttl = 3600 * kSecond;
  DnsCache cache(config);
  cache.insert(ip("192.0.2.3"), "long.example", 7 * 24 * 3600, 100 * kSecond);
  EXPECT_EQ(lookup(cache, ip("192.0.2.3"), 3700 * kSecond - 1), "long.example");
  EXPECT_EQ(lookup(cache, ip("192.0.2.3"), 3700 * kSecond), "<miss>") << "expired after max_ttl";
}

TEST(DnsCacheTest, LargestTtlDoesNotOverflow) {
  DnsCache cache;  // max_ttl 24 h
  cache.insert(ip("192.0.2.4"), "max.example", 0xffffffffU, 0);
  EXPECT_EQ(lookup(cache, ip("192.0.2.4"), 24 * 3600 * kSecond - 1), "max.example");
  EXPECT_EQ(lookup(cache, ip("192.0.2.4"), 24 * 3600 * kSecond), "<miss>");
}

TEST(DnsCacheTest, TtlInBetweenIsKept) {
  DnsCacheConfig config;
  config.min_ttl = 300 * kSecond;
  config.max_ttl = 3600 * kSecond;
  DnsCache cache(config);
  cache.insert(ip("192.0.2.5"), "mid.example", 1000, 0);
  EXPECT_EQ(lookup(cache, ip("192.0.2.5"), 1000 * kSecond - 1), "mid.example");
  EXPECT_EQ(lookup(cache, ip("192.0.2.5"), 1000 * kSecond), "<miss>");
}

TEST(DnsCacheTest, CapacityIsRoundedUpAndNeverExceeded) {
  DnsCacheConfig config;
  config.capacity = 1000;
  DnsCache cache(config);
  EXPECT_GE(cache.capacity(), 1000U);
  EXPECT_EQ(cache.size(), 0U);
  const std::uint32_t inserted = 50'000;
  for (std::uint32_t n = 0; n < inserted; ++n) {
    cache.insert(v4(n), "host-" + std::to_string(n) + ".example", 600,
                 static_cast<Timestamp>(n) * 1000);
  }
  EXPECT_LE(cache.size(), cache.capacity());
  // Every answer beyond what the cache holds pushed out an unexpired entry, and was counted
  // (camwatch_dns_cache_evictions_total): all 50000 are valid for 600 s.
  EXPECT_EQ(cache.evictions(), inserted - cache.size());
  EXPECT_GT(cache.evictions(), 0U);
  // The newest address is always kept (it replaces the oldest entry of its set).
  const Timestamp now = static_cast<Timestamp>(inserted) * 1000;
  EXPECT_EQ(lookup(cache, v4(inserted - 1), now), "host-49999.example");
  // Whatever survived names its own address.
  std::uint64_t hits = 0;
  for (std::uint32_t n = 0; n < inserted; ++n) {
    const std::string name = lookup(cache, v4(n), now);
    if (name == "<miss>") continue;
    ++hits;
    EXPECT_EQ(name, "host-" + std::to_string(n) + ".example");
  }
  EXPECT_EQ(hits, cache.size());
}

TEST(DnsCacheTest, SmallestCapacityStillWorks) {
  DnsCacheConfig config;
  config.capacity = 1;
  DnsCache cache(config);
  EXPECT_GE(cache.capacity(), 1U);
  for (std::uint32_t n = 0; n < 5000; ++n) cache.insert(v4(n), "x", 60, 0);
  EXPECT_LE(cache.size(), cache.capacity());
}

TEST(DnsCacheTest, NameIsCutToTheOutputAndTerminated) {
  DnsCache cache;
  cache.insert(ip("192.0.2.6"), "abcdefghijklmnop.example", 600, 0);
  std::array<char, 8> out;
  out.fill('#');
  ASSERT_TRUE(cache.lookup(ip("192.0.2.6"), 1, out));
  EXPECT_STREQ(out.data(), "abcdefg");
  std::array<char, 1> one{'#'};
  ASSERT_TRUE(cache.lookup(ip("192.0.2.6"), 1, one));
  EXPECT_EQ(one[0], '\0');
  EXPECT_FALSE(cache.lookup(ip("192.0.2.6"), 1, std::span<char>{}))
      << "nowhere to write: reported as a miss";
}

TEST(DnsCacheTest, NameLongerThanADnsNameIsCutWhenStored) {
  DnsCache cache;
  const std::string long_name(400, 'n');
  cache.insert(ip("192.0.2.7"), long_name, 600, 0);
  std::array<char, 512> out{};
  ASSERT_TRUE(cache.lookup(ip("192.0.2.7"), 1, out));
  EXPECT_EQ(std::strlen(out.data()), kMaxDnsName);
  EXPECT_EQ(std::string(out.data()), long_name.substr(0, kMaxDnsName));
}

TEST(DnsCacheTest, EmptyNameIsStoredAsEmpty) {
  DnsCache cache;
  cache.insert(ip("192.0.2.8"), "", 600, 0);
  std::array<char, 4> out{'#', '#', '#', '#'};
  ASSERT_TRUE(cache.lookup(ip("192.0.2.8"), 1, out));
  EXPECT_EQ(out[0], '\0');
}

TEST(DnsCacheTest, ManyIpv4AddressesFitFarBelowCapacity) {
  // 1000 cameras' worth of servers in a 65536-entry cache: nothing may be evicted.
  DnsCache cache;
  constexpr std::uint32_t kAddresses = 1000;
  for (std::uint32_t n = 0; n < kAddresses; ++n) {
    cache.insert(v4(n), "v4-" + std::to_string(n), 600, 0);
  }
  EXPECT_EQ(cache.size(), kAddresses);
  std::uint32_t misses = 0;
  for (std::uint32_t n = 0; n < kAddresses; ++n) {
    if (lookup(cache, v4(n), 1) != "v4-" + std::to_string(n)) ++misses;
  }
  EXPECT_EQ(misses, 0U) << "addresses are spread over the sets";
}

TEST(DnsCacheTest, ManyIpv6AddressesOfOnePrefixFitFarBelowCapacity) {
  // Servers numbered 2001:db8:0:1::1, ::2, ... in one /64.
  DnsCache cache;
  constexpr std::uint32_t kAddresses = 1000;
  auto v6 = [](std::uint32_t n) {
    std::uint8_t bytes[16] = {0x20,
                              0x01,
                              0x0d,
                              0xb8,
                              0,
                              0,
                              0,
                              1,
                              0,
                              0,
                              0,
                              0,
                              0,
                              0,
                              static_cast<std::uint8_t>(n >> 8),
                              static_cast<std::uint8_t>(n)};
    return IpAddress::fromV6(bytes);
  };
  for (std::uint32_t n = 0; n < kAddresses; ++n) {
    cache.insert(v6(n), "v6-" + std::to_string(n), 600, 0);
  }
  EXPECT_EQ(cache.size(), kAddresses);
  std::uint32_t misses = 0;
  for (std::uint32_t n = 0; n < kAddresses; ++n) {
    if (lookup(cache, v6(n), 1) != "v6-" + std::to_string(n)) ++misses;
  }
  EXPECT_EQ(misses, 0U) << "addresses are spread over the sets";
}

// Four workers insert and look up their own addresses (and read each other's) at once; only the
// owner writes a key, so a hit on an own key must give the name that thread wrote last. When
// the keys all fit (checked first, single-threaded, with the same cache size), every such lookup
// must hit. Run under TSan/ASan in CI; well under a second.
TEST(DnsCacheTest, ConcurrentInsertsAndLookupsStayConsistent) {
  constexpr std::uint32_t kThreads = 4;
  constexpr std::uint32_t kKeysPerThread = 64;
  constexpr std::uint32_t kRounds = 100;
  auto key = [](std::uint32_t thread, std::uint32_t k) { return v4(thread * 1000 + k); };
  auto nameOf = [](std::uint32_t thread, std::uint32_t k, std::uint32_t round) {
    // fmt rather than "t" + std::to_string(...): GCC 12 at -O3 warns (-Wrestrict, a false
    // positive) on the inlined string concatenation.
    return fmt::format("t{}-k{}-r{}", thread, k, round);
  };
  // 4096 entries: plenty for 256 keys, and cheap to set up under TSan.
  DnsCacheConfig config;
  config.capacity = 4096;
  bool all_fit = false;
  {
    DnsCache probe(config);
    for (std::uint32_t t = 0; t < kThreads; ++t) {
      for (std::uint32_t k = 0; k < kKeysPerThread; ++k) probe.insert(key(t, k), "x", 600, 0);
    }
    all_fit = probe.size() == kThreads * kKeysPerThread;
  }

  DnsCache cache(config);
  std::atomic<std::uint64_t> wrong{0};
  std::atomic<std::uint64_t> own_misses{0};
  std::vector<std::thread> threads;
  for (std::uint32_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::array<char, kMaxDnsName + 1> out{};
      for (std::uint32_t round = 0; round < kRounds; ++round) {
        const Timestamp now = static_cast<Timestamp>(round + 1) * kSecond;
        for (std::uint32_t k = 0; k < kKeysPerThread; ++k) {
          const std::string name = nameOf(t, k, round);
          cache.insert(key(t, k), name, 600, now);
          if (!cache.lookup(key(t, k), now, out)) {
            ++own_misses;
          } else if (name != out.data()) {
            ++wrong;
          }
          // Someone else's key: any answer will do, as long as it is a whole name.
          if (cache.lookup(key((t + 1) % kThreads, k), now + 100 * kSecond, out) &&
              std::strncmp(out.data(), "t", 1) != 0) {
            ++wrong;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0U);
  EXPECT_LE(cache.size(), cache.capacity());
  if (all_fit) {
    EXPECT_EQ(own_misses.load(), 0U);
  }
  // After the race, every key that is still there holds its thread's last name.
  for (std::uint32_t t = 0; t < kThreads; ++t) {
    for (std::uint32_t k = 0; k < kKeysPerThread; ++k) {
      const std::string name = lookup(cache, key(t, k), (kRounds + 1) * kSecond);
      if (name == "<miss>" && !all_fit) continue;
      EXPECT_EQ(name, nameOf(t, k, kRounds - 1));
    }
  }
}

}  // namespace
}  // namespace camwatch
