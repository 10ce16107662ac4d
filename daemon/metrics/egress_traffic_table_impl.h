// Private to daemon/metrics: the state behind EgressTrafficTable, made by MetricsRegistry with
// the families it registered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <camwatch/metrics.h>

namespace camwatch {

struct EgressTrafficTable::Impl {
  struct Series {
    prometheus::Counter* bytes = nullptr;
    prometheus::Counter* flows = nullptr;
  };

  Impl(prometheus::Family<prometheus::Counter>& bytes,
       prometheus::Family<prometheus::Counter>& flows, prometheus::Gauge& series,
       prometheus::Counter& overflow, std::uint32_t max_destinations)
      : bytes_family(bytes),
        flows_family(flows),
        series_gauge(series),
        overflow_counter(overflow),
        cap(max_destinations) {}

  /// The series of `key`, created (or redirected to an overflow series) when new.
  Series& seriesFor(const EgressKey& key);
  Series makeSeries(const std::string& camera, const std::string& country,
                    const std::string& network_operator, const std::string& operator_country,
                    const std::string& asn, const std::string& protocol);
  void publishCount();

  prometheus::Family<prometheus::Counter>& bytes_family;
  prometheus::Family<prometheus::Counter>& flows_family;
  prometheus::Gauge& series_gauge;
  prometheus::Counter& overflow_counter;
  const std::uint32_t cap;
  // Keys are the four label values joined by NUL bytes; `scratch` is reused to build them, so
  // a lookup of an existing series allocates nothing.
  std::unordered_map<std::string, Series> destinations;
  std::unordered_map<std::string, Series> camera_overflow;  // key: the camera label
  std::optional<Series> global_overflow;
  std::string scratch;
};

}  // namespace camwatch
