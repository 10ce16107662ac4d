// SpscByteRing (daemon/pipeline/spsc_ring.h), the queue between the replay reader and each
// worker: records come out whole, in order and with their own sizes; a full ring refuses until
// the consumer frees space (replay loses nothing); records that do not fit before the end of the
// buffer wrap to its start; and two threads move a million records without losing or tearing one.
#include "pipeline/spsc_ring.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/rng.h"

namespace camwatch {
namespace {

using testkit::Rng;

// The bytes of record `record`: different for every record and every position, so a record read
// at the wrong place, torn or out of order shows.
std::uint8_t byteOf(std::uint64_t record, std::size_t i) {
  return static_cast<std::uint8_t>(record * 131U + i * 7U + 1U);
}

bool tryWrite(SpscByteRing& ring, std::uint64_t record, std::size_t size) {
  const std::span<std::uint8_t> slot = ring.beginWrite(size);
  if (slot.empty()) return false;
  EXPECT_EQ(slot.size(), size);
  for (std::size_t i = 0; i < slot.size(); ++i) slot[i] = byteOf(record, i);
  ring.commitWrite();
  return true;
}

// The next record must be `record` with `size` bytes; it is consumed either way.
::testing::AssertionResult readsRecord(SpscByteRing& ring, std::uint64_t record, std::size_t size) {
  const std::span<const std::uint8_t> got = ring.beginRead();
  if (got.empty()) return ::testing::AssertionFailure() << "record " << record << ": ring empty";
  std::vector<std::uint8_t> bytes(got.begin(), got.end());
  ring.commitRead();
  if (bytes.size() != size) {
    return ::testing::AssertionFailure()
           << "record " << record << ": " << bytes.size() << " bytes, expected " << size;
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != byteOf(record, i)) {
      return ::testing::AssertionFailure()
             << "record " << record << ": byte " << i << " is " << int{bytes[i]} << ", expected "
             << int{byteOf(record, i)};
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(PipelineSpscRingTest, ANewRingIsEmpty) {
  SpscByteRing ring(64);
  EXPECT_TRUE(ring.beginRead().empty());
  ASSERT_TRUE(tryWrite(ring, 0, 1));
  EXPECT_TRUE(readsRecord(ring, 0, 1));
  EXPECT_TRUE(ring.beginRead().empty());
}

TEST(PipelineSpscRingTest, RecordsComeOutInOrderWithTheirOwnSizes) {
  // Sizes around the 8-byte alignment of the buffer: the padding must never show.
  const std::vector<std::size_t> sizes{1, 2, 3, 7, 8, 9, 15, 16, 17, 100};
  SpscByteRing ring(1024);
  for (std::size_t r = 0; r < sizes.size(); ++r) ASSERT_TRUE(tryWrite(ring, r, sizes[r]));
  for (std::size_t r = 0; r < sizes.size(); ++r) EXPECT_TRUE(readsRecord(ring, r, sizes[r]));
  EXPECT_TRUE(ring.beginRead().empty());
}

TEST(PipelineSpscRingTest, ARecordIsInvisibleUntilCommitted) {
  SpscByteRing ring(256);
  const std::span<std::uint8_t> slot = ring.beginWrite(10);
  ASSERT_EQ(slot.size(), 10U);
  for (std::size_t i = 0; i < slot.size(); ++i) slot[i] = byteOf(5, i);
  EXPECT_TRUE(ring.beginRead().empty()) << "a reserved record was visible before commitWrite()";
  ring.commitWrite();
  EXPECT_TRUE(readsRecord(ring, 5, 10));
}

TEST(PipelineSpscRingTest, AFullRingRefusesUntilTheConsumerCommits) {
  SpscByteRing ring(64);
  std::uint64_t written = 0;
  while (tryWrite(ring, written, 8)) {
    ++written;
    ASSERT_LT(written, 64U) << "a 64-byte ring took 64 records of 8 bytes";
  }
  ASSERT_GE(written, 2U);
  EXPECT_FALSE(tryWrite(ring, written, 8)) << "a refused write went through on a second try";

  // Reading is not freeing: until commitRead() the record's bytes are the consumer's.
  const std::span<const std::uint8_t> first = ring.beginRead();
  ASSERT_EQ(first.size(), 8U);
  EXPECT_FALSE(tryWrite(ring, written, 8)) << "the producer got the bytes of a record being read";
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i], byteOf(0, i));
  ring.commitRead();

  // One record freed: exactly one more of the same size fits.
  EXPECT_TRUE(tryWrite(ring, written, 8));
  EXPECT_FALSE(tryWrite(ring, written + 1, 8));
  for (std::uint64_t r = 1; r <= written; ++r) EXPECT_TRUE(readsRecord(ring, r, 8));
  EXPECT_TRUE(ring.beginRead().empty());
}

TEST(PipelineSpscRingTest, CapacityIsRoundedUpToAMultipleOfEight) {
  EXPECT_EQ(SpscByteRing(57).maxRecordSize(), SpscByteRing(64).maxRecordSize());
  EXPECT_EQ(SpscByteRing(60).maxRecordSize(), SpscByteRing(64).maxRecordSize());
  EXPECT_LT(SpscByteRing(56).maxRecordSize(), SpscByteRing(64).maxRecordSize());
  EXPECT_LE(SpscByteRing(64).maxRecordSize(), 32U);
  EXPECT_GT(SpscByteRing(64).maxRecordSize(), 0U);
}

// The promise behind maxRecordSize(): a record that large fits an empty ring wherever the last
// record ended, even when it has to wrap to the start of the buffer.
TEST(PipelineSpscRingTest, ALargestRecordFitsAnEmptyRingWhereverTheLastOneEnded) {
  for (const std::size_t capacity : {std::size_t{64}, std::size_t{72}, std::size_t{200}}) {
    for (std::uint64_t before = 0; before < 40; ++before) {
      SpscByteRing ring(capacity);
      const std::size_t largest = ring.maxRecordSize();
      // Small records of two sizes move the write position through every alignment.
      for (std::uint64_t r = 0; r < before; ++r) {
        const std::size_t size = r % 3 == 0 ? 9 : 1;
        ASSERT_TRUE(tryWrite(ring, r, size));
        ASSERT_TRUE(readsRecord(ring, r, size));
      }
      ASSERT_TRUE(tryWrite(ring, before, largest))
          << "capacity " << capacity << ", after " << before << " records";
      EXPECT_TRUE(readsRecord(ring, before, largest))
          << "capacity " << capacity << ", after " << before << " records";
      EXPECT_TRUE(ring.beginRead().empty());
    }
  }
}

// One thread, random sizes and a random mix of writes and reads, checked against a plain queue:
// the ring wraps hundreds of times, with records of every size up to the largest.
TEST(PipelineSpscRingTest, RecordsSurviveWrappingAroundManyTimes) {
  SpscByteRing ring(256);
  const std::size_t largest = ring.maxRecordSize();
  Rng rng(7);
  std::deque<std::pair<std::uint64_t, std::size_t>> in_flight;  // record, size
  std::uint64_t next_record = 0, refused = 0, records_read = 0;
  std::size_t bytes_written = 0;
  for (int step = 0; step < 50'000; ++step) {
    if (rng.chance(55)) {
      const std::size_t size = rng.chance(10) ? largest : rng.uniform(1, largest);
      if (tryWrite(ring, next_record, size)) {
        in_flight.emplace_back(next_record++, size);
        bytes_written += size;
      } else {
        ++refused;
        ASSERT_FALSE(in_flight.empty()) << "an empty ring refused " << size << " bytes";
      }
    } else if (in_flight.empty()) {
      ASSERT_TRUE(ring.beginRead().empty()) << "a record came out of an empty ring";
    } else {
      ASSERT_TRUE(readsRecord(ring, in_flight.front().first, in_flight.front().second));
      in_flight.pop_front();
      ++records_read;
    }
  }
  for (; !in_flight.empty(); in_flight.pop_front(), ++records_read) {
    ASSERT_TRUE(readsRecord(ring, in_flight.front().first, in_flight.front().second));
  }
  EXPECT_TRUE(ring.beginRead().empty());
  EXPECT_EQ(records_read, next_record);
  EXPECT_GT(bytes_written, 300 * std::size_t{256}) << "the ring did not wrap often";
  EXPECT_GT(refused, 100U) << "the ring was never full";
}

// The reader and a worker: a small ring, so the producer finds it full and the consumer finds it
// empty over and over. Each side derives sizes and bytes on its own from the record number, and
// both checksum every byte.
TEST(PipelineSpscRingTest, TwoThreadsMoveAMillionRecordsIntact) {
  constexpr std::uint64_t kRecords = 1'000'000;
  constexpr std::uint64_t kSizeSeed = 11;
  SpscByteRing ring(4096);
  const std::size_t largest = ring.maxRecordSize();
  const auto sizeOf = [largest](Rng& sizes) {
    return sizes.chance(1) ? largest : static_cast<std::size_t>(sizes.uniform(1, 96));
  };
  // FNV-1a over every byte in record order.
  const auto mix = [](std::uint64_t hash, std::uint8_t byte) {
    return (hash ^ byte) * 0x100000001b3ULL;
  };
  constexpr std::uint64_t kFnvStart = 0xcbf29ce484222325ULL;

  std::uint64_t produced_hash = kFnvStart;
  std::thread producer([&] {
    Rng sizes(kSizeSeed);
    for (std::uint64_t r = 0; r < kRecords; ++r) {
      const std::size_t size = sizeOf(sizes);
      std::span<std::uint8_t> slot;
      while ((slot = ring.beginWrite(size)).empty()) std::this_thread::yield();
      for (std::size_t i = 0; i < size; ++i) {
        slot[i] = byteOf(r, i);
        produced_hash = mix(produced_hash, slot[i]);
      }
      ring.commitWrite();
    }
  });

  std::uint64_t consumed = 0, wrong_size = 0, wrong_bytes = 0, consumed_hash = kFnvStart;
  Rng sizes(kSizeSeed);
  while (consumed < kRecords) {
    const std::span<const std::uint8_t> record = ring.beginRead();
    if (record.empty()) {
      std::this_thread::yield();
      continue;
    }
    if (record.size() != sizeOf(sizes)) ++wrong_size;
    bool intact = true;
    for (std::size_t i = 0; i < record.size(); ++i) {
      intact = intact && record[i] == byteOf(consumed, i);
      consumed_hash = mix(consumed_hash, record[i]);
    }
    if (!intact) ++wrong_bytes;
    ring.commitRead();
    ++consumed;
  }
  producer.join();

  EXPECT_EQ(consumed, kRecords);
  EXPECT_EQ(wrong_size, 0U);
  EXPECT_EQ(wrong_bytes, 0U);
  EXPECT_EQ(consumed_hash, produced_hash);
  EXPECT_TRUE(ring.beginRead().empty()) << "a record beyond the last one written came out";
}

}  // namespace
}  // namespace camwatch
