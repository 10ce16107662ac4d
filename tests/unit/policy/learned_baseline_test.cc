// Tests of LearnedBaseline: what learn() records per facet and group, the order check() reports
// novelties in, hostname and country normalisation, the state file (round trip, stable bytes,
// atomic replace, the named errors of malformed files) and the check-config description.
#include <algorithm>
#include <filesystem>
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

void writeText(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> filesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The error message of loading `text` as the file "baseline.json" in a scratch folder, with the
// folder taken off the front so expectations read like what an operator sees.
std::string loadError(std::string_view text) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  writeText(path, text);
  auto loaded = LearnedBaseline::load(path);
  if (loaded) return "(loaded)";
  std::string message = loaded.error().message;
  if (message.starts_with(dir.path() + "/")) message.erase(0, dir.path().size() + 1);
  return message;
}

TEST(LearnedBaselineTest, NoveltyNamesAreStable) {
  EXPECT_EQ(noveltyName(Novelty::kKnown), "known");
  EXPECT_EQ(noveltyName(Novelty::kNewDomain), "domain");
  EXPECT_EQ(noveltyName(Novelty::kNewAsn), "asn");
  EXPECT_EQ(noveltyName(Novelty::kNewAddress), "address");
  EXPECT_EQ(noveltyName(Novelty::kNewCountry), "country");
  EXPECT_EQ(noveltyName(Novelty::kNewProtocol), "protocol");
}

TEST(LearnedBaselineTest, NothingLearntMakesTheDestinationNew) {
  const LearnedBaseline baseline;
  EXPECT_EQ(baseline.size(), 0U);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 64500, "DE", "TLS")),
            Novelty::kNewDomain);
  EXPECT_EQ(baseline.check(facts("cams", "", 64500, "DE", "TLS")), Novelty::kNewAsn);
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "", "")), Novelty::kNewAddress);
}

TEST(LearnedBaselineTest, LearnReportsWhetherAnythingWasNew) {
  LearnedBaseline baseline;
  const BaselineFacts cloud = facts("cams", "cam.example.com", 64500, "DE", "TLS.HikConnect");
  EXPECT_TRUE(baseline.learn(cloud));
  EXPECT_EQ(baseline.size(), 4U);  // domain, asn, country, protocol; no address: it has a name
  EXPECT_FALSE(baseline.learn(cloud));
  EXPECT_EQ(baseline.check(cloud), Novelty::kKnown);

  // One new facet is enough to be news.
  EXPECT_TRUE(baseline.learn(facts("cams", "cam.example.com", 64500, "DE", "QUIC")));
  EXPECT_EQ(baseline.size(), 5U);
}

TEST(LearnedBaselineTest, ReportsTheFirstNewFacetInOrder) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 64500, "DE", "TLS"));
  baseline.learn(facts("cams", "", 64501, "DE", "TLS"));
  baseline.learn(facts("cams", "", 0, "DE", "TLS", "198.51.100.7"));

  // The destination comes first, whatever else is new too.
  EXPECT_EQ(baseline.check(facts("cams", "other.example.com", 64500, "CN", "STUN")),
            Novelty::kNewDomain);
  EXPECT_EQ(baseline.check(facts("cams", "", 64999, "CN", "STUN")), Novelty::kNewAsn);
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "CN", "STUN", "198.51.100.8")),
            Novelty::kNewAddress);
  // Then the country, then the protocol.
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 64500, "CN", "STUN")),
            Novelty::kNewCountry);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 64500, "DE", "STUN")),
            Novelty::kNewProtocol);
}

TEST(LearnedBaselineTest, TheHostnameStandsForTheDestinationWhenKnown) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 64500, "DE", "TLS"));
  // A known name on an AS never seen is known: CDNs move names between networks.
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 13335, "DE", "TLS")), Novelty::kKnown);
  // The AS learnt with a name also covers nameless flows into it.
  EXPECT_EQ(baseline.check(facts("cams", "", 64500, "DE", "TLS", "203.0.113.99")), Novelty::kKnown);
}

TEST(LearnedBaselineTest, AddressesAreLearntOnlyWithoutHostnameAndAsn) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 0, "", "", "203.0.113.1"));
  baseline.learn(facts("cams", "", 64500, "", "", "203.0.113.2"));
  EXPECT_EQ(baseline.size(), 2U);  // the domain and the AS, no address
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "", "", "203.0.113.1")), Novelty::kNewAddress);

  EXPECT_TRUE(baseline.learn(facts("cams", "", 0, "", "", "203.0.113.1")));
  EXPECT_EQ(baseline.size(), 3U);
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "", "", "203.0.113.1")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "", "", "2001:db8::1")), Novelty::kNewAddress);
  baseline.learn(facts("cams", "", 0, "", "", "2001:db8::1"));
  EXPECT_EQ(baseline.check(facts("cams", "", 0, "", "", "2001:db8::1")), Novelty::kKnown);
}

TEST(LearnedBaselineTest, UnknownCountryAndUnclassifiedProtocolAreNeitherLearntNorChecked) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 0, "", ""));
  baseline.learn(facts("cams", "cam.example.com", 0, "--", ""));  // a GeoIP placeholder
  EXPECT_EQ(baseline.size(), 1U);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "", "")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "XYZ", "")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "DE", "")), Novelty::kNewCountry);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "", "TLS")), Novelty::kNewProtocol);
}

TEST(LearnedBaselineTest, TheUnknownProtocolIsLearntLikeAnyOther) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 0, "", "TLS"));
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "", "Unknown")),
            Novelty::kNewProtocol);
  EXPECT_TRUE(baseline.learn(facts("cams", "cam.example.com", 0, "", "Unknown")));
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "", "Unknown")), Novelty::kKnown);
  // Protocol names are compared as nDPI prints them.
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com", 0, "", "tls")), Novelty::kNewProtocol);
}

TEST(LearnedBaselineTest, GroupsAreSeparate) {
  LearnedBaseline baseline;
  baseline.learn(facts("lobby", "cam.example.com", 64500, "DE", "TLS"));
  EXPECT_EQ(baseline.check(facts("lobby", "cam.example.com", 64500, "DE", "TLS")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("garage", "cam.example.com", 64500, "DE", "TLS")),
            Novelty::kNewDomain);
  baseline.learn(facts("garage", "other.example.com", 64500, "CN", "TLS"));
  EXPECT_EQ(baseline.check(facts("garage", "cam.example.com", 64500, "DE", "TLS")),
            Novelty::kNewDomain);
  EXPECT_EQ(baseline.check(facts("lobby", "cam.example.com", 64500, "CN", "TLS")),
            Novelty::kNewCountry);
}

TEST(LearnedBaselineTest, HostnamesIgnoreCaseAndTheTrailingDot) {
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "Cam.Example.COM.", 0, "de", ""));
  EXPECT_FALSE(baseline.learn(facts("cams", "cam.example.com", 0, "DE", "")));
  EXPECT_EQ(baseline.size(), 2U);
  EXPECT_EQ(baseline.check(facts("cams", "CAM.EXAMPLE.COM", 0, "De", "")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com.", 0, "dE", "")), Novelty::kKnown);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.co", 0, "", "")), Novelty::kNewDomain);
  EXPECT_EQ(baseline.check(facts("cams", "cam.example.com..", 0, "", "")), Novelty::kNewDomain);
  // Stored in the normal form.
  EXPECT_NE(baseline.describe().find("domains: [cam.example.com]"), std::string::npos);
  EXPECT_NE(baseline.describe().find("countries: [DE]"), std::string::npos);
  // A name that is only a dot is no name: the AS, then the address stand for the destination.
  EXPECT_EQ(baseline.check(facts("cams", ".", 0, "", "")), Novelty::kNewAddress);
}

TEST(LearnedBaselineTest, NamesLongerThanADnsNameStillMatch) {
  LearnedBaseline baseline;
  const std::string long_name = std::string(300, 'A') + ".example.com";
  const std::string lower_name = std::string(300, 'a') + ".example.com.";
  baseline.learn(facts("cams", long_name, 0, "", ""));
  EXPECT_EQ(baseline.check(facts("cams", lower_name, 0, "", "")), Novelty::kKnown);
}

TEST(LearnedBaselineTest, KeepsWhenLearningStarted) {
  LearnedBaseline baseline;
  EXPECT_EQ(baseline.learningStarted(), 0);
  baseline.setLearningStarted(kJan15);
  EXPECT_EQ(baseline.learningStarted(), kJan15);
}

TEST(LearnedBaselineTest, SaveThenLoadGivesTheSameBaseline) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  const LearnedBaseline saved = sampleBaseline();
  ASSERT_TRUE(saved.save(path));
  auto loaded = LearnedBaseline::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, saved);
  EXPECT_EQ(loaded->learningStarted(), kJan15 + 123'456'789);
  EXPECT_EQ(loaded->size(), saved.size());
  EXPECT_EQ(loaded->check(facts("lobby", "A.Example.com", 13335, "us", "TLS")), Novelty::kKnown);

  // Saving what was loaded writes the same bytes: the file does not churn.
  const std::string first = readText(path);
  ASSERT_TRUE(loaded->save(path));
  EXPECT_EQ(readText(path), first);
}

TEST(LearnedBaselineTest, NotStartedIsSavedAsNull) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  ASSERT_TRUE(LearnedBaseline().save(path));
  EXPECT_EQ(readText(path),
            "{\n  \"version\": 1,\n  \"learning_started\": null,\n  \"groups\": {}\n}\n");
  auto loaded = LearnedBaseline::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->learningStarted(), 0);
  EXPECT_EQ(loaded->size(), 0U);
}

TEST(LearnedBaselineTest, SaveReplacesTheFileAndLeavesNoTemporaryFile) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  writeText(path, "old content");
  LearnedBaseline baseline;
  baseline.learn(facts("cams", "cam.example.com", 0, "", ""));
  ASSERT_TRUE(baseline.save(path));
  baseline.learn(facts("cams", "cam2.example.com", 0, "", ""));
  ASSERT_TRUE(baseline.save(path));
  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{"baseline.json"});
  auto loaded = LearnedBaseline::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, baseline);
}

TEST(LearnedBaselineTest, SaveIntoAMissingFolderNamesThePath) {
  ScratchDir dir;
  const std::string path = dir.path("no-such-folder/baseline.json");
  auto saved = LearnedBaseline().save(path);
  ASSERT_FALSE(saved);
  EXPECT_NE(saved.error().message.find(path), std::string::npos) << saved.error().message;
  EXPECT_NE(saved.error().message.find("No such file or directory"), std::string::npos)
      << saved.error().message;
  EXPECT_EQ(filesIn(dir.path()), std::vector<std::string>{});
}

TEST(LearnedBaselineTest, AMissingFileIsAnEmptyBaseline) {
  ScratchDir dir;
  auto loaded = LearnedBaseline::load(dir.path("never-saved.json"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->size(), 0U);
  EXPECT_EQ(loaded->learningStarted(), 0);
  EXPECT_EQ(*loaded, LearnedBaseline());
}

TEST(LearnedBaselineTest, AFolderIsNotAStateFile) {
  ScratchDir dir;
  auto loaded = LearnedBaseline::load(dir.path());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find(dir.path()), std::string::npos) << loaded.error().message;
}

TEST(LearnedBaselineTest, LoadNormalisesAndMergesEntries) {
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  writeText(path,
            R"({"version":1,"groups":{"cams":{"domains":["Cam.Example.com.","cam.example.com"],
    "countries":["de"],"asns":[64500,64500]}}})");
  auto loaded = LearnedBaseline::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->size(), 3U);
  EXPECT_EQ(loaded->learningStarted(), 0);
  EXPECT_EQ(loaded->check(facts("cams", "cam.example.com", 64500, "DE", "")), Novelty::kKnown);
}

TEST(LearnedBaselineTest, MalformedFilesAreNamedWithTheField) {
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"asns":[1,2,"3"]}}})"),
            "baseline.json: groups.cameras.asns[2]: expected a number");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"asns":[0]}}})"),
            "baseline.json: groups.cameras.asns[0]: expected an AS number 1-4294967295, not 0");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"asns":[4294967296]}}})"),
            "baseline.json: groups.cameras.asns[0]: expected an AS number 1-4294967295, not "
            "4294967296");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"domains":"a.example.com"}}})"),
            "baseline.json: groups.cameras.domains: expected an array");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"domains":["."]}}})"),
            "baseline.json: groups.cameras.domains[0]: expected a host name");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"countries":["DE","Germany"]}}})"),
            "baseline.json: groups.cameras.countries[1]: expected a two-letter country code");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"protocols":[""]}}})"),
            "baseline.json: groups.cameras.protocols[0]: expected a protocol name");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"addresses":["10.0.0.256"]}}})"),
            "baseline.json: groups.cameras.addresses[0]: expected an IP address");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"domain":[]}}})"),
            "baseline.json: groups.cameras.domain: unknown key (expected domains, asns, "
            "countries, protocols, addresses, places, destinations)");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"places":[]}}})"),
            "baseline.json: groups.cameras.places: expected an object");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":{"places":{"a.example.com":[]}}}})"),
            "baseline.json: groups.cameras.places.a.example.com: expected an object");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"c":{"places":{"a.example.com":{"asns":[0]}}}}})"),
            "baseline.json: groups.c.places.a.example.com.asns[0]: expected an AS number "
            "1-4294967295, not 0");
  EXPECT_EQ(
      loadError(R"({"version":1,"groups":{"c":{"places":{"a.example.com":{"countries":["X"]}}}}})"),
      "baseline.json: groups.c.places.a.example.com.countries[0]: expected a two-letter country "
      "code");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"c":{"places":{"a.example.com":{"asn":[]}}}}})"),
            "baseline.json: groups.c.places.a.example.com.asn: unknown key (expected asns, "
            "countries)");
  EXPECT_EQ(loadError(R"({"version":1,"groups":{"cameras":[]}})"),
            "baseline.json: groups.cameras: expected an object");
  EXPECT_EQ(loadError(R"({"version":1,"groups":[]})"), "baseline.json: groups: expected an object");
  EXPECT_EQ(loadError(R"({"version":1,"learning_started":"yesterday"})"),
            "baseline.json: learning_started: expected RFC 3339 UTC time "
            "(\"2026-01-15T09:00:00Z\") or null");
  EXPECT_EQ(loadError(R"({"version":1,"groupz":{}})"),
            "baseline.json: groupz: unknown key (expected version, learning_started, groups)");
  EXPECT_EQ(loadError(R"({"groups":{}})"), "baseline.json: version: missing");
  EXPECT_EQ(loadError(R"({"version":2})"),
            "baseline.json: version: 2 is not supported (expected 1)");
  EXPECT_EQ(loadError("[]"), "baseline.json: top level: expected an object");
}

TEST(LearnedBaselineTest, UnparsableFilesAreNamedWithThePosition) {
  EXPECT_EQ(loadError("{\"version\": 1,\n  \"groups\": {,}}"),
            "baseline.json: parse error at line 2, column 14: syntax error while parsing object "
            "key - unexpected ','; expected string literal");
  const std::string empty = loadError("");
  EXPECT_TRUE(empty.starts_with("baseline.json: parse error at line 1, column 1:")) << empty;
}

TEST(LearnedBaselineTest, KeepsWhereEachNameLed) {
  LearnedBaseline baseline;
  EXPECT_TRUE(baseline.learn(facts("cams", "Cloud.Example.com.", 64500, "de", "TLS")));
  EXPECT_TRUE(baseline.learn(facts("cams", "cloud.example.com", 64501, "DE", "TLS")));
  EXPECT_FALSE(baseline.learn(facts("cams", "cloud.example.com", 64501, "de", "TLS")));
  EXPECT_TRUE(baseline.learn(facts("cams", "cloud.example.com", 64501, "FR", "TLS")));
  const LearntPlaces* places = baseline.places("cams", "CLOUD.example.com.");
  ASSERT_NE(places, nullptr);
  EXPECT_EQ(places->asns, (std::set<std::uint32_t>{64500, 64501}));
  EXPECT_EQ(places->countries, (std::set<std::string, std::less<>>{"DE", "FR"}));
  EXPECT_EQ(baseline.places("other", "cloud.example.com"), nullptr);
  EXPECT_EQ(baseline.places("cams", "example.com"), nullptr);
  // A name GeoIP knew nothing about has no places; an address without a name none either.
  baseline.learn(facts("cams", "nowhere.example.com", 0, "", "TLS"));
  EXPECT_EQ(baseline.places("cams", "nowhere.example.com"), nullptr);
  // A state file from before places: the names load, without places.
  ScratchDir dir;
  const std::string path = dir.path("baseline.json");
  writeText(path, R"({"version":1,"groups":{"cams":{"domains":["cloud.example.com"]}}})");
  auto loaded = LearnedBaseline::load(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->places("cams", "cloud.example.com"), nullptr);
  EXPECT_EQ(loaded->check(facts("cams", "cloud.example.com", 0, "", "")), Novelty::kKnown);
}

TEST(LearnedBaselineTest, DescribeListsEachGroupSorted) {
  EXPECT_EQ(sampleBaseline().describe(),
            "learning_started: 2026-01-15T09:00:00Z\n"
            "groups:\n"
            "  garage:\n"
            "    domains: [ntp.example.org]\n"
            "    asns: []\n"
            "    countries: []\n"
            "    protocols: [NTP]\n"
            "    addresses: []\n"
            "  lobby:\n"
            "    domains: [a.example.com, b.example.com]\n"
            "    asns: [13335, 64500]\n"
            "    countries: [CN, DE, US]\n"
            "    protocols: [STUN, TLS, TLS.HikConnect, Unknown]\n"
            "    addresses: [198.51.100.7, 2001:db8::5]\n"
            "    places of a.example.com:\n"
            "      asns: [13335]\n"
            "      countries: [US]\n"
            "    places of b.example.com:\n"
            "      asns: [64500]\n"
            "      countries: [DE]\n");
  EXPECT_EQ(LearnedBaseline().describe(), "learning_started: not yet\ngroups: none\n");
}

}  // namespace
}  // namespace camwatch
