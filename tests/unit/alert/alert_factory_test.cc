// AlertFactory: the alert text the control side makes from a worker's facts, checked field by
// field against alerts written out by hand.
#include "alert/alert_factory.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <camwatch/inventory.h>

#include "mocks/counting_geo_lookup.h"

namespace camwatch {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr Timestamp kJudged = 1'768'467'600LL * kNanosPerSecond;  // 2026-01-15T09:00:00Z

// One listed camera in group "lobby", a GeoIP that knows every public address as AS 64500, a
// policy whose group "lobby" denies Germany by the rule "no-vendor-cloud".
struct Fixture {
  std::shared_ptr<mocks::CountingGeoLookup> geo =
      std::make_shared<mocks::CountingGeoLookup>("DE", 64500, "Example Cloud GmbH");
  NamingSnapshotPtr naming;

  Fixture() {
    InventoryConfig config;
    CameraGroupSpec lobby;
    lobby.name = "lobby";
    lobby.networks.push_back(*IpPrefix::parse("192.168.10.0/24"));
    config.groups.push_back(lobby);
    InventoryDevice device;
    device.name = "lobby-cam";
    device.ip = ip("192.168.10.20");
    device.vendor = "Hikvision";
    config.devices.push_back(device);
    auto inventory = CameraInventory::create(config, nullptr);
    EXPECT_TRUE(inventory.has_value());
    GroupPolicy group;
    group.name = "lobby";
    PolicyRule deny;
    deny.name = "no-vendor-cloud";
    deny.countries = {"DE"};
    group.rules.push_back(deny);
    auto policy = PolicyEngine::create({group});
    EXPECT_TRUE(policy.has_value());
    naming = std::make_shared<const NamingSnapshot>(
        NamingSnapshot{std::make_shared<const CameraInventory>(std::move(*inventory)), geo, nullptr,
                       std::make_shared<const PolicyEngine>(std::move(*policy)), "hq"});
  }
};

// The id of the rule the fixture's policy denies a German destination with.
RuleId noVendorCloud(const NamingSnapshot& naming) {
  DestinationFacts facts;
  facts.ip = ip("93.184.216.34");
  facts.country = "DE";
  return naming.policy->evaluate(naming.policy->groupId("lobby"), facts).rule;
}

FlowJudged tlsDeny(const NamingSnapshotPtr& naming) {
  FlowJudged flow;
  flow.naming = naming;
  flow.time = kJudged;
  flow.camera.ip = ip("192.168.10.20");
  flow.camera.mac = {0x44, 0x19, 0xb6, 0x00, 0x00, 0x01};
  flow.camera.has_mac = true;
  flow.server = ip("93.184.216.34");  // public: GeoIP knows it
  flow.port = 8443;
  flow.ip_proto = 6;
  flow.risk = std::uint64_t{1} << 5;  // NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT
  ProtocolText::set(flow.protocol.name, "TLS.HikConnect");
  ProtocolText::set(flow.protocol.master, "TLS");
  ProtocolText::set(flow.protocol.app, "HikConnect");
  ProtocolText::set(flow.protocol.category, "IoT-Scada");
  std::strcpy(flow.hostname.data(), "p2p.example-cloud.com");
  flow.hostname_source = HostnameSource::kSni;
  flow.country = {'D', 'E', '\0'};
  flow.asn = 64500;
  flow.deny = true;
  flow.severity = Severity::kCritical;
  flow.kind = AlertKind::kVendorCloud;
  flow.rule = naming ? noVendorCloud(*naming) : kNoRule;
  flow.first_seen = kJudged - 5 * kNanosPerSecond;
  flow.last_seen = kJudged - kNanosPerSecond;
  flow.packets = 12;
  flow.bytes = 3400;
  return flow;
}

TEST(AlertFactoryTest, NamesADeniedFlowWithTheSnapshotItWasJudgedWith) {
  Fixture fixture;
  const Alert alert = AlertFactory().flowAlert(tlsDeny(fixture.naming));

  Alert expected;
  expected.time = kJudged;
  expected.severity = Severity::kCritical;
  expected.kind = AlertKind::kVendorCloud;
  expected.camera.ip = ip("192.168.10.20");
  expected.camera.mac = "44:19:b6:00:00:01";
  expected.camera.name = "lobby-cam";
  expected.camera.vendor = "Hikvision";
  expected.camera.group = "lobby";
  expected.destination.ip = ip("93.184.216.34");
  expected.destination.port = 8443;
  expected.destination.hostname = "p2p.example-cloud.com";
  expected.destination.hostname_source = "sni";
  expected.destination.country = "DE";
  expected.destination.asn = 64500;
  expected.destination.org = "Example Cloud GmbH";
  expected.protocol.l4 = "tcp";
  expected.protocol.app = "HikConnect";
  expected.protocol.master = "TLS";
  expected.protocol.category = "IoT-Scada";
  expected.protocol.risks = {"Known Protocol on Non Standard Port"};
  expected.evidence.first_seen = kJudged - 5 * kNanosPerSecond;
  expected.evidence.last_seen = kJudged - kNanosPerSecond;
  expected.evidence.packets = 12;
  expected.evidence.bytes = 3400;
  expected.rule = "rule:no-vendor-cloud";
  expected.sensor = "hq";
  expected.dedup_key = "192.168.10.20|vendor_cloud|93.184.216.34";
  EXPECT_EQ(alert, expected);
  EXPECT_EQ(fixture.geo->lookups(), 1U);  // the AS organisation, for this alert
}

// A DNS flow's alert: the destination is the resolver the camera asked, the question a field of
// its own; the dedup key stays per question, whichever resolver answered.
TEST(AlertFactoryTest, ADnsQueryNamesTheResolverAndTheQuestionApart) {
  Fixture fixture;
  FlowJudged flow = tlsDeny(fixture.naming);
  flow.dns_query = true;
  flow.kind = AlertKind::kDnsLookupBlocked;
  flow.port = 53;
  flow.ip_proto = 17;
  flow.risk = 0;
  flow.hostname_source = HostnameSource::kDnsQuery;
  const Alert alert = AlertFactory().flowAlert(flow);
  ASSERT_TRUE(alert.destination.ip.has_value());
  EXPECT_EQ(alert.destination.ip->toString(), "93.184.216.34");
  EXPECT_EQ(alert.destination.port, 53);
  EXPECT_EQ(alert.destination.dns_query, "p2p.example-cloud.com");
  EXPECT_EQ(alert.destination.hostname, "");
  EXPECT_EQ(alert.destination.hostname_source, "");
  EXPECT_EQ(alert.destination.country, "DE");
  EXPECT_EQ(alert.destination.asn, 64500U);
  EXPECT_EQ(alert.destination.org, "Example Cloud GmbH");
  EXPECT_EQ(alert.protocol.l4, "udp");
  EXPECT_EQ(alert.protocol.app, "");
  EXPECT_EQ(alert.protocol.master, "");
  EXPECT_TRUE(alert.protocol.risks.empty());
  EXPECT_EQ(alert.dedup_key, "192.168.10.20|dns_lookup_blocked|dns:p2p.example-cloud.com");
  EXPECT_EQ(fixture.geo->lookups(), 1U);  // the resolver's AS organisation

  // A DNS flow judged as any other flow (here: to a resolver the policy denies) keeps its
  // question apart too, and is deduplicated per resolver.
  flow.dns_query = false;
  flow.kind = AlertKind::kDisallowedDestination;
  const Alert other = AlertFactory().flowAlert(flow);
  EXPECT_EQ(other.destination.dns_query, "p2p.example-cloud.com");
  EXPECT_EQ(other.destination.hostname, "");
  EXPECT_EQ(other.dedup_key, "192.168.10.20|disallowed_destination|93.184.216.34");
}

TEST(AlertFactoryTest, AnUnknownProtocolIsTheAppNameToo) {
  Fixture fixture;
  FlowJudged flow = tlsDeny(fixture.naming);
  ProtocolText::set(flow.protocol.name, "Unknown");
  ProtocolText::set(flow.protocol.master, "Unknown");
  ProtocolText::set(flow.protocol.app, "");
  const Alert alert = AlertFactory().flowAlert(flow);
  EXPECT_EQ(alert.protocol.app, "Unknown");
  EXPECT_EQ(alert.protocol.master, "Unknown");
}

TEST(AlertFactoryTest, TheDedupKeyAloneNeedsNoLookup) {
  Fixture fixture;
  FlowJudged flow = tlsDeny(fixture.naming);
  EXPECT_EQ(AlertFactory().dedupKey(flow), "192.168.10.20|vendor_cloud|93.184.216.34");
  flow.deny = false;
  flow.kind = AlertKind::kDisallowedDestination;
  EXPECT_EQ(AlertFactory().dedupKey(flow), "192.168.10.20|disallowed_destination|93.184.216.34");
  EXPECT_EQ(fixture.geo->lookups(), 0U);
}

TEST(AlertFactoryTest, WithoutAnAsNumberOrSnapshotNothingIsLookedUp) {
  Fixture fixture;
  FlowJudged flow = tlsDeny(fixture.naming);
  flow.asn = 0;
  EXPECT_EQ(AlertFactory().flowAlert(flow).destination.org, "");
  EXPECT_EQ(fixture.geo->lookups(), 0U);

  // No snapshot (no inventory, no GeoIP): the address and MAC, nothing the inventory knows.
  flow = tlsDeny(nullptr);
  const Alert alert = AlertFactory().flowAlert(flow);
  EXPECT_EQ(alert.camera.mac, "44:19:b6:00:00:01");
  EXPECT_EQ(alert.camera.name, "");
  EXPECT_EQ(alert.camera.group, "");
  EXPECT_EQ(alert.destination.org, "");
  EXPECT_EQ(alert.sensor, "");
}

TEST(AlertFactoryTest, NamesACameraByTheInventory) {
  Fixture fixture;
  CameraFacts facts;
  facts.ip = ip("192.168.10.21");  // not listed: group by network
  const AlertCamera camera = AlertFactory().camera(fixture.naming.get(), facts);
  EXPECT_EQ(camera.ip, ip("192.168.10.21"));
  EXPECT_EQ(camera.mac, "");
  EXPECT_EQ(camera.name, "");
  EXPECT_EQ(camera.group, "lobby");
  EXPECT_FALSE(AlertFactory().identity(fixture.naming.get(), facts).listed);
  facts.ip = ip("192.168.10.20");
  EXPECT_TRUE(AlertFactory().identity(fixture.naming.get(), facts).listed);
}

TEST(AlertFactoryTest, ProtocolTextKeepsAtMost63Bytes) {
  std::array<char, ProtocolText::kSize> field{};
  ProtocolText::set(field, std::string(100, 'x'));
  EXPECT_EQ(ProtocolText::view(field), std::string(63, 'x'));
  ProtocolText::set(field, "DNS");
  EXPECT_EQ(ProtocolText::view(field), "DNS");
}

}  // namespace
}  // namespace camwatch
