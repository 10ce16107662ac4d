// The report's camera list as a ranking: the cameras an analyst must look at first come first.
// A camera ranks by the highest severity of the alerts that named it, then by the bytes it sent
// out (egress), then by address. A quiet camera (local traffic only: no egress, no alert) says
// nothing a list of its peers does not, so quiet cameras are folded into one line per vendor
// with their count; each keeps its anchor there (html_cells.h cameraAnchor).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <camwatch/alert.h>

#include "alert/alert_engine.h"
#include "report/destinations_csv.h"

namespace camwatch {

struct RankedCamera {
  const SeenCamera* seen = nullptr;
  std::optional<Severity> highest;  ///< of the alert notifications naming it; none: no alert
  std::uint64_t notifications = 0;  ///< alert notifications naming it (firing, repeats, resolved)
  std::vector<std::string> kinds;   ///< the alert kinds that named it, by name, sorted
  std::uint64_t destination_rows = 0;
};

/// Quiet cameras of one vendor ("" when the vendor is unknown), by address.
struct QuietCameras {
  std::string vendor;
  std::vector<const SeenCamera*> cameras;
};

struct CameraRanking {
  std::vector<RankedCamera> ranked;  ///< most severe, then most egress, then lowest address
  std::vector<QuietCameras> quiet;   ///< by vendor name, unknown vendor last
};

/// Ranks `cameras` by the alerts (notifications) and destination rows that name them. Pointers
/// point into `cameras`.
CameraRanking rankCameras(const std::vector<SeenCamera>& cameras, const std::vector<Alert>& alerts,
                          const std::vector<DestinationRow>& rows);

}  // namespace camwatch
