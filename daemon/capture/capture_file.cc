#include <string>

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

namespace {
pcap_t* asPcap(void* handle) { return static_cast<pcap_t*>(handle); }
}  // namespace

Result<std::unique_ptr<CaptureFile>> CaptureFile::open(const std::string& path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
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
  return std::unique_ptr<CaptureFile>(new CaptureFile(path, handle, dlt));
}

CaptureFile::CaptureFile(std::string path, void* handle, int dlt)
    : path_(std::move(path)), handle_(handle), dlt_(dlt), link_(linkTypeFromDlt(dlt)) {}

CaptureFile::~CaptureFile() {
  if (handle_ != nullptr) pcap_close(asPcap(handle_));
}

ReadStatus CaptureFile::next(RawPacket& packet) {
  if (handle_ == nullptr) return error_.empty() ? ReadStatus::kEnd : ReadStatus::kError;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(asPcap(handle_), &header, &data);
  if (rc == 1) {
    ++packets_read_;
    packet.ts = static_cast<Timestamp>(header->ts.tv_sec) * kNanosPerSecond +
                static_cast<Timestamp>(header->ts.tv_usec);  // nanoseconds: opened with NANO
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
  error_ = fmt::format("{}: packet {}: {} (the {} packets before it were read)", path_,
                       packets_read_ + 1, pcap_geterr(asPcap(handle_)), packets_read_);
  pcap_close(asPcap(handle_));
  handle_ = nullptr;
  return ReadStatus::kError;
}

}  // namespace camwatch
