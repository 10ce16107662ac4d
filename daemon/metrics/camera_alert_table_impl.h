// Private to daemon/metrics: the state behind CameraAlertTable, made by MetricsRegistry with the
// family it registered.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <camwatch/metrics.h>

namespace camwatch {

struct CameraAlertTable::Impl {
  /// One camera's series, indexed by AlertKind; null until its first notification of the kind.
  using KindSeries = std::array<prometheus::Counter*, kAlertKindSlots>;

  Impl(prometheus::Family<prometheus::Counter>& counters, std::uint32_t max_cameras)
      : family(counters), cap(max_cameras) {}

  /// The series of the camera labelled `camera` (its own, or "other" once `cap` cameras have
  /// theirs).
  KindSeries& seriesOf(const std::string& camera);
  /// The counter of `kind` in `series` (the series of `camera`), created when new.
  prometheus::Counter& counter(KindSeries& series, const std::string& camera, AlertKind kind);

  prometheus::Family<prometheus::Counter>& family;
  const std::uint32_t cap;
  std::unordered_map<std::string, KindSeries> cameras;
  KindSeries other{};
};

}  // namespace camwatch
