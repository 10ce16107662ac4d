#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <camwatch/capture.h>

namespace camwatch {

LinkType linkTypeFromDlt(int dlt) {
  switch (dlt) {
    case DLT_EN10MB:
      return LinkType::kEthernet;
    case DLT_LINUX_SLL:
      return LinkType::kLinuxSll;
    case DLT_LINUX_SLL2:
      return LinkType::kLinuxSll2;
    case DLT_RAW:
#if defined(DLT_RAW) && DLT_RAW != 12
    case 12:  // LINKTYPE_RAW as some writers store it
#endif
      return LinkType::kRawIp;
    case DLT_IPV4:
      return LinkType::kIpv4;
    case DLT_IPV6:
      return LinkType::kIpv6;
    case DLT_NULL:
    case DLT_LOOP:
      return LinkType::kNull;
    default:
      return LinkType::kUnsupported;
  }
}

std::string dltName(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return name != nullptr ? std::string(name) : fmt::format("DLT {}", dlt);
}

// A gzip-compressed capture, read through zlib. libpcap only reads plain files, so it gets a
// read-only FILE* (glibc's fopencookie) whose reads are gzread()s. The state outlives the FILE*
// (libpcap fcloses it in pcap_close) so that a read error can still be told after it.
struct GzipSource {
  gzFile gz = nullptr;
  std::uint64_t bytes_out = 0;  // decompressed bytes handed to libpcap
  std::string error;            // zlib's message once a read failed
  std::string path;             // zlib puts it before its messages; our errors name it once
};

namespace {
pcap_t* asPcap(void* handle) { return static_cast<pcap_t*>(handle); }

// Holds the FILE*'s share of the source; the CaptureFile holds the other.
using GzipCookie = std::shared_ptr<GzipSource>;

extern "C" ssize_t gzipCookieRead(void* cookie, char* buf, size_t size) {
  GzipSource& source = **static_cast<GzipCookie*>(cookie);
  if (!source.error.empty()) return -1;
  const unsigned chunk = size > (1U << 30U) ? (1U << 30U) : static_cast<unsigned>(size);
  const int got = gzread(source.gz, buf, chunk);
  int errnum = Z_OK;
  const char* message = gzerror(source.gz, &errnum);
  if (got > 0) {
    source.bytes_out += static_cast<std::uint64_t>(got);
    return got;
  }
  // 0 with no error is the end of the stream; zlib reports a stream cut short (Z_BUF_ERROR)
  // only through gzerror, and libpcap must see it as a read error, not as the end of the file.
  if (got == 0 && errnum == Z_OK) return 0;
  std::string_view text = message != nullptr && *message != '\0' ? message : "read error";
  const std::string prefix = source.path + ": ";
  if (text.substr(0, prefix.size()) == prefix) text.remove_prefix(prefix.size());
  source.error = std::string(text);
  errno = EIO;
  return -1;
}

extern "C" int gzipCookieClose(void* cookie) {
  auto* share = static_cast<GzipCookie*>(cookie);
  const int rc = gzclose_r((*share)->gz);
  (*share)->gz = nullptr;
  delete share;
  return rc == Z_OK ? 0 : -1;
}

// A packet's time from a file, in nanoseconds (opened with PCAP_TSTAMP_PRECISION_NANO, so
// `fraction` is nanoseconds). The file decides both numbers: a pcapng timestamp is 64 bits in
// units the file chooses, so libpcap can hand out seconds far past what a Timestamp holds (or,
// converted to time_t, negative). Seconds are kept within 0 .. 2^32 - 1 (the most a classic pcap
// can say, the year 2106), which also leaves room for timeouts added to packet time; fuzz_capture
// found the overflow (tests/fuzz/regressions/fuzz_capture/pcapng-huge-timestamp).
Timestamp fileTimestamp(std::int64_t seconds, std::int64_t fraction) {
  constexpr std::int64_t kMaxSeconds = 0xffff'ffff;
  seconds = std::clamp<std::int64_t>(seconds, 0, kMaxSeconds);
  fraction = std::clamp<std::int64_t>(fraction, 0, kNanosPerSecond - 1);
  return seconds * kNanosPerSecond + fraction;
}

// Whether the file starts with gzip's magic bytes (1f 8b): the content decides, not the name.
bool isGzip(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;  // libpcap then names the error
  unsigned char magic[2] = {};
  const std::size_t got = std::fread(magic, 1, sizeof(magic), file);
  std::fclose(file);
  return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// Opens a gzip capture as a FILE* libpcap can read; `source` receives the shared state.
Result<std::FILE*> openGzip(const std::string& path, std::shared_ptr<GzipSource>& source) {
  source = std::make_shared<GzipSource>();
  source->path = path;
  source->gz = gzopen(path.c_str(), "rb");
  if (source->gz == nullptr) {
    return makeError(fmt::format("{}: cannot read capture: {}", path, std::strerror(errno)));
  }
  gzbuffer(source->gz, 256U * 1024U);
  auto* share = new GzipCookie(source);
  const cookie_io_functions_t io{gzipCookieRead, nullptr, nullptr, gzipCookieClose};
  std::FILE* file = fopencookie(share, "r", io);
  if (file == nullptr) {
    gzclose_r(source->gz);
    delete share;
    return makeError(fmt::format("{}: cannot read capture: {}", path, std::strerror(errno)));
  }
  return file;
}
}  // namespace

Result<std::unique_ptr<CaptureFile>> CaptureFile::open(const std::string& path,
                                                       const std::string& bpf) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = nullptr;
  std::shared_ptr<GzipSource> gzip;
  if (isGzip(path)) {
    auto file = openGzip(path, gzip);
    if (!file) return tl::unexpected(file.error());
    handle = pcap_fopen_offline_with_tstamp_precision(*file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (handle == nullptr) {
      std::fclose(*file);  // libpcap leaves the FILE* open when it fails
      const std::string why =
          gzip->error.empty() ? std::string(errbuf) : "corrupt gzip data: " + gzip->error;
      return makeError(fmt::format("{}: cannot read capture: {}", path, why));
    }
  } else {
    handle =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  }
  if (handle == nullptr) {
    return makeError(fmt::format("{}: cannot read capture: {}", path, errbuf));
  }
  const int dlt = pcap_datalink(handle);
  if (linkTypeFromDlt(dlt) == LinkType::kUnsupported) {
    pcap_close(handle);
    return makeError(fmt::format(
        "{}: link type {} ({}) is not supported; camwatch reads EN10MB, LINUX_SLL, LINUX_SLL2, "
        "RAW, IPV4, IPV6, NULL and LOOP captures",
        path, dltName(dlt), dlt));
  }
  if (!bpf.empty()) {
    // Compiled per file: the same expression gives different code for each link type. On a
    // savefile libpcap runs the filter itself as it reads (pcap_offline_filter).
    bpf_program program{};
    if (pcap_compile(handle, &program, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(handle, &program) != 0) {
      std::string why = pcap_geterr(handle);
      pcap_freecode(&program);
      pcap_close(handle);
      return makeError(fmt::format("{}: bad BPF filter '{}': {}", path, bpf, why));
    }
    pcap_freecode(&program);
  }
  auto capture = std::unique_ptr<CaptureFile>(new CaptureFile(path, handle, dlt));
  capture->gzip_ = std::move(gzip);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_size > 0) {
    capture->input_size_ = static_cast<std::uint64_t>(st.st_size);
  }
  return capture;
}

CaptureFile::CaptureFile(std::string path, void* handle, int dlt)
    : path_(std::move(path)), handle_(handle), dlt_(dlt), link_(linkTypeFromDlt(dlt)) {}

CaptureFile::~CaptureFile() {
  if (handle_ != nullptr) pcap_close(asPcap(handle_));
}

std::uint64_t CaptureFile::inputBytesRead() const {
  if (handle_ == nullptr) return input_size_;  // ended (or failed): nothing more will be read
  off_t offset = -1;
  if (gzip_) {
    if (gzip_->gz != nullptr) offset = gzoffset(gzip_->gz);  // compressed bytes consumed
  } else if (std::FILE* file = pcap_file(asPcap(handle_)); file != nullptr) {
    offset = ftello(file);
  }
  if (offset < 0) return 0;
  return std::min(static_cast<std::uint64_t>(offset), input_size_);
}

ReadStatus CaptureFile::next(RawPacket& packet) {
  if (handle_ == nullptr) return error_.empty() ? ReadStatus::kEnd : ReadStatus::kError;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(asPcap(handle_), &header, &data);
  if (rc == 1) {
    ++packets_read_;
    packet.ts = fileTimestamp(header->ts.tv_sec, header->ts.tv_usec);
    packet.wire_len = header->len > header->caplen ? header->len : header->caplen;
    packet.link = link_;
    packet.data = std::span<const std::uint8_t>(data, header->caplen);
    wire_bytes_read_ += packet.wire_len;
    return ReadStatus::kPacket;
  }
  if (rc == PCAP_ERROR_BREAK) {  // end of file
    pcap_close(asPcap(handle_));
    handle_ = nullptr;
    return ReadStatus::kEnd;
  }
  if (gzip_ && !gzip_->error.empty()) {
    error_ =
        fmt::format("{}: corrupt gzip data after {} bytes: {} (the {} packets before it were read)",
                    path_, gzip_->bytes_out, gzip_->error, packets_read_);
  } else {
    error_ = fmt::format("{}: packet {}: {} (the {} packets before it were read)", path_,
                         packets_read_ + 1, pcap_geterr(asPcap(handle_)), packets_read_);
  }
  pcap_close(asPcap(handle_));
  handle_ = nullptr;
  return ReadStatus::kError;
}

}  // namespace camwatch
