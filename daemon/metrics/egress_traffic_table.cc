// EgressTrafficTable: bounded per-destination egress series (the cap rule is in metrics.h).
#include <charconv>
#include <string>

#include <camwatch/metrics.h>

#include "metrics/egress_traffic_table_impl.h"

namespace camwatch {
namespace {

constexpr const char* kOther = "other";
constexpr const char* kUnknown = "unknown";

std::string_view orUnknown(std::string_view value) { return value.empty() ? kUnknown : value; }

void appendAsn(std::string& out, std::uint32_t asn) {
  if (asn == 0) {
    out += kUnknown;
    return;
  }
  char digits[16];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, asn);
  (void)ec;  // 16 characters always hold a 32-bit number
  out.append(digits, end);
}

}  // namespace

EgressTrafficTable::Impl::Series EgressTrafficTable::Impl::makeSeries(
    const std::string& camera, const std::string& country, const std::string& network_operator,
    const std::string& operator_country, const std::string& asn, const std::string& protocol) {
  const prometheus::Labels labels = {{"camera", camera},
                                     {"country", country},
                                     {"operator", network_operator},
                                     {"operator_country", operator_country},
                                     {"asn", asn},
                                     {"protocol", protocol}};
  return {&bytes_family.Add(labels), &flows_family.Add(labels)};
}

void EgressTrafficTable::Impl::publishCount() {
  series_gauge.Set(static_cast<double>(destinations.size() + camera_overflow.size() +
                                       (global_overflow ? 1U : 0U)));
}

EgressTrafficTable::Impl::Series& EgressTrafficTable::Impl::seriesFor(const EgressKey& key) {
  const std::string_view camera = orUnknown(key.camera);
  scratch.assign(camera);
  scratch += '\0';
  scratch += orUnknown(key.country);
  scratch += '\0';
  appendAsn(scratch, key.asn);
  scratch += '\0';
  scratch += orUnknown(key.protocol);
  scratch += '\0';
  scratch += orUnknown(key.operator_country);
  scratch += '\0';
  scratch += orUnknown(key.network_operator);
  if (auto found = destinations.find(scratch); found != destinations.end()) return found->second;

  if (destinations.size() < cap) {
    std::string asn;
    appendAsn(asn, key.asn);
    const Series series = makeSeries(std::string(camera), std::string(orUnknown(key.country)),
                                     std::string(orUnknown(key.network_operator)),
                                     std::string(orUnknown(key.operator_country)), asn,
                                     std::string(orUnknown(key.protocol)));
    Series& stored = destinations.emplace(scratch, series).first->second;
    publishCount();
    return stored;
  }

  overflow_counter.Increment();
  scratch.assign(camera);
  if (auto found = camera_overflow.find(scratch); found != camera_overflow.end()) {
    return found->second;
  }
  if (camera_overflow.size() < cap) {
    const Series series = makeSeries(scratch, kOther, kOther, kOther, kOther, kOther);
    Series& stored = camera_overflow.emplace(scratch, series).first->second;
    publishCount();
    return stored;
  }
  if (!global_overflow) {
    global_overflow = makeSeries(kOther, kOther, kOther, kOther, kOther, kOther);
    publishCount();
  }
  return *global_overflow;
}

EgressTrafficTable::EgressTrafficTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EgressTrafficTable::~EgressTrafficTable() = default;

void EgressTrafficTable::add(const EgressKey& key, std::uint64_t bytes, std::uint64_t flows) {
  Impl::Series& series = impl_->seriesFor(key);
  if (bytes != 0) series.bytes->Increment(static_cast<double>(bytes));
  if (flows != 0) series.flows->Increment(static_cast<double>(flows));
}

std::size_t EgressTrafficTable::destinationSeries() const { return impl_->destinations.size(); }

std::size_t EgressTrafficTable::overflowSeries() const {
  return impl_->camera_overflow.size() + (impl_->global_overflow ? 1U : 0U);
}

}  // namespace camwatch
