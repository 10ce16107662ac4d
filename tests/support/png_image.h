// A small PNG decoder (and encoder) for tests (the report test checks a headless-Chromium
// screenshot): 8-bit RGB or RGBA, not interlaced; IHDR, the concatenated IDAT chunks inflated with
// zlib, the five scanline filters (PNG spec, section 9) undone. Anything else is an error, not a
// guess.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camwatch::testkit {

struct PngImage {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint8_t> rgb;  ///< width * height * 3 bytes, row by row (alpha dropped)

  /// Red, green, blue of pixel (x, y) packed as 0xRRGGBB.
  std::uint32_t pixel(std::uint32_t x, std::uint32_t y) const;
};

/// Decodes the PNG file at `path`; throws std::runtime_error naming the file and the problem.
PngImage readPng(const std::string& path);

/// Decodes PNG bytes; throws std::runtime_error on anything it does not support.
PngImage decodePng(const std::string& bytes);

/// Encodes `image` as an 8-bit RGB PNG (no filters, zlib's fastest level): for pictures a failing
/// test leaves for a person to look at, not for size.
std::string encodePng(const PngImage& image);

/// encodePng() into the file at `path`; throws std::runtime_error naming it when it cannot.
void writePng(const std::string& path, const PngImage& image);

}  // namespace camwatch::testkit
