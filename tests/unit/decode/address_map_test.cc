#include "decode/address_map.h"

#include <map>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

IpAddress v4(std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value >> 24U), static_cast<std::uint8_t>(value >> 16U),
      static_cast<std::uint8_t>(value >> 8U), static_cast<std::uint8_t>(value)};
  return IpAddress::fromV4(bytes);
}

TEST(AddressMapTest, EmptyFindsNothing) {
  const AddressMap<int> map;
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find(v4(1)), AddressMap<int>::kNotFound);
  EXPECT_FALSE(map.contains(v4(1)));
}

TEST(AddressMapTest, AddsOnceAndKeepsInsertionIndices) {
  AddressMap<int> map;
  const auto [first, added] = map.tryEmplace(v4(10));
  EXPECT_TRUE(added);
  EXPECT_EQ(first, 0U);
  EXPECT_EQ(map[first], 0);  // value-initialised
  map[first] = 7;
  const auto [again, added_again] = map.tryEmplace(v4(10));
  EXPECT_FALSE(added_again);
  EXPECT_EQ(again, first);
  EXPECT_EQ(map[again], 7);
  EXPECT_EQ(map.tryEmplace(*IpAddress::parse("2001:db8::1")).first, 1U);
  EXPECT_EQ(map.size(), 2U);
  EXPECT_EQ(map.key(1), *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(map.find(*IpAddress::parse("2001:db8::2")), AddressMap<int>::kNotFound);
}

// Growing rehashes the index; every entry keeps its index and value, as a std::map says.
TEST(AddressMapTest, IndicesSurviveGrowthLikeAReferenceMap) {
  AddressMap<std::uint64_t> map;
  std::map<IpAddress, std::uint32_t> reference;
  for (std::uint32_t i = 0; i < 50'000; ++i) {
    // Neighbours, a stride and IPv6: addresses that differ in few bits must not pile up.
    const IpAddress ip = i % 3 == 0   ? v4(0x0a000000U + i)
                         : i % 3 == 1 ? v4(0xc0a80000U + i * 256U)
                                      : *IpAddress::parse(fmt::format("fd00::{:x}:1", i));
    const auto [index, added] = map.tryEmplace(ip);
    ASSERT_TRUE(added);
    map[index] = i;
    reference.emplace(ip, index);
  }
  EXPECT_EQ(map.size(), reference.size());
  for (const auto& [ip, index] : reference) {
    ASSERT_EQ(map.find(ip), index);
    EXPECT_EQ(map.key(index), ip);
    EXPECT_EQ(map[index], index);
    EXPECT_FALSE(map.tryEmplace(ip).second);
  }
  EXPECT_FALSE(map.contains(v4(0x0b000000U)));
}

TEST(AddressMapTest, SetCountsDistinctAddresses) {
  AddressSet set;
  EXPECT_TRUE(set.tryEmplace(v4(1)).second);
  EXPECT_FALSE(set.tryEmplace(v4(1)).second);
  EXPECT_TRUE(set.tryEmplace(v4(2)).second);
  EXPECT_EQ(set.size(), 2U);
  EXPECT_TRUE(set.contains(v4(2)));
}

}  // namespace
}  // namespace camwatch
