#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>

#include <camwatch/ip_address.h>

namespace camwatch {
namespace {
constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

IpAddress IpAddress::fromV4(const std::uint8_t* four_bytes) {
  IpAddress address;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin());
  std::memcpy(address.bytes.data() + 12, four_bytes, 4);
  return address;
}

IpAddress IpAddress::fromV6(const std::uint8_t* sixteen_bytes) {
  IpAddress address;
  std::memcpy(address.bytes.data(), sixteen_bytes, 16);
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; addresses are short, so a stack copy will do.
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  std::uint8_t raw[16];
  if (inet_pton(AF_INET, buffer, raw) == 1) return fromV4(raw);
  if (inet_pton(AF_INET6, buffer, raw) == 1) return fromV6(raw);
  return std::nullopt;
}

bool IpAddress::isV4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

std::string IpAddress::toString() const {
  char buffer[INET6_ADDRSTRLEN];
  if (isV4()) {
    inet_ntop(AF_INET, bytes.data() + 12, buffer, sizeof(buffer));
  } else {
    inet_ntop(AF_INET6, bytes.data(), buffer, sizeof(buffer));
  }
  return buffer;
}

}  // namespace camwatch
