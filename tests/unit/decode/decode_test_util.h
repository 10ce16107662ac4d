// Shared by the decode tests: decodePacket() on a byte span with a fixed capture time, a frame cut
// to a length, and the camera and gateway MACs most frames use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <camwatch/decode.h>

#include "support/packet_builder.h"

namespace camwatch::testing {

inline constexpr Timestamp kTs = 1768467600LL * kNanosPerSecond + 123456789;
inline const testkit::Mac kCameraMac = testkit::parseMac("44:19:b6:3a:51:21");
inline const testkit::Mac kGatewayMac = testkit::parseMac("02:00:0a:0a:00:01");

struct Decoded {
  bool ok = false;
  DecodedPacket packet;
};

// Decodes `bytes` as captured; `wire_len` 0 means "as long as captured".
inline Decoded decode(std::span<const std::uint8_t> bytes, LinkType link,
                      std::uint32_t wire_len = 0) {
  RawPacket raw;
  raw.ts = kTs;
  raw.wire_len = wire_len != 0 ? wire_len : static_cast<std::uint32_t>(bytes.size());
  raw.link = link;
  raw.data = bytes;
  Decoded decoded;
  decoded.ok = decodePacket(raw, decoded.packet);
  return decoded;
}

inline testkit::Bytes truncated(const testkit::Bytes& frame, std::size_t length) {
  return testkit::Bytes(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(length));
}

inline testkit::Frame cameraToCloud() {
  return testkit::Frame().eth(kCameraMac, kGatewayMac).ipv4("192.168.10.21", "203.0.113.5");
}

}  // namespace camwatch::testing
