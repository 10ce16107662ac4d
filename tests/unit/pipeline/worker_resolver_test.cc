// Issue 18 point 3 in the worker: a camera's DNS to a resolver its group does not allow is
// reported (external_resolver), egress or not; with no `resolvers` list the site's own hosts are
// the allowed resolvers, and only a public one raises it.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/dns.h>
#include <camwatch/dpi.h>

#include "config/component_options.h"
#include "config/config.h"
#include "dpi/ndpi_classifier.h"
#include "pipeline/flow_worker.h"
#include "pipeline/judgement_loader.h"
#include "pipeline/packet_stage.h"
#include "support/app_payloads.h"
#include "support/packet_builder.h"

namespace camwatch {
namespace {

using testkit::Frame;

constexpr Timestamp kStart = 1'700'000'000 * kNanosPerSecond;

// The alerts (kind, resolver) a worker reports for one camera's DNS query to each of `resolvers`,
// under `config`.
std::vector<std::pair<AlertKind, std::string>> dnsAlerts(
    const Config& config, const std::vector<std::string>& resolvers) {
  auto loaded = loadJudgement(judgementConfig(config));
  EXPECT_TRUE(loaded.has_value()) << loaded.error().message;
  auto classifier = NdpiClassifier::create(config.dpi);
  EXPECT_TRUE(classifier.has_value());
  FlowWorkerOptions options;
  options.flows = config.flows;
  options.judgement = loaded->judgement;
  DnsCache dns(config.dns);
  FlowWorker worker(options, std::move(*classifier), dns);
  PacketStage stage(nullptr);
  Timestamp now = kStart;
  std::uint16_t id = 0x100;
  for (const std::string& resolver : resolvers) {
    const testkit::Bytes query = testkit::dnsQuery(++id, "p2p.example.com");
    const std::vector<std::uint8_t> bytes =
        Frame().ipv4("192.168.10.31", resolver).udp(40000 + id, 53).payload(query).build();
    const RawPacket raw = testkit::rawIpPacket(bytes, now);
    StagedPacket staged;
    EXPECT_TRUE(stage.stage(raw, staged));
    worker.onPacket(staged.packet, staged.key, staged.src_is_a, staged.hash, raw.data);
    now += kNanosPerSecond;
  }
  worker.finish(now);
  std::vector<std::pair<AlertKind, std::string>> alerts;
  for (const CameraEvent& event : worker.events()) {
    if (const auto* judged = std::get_if<FlowJudged>(&event.what); judged && judged->deny) {
      alerts.emplace_back(judged->kind, judged->server.toString());
    }
  }
  return alerts;
}

TEST(WorkerResolverTest, TheSitesOwnResolversByDefaultAPublicOneRaises) {
  Config config = defaultConfig();
  config.policy_groups[0].default_action = PolicyAction::kAllow;
  EXPECT_EQ(
      dnsAlerts(config, {"192.168.10.1", "10.0.0.53", "9.9.9.9"}),
      (std::vector<std::pair<AlertKind, std::string>>{{AlertKind::kExternalResolver, "9.9.9.9"}}));
}

TEST(WorkerResolverTest, AListedResolverIsTheOnlyOneAllowedOnSiteOrNot) {
  Config config = defaultConfig();
  config.policy_groups[0].default_action = PolicyAction::kAllow;
  config.policy_groups[0].resolvers = std::vector<IpPrefix>{*IpPrefix::parse("192.168.10.1")};
  EXPECT_EQ(
      dnsAlerts(config, {"192.168.10.1", "10.0.0.53", "9.9.9.9"}),
      (std::vector<std::pair<AlertKind, std::string>>{{AlertKind::kExternalResolver, "10.0.0.53"},
                                                      {AlertKind::kExternalResolver, "9.9.9.9"}}));
  config.policy_groups[0].external_resolver.reset();  // off: nothing on site is judged
  EXPECT_TRUE(dnsAlerts(config, {"192.168.10.1", "10.0.0.53", "9.9.9.9"}).empty());
}

}  // namespace
}  // namespace camwatch
