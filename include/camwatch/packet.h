// Plain value types for one captured packet, as a capture source hands it to the pipeline.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace camwatch {

/// Nanoseconds since the Unix epoch, always taken from the packet, never from the wall clock.
using Timestamp = std::int64_t;
inline constexpr Timestamp kNanosPerSecond = 1'000'000'000;

/// RFC 3339 UTC text of a packet time with `fraction_digits` (0-9) digits after the seconds:
/// "2026-01-15T09:00:00.000000Z" for 6. Allocates: for output, never per packet.
std::string formatTimestamp(Timestamp ts, unsigned fraction_digits = 6);

/// Reads what formatTimestamp() writes, with any fraction digits: "YYYY-MM-DDTHH:MM:SS[.f]Z"
/// (UTC only, 0 to 9 fraction digits; the alert JSON, the spool and the learned baseline store
/// times so). @return nanoseconds since the epoch; nullopt when the text has another shape.
std::optional<Timestamp> parseTimestamp(std::string_view text);

/// The link layers camwatch decodes. Values are ours; capture code maps libpcap's DLT_* to them.
enum class LinkType : std::uint8_t {
  kEthernet,   // DLT_EN10MB
  kLinuxSll,   // DLT_LINUX_SLL ("cooked" capture, `tcpdump -i any` before libpcap 1.10)
  kLinuxSll2,  // DLT_LINUX_SLL2
  kRawIp,      // DLT_RAW / LINKTYPE_RAW: IPv4 or IPv6 by the version nibble
  kIpv4,       // DLT_IPV4
  kIpv6,       // DLT_IPV6
  kNull,       // DLT_NULL / DLT_LOOP: BSD loopback, 4-byte address family
  kUnsupported,
};

/// One packet as captured. `data` is only valid until the source hands out the next packet.
struct RawPacket {
  Timestamp ts = 0;
  std::uint32_t wire_len = 0;  ///< length on the wire (pcap `len`); all byte counts use this
  LinkType link = LinkType::kUnsupported;
  std::span<const std::uint8_t> data;  ///< the captured bytes (pcap `caplen` of them)
};

}  // namespace camwatch
