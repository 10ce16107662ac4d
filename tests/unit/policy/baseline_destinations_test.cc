// Tests of the learned baseline's destination records (`camwatch baseline show` and the exports
// read them): what one record gathers over flows, a state file from before the records, and
// removing an entry with what enforcing then says about it.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/baseline.h>

#include "support/scratch_dir.h"
#include "unit/policy/baseline_samples.h"

namespace camwatch {
namespace {

using testing::facts;
using testing::kJan15;
using testing::readText;
using testing::sampleBaseline;
using testkit::ScratchDir;

// A flow of camera `camera` to `ip`:`port` over `proto`, named `hostname` (or not).
BaselineFacts flow(std::string_view hostname, std::string_view ip, std::uint8_t proto,
                   std::uint16_t port, std::string_view camera, std::uint64_t bytes,
                   Timestamp first, Timestamp last) {
  BaselineFacts facts;
  facts.group = "cams";
  facts.hostname = hostname;
  facts.asn = 13335;
  facts.country = "de";
  facts.protocol = "TLS";
  facts.ip = *IpAddress::parse(ip);
  facts.ip_proto = proto;
  facts.port = port;
  facts.camera = *IpAddress::parse(camera);
  facts.bytes = bytes;
  facts.first_seen = first;
  facts.last_seen = last;
  facts.operator_name = "Cloudflare";
  return facts;
}

TEST(BaselineDestinationsTest, StateFileIsSortedJson) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  ASSERT_TRUE(sampleBaseline().save(path));
  // Worked out by hand from sampleBaseline(): the facets, then one record per destination
  // (no ports, cameras or times: the sample facts have none).
  EXPECT_EQ(readText(path), R"({
  "version": 1,
  "learning_started": "2026-01-15T09:00:00.123456789Z",
  "groups": {
    "garage": {
      "domains": [
        "ntp.example.org"
      ],
      "asns": [],
      "countries": [],
      "protocols": [
        "NTP"
      ],
      "addresses": [],
      "places": {},
      "destinations": {
        "ntp.example.org": {
          "named": true,
          "operator": "",
          "asns": [],
          "countries": [],
          "protocols": [
            "NTP"
          ],
          "ports": [],
          "addresses": [
            "203.0.113.10"
          ],
          "cameras": [],
          "flows": 1,
          "bytes": 0,
          "dns_ttl": 0,
          "first_seen": null,
          "last_seen": null
        }
      }
    },
    "lobby": {
      "domains": [
        "a.example.com",
        "b.example.com"
      ],
      "asns": [
        13335,
        64500
      ],
      "countries": [
        "CN",
        "DE",
        "US"
      ],
      "protocols": [
        "STUN",
        "TLS",
        "TLS.HikConnect",
        "Unknown"
      ],
      "addresses": [
        "198.51.100.7",
        "2001:db8::5"
      ],
      "places": {
        "a.example.com": {
          "asns": [
            13335
          ],
          "countries": [
            "US"
          ]
        },
        "b.example.com": {
          "asns": [
            64500
          ],
          "countries": [
            "DE"
          ]
        }
      },
      "destinations": {
        "198.51.100.7": {
          "named": false,
          "operator": "",
          "asns": [],
          "countries": [
            "CN"
          ],
          "protocols": [
            "STUN"
          ],
          "ports": [],
          "addresses": [
            "198.51.100.7"
          ],
          "cameras": [],
          "flows": 1,
          "bytes": 0,
          "dns_ttl": 0,
          "first_seen": null,
          "last_seen": null
        },
        "2001:db8::5": {
          "named": false,
          "operator": "",
          "asns": [],
          "countries": [
            "CN"
          ],
          "protocols": [
            "Unknown"
          ],
          "ports": [],
          "addresses": [
            "2001:db8::5"
          ],
          "cameras": [],
          "flows": 1,
          "bytes": 0,
          "dns_ttl": 0,
          "first_seen": null,
          "last_seen": null
        },
        "a.example.com": {
          "named": true,
          "operator": "",
          "asns": [
            13335
          ],
          "countries": [
            "US"
          ],
          "protocols": [
            "TLS"
          ],
          "ports": [],
          "addresses": [
            "203.0.113.10"
          ],
          "cameras": [],
          "flows": 1,
          "bytes": 0,
          "dns_ttl": 0,
          "first_seen": null,
          "last_seen": null
        },
        "b.example.com": {
          "named": true,
          "operator": "",
          "asns": [
            64500
          ],
          "countries": [
            "DE"
          ],
          "protocols": [
            "TLS.HikConnect"
          ],
          "ports": [],
          "addresses": [
            "203.0.113.10"
          ],
          "cameras": [],
          "flows": 1,
          "bytes": 0,
          "dns_ttl": 0,
          "first_seen": null,
          "last_seen": null
        }
      }
    }
  }
}
)");
}

TEST(BaselineDestinationsTest, ARecordGathersEveryFlowOfItsName) {
  LearnedBaseline baseline;
  const Timestamp s = kNanosPerSecond;
  EXPECT_TRUE(baseline.learn(
      flow("Cam.Example.com.", "203.0.113.5", 6, 443, "192.168.10.21", 1000, kJan15, kJan15 + s)));
  EXPECT_TRUE(baseline.learn(flow("cam.example.com", "203.0.113.6", 6, 8443, "192.168.10.22", 500,
                                  kJan15 - s, kJan15 + 5 * s)));
  // The same flow seen again (a second replay of the same packets): nothing new to save.
  EXPECT_FALSE(baseline.learn(flow("cam.example.com", "203.0.113.6", 6, 8443, "192.168.10.22", 500,
                                   kJan15 - s, kJan15 + 5 * s)));
  EXPECT_TRUE(baseline.learn(
      flow("", "198.51.100.7", 17, 3478, "192.168.10.21", 60, kJan15 + s, kJan15 + 2 * s)));

  const std::vector<LearntDestination> destinations = baseline.destinations("cams");
  ASSERT_EQ(destinations.size(), 2U);
  const LearntDestination& named = destinations[0];  // hostnames before addresses
  EXPECT_EQ(named.name, "cam.example.com");
  EXPECT_TRUE(named.named);
  EXPECT_EQ(named.operator_name, "Cloudflare");
  EXPECT_EQ(named.asns, std::set<std::uint32_t>{13335});
  EXPECT_EQ(named.countries, (std::set<std::string, std::less<>>{"DE"}));
  EXPECT_EQ(named.ports, (std::set<LearntPort>{{6, 443}, {6, 8443}}));
  EXPECT_EQ(named.addresses, (std::set<IpAddress>{*IpAddress::parse("203.0.113.5"),
                                                  *IpAddress::parse("203.0.113.6")}));
  EXPECT_EQ(named.cameras.size(), 2U);
  EXPECT_EQ(named.flows, 3U);
  EXPECT_EQ(named.bytes, 2000U);
  EXPECT_EQ(named.first_seen, kJan15 - s);
  EXPECT_EQ(named.last_seen, kJan15 + 5 * s);
  const LearntDestination& address = destinations[1];
  EXPECT_EQ(address.name, "198.51.100.7");
  EXPECT_FALSE(address.named);
  EXPECT_EQ(address.ports, (std::set<LearntPort>{LearntPort{17, 3478}}));

  // The records survive the state file.
  ScratchDir dir;
  const std::string baseline_file = dir.path("baseline.json");
  ASSERT_TRUE(baseline.save(baseline_file));
  auto loaded = LearnedBaseline::load(baseline_file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, baseline);
  EXPECT_EQ(loaded->destinations("cams"), destinations);
}

TEST(BaselineDestinationsTest, PortsReadBackWhatTheyWrite) {
  for (const char* text : {"tcp/443", "udp/123", "icmp", "icmpv6", "proto-47", "tcp/0"}) {
    auto port = LearntPort::parse(text);
    ASSERT_TRUE(port) << text;
    EXPECT_EQ(port->toString(), text);
  }
  for (const char* text : {"tcp/65536", "tcp/", "sctp/1", "proto-6", "443", "proto-256"}) {
    EXPECT_FALSE(LearntPort::parse(text)) << text;
  }
}

TEST(BaselineDestinationsTest, AStateFileWithoutRecordsListsItsNamesAndAddresses) {
  ScratchDir dir;
  const std::string baseline_file = dir.path("baseline.json");
  std::ofstream(baseline_file) << R"({"version":1,"groups":{"cams":{
      "domains":["cam.example.com"],"asns":[64500],"addresses":["198.51.100.7"],
      "places":{"cam.example.com":{"asns":[64500],"countries":["DE"]}}}}})";
  auto loaded = LearnedBaseline::load(baseline_file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const std::vector<LearntDestination> destinations = loaded->destinations("cams");
  ASSERT_EQ(destinations.size(), 2U);
  EXPECT_EQ(destinations[0].name, "cam.example.com");
  EXPECT_EQ(destinations[0].asns, std::set<std::uint32_t>{64500});
  EXPECT_EQ(destinations[0].countries, (std::set<std::string, std::less<>>{"DE"}));
  EXPECT_TRUE(destinations[0].ports.empty());
  EXPECT_EQ(destinations[0].first_seen, 0);
  EXPECT_EQ(destinations[1].name, "198.51.100.7");
  EXPECT_FALSE(destinations[1].named);
  EXPECT_TRUE(loaded->destinations("other").empty());
}

TEST(BaselineDestinationsTest, ABadRecordIsNamed) {
  ScratchDir dir;
  const std::string baseline_file = dir.path("baseline.json");
  std::ofstream(baseline_file)
      << R"({"version":1,"groups":{"cams":{"destinations":{"cam.example.com":{"ports":["tcp/x"]}}}}})";
  auto loaded = LearnedBaseline::load(baseline_file);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message,
            baseline_file +
                ": groups.cams.destinations.cam.example.com.ports[0]: expected \"tcp/443\", "
                "\"udp/123\", \"icmp\"");
}

TEST(BaselineDestinationsTest, RemovingANameMakesItNewAgain) {
  LearnedBaseline baseline;
  const Timestamp s = kNanosPerSecond;
  baseline.learn(
      flow("cam.example.com", "203.0.113.5", 6, 443, "192.168.10.21", 10, kJan15, kJan15));
  baseline.learn(
      flow("other.example.com", "203.0.113.9", 6, 443, "192.168.10.21", 10, kJan15, kJan15 + s));
  BaselineFacts again = flow("CAM.example.com", "203.0.113.5", 6, 443, "192.168.10.21", 0, 0, 0);
  ASSERT_EQ(baseline.check(again), Novelty::kKnown);
  ASSERT_TRUE(baseline.remove("cams", "CAM.Example.com."));
  EXPECT_EQ(baseline.check(again), Novelty::kNewDomain);
  EXPECT_EQ(baseline.places("cams", "cam.example.com"), nullptr);
  ASSERT_EQ(baseline.destinations("cams").size(), 1U);
  EXPECT_EQ(baseline.destinations("cams")[0].name, "other.example.com");
}

TEST(BaselineDestinationsTest, RemovingAnAddressTakesTheAsOnlyItBroughtIn) {
  LearnedBaseline baseline;
  BaselineFacts nameless = flow("", "198.51.100.7", 17, 3478, "192.168.10.21", 60, kJan15, kJan15);
  nameless.asn = 64500;
  baseline.learn(nameless);
  ASSERT_EQ(baseline.check(nameless), Novelty::kKnown);
  ASSERT_TRUE(baseline.remove("cams", "198.51.100.7"));
  // Enforcing judged the nameless flow by its AS: without the AS it is new again.
  EXPECT_EQ(baseline.check(nameless), Novelty::kNewAsn);
  EXPECT_TRUE(baseline.destinations("cams").empty());
}

TEST(BaselineDestinationsTest, RemovingWhatIsNotThereSaysWhatIs) {
  LearnedBaseline baseline;
  baseline.learn(
      flow("cam.example.com", "203.0.113.5", 6, 443, "192.168.10.21", 10, kJan15, kJan15));
  auto missing = baseline.remove("cams", "nope.example.com");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "group 'cams' has no learnt destination 'nope.example.com' (it has: cam.example.com)");
  auto no_group = baseline.remove("lobby", "cam.example.com");
  ASSERT_FALSE(no_group);
  EXPECT_EQ(no_group.error().message, "no group 'lobby' in the baseline (it has: cams)");
}

}  // namespace
}  // namespace camwatch
