#include "support/pcap_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace camwatch::testkit {
namespace {

constexpr std::size_t kFileBufferSize = 1 << 20;
constexpr std::uint32_t kPcapMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kPcapMagicNano = 0xa1b23c4d;
constexpr std::uint32_t kPcapngSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kPcapngInterfaceDescription = 0x00000001;
constexpr std::uint32_t kPcapngEnhancedPacket = 0x00000006;
constexpr std::uint32_t kPcapngByteOrderMagic = 0x1a2b3c4d;

std::uint32_t resolveWireLen(std::span<const std::uint8_t> bytes, std::uint32_t wire_len) {
  return wire_len != 0 ? wire_len : static_cast<std::uint32_t>(bytes.size());
}

std::uint32_t readLe32(const std::vector<char>& data, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(data.at(offset + i))) << (8 * i);
  }
  return value;
}

std::vector<char> readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open for reading");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

OutputFile::OutputFile(const std::string& path)
    : path_(path), buffer_(std::make_unique<char[]>(kFileBufferSize)) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
  }
  // A large buffer: the bench scenario writes hundreds of megabytes in small records.
  std::setvbuf(file_, buffer_.get(), _IOFBF, kFileBufferSize);
}

OutputFile::~OutputFile() {
  if (file_ != nullptr) std::fclose(file_);
}

void OutputFile::put(const void* data, std::size_t len) {
  if (file_ == nullptr) throw std::runtime_error(path_ + ": write after close");
  if (len != 0 && std::fwrite(data, 1, len, file_) != len) {
    throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  }
}

void OutputFile::putU16(std::uint16_t value) {
  const std::uint8_t bytes[2] = {static_cast<std::uint8_t>(value),
                                 static_cast<std::uint8_t>(value >> 8)};
  put(bytes, sizeof(bytes));
}

void OutputFile::putU32(std::uint32_t value) {
  const std::uint8_t bytes[4] = {
      static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
      static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
  put(bytes, sizeof(bytes));
}

void OutputFile::close() {
  if (file_ == nullptr) return;
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) throw std::runtime_error(path_ + ": close failed: " + std::strerror(errno));
}

PcapWriter::PcapWriter(const std::string& path, const CaptureFileOptions& options)
    : out_(path), options_(options) {
  out_.putU32(options.resolution == TsResolution::kNano ? kPcapMagicNano : kPcapMagicMicro);
  out_.putU16(2);  // version 2.4
  out_.putU16(4);
  out_.putU32(0);  // thiszone
  out_.putU32(0);  // sigfigs
  out_.putU32(options.snaplen);
  out_.putU32(options.linktype);
}

PcapWriter::~PcapWriter() = default;

void PcapWriter::write(Timestamp ts, std::span<const std::uint8_t> bytes, std::uint32_t wire_len) {
  auto caplen = static_cast<std::uint32_t>(
      std::min<std::size_t>(bytes.size(), static_cast<std::size_t>(options_.snaplen)));
  Timestamp fraction = ts % kNanosPerSecond;
  if (options_.resolution == TsResolution::kMicro) fraction /= 1000;
  out_.putU32(static_cast<std::uint32_t>(ts / kNanosPerSecond));
  out_.putU32(static_cast<std::uint32_t>(fraction));
  out_.putU32(caplen);
  out_.putU32(resolveWireLen(bytes, wire_len));
  out_.put(bytes.data(), caplen);
  ++packets_;
}

void PcapWriter::close() { out_.close(); }

PcapngWriter::PcapngWriter(const std::string& path, const CaptureFileOptions& options)
    : out_(path), options_(options) {
  // Section header block: no options, section length unknown (-1).
  out_.putU32(kPcapngSectionHeader);
  out_.putU32(28);
  out_.putU32(kPcapngByteOrderMagic);
  out_.putU16(1);
  out_.putU16(0);
  out_.putU32(0xffffffff);
  out_.putU32(0xffffffff);
  out_.putU32(28);

  // Interface description block; with nanoseconds it carries if_tsresol = 9 (padded to 4) and
  // opt_endofopt.
  bool nano = options.resolution == TsResolution::kNano;
  std::uint32_t block_len = nano ? 20 + 8 + 4 : 20;
  out_.putU32(kPcapngInterfaceDescription);
  out_.putU32(block_len);
  out_.putU16(static_cast<std::uint16_t>(options.linktype));
  out_.putU16(0);
  out_.putU32(options.snaplen);
  if (nano) {
    out_.putU16(9);  // if_tsresol
    out_.putU16(1);
    const std::uint8_t value[4] = {9, 0, 0, 0};
    out_.put(value, sizeof(value));
    out_.putU16(0);  // opt_endofopt
    out_.putU16(0);
  }
  out_.putU32(block_len);
}

PcapngWriter::~PcapngWriter() = default;

void PcapngWriter::write(Timestamp ts, std::span<const std::uint8_t> bytes,
                         std::uint32_t wire_len) {
  auto caplen = static_cast<std::uint32_t>(
      std::min<std::size_t>(bytes.size(), static_cast<std::size_t>(options_.snaplen)));
  std::uint32_t padded = (caplen + 3) & ~3U;
  std::uint32_t block_len = 32 + padded;
  auto units =
      static_cast<std::uint64_t>(options_.resolution == TsResolution::kNano ? ts : ts / 1000);
  out_.putU32(kPcapngEnhancedPacket);
  out_.putU32(block_len);
  out_.putU32(0);  // interface id
  out_.putU32(static_cast<std::uint32_t>(units >> 32));
  out_.putU32(static_cast<std::uint32_t>(units));
  out_.putU32(caplen);
  out_.putU32(resolveWireLen(bytes, wire_len));
  out_.put(bytes.data(), caplen);
  const std::uint8_t zeros[4] = {};
  out_.put(zeros, padded - caplen);
  out_.putU32(block_len);
  ++packets_;
}

void PcapngWriter::close() { out_.close(); }

PacketWriterPtr openCaptureFile(const std::string& path, bool pcapng,
                                const CaptureFileOptions& options) {
  if (pcapng) return std::make_unique<PcapngWriter>(path, options);
  return std::make_unique<PcapWriter>(path, options);
}

std::uint64_t truncateLastRecord(const std::string& path) {
  std::vector<char> data = readWholeFile(path);
  if (data.size() < 24) throw std::runtime_error(path + ": too short for a capture file");
  std::uint32_t magic = readLe32(data, 0);
  std::size_t last_start = 0;
  std::size_t cut = 0;
  if (magic == kPcapMagicMicro || magic == kPcapMagicNano) {
    std::size_t pos = 24;
    while (pos + 16 <= data.size()) {
      last_start = pos;
      pos += 16 + readLe32(data, pos + 8);
    }
    if (last_start == 0) throw std::runtime_error(path + ": no packet record to cut");
    // Keep the record header and half of the captured bytes.
    cut = last_start + 16 + readLe32(data, last_start + 8) / 2;
  } else if (magic == kPcapngSectionHeader) {
    std::size_t pos = 0;
    while (pos + 12 <= data.size()) {
      if (readLe32(data, pos) == kPcapngEnhancedPacket) last_start = pos;
      pos += readLe32(data, pos + 4);
    }
    if (last_start == 0) throw std::runtime_error(path + ": no packet block to cut");
    cut = last_start + readLe32(data, last_start + 4) / 2;
  } else {
    throw std::runtime_error(path + ": not a little-endian pcap or pcapng file");
  }
  truncateFile(path, cut);
  return cut;
}

void truncateFile(const std::string& path, std::uint64_t size) {
  std::filesystem::resize_file(path, size);
}

}  // namespace camwatch::testkit
