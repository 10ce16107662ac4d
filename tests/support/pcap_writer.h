// pcap_writer: writes capture files for tests and camwatch-testgen, without libpcap, so the
// files can carry whatever a test needs (a small snaplen, a truncated last record, odd link
// types). Little-endian throughout. Control-path code: failures throw std::runtime_error naming
// the file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include <camwatch/packet.h>

namespace camwatch::testkit {

/// LINKTYPE_* numbers as they appear in capture files.
inline constexpr std::uint32_t kLinktypeNull = 0;
inline constexpr std::uint32_t kLinktypeEthernet = 1;
inline constexpr std::uint32_t kLinktypeRaw = 101;
inline constexpr std::uint32_t kLinktypeLoop = 108;
inline constexpr std::uint32_t kLinktypeLinuxSll = 113;
inline constexpr std::uint32_t kLinktypeIpv4 = 228;
inline constexpr std::uint32_t kLinktypeIpv6 = 229;
inline constexpr std::uint32_t kLinktypeLinuxSll2 = 276;

enum class TsResolution : std::uint8_t { kMicro, kNano };

struct CaptureFileOptions {
  std::uint32_t linktype = kLinktypeEthernet;
  std::uint32_t snaplen = 262144;
  TsResolution resolution = TsResolution::kNano;
};

/// Common interface of the two file formats, so scenarios do not care which one they fill.
class PacketWriter {
 public:
  virtual ~PacketWriter() = default;
  /// Appends one packet. Writes min(snaplen, bytes.size()) bytes but records `wire_len` as the
  /// original length; `wire_len` 0 means bytes.size().
  virtual void write(Timestamp ts, std::span<const std::uint8_t> bytes,
                     std::uint32_t wire_len = 0) = 0;
  /// Flushes and closes; called by the destructor too, but then errors cannot be reported.
  virtual void close() = 0;
  std::uint64_t packetsWritten() const { return packets_; }

 protected:
  std::uint64_t packets_ = 0;
};

using PacketWriterPtr = std::unique_ptr<PacketWriter>;

/// Owns a buffered FILE*; shared by both writers.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void put(const void* data, std::size_t len);
  void putU16(std::uint16_t value);
  void putU32(std::uint32_t value);
  void close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<char[]> buffer_;
};

/// Classic pcap: magic 0xa1b2c3d4 (microseconds) or 0xa1b23c4d (nanoseconds).
class PcapWriter : public PacketWriter {
 public:
  explicit PcapWriter(const std::string& path, const CaptureFileOptions& options = {});
  ~PcapWriter() override;

  // camwatch::testkit::PacketWriter
  void write(Timestamp ts, std::span<const std::uint8_t> bytes,
             std::uint32_t wire_len = 0) override;
  void close() override;

 private:
  OutputFile out_;
  CaptureFileOptions options_;
};

/// pcapng: one section header, one interface description (if_tsresol 9 for nanoseconds, the
/// default microseconds otherwise), then one enhanced packet block per packet.
class PcapngWriter : public PacketWriter {
 public:
  explicit PcapngWriter(const std::string& path, const CaptureFileOptions& options = {});
  ~PcapngWriter() override;

  // camwatch::testkit::PacketWriter
  void write(Timestamp ts, std::span<const std::uint8_t> bytes,
             std::uint32_t wire_len = 0) override;
  void close() override;

 private:
  OutputFile out_;
  CaptureFileOptions options_;
};

/// Opens a PcapWriter or PcapngWriter.
PacketWriterPtr openCaptureFile(const std::string& path, bool pcapng,
                                const CaptureFileOptions& options = {});

/// Cuts the last packet record of a finished pcap or pcapng file in half (record header plus
/// half of the data for pcap; half of the block for pcapng), as a crashed writer would leave
/// it. Returns the new file size.
std::uint64_t truncateLastRecord(const std::string& path);

/// Truncates a file to `size` bytes (for cut-in-the-file-header tests).
void truncateFile(const std::string& path, std::uint64_t size);

}  // namespace camwatch::testkit
