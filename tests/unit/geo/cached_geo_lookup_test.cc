#include <algorithm>
#include <cstdint>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

IpAddress publicV4(std::uint32_t n) {
  // 20.0.0.0/8 and up: public, and distinct for every n below 2^24.
  const std::uint8_t bytes[4] = {20, static_cast<std::uint8_t>(n >> 16),
                                 static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  return IpAddress::fromV4(bytes);
}

// Answers with the last byte of the address as the AS number, and counts what it was asked.
class CountingGeoLookup : public GeoLookup {
 public:
  // camwatch::GeoLookup
  GeoInfo lookup(const IpAddress& address) const override {
    ++calls;
    asked.push_back(address);
    GeoInfo info;
    info.scope = addressScope(address);
    info.asn = address.bytes[15] + 1U;
    info.org = "org " + address.toString();
    info.country[0] = 'D';
    info.country[1] = 'E';
    return info;
  }
  mutable int calls = 0;
  mutable std::vector<IpAddress> asked;
};

struct Fixture {
  std::shared_ptr<CountingGeoLookup> backend = std::make_shared<CountingGeoLookup>();
};

TEST(CachedGeoLookupTest, SecondLookupIsAHit) {
  Fixture f;
  CachedGeoLookup cache(f.backend, 4);
  const GeoInfo first = cache.lookup(ip("8.8.8.8"));
  EXPECT_EQ(first.asn, 9U);
  EXPECT_EQ(first.org, "org 8.8.8.8");
  EXPECT_EQ(first.countryCode(), "DE");
  const GeoInfo second = cache.lookup(ip("8.8.8.8"));
  EXPECT_EQ(second, first);
  EXPECT_EQ(f.backend->calls, 1);
  EXPECT_EQ(cache.stats().hits, 1U);
  EXPECT_EQ(cache.stats().misses, 1U);
  EXPECT_EQ(cache.size(), 1U);
}

TEST(CachedGeoLookupTest, EvictsLeastRecentlyUsedAtCapacity) {
  Fixture f;
  CachedGeoLookup cache(f.backend, 2);
  cache.lookup(ip("1.1.1.1"));  // miss: [1]
  cache.lookup(ip("2.2.2.2"));  // miss: [2, 1]
  cache.lookup(ip("1.1.1.1"));  // hit:  [1, 2]
  cache.lookup(ip("3.3.3.3"));  // miss, evicts 2: [3, 1]
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_EQ(cache.stats().evictions, 1U);
  cache.lookup(ip("1.1.1.1"));  // hit: [1, 3]
  EXPECT_EQ(f.backend->calls, 3);
  cache.lookup(ip("2.2.2.2"));  // miss again, evicts 3: [2, 1]
  EXPECT_EQ(f.backend->calls, 4);
  cache.lookup(ip("3.3.3.3"));  // miss, evicts 1
  EXPECT_EQ(f.backend->calls, 5);
  EXPECT_EQ(cache.stats().hits, 2U);
  EXPECT_EQ(cache.stats().misses, 5U);
  EXPECT_EQ(cache.stats().evictions, 3U);
  EXPECT_EQ(cache.size(), 2U);
}

TEST(CachedGeoLookupTest, NonPublicAddressesNeitherCachedNorAsked) {
  Fixture f;
  CachedGeoLookup cache(f.backend, 4);
  const GeoInfo& info = cache.lookup(ip("192.168.1.1"));
  EXPECT_EQ(info.scope, AddressScope::kPrivate);
  EXPECT_EQ(info.asn, 0U);
  EXPECT_EQ(cache.lookup(ip("fe80::1")).scope, AddressScope::kLinkLocal);
  EXPECT_EQ(f.backend->calls, 0);
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_EQ(cache.stats().not_public, 2U);
  EXPECT_EQ(cache.stats().hits + cache.stats().misses, 0U);
}

TEST(CachedGeoLookupTest, ZeroCapacityAsksEveryTime) {
  Fixture f;
  CachedGeoLookup cache(f.backend, 0);
  EXPECT_EQ(cache.lookup(ip("8.8.8.8")).asn, 9U);
  EXPECT_EQ(cache.lookup(ip("8.8.8.8")).asn, 9U);
  EXPECT_EQ(f.backend->calls, 2);
  EXPECT_EQ(cache.stats().misses, 2U);
  EXPECT_EQ(cache.size(), 0U);
}

TEST(CachedGeoLookupTest, ClearForgetsEntriesKeepsCounters) {
  Fixture f;
  CachedGeoLookup cache(f.backend, 4);
  cache.lookup(ip("8.8.8.8"));
  cache.lookup(ip("2001:4860::1"));
  cache.clear();
  EXPECT_EQ(cache.size(), 0U);
  cache.lookup(ip("8.8.8.8"));
  EXPECT_EQ(f.backend->calls, 3);
  EXPECT_EQ(cache.stats().misses, 3U);
}

// Random traffic against a plain std::list LRU: same answers, same backend calls. Small
// capacity and a key space a few times larger churn the index (backward-shift deletes) a lot.
TEST(CachedGeoLookupTest, MatchesReferenceLruUnderChurn) {
  for (const std::size_t capacity : {1U, 3U, 16U, 100U}) {
    Fixture f;
    CachedGeoLookup cache(f.backend, capacity);
    std::list<IpAddress> model;  // front = most recently used
    int model_misses = 0;
    std::mt19937 rng(static_cast<std::uint32_t>(capacity));
    std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(capacity) * 3);
    for (int step = 0; step < 20000; ++step) {
      const IpAddress address = publicV4(pick(rng) * 7919U);
      const auto found = std::find(model.begin(), model.end(), address);
      if (found != model.end()) {
        model.erase(found);
      } else {
        ++model_misses;
        if (model.size() == capacity) model.pop_back();
      }
      model.push_front(address);

      const GeoInfo& info = cache.lookup(address);
      ASSERT_EQ(info.org, "org " + address.toString()) << "capacity " << capacity;
      ASSERT_EQ(f.backend->calls, model_misses) << "capacity " << capacity << " step " << step;
    }
    EXPECT_EQ(cache.size(), model.size());
    EXPECT_EQ(cache.stats().misses, static_cast<std::uint64_t>(model_misses));
    EXPECT_EQ(cache.stats().hits + cache.stats().misses, 20000U);
  }
}

}  // namespace
}  // namespace camwatch
