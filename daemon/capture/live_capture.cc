// LiveCapture: one libpcap handle on a network interface, optionally in a PACKET_FANOUT group.
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <pcap/pcap.h>

#include <camwatch/capture.h>

namespace camwatch {

namespace {

pcap_t* asPcap(void* handle) { return static_cast<pcap_t*>(handle); }

int clampToInt(std::uint32_t value) {
  return static_cast<int>(std::min<std::uint32_t>(value, static_cast<std::uint32_t>(INT_MAX)));
}

// What pcap_activate's status means, for an operator reading one log line.
std::string activateError(const std::string& iface, int rc, pcap_t* handle) {
  const std::string detail = pcap_geterr(handle);
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return fmt::format("{}: no such device ({})", iface, detail);
    case PCAP_ERROR_PERM_DENIED:
      return fmt::format("{}: permission denied: capturing needs CAP_NET_RAW ({})", iface, detail);
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return fmt::format(
          "{}: permission denied: promiscuous mode needs CAP_NET_ADMIN (or set it off) ({})", iface,
          detail);
    case PCAP_ERROR_IFACE_NOT_UP:
      return fmt::format("{}: interface is down", iface);
    case PCAP_ERROR_RFMON_NOTSUP:
#ifdef PCAP_ERROR_CAPTURE_NOTSUP  // newer libpcap only; Debian 12's headers lack it
    case PCAP_ERROR_CAPTURE_NOTSUP:
#endif
      return fmt::format("{}: cannot capture on this interface: {}", iface, detail);
    default:
      return fmt::format("{}: cannot start capture: {}: {}", iface, pcap_statustostr(rc), detail);
  }
}

// Compiles and sets `bpf` (nothing when empty); "" or what went wrong.
std::string setFilter(pcap_t* handle, const std::string& iface, const std::string& bpf) {
  if (bpf.empty()) return {};
  bpf_program program{};
  if (pcap_compile(handle, &program, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return fmt::format("{}: bad BPF filter '{}': {}", iface, bpf, pcap_geterr(handle));
  }
  const int set = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (set != 0) {
    return fmt::format("{}: cannot set BPF filter '{}': {}", iface, bpf, pcap_geterr(handle));
  }
  return {};
}

// Joins PACKET_FANOUT group `group` (nothing when 0); "" or what went wrong.
std::string joinFanout(pcap_t* handle, const std::string& iface, std::uint16_t group) {
  if (group == 0) return {};
  // The socket is bound to the interface by pcap_activate, which PACKET_FANOUT requires. The
  // kernel hashes the flow symmetrically, so both directions land on the same member. No
  // PACKET_FANOUT_FLAG_DEFRAG: with it the kernel reassembles IPv4 fragments before the group
  // and the sockets count one frame per datagram (and none for a datagram that never completes),
  // so what arrived on the interface could no longer be accounted for. Without it every fragment
  // is a frame, hashed on its addresses (a fragment has no ports for the hash), so the fragments
  // of one datagram reach one member, whose own fragment tracking (decode/) gives them ports.
  const int fd = pcap_fileno(handle);
  const int mode = PACKET_FANOUT_HASH;
  const int value = static_cast<int>(group) | (mode << 16);
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &value, sizeof(value)) != 0) {
    const int err = errno;
    return fmt::format("{}: cannot join PACKET_FANOUT group {}: {}{}", iface, group,
                       std::strerror(err),
                       err == EINVAL ? " (another member of the group on this interface "
                                       "uses a different mode or socket type?)"
                                     : "");
  }
  return {};
}

// Adds the increase of a 32-bit counter that wraps to a 64-bit total.
void accumulate(std::uint64_t& total, std::uint32_t& last, std::uint32_t now) {
  total += static_cast<std::uint32_t>(now - last);
  last = now;
}

}  // namespace

Result<std::unique_ptr<LiveCapture>> LiveCapture::open(const LiveCaptureOptions& options) {
  const std::string& iface = options.interface;
  if (iface.empty()) return makeError("live capture: no interface given");
  if (options.timeout_ms <= 0) {
    return makeError(
        fmt::format("{}: read timeout must be positive (got {} ms)", iface, options.timeout_ms));
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(iface.c_str(), errbuf);
  if (handle == nullptr) return makeError(fmt::format("{}: cannot capture: {}", iface, errbuf));
  // Everything up to pcap_activate only stores the value; failures here are programming errors
  // (already activated), but say which setting anyway.
  auto fail = [&](std::string message) {
    pcap_close(handle);
    return makeError(std::move(message));
  };
  if (pcap_set_snaplen(handle, clampToInt(options.snaplen)) != 0 ||
      pcap_set_promisc(handle, options.promiscuous ? 1 : 0) != 0 ||
      pcap_set_timeout(handle, options.timeout_ms) != 0 ||
      pcap_set_buffer_size(handle, clampToInt(options.buffer_bytes)) != 0 ||
      pcap_set_immediate_mode(handle, 0) != 0) {
    return fail(fmt::format("{}: cannot set capture options: {}", iface, pcap_geterr(handle)));
  }
  // Nanoseconds when the kernel can (Linux can); otherwise microseconds, scaled in next().
  (void)pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);

  std::vector<std::string> warnings;
  const int rc = pcap_activate(handle);
  if (rc < 0) return fail(activateError(iface, rc, handle));
  if (rc > 0) {
    const std::string detail = pcap_geterr(handle);
    warnings.push_back(detail.empty()
                           ? fmt::format("{}: {}", iface, pcap_statustostr(rc))
                           : fmt::format("{}: {}: {}", iface, pcap_statustostr(rc), detail));
  }

  const int dlt = pcap_datalink(handle);
  if (linkTypeFromDlt(dlt) == LinkType::kUnsupported) {
    return fail(
        fmt::format("{}: link type {} ({}) is not supported; camwatch decodes EN10MB, "
                    "LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL and LOOP",
                    iface, dltName(dlt), dlt));
  }

  if (std::string error = setFilter(handle, iface, options.bpf); !error.empty()) {
    return fail(std::move(error));
  }
  if (std::string error = joinFanout(handle, iface, options.fanout_group); !error.empty()) {
    return fail(std::move(error));
  }

  // With TPACKET_V3 libpcap's own wait is poll(-1): the kernel retires only non-empty blocks,
  // so an idle handle would never return. Non-blocking reads plus our own poll with the timeout
  // give idle workers their tick; a busy one never reaches the poll.
  if (pcap_setnonblock(handle, 1, errbuf) != 0) {
    return fail(fmt::format("{}: cannot make the capture non-blocking: {}", iface, errbuf));
  }

  const bool nanos = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
  return std::unique_ptr<LiveCapture>(
      new LiveCapture(options, handle, dlt, nanos, std::move(warnings)));
}

LiveCapture::LiveCapture(LiveCaptureOptions options, void* handle, int dlt, bool nanos,
                         std::vector<std::string> warnings)
    : options_(std::move(options)),
      handle_(handle),
      dlt_(dlt),
      link_(linkTypeFromDlt(dlt)),
      nanos_(nanos),
      warnings_(std::move(warnings)) {}

LiveCapture::~LiveCapture() { closeHandle(); }

void LiveCapture::closeHandle() {
  if (handle_ != nullptr) pcap_close(asPcap(handle_));
  handle_ = nullptr;
}

int LiveCapture::selectableFd() const {
  return handle_ != nullptr ? pcap_get_selectable_fd(asPcap(handle_)) : -1;
}

ReadStatus LiveCapture::next(RawPacket& packet) {
  if (handle_ == nullptr) return ReadStatus::kError;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(asPcap(handle_), &header, &data);
  if (rc == 0) {
    // Nothing ready: wait for the ring (or an error such as the interface going away) at most
    // timeout_ms, then try once more.
    pollfd wait{};
    wait.fd = pcap_get_selectable_fd(asPcap(handle_));
    wait.events = POLLIN;
    if (poll(&wait, 1, options_.timeout_ms) <= 0) return ReadStatus::kTimeout;  // or EINTR
    rc = pcap_next_ex(asPcap(handle_), &header, &data);
  }
  if (rc == 1) {
    ++packets_read_;
    const auto fraction = static_cast<Timestamp>(header->ts.tv_usec);
    packet.ts = static_cast<Timestamp>(header->ts.tv_sec) * kNanosPerSecond +
                (nanos_ ? fraction : fraction * 1000);
    packet.wire_len = header->len > header->caplen ? header->len : header->caplen;
    packet.link = link_;
    packet.data = std::span<const std::uint8_t>(data, header->caplen);
    wire_bytes_read_ += packet.wire_len;
    return ReadStatus::kPacket;
  }
  if (rc == 0) return ReadStatus::kTimeout;
  // PCAP_ERROR (interface gone: libpcap says "The interface disappeared" / ENETDOWN) or
  // PCAP_ERROR_BREAK, which a live handle only gives after pcap_breakloop (we never call it).
  const std::string detail =
      rc == PCAP_ERROR_BREAK ? std::string("capture stopped") : pcap_geterr(asPcap(handle_));
  error_ = fmt::format("{}: capture failed after {} packets: {}", options_.interface, packets_read_,
                       detail);
  // Keep the counters so far: a last stats() after the error still reports them.
  (void)stats();
  closeHandle();
  return ReadStatus::kError;
}

Result<PcapCounters> LiveCapture::stats() {
  if (handle_ == nullptr) {
    return makeError(
        fmt::format("{}: no statistics: the capture is closed ({})", options_.interface, error_));
  }
  pcap_stat raw{};
  if (pcap_stats(asPcap(handle_), &raw) != 0) {
    return makeError(fmt::format("{}: cannot read capture statistics: {}", options_.interface,
                                 pcap_geterr(asPcap(handle_))));
  }
  accumulate(counters_.received, last_recv_, raw.ps_recv);
  accumulate(counters_.dropped, last_drop_, raw.ps_drop);
  accumulate(counters_.if_dropped, last_ifdrop_, raw.ps_ifdrop);
  return counters_;
}

bool interfaceIsUp(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return false;
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ifreq request{};
  std::memcpy(request.ifr_name, name.data(), name.size());
  const bool up = ioctl(fd, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_UP) != 0;
  ::close(fd);
  return up;
}

namespace {

class LiveCaptureOpener final : public PacketSourceOpener {
 public:
  Result<PacketSourcePtr> open(const LiveCaptureOptions& options) override {
    auto opened = LiveCapture::open(options);
    if (!opened) return tl::unexpected(opened.error());
    return PacketSourcePtr(std::move(*opened));
  }
  bool linkUp(const std::string& interface) override { return interfaceIsUp(interface); }
};

}  // namespace

PacketSourceOpener& liveCaptureOpener() {
  static LiveCaptureOpener opener;  // stateless; shared by every worker
  return opener;
}

std::chrono::milliseconds reopenDelay(std::uint32_t attempt, const ReopenSchedule& schedule) {
  const auto first = std::max<std::chrono::milliseconds::rep>(schedule.first.count(), 1);
  const auto cap = std::max<std::chrono::milliseconds::rep>(schedule.max.count(), first);
  auto delay = first;
  for (std::uint32_t i = 0; i < attempt && delay < cap; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min(delay, cap));
}

}  // namespace camwatch
