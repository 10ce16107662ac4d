// capture/: packet sources through libpcap: capture files (pcap, pcapng, gzip; several merged in
// time order), live interface handles in a PACKET_FANOUT group, and packet times as text.
//
// CaptureFile reads one pcap or pcapng file through libpcap, plain or
// gzip-compressed;
// MergedCaptureReader reads several at once and hands out their packets in timestamp order;
// LiveCapture reads one network interface (one handle per worker, optionally joined to a
// PACKET_FANOUT group so the kernel spreads flows over the workers). interfaceIsUp() and
// reopenDelay() are what the run loop needs to reopen an interface that went away.
// Thread: the reader thread that owns them. Packets are views into libpcap's buffer, valid until
// the next call to next().
//
// A file that is cut short or corrupt ends with an error naming the file and the packet number;
// the packets read before it still count.
#pragma once

#include <chrono>
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

/// What CaptureFile::next() or LiveCapture::next() produced. kTimeout only comes from
/// LiveCapture (no packet within the read timeout); kEnd only from CaptureFile.
enum class ReadStatus : std::uint8_t { kPacket, kEnd, kError, kTimeout };

struct GzipSource;  // capture_file.cc: zlib's state for a compressed capture

class CaptureFile {
 public:
  /// Opens `path` (pcap or pcapng) with nanosecond timestamps. A file that starts with gzip's
  /// magic bytes (1f 8b), whatever its name, is decompressed with zlib on the fly; corrupt or
  /// cut-short gzip data ends it with "FILE: corrupt gzip data after N bytes: ...". Fails,
  /// naming the file, when it cannot be opened or its link type is one camwatch does not decode.
  /// A non-empty `bpf` is a libpcap filter expression compiled for this file's link type; only
  /// the packets it matches are handed out (and counted). A bad one fails with
  /// "FILE: bad BPF filter 'EXPR': what libpcap said".
  static Result<std::unique_ptr<CaptureFile>> open(const std::string& path,
                                                   const std::string& bpf = "");
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
  /// The file's size on disk at open (compressed, for gzip), and how far into it reading has
  /// got (the whole size once the file ended): for a progress display, not exact to the packet.
  std::uint64_t inputSize() const { return input_size_; }
  std::uint64_t inputBytesRead() const;
  /// "FILE: packet N: what libpcap said", after next() returned kError.
  const std::string& error() const { return error_; }

 private:
  CaptureFile(std::string path, void* handle, int dlt);

  std::string path_;
  void* handle_;  // pcap_t*, kept opaque so this header does not pull in pcap.h
  int dlt_;
  LinkType link_;
  std::shared_ptr<GzipSource> gzip_;  // null for an uncompressed file
  std::uint64_t input_size_ = 0;
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
  /// Opens every file (with the BPF filter `bpf`, if not empty: CaptureFile::open); fails on the
  /// first that cannot be opened (nothing is read then).
  static Result<std::unique_ptr<MergedCaptureReader>> open(const std::vector<std::string>& paths,
                                                           const std::string& bpf = "");

  /// Hands out the packet with the smallest timestamp across all files (ties: the file named
  /// first). Returns false at the end of all files. A file that fails mid-way is closed, its
  /// error kept in stats(), and the others go on.
  bool next(RawPacket& packet);

  /// Index (into the paths given to open()) of the file the last packet came from.
  std::size_t lastFileIndex() const { return last_file_; }
  const std::vector<CaptureFileStats>& stats() const { return stats_; }
  /// Errors so far, one line each.
  std::vector<std::string> errors() const;
  /// Sums over the files of CaptureFile::inputSize() and inputBytesRead(), for a progress display.
  std::uint64_t inputSize() const;
  std::uint64_t inputBytesRead() const;

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

/// How to open one live capture handle.
struct LiveCaptureOptions {
  std::string interface;  ///< e.g. "eth1"; must exist and be up
  std::uint32_t snaplen = 262144;
  std::uint32_t buffer_bytes = 64U * 1024U * 1024U;  ///< kernel ring (TPACKET_V3 blocks)
  std::string bpf;                                   ///< libpcap filter expression; empty = all
  bool promiscuous = true;
  /// Longest wait in next() before it returns kTimeout (also the ring's block retire timeout,
  /// i.e. the most a packet waits before the worker sees it). Must be > 0.
  int timeout_ms = 100;
  /// PACKET_FANOUT group id (per network namespace); 0 = no fanout. Every handle on the same
  /// interface with the same id shares the packets: PACKET_FANOUT_HASH | FLAG_DEFRAG, so both
  /// directions of a flow (and all fragments of a datagram) go to the same handle.
  std::uint16_t fanout_group = 0;
};

/// libpcap's pcap_stats() for one handle, widened to 64 bits (libpcap's counters are 32-bit
/// and wrap; stats() adds the difference since the last call). Counts since open().
struct PcapCounters {
  /// ps_recv: packets that passed the filter; on Linux this includes the dropped ones, so
  /// handed out = received - dropped
  std::uint64_t received = 0;
  std::uint64_t dropped = 0;     ///< ps_drop: no room in the ring (the worker was too slow)
  std::uint64_t if_dropped = 0;  ///< ps_ifdrop: dropped by the interface or its driver
};

/// Where a live worker reads its packets. An interface so the worker's driver
/// (daemon/pipeline/live_worker.h) runs on a fake in tests (tests/mocks/fake_packet_source.h) as
/// well as on a libpcap handle (LiveCapture). Owned and used by one worker thread.
class PacketSource {
 public:
  virtual ~PacketSource() = default;
  /// The next packet (kPacket: `packet` valid until the next call), kTimeout (nothing arrived
  /// within the source's read timeout) or kError (error() says what; the source is done).
  virtual ReadStatus next(RawPacket& packet) = 0;
  /// The capture socket's counts so far; fails after an error closed the source.
  virtual Result<PcapCounters> stats() = 0;
  /// What failed, after next() returned kError; names the interface.
  virtual const std::string& error() const = 0;
};

using PacketSourcePtr = std::unique_ptr<PacketSource>;

/// How a live worker opens a source on its interface (again, after a failure), and checks the
/// link. The real one is liveCaptureOpener(); tests pass their own.
class PacketSourceOpener {
 public:
  virtual ~PacketSourceOpener() = default;
  /// The error names the interface and what failed.
  virtual Result<PacketSourcePtr> open(const LiveCaptureOptions& options) = 0;
  /// Whether the interface's link is up (a source on a link set down sees only timeouts).
  virtual bool linkUp(const std::string& interface) = 0;
};

/// One libpcap handle on a network interface: TPACKET_V3 ring (libpcap's default on Linux),
/// immediate mode off, nanosecond timestamps. Owned and used by one worker thread.
class LiveCapture final : public PacketSource {
 public:
  /// Creates, configures and activates the handle, sets the BPF filter and joins the fanout
  /// group. Errors name the interface and what failed ("eth9: no such device",
  /// "eth1: permission denied: capturing needs CAP_NET_RAW", "eth1: bad BPF filter 'udpp': ...",
  /// "eth1: cannot join PACKET_FANOUT group 7: Invalid argument"). Warnings from pcap_activate
  /// (e.g. promiscuous mode not supported) do not fail; they are kept in warnings().
  /// Thread: any; the result then belongs to one worker.
  static Result<std::unique_ptr<LiveCapture>> open(const LiveCaptureOptions& options);
  ~LiveCapture() override;
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  /// Waits up to timeout_ms for the next packet. Returns kPacket (fills `packet` like
  /// CaptureFile::next: ts in ns, wire_len, link, data valid until the next call), kTimeout
  /// (nothing arrived; a chance to tick), or kError (error() says what; the handle is closed,
  /// every later call returns kError; the run loop should wait reopenDelay() and open() again).
  /// An interface that is deleted gives kError ("eth1: capture failed after N packets: The
  /// interface disappeared"). One that is only set down gives timeouts (libpcap 1.10 treats it
  /// as transient) and the same handle sees packets again once it is back up; a run loop that
  /// wants to report it can check interfaceIsUp() while it sees only timeouts. Each call
  /// returns within about timeout_ms (the handle is non-blocking and next() polls itself, since
  /// libpcap's TPACKET_V3 wait would block until traffic arrives). Never returns kEnd.
  /// Thread: the owning worker.
  ReadStatus next(RawPacket& packet) override;

  /// pcap_stats() so far. Fails (naming the interface) after an error closed the handle.
  /// Thread: the owning worker.
  Result<PcapCounters> stats() override;

  const std::string& interface() const { return options_.interface; }
  const LiveCaptureOptions& options() const { return options_; }
  int dlt() const { return dlt_; }
  LinkType linkType() const { return link_; }
  /// The descriptor libpcap reads (for poll/epoll), or -1 after an error.
  int selectableFd() const;
  /// Warnings pcap_activate gave, one line each, naming the interface; for the log.
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::uint64_t packetsRead() const { return packets_read_; }
  std::uint64_t wireBytesRead() const { return wire_bytes_read_; }
  /// "IFACE: what libpcap said", after next() returned kError.
  const std::string& error() const override { return error_; }

 private:
  LiveCapture(LiveCaptureOptions options, void* handle, int dlt, bool nanos,
              std::vector<std::string> warnings);
  void closeHandle();

  LiveCaptureOptions options_;
  void* handle_;  // pcap_t*, kept opaque so this header does not pull in pcap.h
  int dlt_;
  LinkType link_;
  bool nanos_;  // false if the kernel could not give nanosecond timestamps (then us * 1000)
  std::vector<std::string> warnings_;
  std::uint64_t packets_read_ = 0;
  std::uint64_t wire_bytes_read_ = 0;
  std::string error_;
  PcapCounters counters_;
  std::uint32_t last_recv_ = 0, last_drop_ = 0, last_ifdrop_ = 0;  // raw pcap_stats values
};

/// True when `name` exists in the calling thread's network namespace and is administratively
/// up (IFF_UP, what pcap_activate needs). Carrier is not required. Thread: any.
bool interfaceIsUp(const std::string& name);

/// LiveCapture::open() and interfaceIsUp(): the opener `camwatch run` uses.
PacketSourceOpener& liveCaptureOpener();

/// Reopen schedule for an interface that went away: capped exponential backoff.
struct ReopenSchedule {
  std::chrono::milliseconds first{250};
  std::chrono::milliseconds max{30000};
};

/// Delay before reopen attempt `attempt` (0 = the first retry after an error):
/// min(first * 2^attempt, max), i.e. 250 ms, 500 ms, 1 s, 2 s, ... 30 s, 30 s, ... with the
/// defaults. The run loop resets `attempt` to 0 after an open() that succeeds.
std::chrono::milliseconds reopenDelay(std::uint32_t attempt, const ReopenSchedule& schedule = {});

}  // namespace camwatch
