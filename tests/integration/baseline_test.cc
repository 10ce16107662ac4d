// `camwatch baseline` end to end on the generated camera-VLAN capture (demo/camera-vlan-demo.pcap,
// the bytes of `camwatch-testgen demo`): learn it, review it (show, remove), export it as a MUD
// profile and enforce that profile on the same traffic (no alert beyond what the policy itself
// raises) and on traffic with one new destination (exactly one more), and export it as an
// nftables ruleset that Debian's nft accepts. The expectations come from the scenario
// (tests/support/scenarios/demo.cc): who talks to which name or address on which port.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/ground_truth.h"
#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kDemo = kSourceDir + "/demo/camera-vlan-demo.pcap";
const std::string kLearningConfig = kSourceDir + "/tests/integration/configs/learning.yaml";

// The policy alerts of tests/integration/configs/learning.yaml on the demo (AlertsTest
// .LearningRecordsThenEnforcesNewDestinations): raised whatever the baseline or a MUD profile
// allows, since they come before allow rules or are not about the destination.
const std::vector<std::string> kPolicyAlerts = {
    "external_resolver 192.168.10.31 -> 9.9.9.9 dns:p2p.easy4ipcloud.com external_resolver "
    "warning firing x1",
    "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
    "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
    "p2p_or_relay 192.168.10.22 -> 43.130.155.63 p2p:STUN warning firing x1",
    // The DoH and DoT sessions' alerts again when they end, with the whole flow (an update).
    "encrypted_dns 192.168.10.32 -> 8.8.8.8 encrypted_dns:DoH warning firing x1",
    "encrypted_dns 192.168.10.33 -> 1.1.1.1 encrypted_dns:DoT warning firing x1",
};

class BaselineTest : public ::testing::Test {
 protected:
  // learning.yaml with its relative paths made absolute, `policy_extra` added to the default
  // group's policy, and `tail` (whole sections) appended.
  std::string config(const std::string& name, const std::string& policy_extra,
                     const std::string& tail) const {
    std::string text = readFile(kLearningConfig);
    const std::string folder = std::filesystem::path(kLearningConfig).parent_path().string() + "/";
    for (const char* key : {"protocols_file: ", "cloud_names_file: ", "oui_file: "}) {
      const std::size_t at = text.find(key);
      if (at != std::string::npos) text.insert(at + std::string(key).size(), folder);
    }
    const std::string path = dir_.path(name);
    std::ofstream(path) << text << policy_extra << tail;
    return path;
  }
  std::string learningConfig() const {
    return config("learn.yaml", "",
                  "learning:\n  mode: learn\n  state_file: " + dir_.path("baseline.json") + "\n");
  }
  CommandResult camwatch(const std::string& arguments) const {
    return runCommand(kCamwatch + " " + arguments);
  }
  CommandResult learnDemo() const {
    return camwatch("baseline learn -c " + shellQuote(learningConfig()) + " " + shellQuote(kDemo));
  }
  std::vector<std::string> alertsOf(const std::string& config_path,
                                    const std::string& captures) const {
    const std::string alerts = dir_.path("alerts.jsonl");
    const CommandResult run = camwatch("replay -c " + shellQuote(config_path) + " --alerts " +
                                       shellQuote(alerts) + " " + captures);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> rows;
    for (const json& alert : readJsonLines(alerts)) rows.push_back(describe(alert));
    return rows;
  }

  TempDir dir_;
};

// The destination called `name` in `show --json`'s group `group`; null when there is none.
json destinationNamed(const json& shown, const std::string& group, const std::string& name) {
  for (const json& row : shown.at("groups").at(group)) {
    if (row.at("name") == name) return row;
  }
  return nullptr;
}

TEST_F(BaselineTest, ShowListsWhatWasLearntAndRemoveDropsAnEntry) {
  const CommandResult learnt = learnDemo();
  ASSERT_EQ(learnt.exit_code, 0) << learnt.err;
  EXPECT_NE(learnt.out.find("group default: "), std::string::npos) << learnt.out;

  const CommandResult shown = camwatch("baseline show --json -c " + shellQuote(learningConfig()));
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const json rows = json::parse(shown.out);
  // Hik-Connect: two Hikvision cameras (.21 checks in twice, .34 every 30 s), TLS on 443, the
  // name answered with 52.5.124.127 and a TTL of 600 s.
  const json hik = destinationNamed(rows, "default", "litedev.hik-connect.com");
  ASSERT_FALSE(hik.is_null()) << shown.out;
  EXPECT_EQ(hik.at("named"), true);
  EXPECT_EQ(hik.at("ports"), json({"tcp/443"}));
  EXPECT_EQ(hik.at("addresses"), json({"52.5.124.127"}));
  EXPECT_EQ(hik.at("cameras"), json({"192.168.10.21", "192.168.10.34"}));
  EXPECT_EQ(hik.at("flows"), 2 + 19);
  EXPECT_GT(hik.at("bytes").get<std::uint64_t>(), 0U);
  EXPECT_LT(hik.at("first_seen").get<std::string>(), hik.at("last_seen").get<std::string>());
  // The upload of cam .24 went to an address nothing named.
  const json upload = destinationNamed(rows, "default", "47.254.33.45");
  ASSERT_FALSE(upload.is_null()) << shown.out;
  EXPECT_EQ(upload.at("named"), false);
  EXPECT_EQ(upload.at("ports"), json({"tcp/443"}));
  EXPECT_EQ(upload.at("cameras"), json({"192.168.10.24"}));
  EXPECT_EQ(upload.at("flows"), 1);
  // The whole flow counts, not what it had sent when judged (419 bytes): the 30 MB upload's
  // bytes from the camera, worked out in ground_truth.h.
  EXPECT_EQ(upload.at("bytes").get<std::uint64_t>(), kUploadBytes);
  // The laptop's browsing (.57, on the camera network) is learnt like the rest.
  EXPECT_FALSE(destinationNamed(rows, "default", "www.example.com").is_null());

  const CommandResult table = camwatch("baseline show -c " + shellQuote(learningConfig()));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("DESTINATION"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("LAST SEEN"), std::string::npos) << table.out;
  bool row_found = false;
  std::istringstream lines(table.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("litedev.hik-connect.com ", 0) != 0) continue;
    row_found = true;
    EXPECT_NE(line.find("tcp/443"), std::string::npos) << line;
    EXPECT_NE(line.find("192.168.10.21,192.168.10.34"), std::string::npos) << line;
  }
  EXPECT_TRUE(row_found) << table.out;

  const CommandResult removed = camwatch("baseline remove -c " + shellQuote(learningConfig()) +
                                         " --group default " + "WWW.example.com");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  const json after = json::parse(
      camwatch("baseline show --json --group default -c " + shellQuote(learningConfig())).out);
  EXPECT_TRUE(destinationNamed(after, "default", "www.example.com").is_null());
  EXPECT_FALSE(destinationNamed(after, "default", "litedev.hik-connect.com").is_null());

  const CommandResult missing = camwatch("baseline remove -c " + shellQuote(learningConfig()) +
                                         " --group default nope.example.com");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find(dir_.path("baseline.json") +
                             ": group 'default' has no learnt destination 'nope.example.com'"),
            std::string::npos)
      << missing.err;
  const CommandResult no_group =
      camwatch("baseline show --group lobby -c " + shellQuote(learningConfig()));
  EXPECT_EQ(no_group.exit_code, 2);
  EXPECT_NE(no_group.err.find("no group 'lobby' learnt (learnt: default)"), std::string::npos)
      << no_group.err;
}

TEST_F(BaselineTest, ShowNamesTheAsOperatorAndCountryGeoIpGave) {
  // The test GeoIP database (tests/support/make_test_mmdb.pl) and the shipped operators file:
  // 52.5.0.0/16 is AS14618 (Amazon) in the US, which config/operators.csv calls AWS;
  // 47.254.0.0/16 is AS45102 (Alibaba) in Germany.
  writeGroundTruthConfigWithGeo(dir_);  // builds dir/geo/demo-geo.mmdb
  const std::string geo = dir_.path("geo") + "/demo-geo.mmdb";
  const std::string path = config(
      "geo.yaml", "",
      "geoip:\n  country_db: " + geo + "\n  asn_db: " + geo + "\n  operators_file: " + kSourceDir +
          "/config/operators.csv\nlearning:\n  mode: learn\n  state_file: " +
          dir_.path("baseline.json") + "\n");
  ASSERT_EQ(camwatch("baseline learn -c " + shellQuote(path) + " " + shellQuote(kDemo)).exit_code,
            0);
  const json rows = json::parse(camwatch("baseline show --json -c " + shellQuote(path)).out);
  const json hik = destinationNamed(rows, "default", "litedev.hik-connect.com");
  ASSERT_FALSE(hik.is_null());
  EXPECT_EQ(hik.at("asns"), json({14618}));
  EXPECT_EQ(hik.at("operator"), "AWS");
  EXPECT_EQ(hik.at("countries"), json({"US"}));
  const json upload = destinationNamed(rows, "default", "47.254.33.45");
  ASSERT_FALSE(upload.is_null());
  EXPECT_EQ(upload.at("asns"), json({45102}));
  EXPECT_EQ(upload.at("operator"), "Alibaba");
  EXPECT_EQ(upload.at("countries"), json({"DE"}));
  const CommandResult table = camwatch("baseline show -c " + shellQuote(path));
  EXPECT_NE(table.out.find("AS14618 AWS"), std::string::npos) << table.out;
}

TEST_F(BaselineTest, TheReportOfALearningReplayHasABaselineSection) {
  const std::string report = dir_.path("report.html");
  const CommandResult run = camwatch("replay -c " + shellQuote(learningConfig()) + " --report " +
                                     shellQuote(report) + " " + shellQuote(kDemo));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = readFile(report);
  EXPECT_NE(html.find("<a href=\"#baseline\">baseline</a>"), std::string::npos);
  const std::size_t section = html.find("<h2 id=\"baseline\">");
  ASSERT_NE(section, std::string::npos);
  const std::size_t next = html.find("<h2 ", section + 1);
  const std::string part = html.substr(section, next - section);
  EXPECT_NE(part.find("<h3>group default: 6 destinations</h3>"), std::string::npos) << part;
  EXPECT_NE(part.find("<td class=\"host\">litedev.hik-connect.com</td>"), std::string::npos);
  EXPECT_NE(part.find("192.168.10.21, 192.168.10.34"), std::string::npos) << part;
  EXPECT_NE(part.find("<td class=\"host\">47.254.33.45</td>"), std::string::npos);

  // Learning off: no section, no link (the golden reports pin the rest).
  const std::string off = config("off.yaml", "", "");
  ASSERT_EQ(camwatch("replay -c " + shellQuote(off) + " --report " + shellQuote(report) + " " +
                     shellQuote(kDemo))
                .exit_code,
            0);
  EXPECT_EQ(readFile(report).find("id=\"baseline\""), std::string::npos);
  EXPECT_EQ(readFile(report).find("#baseline"), std::string::npos);
}

TEST_F(BaselineTest, AnExportedMudProfileEnforcedOnTheSameTrafficRaisesNothingNew) {
  ASSERT_EQ(learnDemo().exit_code, 0);
  const std::string mud = dir_.path("default.mud.json");
  const CommandResult exported =
      camwatch("baseline export --format mud --group default -c " + shellQuote(learningConfig()) +
               " --output " + shellQuote(mud));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string text = readFile(mud);
  const json profile = json::parse(text);
  ASSERT_TRUE(profile.contains("ietf-mud:mud"));
  ASSERT_TRUE(profile.contains("ietf-access-control-list:acls"));
  // Names where the flows had names, the address where they had none.
  EXPECT_NE(text.find(R"("ietf-acldns:dst-dnsname": "litedev.hik-connect.com")"),
            std::string::npos);
  EXPECT_NE(text.find(R"("destination-ipv4-network": "47.254.33.45/32")"), std::string::npos);
  EXPECT_EQ(text.find(R"("destination-ipv4-network": "52.5.124.127/32")"), std::string::npos)
      << "a named destination must be allowed by its name";

  EXPECT_EQ(profile.at("ietf-mud:mud").at("mud-url"), "https://camwatch.invalid/mud/default.json");
  const CommandResult http = camwatch("baseline export --format mud --group default -c " +
                                      shellQuote(learningConfig()) + " --mud-url http://x/y.json");
  EXPECT_EQ(http.exit_code, 2);
  EXPECT_NE(http.err.find("--mud-url http://x/y.json: a MUD URL must be an https URL"),
            std::string::npos)
      << http.err;

  // Default deny, the profile the only allow rules: the demo raises only the policy's own.
  const std::string enforce =
      config("mud.yaml", "", "");  // learning.yaml says default_action: allow; replaced below
  std::string enforce_text = readFile(enforce);
  const std::size_t at = enforce_text.find("default_action: allow");
  ASSERT_NE(at, std::string::npos);
  enforce_text.replace(at, std::string("default_action: allow").size(),
                       "default_action: deny\n    mud: " + mud);
  std::ofstream(enforce) << enforce_text;
  EXPECT_EQ(alertsOf(enforce, shellQuote(kDemo)), kPolicyAlerts);

  // One new destination: camera .21 sends a datagram to 45.0.0.1 (`camwatch-testgen flood`
  // with one flow), nothing else changes.
  const std::string flood = dir_.path("flood.pcap");
  ASSERT_EQ(runCommand(kTestgen + " flood " + shellQuote(flood) + " --flows 1").exit_code, 0);
  std::vector<std::string> expected = kPolicyAlerts;
  const std::vector<std::string> got =
      alertsOf(enforce, shellQuote(kDemo) + " " + shellQuote(flood));
  std::vector<std::string> extra;
  for (const std::string& alert : got) {
    if (std::find(kPolicyAlerts.begin(), kPolicyAlerts.end(), alert) == kPolicyAlerts.end()) {
      extra.push_back(alert);
    }
  }
  EXPECT_EQ(extra,
            std::vector<std::string>{
                "disallowed_destination 192.168.10.21 -> 45.0.0.1 default warning firing x1"});
  EXPECT_EQ(got.size(), kPolicyAlerts.size() + 1);
}

TEST_F(BaselineTest, ABadMudProfileIsAConfigErrorNamingFileAclAndAce) {
  const std::string mud = dir_.path("bad.mud.json");
  std::ofstream(mud) << R"({"ietf-mud:mud": {"mud-version": 1,
    "from-device-policy": {"access-lists": {"access-list": [{"name": "fr"}]}}},
    "ietf-access-control-list:acls": {"acl": [{"name": "fr", "aces": {"ace": [
      {"name": "mgr", "matches": {"ietf-mud:mud": {"my-controller": [null]}},
       "actions": {"forwarding": "accept"}}]}}]}})";
  std::string text = readFile(config("bad.yaml", "", ""));
  text.replace(text.find("default_action: allow"), std::string("default_action: allow").size(),
               "default_action: deny\n    mud: bad.mud.json");
  std::ofstream(dir_.path("bad.yaml")) << text;
  const CommandResult check = camwatch("check-config -c " + shellQuote(dir_.path("bad.yaml")));
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find(mud + ": acl 'fr', ace 'mgr': matches.ietf-mud:mud.my-controller: "
                                 "'my-controller' is not in the group's mud_controllers"),
            std::string::npos)
      << check.err;

  // Saying which hosts the controller is makes the profile a policy; a host that is neither a
  // network nor a name is an error naming its key.
  std::string with = text;
  with.replace(with.find("mud: bad.mud.json"), std::string("mud: bad.mud.json").size(),
               "mud: bad.mud.json\n    mud_controllers:\n      my-controller: [nvr.example.net, "
               "198.51.100.0/24]");
  std::ofstream(dir_.path("controlled.yaml")) << with;
  const CommandResult good =
      camwatch("check-config -c " + shellQuote(dir_.path("controlled.yaml")));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  // Each mistake named by its key.
  const std::string listed = "[nvr.example.net, 198.51.100.0/24]";
  const std::pair<std::string, std::string> mistakes[] = {
      {"[nvr.example.net, 198.51.100.1/24]",
       "policy.default.mud_controllers.my-controller[1]: '198.51.100.1/24' is not a network: host "
       "bits set (did you mean 198.51.100.0/24?)"},
      {"['*.example.net']",
       "policy.default.mud_controllers.my-controller[0]: '*.example.net' is not a host name: a "
       "controller is a host, not a pattern"},
      {"[nvr!.example.net]",
       "policy.default.mud_controllers.my-controller[0]: 'nvr!.example.net' is not a host name: "
       "character '!' is not allowed in a domain"},
  };
  for (const auto& [hosts, message] : mistakes) {
    std::string wrong = with;
    wrong.replace(wrong.find(listed), listed.size(), hosts);
    std::ofstream(dir_.path("controlled.yaml")) << wrong;
    const CommandResult bad =
        camwatch("check-config -c " + shellQuote(dir_.path("controlled.yaml")));
    EXPECT_EQ(bad.exit_code, 2) << hosts;
    EXPECT_NE(bad.err.find(message), std::string::npos) << bad.err;
  }
  std::string dns = with;
  dns.replace(dns.find("my-controller: "), 15, "urn:ietf:params:mud:dns: ");
  std::ofstream(dir_.path("controlled.yaml")) << dns;
  const CommandResult site_dns =
      camwatch("check-config -c " + shellQuote(dir_.path("controlled.yaml")));
  EXPECT_EQ(site_dns.exit_code, 2);
  EXPECT_NE(site_dns.err.find("policy.default.mud_controllers.urn:ietf:params:mud:dns: the "
                              "site's own DNS and NTP servers need no hosts here"),
            std::string::npos)
      << site_dns.err;
  std::string alone = text;
  alone.replace(alone.find("mud: bad.mud.json"), std::string("mud: bad.mud.json").size(),
                "mud_controllers:\n      my-controller: [nvr.example.net]");
  std::ofstream(dir_.path("controlled.yaml")) << alone;
  const CommandResult without =
      camwatch("check-config -c " + shellQuote(dir_.path("controlled.yaml")));
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.err.find("policy.default.mud_controllers: needs a mud: profile"),
            std::string::npos)
      << without.err;
}

TEST_F(BaselineTest, TheNftablesExportIsARulesetNftAccepts) {
  ASSERT_EQ(learnDemo().exit_code, 0);
  const std::string rules = dir_.path("camwatch.nft");
  const CommandResult exported =
      camwatch("baseline export --format nftables -c " + shellQuote(learningConfig()) +
               " --output " + shellQuote(rules));
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string text = readFile(rules);
  // The named destination by the address it led to, its port, and where the address came from.
  EXPECT_NE(text.find("52.5.124.127 . 6 . 443"), std::string::npos) << text;
  EXPECT_NE(text.find("# litedev.hik-connect.com"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS TTL 600 s"), std::string::npos) << text;
  EXPECT_NE(text.find("47.254.33.45 . 6 . 443"), std::string::npos) << text;
  if (geteuid() != 0) GTEST_SKIP() << "needs root: nft -c runs in a network namespace of its own";
  if (runCommand("command -v nft").exit_code != 0) {
    GTEST_SKIP() << "nft not found: install the Debian package nftables (scripts/setup.sh does)";
  }
  const CommandResult checked = runCommand("unshare -n nft -c -f " + shellQuote(rules));
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err << text;
}

}  // namespace
}  // namespace camwatch::integration
