#include "support/packet_builder.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace camwatch::testkit {
namespace {

constexpr std::uint8_t kProtoHopByHop = 0;
constexpr std::uint8_t kProtoRouting = 43;
constexpr std::uint8_t kProtoFragment = 44;
constexpr std::uint8_t kProtoDestOpts = 60;

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Extension header data padded to a multiple of 8 together with its 2-byte prefix, using one
// PadN option (or Pad1 when a single byte is missing), so option parsers can walk it.
Bytes optionsHeaderData(Bytes options) {
  std::size_t missing = (8 - (options.size() + 2) % 8) % 8;
  if (missing == 1) {
    options.push_back(0);  // Pad1
  } else if (missing >= 2) {
    options.push_back(1);  // PadN
    options.push_back(static_cast<std::uint8_t>(missing - 2));
    options.insert(options.end(), missing - 2, 0);
  }
  return options;
}

Bytes withLengthByte(const Bytes& data) {
  // Hdr Ext Len counts 8-octet units after the first 8.
  Bytes rest;
  std::size_t total = data.size() + 2;
  if (total % 8 != 0 || total < 8) {
    throw std::invalid_argument("IPv6 extension header length must be a multiple of 8");
  }
  // Sized up front: GCC 12 at -O2 misreads push_back-then-insert as an out-of-bounds copy.
  rest.resize(data.size() + 1);
  rest[0] = static_cast<std::uint8_t>(total / 8 - 1);
  std::copy(data.begin(), data.end(), rest.begin() + 1);
  return rest;
}

Bytes padNBlocks(std::size_t extra_units) {
  // Eight bytes of PadN per extra unit (PadN: type 1, length 6, six zero bytes).
  Bytes out;
  for (std::size_t i = 0; i < extra_units; ++i) {
    const std::uint8_t block[8] = {1, 6, 0, 0, 0, 0, 0, 0};
    out.insert(out.end(), block, block + 8);
  }
  return out;
}

}  // namespace

void putU8(Bytes& out, std::uint8_t value) { out.push_back(value); }

void putU16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

void putU32(Bytes& out, std::uint32_t value) {
  putU16(out, static_cast<std::uint16_t>(value >> 16));
  putU16(out, static_cast<std::uint16_t>(value));
}

void putBytes(Bytes& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void putString(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

void setU16(Bytes& out, std::size_t offset, std::uint16_t value) {
  out.at(offset) = static_cast<std::uint8_t>(value >> 8);
  out.at(offset + 1) = static_cast<std::uint8_t>(value);
}

Mac parseMac(std::string_view text) {
  Mac mac{};
  if (text.size() != 17) throw std::invalid_argument("bad MAC address: " + std::string(text));
  for (std::size_t i = 0; i < 6; ++i) {
    int high = hexDigit(text[i * 3]);
    int low = hexDigit(text[i * 3 + 1]);
    if (high < 0 || low < 0 || (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-')) {
      throw std::invalid_argument("bad MAC address: " + std::string(text));
    }
    mac[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return mac;
}

std::string macToString(const Mac& mac) {
  char buffer[18];
  std::snprintf(buffer, sizeof(buffer), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return buffer;
}

IpBytes IpBytes::parse(std::string_view text) {
  std::string nul_terminated(text);
  IpBytes ip;
  if (inet_pton(AF_INET, nul_terminated.c_str(), ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, nul_terminated.c_str(), ip.bytes.data()) == 1) {
    ip.v6 = true;
    return ip;
  }
  throw std::invalid_argument("bad IP address: " + nul_terminated);
}

IpAddress ipAddress(std::string_view text) {
  IpBytes ip = IpBytes::parse(text);
  IpAddress address;
  if (ip.v6) {
    address.bytes = ip.bytes;
  } else {
    address.bytes[10] = 0xff;
    address.bytes[11] = 0xff;
    std::copy_n(ip.bytes.begin(), 4, address.bytes.begin() + 12);
  }
  return address;
}

std::string canonicalIp(std::string_view text) {
  IpBytes ip = IpBytes::parse(text);
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buffer, sizeof(buffer));
  return buffer;
}

std::uint16_t internetChecksum(std::span<const std::uint8_t> data, std::uint32_t initial) {
  std::uint64_t sum = initial;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  }
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

Bytes tcpSynOptions(std::uint16_t mss, std::uint8_t window_scale) {
  Bytes options;
  putU8(options, 2);  // MSS
  putU8(options, 4);
  putU16(options, mss);
  putU8(options, 1);  // NOP
  putU8(options, 3);  // window scale
  putU8(options, 3);
  putU8(options, window_scale);
  putU8(options, 1);  // NOP
  putU8(options, 1);  // NOP
  putU8(options, 4);  // SACK permitted
  putU8(options, 2);
  return options;
}

Ipv6ExtHeader Ipv6ExtHeader::hopByHop(std::size_t extra_units) {
  // Router alert (MLD), as in real hop-by-hop headers, then padding.
  Bytes options = {5, 2, 0, 0};
  Bytes padded = optionsHeaderData(options);
  Bytes more = padNBlocks(extra_units);
  padded.insert(padded.end(), more.begin(), more.end());
  return {kProtoHopByHop, withLengthByte(padded), std::nullopt};
}

Ipv6ExtHeader Ipv6ExtHeader::destinationOptions(std::size_t extra_units) {
  Bytes padded = optionsHeaderData({});
  Bytes more = padNBlocks(extra_units);
  padded.insert(padded.end(), more.begin(), more.end());
  return {kProtoDestOpts, withLengthByte(padded), std::nullopt};
}

Ipv6ExtHeader Ipv6ExtHeader::routing(std::uint8_t routing_type, std::uint8_t segments_left,
                                     const std::vector<std::string>& addresses) {
  Bytes data = {routing_type, segments_left, 0, 0, 0, 0};
  std::optional<IpBytes> last;
  for (const std::string& text : addresses) {
    IpBytes ip = IpBytes::parse(text);
    if (!ip.v6) throw std::invalid_argument("routing header needs IPv6 addresses");
    putBytes(data, ip.view());
    last = ip;
  }
  Ipv6ExtHeader header{kProtoRouting, withLengthByte(data), std::nullopt};
  if (segments_left > 0) header.final_destination = last;
  return header;
}

Ipv6ExtHeader Ipv6ExtHeader::fragment(std::uint16_t offset, bool more, std::uint32_t id) {
  Bytes rest = {0};  // reserved
  putU16(rest, static_cast<std::uint16_t>(offset << 3 | (more ? 1 : 0)));
  putU32(rest, id);
  return {kProtoFragment, rest, std::nullopt};
}

Ipv6ExtHeader Ipv6ExtHeader::generic(std::uint8_t type, const Bytes& data) {
  return {type, withLengthByte(data), std::nullopt};
}

}  // namespace camwatch::testkit
