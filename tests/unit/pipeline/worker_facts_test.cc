// Issue 16 point 6: a worker hands the control side facts, and the text of an alert (here the AS
// organisation, a GeoIP lookup) is made on the control thread only for the alerts it raises.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/dns.h>
#include <camwatch/dpi.h>

#include "alert/alert_engine.h"
#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "mocks/counting_geo_lookup.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;
constexpr int kCameras = 12;
constexpr int kServers = 4;

TEST(WorkerFactsTest, TheAsOrganisationIsLookedUpOnlyForRaisedAlerts) {
  Config config = defaultConfig();  // no rules: the default denies every egress flow
  auto loaded = loadJudgement(judgementConfig(config));
  ASSERT_TRUE(loaded.has_value());
  auto geo = std::make_shared<mocks::CountingGeoLookup>("NL", 64501, "Example Transit B.V.");
  auto classifier = NdpiClassifier::create(config.dpi);
  ASSERT_TRUE(classifier.has_value());
  FlowWorkerOptions options;
  options.flows = config.flows;
  options.judgement = loaded->judgement;
  options.judgement.geo = geo;
  DnsCache dns(config.dns);
  FlowWorker worker(options, std::move(*classifier), dns);
  PacketStage stage(nullptr);
  Timestamp now = kStart;
  for (int i = 0; i < kCameras; ++i) {
    const std::string server = "1.2.3." + std::to_string(4 + i % kServers);
    const std::vector<std::uint8_t> bytes = Frame()
                                                .ipv4("10.1.0." + std::to_string(1 + i), server)
                                                .udp(40000, 40001)
                                                .payload(64)
                                                .build();
    const RawPacket raw = testkit::rawIpPacket(bytes, now);
    StagedPacket staged;
    ASSERT_TRUE(stage.stage(raw, staged));
    worker.onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, raw.data);
    now += 1'000'000;
  }
  worker.finish(now);
  std::vector<CameraEvent> events = std::move(worker.events());

  // The worker asked once per server (its cache), never per judged flow.
  EXPECT_EQ(geo->lookups(), static_cast<std::uint64_t>(kServers));
  std::size_t denies = 0;
  for (const CameraEvent& event : events) {
    if (const auto* judged = std::get_if<FlowJudged>(&event.what); judged && judged->deny) {
      ++denies;
      EXPECT_EQ(judged->asn, 64501U);
    }
  }
  EXPECT_EQ(denies, static_cast<std::size_t>(kCameras));

  AlertEngine engine(alertEngineOptions(config), LearnedBaseline());
  sortCameraEvents(events);
  for (CameraEvent& event : events) engine.onEvent(std::move(event));
  engine.finish(now);
  const std::vector<Alert> alerts = engine.takeNotifications();
  std::set<IpAddress> cameras;
  for (const Alert& alert : alerts) {
    if (alert.kind != AlertKind::kDisallowedDestination) continue;
    cameras.insert(alert.camera.ip);
    EXPECT_EQ(alert.destination.org, "Example Transit B.V.");
    EXPECT_EQ(alert.destination.country, "NL");
  }
  EXPECT_EQ(cameras.size(), static_cast<std::size_t>(kCameras));
  // Then once per raised alert, on the control side.
  EXPECT_EQ(geo->lookups(), static_cast<std::uint64_t>(kServers + kCameras));
}

}  // namespace
}  // namespace camwatch
