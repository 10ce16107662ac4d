// A GeoLookup with a fixed answer for every public address that counts how often it is asked:
// tests check who looks up what (a worker once per new server through its cache, the control
// side once per alert for the AS organisation). Any thread, like the real one.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include <camwatch/geo.h>

namespace camwatch::mocks {

class CountingGeoLookup final : public GeoLookup {
 public:
  CountingGeoLookup(const char* country, std::uint32_t asn, std::string org)
      : asn_(asn), org_(std::move(org)) {
    std::memcpy(country_, country, strnlen(country, 2));
  }

  GeoInfo lookup(const IpAddress& address) const override {
    lookups_.fetch_add(1);
    GeoInfo info;
    info.scope = addressScope(address);
    if (info.scope != AddressScope::kPublic) return info;
    std::memcpy(info.country, country_, 3);
    info.asn = asn_;
    info.org = org_;
    return info;
  }

  std::uint64_t lookups() const { return lookups_.load(); }

 private:
  char country_[3] = {};
  std::uint32_t asn_;
  std::string org_;
  mutable std::atomic<std::uint64_t> lookups_{0};
};

}  // namespace camwatch::mocks
