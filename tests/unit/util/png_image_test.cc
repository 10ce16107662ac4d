// The test-support PNG decoder (tests/support/png_image) that the report test reads Chromium's
// screenshot with: each of the five scanline filters, RGB and RGBA, and what it refuses. The PNGs
// are built here with stored (uncompressed) deflate blocks, so the expected pixels are known
// without another PNG library.
#include "support/png_image.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch::testkit {
namespace {

void put32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xffU);
}

std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffU;
  for (const char c : bytes) {
    crc ^= static_cast<std::uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1U) ^ (0xedb88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

void chunk(std::string& png, const std::string& type, const std::string& data) {
  put32(png, static_cast<std::uint32_t>(data.size()));
  png += type + data;
  put32(png, crc32(type + data));
}

// A zlib stream of stored blocks (RFC 1950/1951), at most 65535 bytes each.
std::string zlibStored(const std::string& data) {
  std::string out = "\x78\x01";
  std::size_t at = 0;
  do {
    const std::size_t size = std::min<std::size_t>(65535, data.size() - at);
    out += static_cast<char>(at + size == data.size() ? 1 : 0);
    out += static_cast<char>(size & 0xffU);
    out += static_cast<char>(size >> 8U);
    out += static_cast<char>(~size & 0xffU);
    out += static_cast<char>((~size >> 8U) & 0xffU);
    out.append(data, at, size);
    at += size;
  } while (at < data.size());
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char c : data) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521U;
    b = (b + a) % 65521U;
  }
  put32(out, (b << 16U) | a);
  return out;
}

int paethPredictor(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = p > a ? p - a : a - p;
  const int pb = p > b ? p - b : b - p;
  const int pc = p > c ? p - c : c - p;
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

// Encodes `pixels` (width * height * channels bytes), row y filtered with filters[y].
std::string encodePng(std::uint32_t width, std::uint32_t height, unsigned channels,
                      const std::vector<std::uint8_t>& pixels, const std::vector<int>& filters) {
  const std::size_t stride = std::size_t{width} * channels;
  std::string raw;
  for (std::uint32_t y = 0; y < height; ++y) {
    raw += static_cast<char>(filters[y]);
    for (std::size_t i = 0; i < stride; ++i) {
      const int x = pixels[y * stride + i];
      const int a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const int b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const int c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const int predictions[] = {0, a, b, (a + b) / 2, paethPredictor(a, b, c)};
      raw += static_cast<char>((x - predictions[filters[y]]) & 0xff);
    }
  }
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put32(header, width);
  put32(header, height);
  header += std::string{'\x08', static_cast<char>(channels == 3 ? 2 : 6), '\0', '\0', '\0'};
  chunk(png, "IHDR", header);
  // Two IDAT chunks: the decoder must join them before inflating.
  const std::string data = zlibStored(raw);
  chunk(png, "IDAT", data.substr(0, data.size() / 2));
  chunk(png, "IDAT", data.substr(data.size() / 2));
  chunk(png, "IEND", "");
  return png;
}

TEST(PngImage, EveryFilterTypeIsUndone) {
  const std::uint32_t width = 4;
  const std::uint32_t height = 5;
  std::vector<std::uint8_t> pixels(width * height * 3);
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<std::uint8_t>((i * 37 + 11) % 256);
  }
  const PngImage image = decodePng(encodePng(width, height, 3, pixels, {0, 1, 2, 3, 4}));
  ASSERT_EQ(image.width, width);
  ASSERT_EQ(image.height, height);
  EXPECT_EQ(image.rgb, pixels);
  EXPECT_EQ(image.pixel(1, 0),
            (std::uint32_t{pixels[3]} << 16U) | (std::uint32_t{pixels[4]} << 8U) | pixels[5]);
}

TEST(PngImage, RgbaDropsAlpha) {
  const std::vector<std::uint8_t> pixels = {0x1f, 0x6f, 0xb4, 0xff, 0xd9, 0x74, 0x1c, 0x80};
  const PngImage image = decodePng(encodePng(2, 1, 4, pixels, {4}));
  EXPECT_EQ(image.pixel(0, 0), 0x1f6fb4U);
  EXPECT_EQ(image.pixel(1, 0), 0xd9741cU);
}

TEST(PngImage, RefusesWhatItDoesNotSupport) {
  EXPECT_THROW(decodePng("GIF89a"), std::runtime_error);
  std::string png = encodePng(1, 1, 3, {1, 2, 3}, {0});
  png[24] = 16;  // bit depth 16
  EXPECT_THROW(decodePng(png), std::runtime_error);
  EXPECT_THROW(readPng("/nonexistent/shot.png"), std::runtime_error);
}

}  // namespace
}  // namespace camwatch::testkit
