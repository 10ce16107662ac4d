// capture: packet sources. CaptureFile reads one pcap or pcapng file through libpcap;
// MergedCaptureReader reads several at once and hands out their packets in timestamp order.
// Thread: the reader thread that owns them. Packets are views into libpcap's buffer, valid until
// the next call to next().
//
// A file that is cut short or corrupt ends with an error naming the file and the packet number;
// the packets read before it still count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch {

/// Maps a libpcap DLT_* value to the link types camwatch decodes (kUnsupported otherwise).
LinkType linkTypeFromDlt(int dlt);
/// libpcap's name of a DLT_* value ("EN10MB"), or "DLT <n>" when it has none.
std::string dltName(int dlt);

/// What CaptureFile::next() produced.
enum class ReadStatus : std::uint8_t { kPacket, kEnd, kError };

class CaptureFile {
 public:
  /// Opens `path` (pcap or pcapng) with nanosecond timestamps. Fails, naming the file, when it
  /// cannot be opened or its link type is one camwatch does not decode.
  static Result<std::unique_ptr<CaptureFile>> open(const std::string& path);
  ~CaptureFile();
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;

  /// Reads the next packet into `packet`. On kError, error() says what and where.
  ReadStatus next(RawPacket& packet);

  const std::string& path() const { return path_; }
  int dlt() const { return dlt_; }
  LinkType linkType() const { return link_; }
  /// Packets read so far (the number of the last packet handed out, counting from 1).
  std::uint64_t packetsRead() const { return packets_read_; }
  std::uint64_t wireBytesRead() const { return wire_bytes_read_; }
  /// "FILE: packet N: what libpcap said", after next() returned kError.
  const std::string& error() const { return error_; }

 private:
  CaptureFile(std::string path, void* handle, int dlt);

  std::string path_;
  void* handle_;  // pcap_t*, kept opaque so this header does not pull in pcap.h
  int dlt_;
  LinkType link_;
  std::uint64_t packets_read_ = 0;
  std::uint64_t wire_bytes_read_ = 0;
  std::string error_;
};

/// Per-file facts for the summary.
struct CaptureFileStats {
  std::string path;
  std::string link_type;
  std::uint64_t packets = 0;
  std::uint64_t wire_bytes = 0;
  Timestamp first_ts = 0;
  Timestamp last_ts = 0;
  std::string error;  ///< empty unless the file ended in an error
};

class MergedCaptureReader {
 public:
  /// Opens every file; fails on the first that cannot be opened (nothing is read then).
  static Result<std::unique_ptr<MergedCaptureReader>> open(const std::vector<std::string>& paths);

  /// Hands out the packet with the smallest timestamp across all files (ties: the file named
  /// first). Returns false at the end of all files. A file that fails mid-way is closed, its
  /// error kept in stats(), and the others go on.
  bool next(RawPacket& packet);

  /// Index (into the paths given to open()) of the file the last packet came from.
  std::size_t lastFileIndex() const { return last_file_; }
  const std::vector<CaptureFileStats>& stats() const { return stats_; }
  /// Errors so far, one line each.
  std::vector<std::string> errors() const;

 private:
  struct Head {
    RawPacket packet;
    bool valid = false;
  };
  void advance(std::size_t file);
  bool comesAfter(std::size_t a, std::size_t b) const;

  std::vector<std::unique_ptr<CaptureFile>> files_;
  std::vector<Head> heads_;
  std::vector<std::size_t> heap_;  // min-heap of file indices by head timestamp
  std::vector<CaptureFileStats> stats_;
  std::size_t last_file_ = 0;
  bool started_ = false;
};

}  // namespace camwatch
