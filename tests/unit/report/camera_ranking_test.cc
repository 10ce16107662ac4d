// The camera list as a ranking: most severe alert first, then most bytes out, then address; the
// quiet cameras (no egress, no alert) folded per vendor, unknown vendor last.
#include "report/camera_ranking.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

SeenCamera camera(const char* address, const char* vendor, std::uint64_t egress) {
  SeenCamera seen;
  seen.camera.ip = *IpAddress::parse(address);
  seen.camera.vendor = vendor;
  seen.listed = true;
  seen.egress_bytes = egress;
  return seen;
}

Alert alert(const char* address, AlertKind kind, Severity severity) {
  Alert made;
  made.camera.ip = *IpAddress::parse(address);
  made.kind = kind;
  made.severity = severity;
  return made;
}

std::vector<std::string> addresses(const CameraRanking& ranking) {
  std::vector<std::string> out;
  for (const RankedCamera& ranked : ranking.ranked)
    out.push_back(ranked.seen->camera.ip.toString());
  return out;
}

TEST(CameraRanking, SeverityThenBytesThenAddress) {
  const std::vector<SeenCamera> cameras = {
      camera("10.0.0.1", "Axis", 100),       // no alert, 100 B
      camera("10.0.0.2", "Dahua", 10),       // warning
      camera("10.0.0.3", "Dahua", 0),        // critical, nothing out
      camera("10.0.0.4", "Hikvision", 500),  // no alert, 500 B
      camera("10.0.0.5", "Hikvision", 100),  // no alert, 100 B: after 10.0.0.1 by address
      camera("10.0.0.6", "Hikvision", 0),    // info alert only: ranked, above the silent ones
      camera("10.0.0.7", "Dahua", 20),       // warning, more bytes than 10.0.0.2
  };
  const std::vector<Alert> alerts = {
      alert("10.0.0.2", AlertKind::kVendorCloud, Severity::kWarning),
      alert("10.0.0.3", AlertKind::kDisallowedDestination, Severity::kCritical),
      alert("10.0.0.3", AlertKind::kVendorCloud, Severity::kWarning),
      alert("10.0.0.6", AlertKind::kNewDestination, Severity::kInfo),
      alert("10.0.0.7", AlertKind::kP2pOrRelay, Severity::kWarning),
  };
  const CameraRanking ranking = rankCameras(cameras, alerts, {});
  EXPECT_EQ(addresses(ranking),
            (std::vector<std::string>{"10.0.0.3", "10.0.0.7", "10.0.0.2", "10.0.0.6", "10.0.0.4",
                                      "10.0.0.1", "10.0.0.5"}));
  EXPECT_EQ(ranking.ranked[0].highest, Severity::kCritical);
  EXPECT_EQ(ranking.ranked[0].notifications, 2U);
  EXPECT_EQ(ranking.ranked[0].kinds,
            (std::vector<std::string>{"disallowed_destination", "vendor_cloud"}));
  EXPECT_FALSE(ranking.ranked[4].highest.has_value());
  EXPECT_TRUE(ranking.quiet.empty());
}

TEST(CameraRanking, QuietCamerasAreFoldedPerVendorUnknownLast) {
  const std::vector<SeenCamera> cameras = {
      camera("10.0.0.9", "Hikvision", 0), camera("10.0.0.8", "", 0),
      camera("10.0.0.3", "Hikvision", 0), camera("10.0.0.4", "Axis", 0),
      camera("10.0.0.5", "Axis", 7),  // sent something: ranked
  };
  const CameraRanking ranking = rankCameras(cameras, {}, {});
  EXPECT_EQ(addresses(ranking), (std::vector<std::string>{"10.0.0.5"}));
  ASSERT_EQ(ranking.quiet.size(), 3U);
  EXPECT_EQ(ranking.quiet[0].vendor, "Axis");
  ASSERT_EQ(ranking.quiet[0].cameras.size(), 1U);
  EXPECT_EQ(ranking.quiet[1].vendor, "Hikvision");
  ASSERT_EQ(ranking.quiet[1].cameras.size(), 2U);
  EXPECT_EQ(ranking.quiet[1].cameras[0]->camera.ip.toString(), "10.0.0.3");  // by address
  EXPECT_EQ(ranking.quiet[1].cameras[1]->camera.ip.toString(), "10.0.0.9");
  EXPECT_EQ(ranking.quiet[2].vendor, "");
}

TEST(CameraRanking, ACameraWithDestinationRowsIsNotQuiet) {
  // Its egress counter may be 0 (the camera side counts what the alert side saw), the rows
  // still say it talked out.
  const std::vector<SeenCamera> cameras = {camera("10.0.0.1", "Axis", 0)};
  DestinationRow row;
  row.camera_ip = *IpAddress::parse("10.0.0.1");
  row.server_ip = *IpAddress::parse("52.5.124.127");
  const CameraRanking ranking = rankCameras(cameras, {}, {row});
  ASSERT_EQ(ranking.ranked.size(), 1U);
  EXPECT_EQ(ranking.ranked[0].destination_rows, 1U);
  EXPECT_TRUE(ranking.quiet.empty());
}

}  // namespace
}  // namespace camwatch
