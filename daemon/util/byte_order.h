// Reading multi-byte integers out of packet bytes, whatever the host's byte order. The caller
// has checked that the bytes are there.
//
// Threads: any; header-only so the decoders' hot loops inline them.
#pragma once

#include <cstdint>

namespace camwatch {

/// The big-endian (network order) 16-bit value at `p[0..1]`.
inline std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

/// The big-endian (network order) 32-bit value at `p[0..3]`.
inline std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

/// The little-endian 32-bit value at `p[0..3]`.
inline std::uint32_t le32(const std::uint8_t* p) {
  return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
         std::uint32_t{p[0]};
}

}  // namespace camwatch
