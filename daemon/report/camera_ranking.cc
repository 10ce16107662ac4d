#include "report/camera_ranking.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace camwatch {

CameraRanking rankCameras(const std::vector<SeenCamera>& cameras, const std::vector<Alert>& alerts,
                          const std::vector<DestinationRow>& rows) {
  struct AlertsOf {
    std::optional<Severity> highest;
    std::uint64_t notifications = 0;
    std::set<std::string> kinds;
  };
  std::map<IpAddress, AlertsOf> alerts_of;
  for (const Alert& alert : alerts) {
    AlertsOf& of = alerts_of[alert.camera.ip];
    if (!of.highest || alert.severity > *of.highest) of.highest = alert.severity;
    ++of.notifications;
    of.kinds.emplace(alertKindName(alert.kind));
  }
  std::map<IpAddress, std::uint64_t> rows_of;
  for (const DestinationRow& row : rows) ++rows_of[row.camera_ip];

  CameraRanking ranking;
  std::map<std::string, QuietCameras> quiet;
  for (const SeenCamera& camera : cameras) {
    const auto found = alerts_of.find(camera.camera.ip);
    const auto destinations = rows_of.find(camera.camera.ip);
    const std::uint64_t row_count = destinations == rows_of.end() ? 0 : destinations->second;
    if (found == alerts_of.end() && camera.egress_bytes == 0 && row_count == 0 &&
        camera.alerts == 0) {
      QuietCameras& fold = quiet[camera.camera.vendor];
      fold.vendor = camera.camera.vendor;
      fold.cameras.push_back(&camera);
      continue;
    }
    RankedCamera ranked;
    ranked.seen = &camera;
    ranked.destination_rows = row_count;
    if (found != alerts_of.end()) {
      ranked.highest = found->second.highest;
      ranked.notifications = found->second.notifications;
      ranked.kinds.assign(found->second.kinds.begin(), found->second.kinds.end());
    }
    ranking.ranked.push_back(std::move(ranked));
  }
  // A camera with no alert ranks below one with an info alert: -1 below kInfo's 0.
  const auto level = [](const RankedCamera& camera) {
    return camera.highest ? static_cast<int>(*camera.highest) : -1;
  };
  std::sort(ranking.ranked.begin(), ranking.ranked.end(),
            [&](const RankedCamera& a, const RankedCamera& b) {
              const int la = level(a);
              const int lb = level(b);
              if (la != lb) return la > lb;
              if (a.seen->egress_bytes != b.seen->egress_bytes) {
                return a.seen->egress_bytes > b.seen->egress_bytes;
              }
              return a.seen->camera.ip < b.seen->camera.ip;
            });
  for (auto& [vendor, fold] : quiet) {
    if (!vendor.empty()) ranking.quiet.push_back(std::move(fold));
  }
  if (const auto unknown = quiet.find(""); unknown != quiet.end()) {
    ranking.quiet.push_back(std::move(unknown->second));
  }
  for (QuietCameras& fold : ranking.quiet) {
    std::sort(fold.cameras.begin(), fold.cameras.end(),
              [](const SeenCamera* a, const SeenCamera* b) { return a->camera.ip < b->camera.ip; });
  }
  return ranking;
}

}  // namespace camwatch
