#include "support/png_image.h"

#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace camwatch::testkit {
namespace {

std::uint32_t bigEndian32(const std::string& bytes, std::size_t at) {
  return (std::uint32_t{static_cast<std::uint8_t>(bytes[at])} << 24U) |
         (std::uint32_t{static_cast<std::uint8_t>(bytes[at + 1])} << 16U) |
         (std::uint32_t{static_cast<std::uint8_t>(bytes[at + 2])} << 8U) |
         std::uint32_t{static_cast<std::uint8_t>(bytes[at + 3])};
}

std::vector<std::uint8_t> inflateAll(const std::string& compressed, std::size_t expected) {
  std::vector<std::uint8_t> out(expected);
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) throw std::runtime_error("png: inflateInit failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  const std::size_t produced = out.size() - stream.avail_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || produced != expected) {
    throw std::runtime_error("png: image data does not inflate to the size IHDR says");
  }
  return out;
}

// The Paeth predictor of the PNG spec, 9.4.
std::uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<std::uint8_t>(a);
  if (pb <= pc) return static_cast<std::uint8_t>(b);
  return static_cast<std::uint8_t>(c);
}

}  // namespace

std::uint32_t PngImage::pixel(std::uint32_t x, std::uint32_t y) const {
  const std::size_t at = (std::size_t{y} * width + x) * 3;
  return (std::uint32_t{rgb[at]} << 16U) | (std::uint32_t{rgb[at + 1]} << 8U) | rgb[at + 2];
}

PngImage decodePng(const std::string& bytes) {
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (bytes.compare(0, kSignature.size(), kSignature) != 0) {
    throw std::runtime_error("png: no PNG signature");
  }
  PngImage image;
  unsigned channels = 0;
  std::string idat;
  std::size_t at = kSignature.size();
  bool ended = false;
  while (!ended) {
    if (at + 12 > bytes.size()) throw std::runtime_error("png: truncated chunk");
    const std::uint32_t length = bigEndian32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (at + 12 + length > bytes.size()) throw std::runtime_error("png: truncated " + type);
    const std::size_t data = at + 8;
    if (type == "IHDR") {
      if (length != 13) throw std::runtime_error("png: IHDR is not 13 bytes");
      image.width = bigEndian32(bytes, data);
      image.height = bigEndian32(bytes, data + 4);
      const auto depth = static_cast<std::uint8_t>(bytes[data + 8]);
      const auto colour = static_cast<std::uint8_t>(bytes[data + 9]);
      const auto interlace = static_cast<std::uint8_t>(bytes[data + 12]);
      if (depth != 8 || (colour != 2 && colour != 6) || interlace != 0) {
        throw std::runtime_error("png: only 8-bit RGB/RGBA without interlacing is supported");
      }
      channels = colour == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.append(bytes, data, length);
    } else if (type == "IEND") {
      ended = true;
    }
    at += 12 + length;
  }
  if (channels == 0) throw std::runtime_error("png: no IHDR");
  const std::size_t stride = std::size_t{image.width} * channels;
  const std::vector<std::uint8_t> raw = inflateAll(idat, (stride + 1) * image.height);
  std::vector<std::uint8_t> current(stride);
  std::vector<std::uint8_t> previous(stride, 0);
  image.rgb.resize(std::size_t{image.width} * image.height * 3);
  for (std::uint32_t y = 0; y < image.height; ++y) {
    const std::uint8_t* line = raw.data() + y * (stride + 1);
    const std::uint8_t filter = line[0];
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= channels ? current[i - channels] : 0;
      const int b = previous[i];
      const int c = i >= channels ? previous[i - channels] : 0;
      int predicted = 0;
      switch (filter) {
        case 0:
          predicted = 0;
          break;
        case 1:
          predicted = a;
          break;
        case 2:
          predicted = b;
          break;
        case 3:
          predicted = (a + b) / 2;
          break;
        case 4:
          predicted = paeth(a, b, c);
          break;
        default:
          throw std::runtime_error("png: unknown filter type " + std::to_string(filter));
      }
      current[i] = static_cast<std::uint8_t>(line[1 + i] + predicted);
    }
    for (std::uint32_t x = 0; x < image.width; ++x) {
      for (unsigned k = 0; k < 3; ++k) {
        image.rgb[(std::size_t{y} * image.width + x) * 3 + k] = current[x * channels + k];
      }
    }
    std::swap(current, previous);
  }
  return image;
}

PngImage readPng(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error(path + ": cannot read");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  try {
    return decodePng(bytes.str());
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(path + ": " + error.what());
  }
}

namespace {

void appendBigEndian32(std::string& out, std::uint32_t value) {
  out += static_cast<char>(value >> 24U);
  out += static_cast<char>((value >> 16U) & 0xffU);
  out += static_cast<char>((value >> 8U) & 0xffU);
  out += static_cast<char>(value & 0xffU);
}

// One chunk: length, type, data, and the CRC-32 of type and data (PNG spec, 5.3).
void appendChunk(std::string& out, const std::string& type, const std::string& data) {
  appendBigEndian32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = type + data;
  out += body;
  appendBigEndian32(out,
                    static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                                     static_cast<uInt>(body.size()))));
}

}  // namespace

std::string encodePng(const PngImage& image) {
  // Scanlines with filter type 0 (none): simple, and zlib still shrinks a screenshot well.
  const std::size_t stride = std::size_t{image.width} * 3;
  std::string raw;
  raw.reserve((stride + 1) * image.height);
  for (std::uint32_t y = 0; y < image.height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(image.rgb.data()) + y * stride, stride);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_SPEED) != Z_OK) {
    throw std::runtime_error("png: compress failed");
  }
  compressed.resize(size);
  std::string header;
  appendBigEndian32(header, image.width);
  appendBigEndian32(header, image.height);
  header += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, filters, no interlace
  std::string out = "\x89PNG\r\n\x1a\n";
  appendChunk(out, "IHDR", header);
  appendChunk(out, "IDAT", compressed);
  appendChunk(out, "IEND", "");
  return out;
}

void writePng(const std::string& path, const PngImage& image) {
  std::ofstream file(path, std::ios::binary);
  const std::string bytes = encodePng(image);
  if (!file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
    throw std::runtime_error(path + ": cannot write");
  }
}

}  // namespace camwatch::testkit
