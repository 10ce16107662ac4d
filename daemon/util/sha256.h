// SHA-256 (FIPS 180-4, section 6.2), written for camwatch from the standard's text: the replay
// report prints the digest of every capture file and of the config, so a reader can tell later
// which bytes a report was made from. Streaming, so a capture of any size is hashed in constant
// memory. Not on the packet path; not constant-time (it hashes public files, no secrets).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/result.h>

namespace camwatch {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();

  /// Appends `size` bytes of the message.
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }

  /// Pads the message, returns its digest and starts over with an empty message.
  Digest finish();

  /// 64 lowercase hex digits.
  static std::string toHex(const Digest& digest);

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

/// The hex SHA-256 of `text`.
std::string sha256Hex(std::string_view text);

/// The hex SHA-256 of the file at `path`, as its bytes are on disk (a .gz capture's compressed
/// bytes). Fails naming the file.
Result<std::string> sha256File(const std::string& path);

}  // namespace camwatch
