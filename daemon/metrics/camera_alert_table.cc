// CameraAlertTable: firing alert notifications per camera and kind, for at most a bounded number
// of cameras (the cap rule is in metrics.h).
#include <string>

#include <camwatch/alert.h>
#include <camwatch/metrics.h>

#include "metrics/camera_alert_table_impl.h"

namespace camwatch {
namespace {

constexpr std::string_view kOther = "other";

}  // namespace

CameraAlertTable::Impl::KindSeries& CameraAlertTable::Impl::seriesOf(const std::string& camera) {
  if (camera == kOther) return other;  // a camera named "other" shares the overflow series
  if (auto found = cameras.find(camera); found != cameras.end()) return found->second;
  if (cameras.size() >= cap) return other;
  return cameras.emplace(camera, KindSeries{}).first->second;
}

prometheus::Counter& CameraAlertTable::Impl::counter(KindSeries& series, const std::string& camera,
                                                     AlertKind kind) {
  prometheus::Counter*& slot = series[static_cast<std::size_t>(kind)];
  if (slot == nullptr) {
    slot = &family.Add({{"camera", &series == &other ? std::string(kOther) : camera},
                        {"kind", std::string(alertKindName(kind))}});
  }
  return *slot;
}

CameraAlertTable::CameraAlertTable(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CameraAlertTable::~CameraAlertTable() = default;

void CameraAlertTable::record(const Alert& notification) {
  if (notification.status != AlertStatus::kFiring) return;
  if (static_cast<std::size_t>(notification.kind) >= kAlertKindSlots) return;
  // The sensor-wide overflow alert (alerts.max_active) names no camera: it is "other".
  std::string label;
  if (notification.camera == AlertCamera{}) {
    label.assign(kOther);
  } else if (!notification.camera.name.empty()) {
    label = notification.camera.name;
  } else {
    label = notification.camera.ip.toString();
  }
  Impl::KindSeries& series = impl_->seriesOf(label);
  impl_->counter(series, label, notification.kind).Increment();
}

std::size_t CameraAlertTable::cameras() const { return impl_->cameras.size(); }

}  // namespace camwatch
