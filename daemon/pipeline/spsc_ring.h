// SpscByteRing: a bounded single-producer/single-consumer queue of variable-length records in one
// preallocated byte buffer. The reader thread produces, one worker consumes. No locks, no
// allocation after construction; a full ring makes the producer wait (replay must lose nothing).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>

namespace camwatch {

class SpscByteRing {
 public:
  /// `capacity` is rounded up to a multiple of 8; a record may be at most capacity/2 bytes.
  explicit SpscByteRing(std::size_t capacity)
      : capacity_((capacity + 7) & ~std::size_t{7}), buffer_(new std::uint8_t[capacity_]) {}

  std::size_t maxRecordSize() const { return capacity_ / 2 - kHeaderSize; }

  /// Producer: reserves `size` bytes for one record; returns an empty span when the ring has no
  /// room now (try again later). Call commitWrite() once the bytes are filled in.
  std::span<std::uint8_t> beginWrite(std::size_t size) {
    const std::size_t total = recordSize(size);
    const std::size_t offset = write_pos_ % capacity_;
    const std::size_t contiguous = capacity_ - offset;
    // A record never wraps: if it does not fit before the end, a skip marker fills the gap.
    const std::size_t needed = total <= contiguous ? total : contiguous + total;
    if (capacity_ - (write_pos_ - cached_read_pos_) < needed) {
      cached_read_pos_ = read_pos_.load(std::memory_order_acquire);
      if (capacity_ - (write_pos_ - cached_read_pos_) < needed) return {};
    }
    if (total > contiguous) {
      writeHeader(offset, kSkipMarker);
      write_pos_ += contiguous;
    }
    const std::size_t start = write_pos_ % capacity_;
    writeHeader(start, static_cast<std::uint32_t>(size));
    pending_ = total;
    return {buffer_.get() + start + kHeaderSize, size};
  }

  /// Producer: publishes the record reserved by the last beginWrite().
  void commitWrite() {
    write_pos_ += pending_;
    published_write_pos_.store(write_pos_, std::memory_order_release);
  }

  /// Consumer: the next record, or an empty span when the ring is empty now. Call commitRead()
  /// when done with it; until then the bytes stay valid.
  std::span<const std::uint8_t> beginRead() {
    if (read_local_ == cached_write_pos_) {
      cached_write_pos_ = published_write_pos_.load(std::memory_order_acquire);
      if (read_local_ == cached_write_pos_) return {};
    }
    std::size_t offset = read_local_ % capacity_;
    std::uint32_t size = readHeader(offset);
    if (size == kSkipMarker) {
      read_local_ += capacity_ - offset;
      offset = 0;
      size = readHeader(0);
    }
    read_pending_ = recordSize(size);
    return {buffer_.get() + offset + kHeaderSize, size};
  }

  /// Consumer: frees the record returned by the last beginRead().
  void commitRead() {
    read_local_ += read_pending_;
    read_pos_.store(read_local_, std::memory_order_release);
  }

 private:
  static constexpr std::size_t kHeaderSize = 8;
  static constexpr std::uint32_t kSkipMarker = 0xffffffffU;

  static std::size_t recordSize(std::size_t size) {
    return (kHeaderSize + size + 7) & ~std::size_t{7};
  }
  void writeHeader(std::size_t offset, std::uint32_t size) {
    std::memcpy(buffer_.get() + offset, &size, sizeof(size));
  }
  std::uint32_t readHeader(std::size_t offset) const {
    std::uint32_t size = 0;
    std::memcpy(&size, buffer_.get() + offset, sizeof(size));
    return size;
  }

  const std::size_t capacity_;
  std::unique_ptr<std::uint8_t[]> buffer_;
  // Producer side (own cache line).
  alignas(64) std::size_t write_pos_ = 0;
  std::size_t cached_read_pos_ = 0;
  std::size_t pending_ = 0;
  alignas(64) std::atomic<std::size_t> published_write_pos_{0};
  // Consumer side.
  alignas(64) std::size_t read_local_ = 0;
  std::size_t cached_write_pos_ = 0;
  std::size_t read_pending_ = 0;
  alignas(64) std::atomic<std::size_t> read_pos_{0};
};

}  // namespace camwatch
