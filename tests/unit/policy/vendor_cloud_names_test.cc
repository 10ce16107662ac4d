// Registrable domains (Public Suffix List through libpsl) in policy rules and in the vendor-cloud
// names file: what a registrable domain covers, what is refused and how the error reads, and the
// shipped config/camera-cloud-names.csv naming the clouds the research lists.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

#include "policy/registrable_domain.h"
#include "policy_test_util.h"

namespace camwatch {
namespace {

using testing::engineWith;
using testing::makeEngine;
using testing::rule;
using testing::tlsTo;

const std::string kNamesPath = std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-cloud-names.csv";

// A file in the test's temporary directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("cloud_names_" + std::to_string(::getpid()) + "_" + info->name() + ".csv");
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The registrable domain libpsl gives for `name` (lower case), through the same NUL-terminated
// buffer the policy uses.
std::string registrable(std::string name) {
  return std::string(PublicSuffixList::system().registrableDomain(name));
}

DestinationFacts tlsNamed(std::string_view hostname) {
  DestinationFacts facts = tlsTo("47.88.29.110");
  facts.hostname = hostname;
  return facts;
}

TEST(RegistrableDomainTest, FollowsThePublicSuffixList) {
  EXPECT_EQ(registrable("p2p.easy4ipcloud.com"), "easy4ipcloud.com");
  EXPECT_EQ(registrable("easy4ipcloud.com"), "easy4ipcloud.com");
  EXPECT_EQ(registrable("cam.example.co.uk"), "example.co.uk");  // ICANN: co.uk
  EXPECT_EQ(registrable("a.b.kalay.net.cn"), "kalay.net.cn");    // ICANN: net.cn
  // Private section: s3.amazonaws.com is a suffix anyone registers buckets under.
  EXPECT_EQ(registrable("bucket.s3.amazonaws.com"), "bucket.s3.amazonaws.com");
  EXPECT_EQ(registrable("com"), "");
  EXPECT_EQ(registrable(""), "");
  EXPECT_FALSE(PublicSuffixList::system().source().empty());
}

TEST(RegistrableDomainTest, RuleCoversEveryNameUnderItAndNoOtherOwner) {
  PolicyRule allow = rule("dahua-p2p", PolicyAction::kAllow);
  allow.registrable_domains = {"Easy4IPCloud.com."};
  PolicyEngine engine = engineWith({allow});
  const PolicyGroupId cams = engine.groupId("cams");
  for (const char* name : {"easy4ipcloud.com", "p2p.easy4ipcloud.com", "a.b.EASY4IPCLOUD.com."}) {
    Verdict verdict = engine.evaluate(cams, tlsNamed(name));
    EXPECT_EQ(verdict.action, PolicyAction::kAllow) << name;
    EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:dahua-p2p") << name;
  }
  for (const char* name : {"easy4ipcloud.com.evil.example", "xeasy4ipcloud.com", "ipcloud.com"}) {
    EXPECT_EQ(engine.ruleLabel(engine.evaluate(cams, tlsNamed(name)).rule), "default") << name;
  }
}

std::string registrableError(std::string entry) {
  PolicyRule r = rule("r", PolicyAction::kDeny);
  r.registrable_domains = {std::move(entry)};
  GroupPolicy group;
  group.name = "cams";
  group.rules = {r};
  Result<PolicyEngine> engine = PolicyEngine::create({group}, defaultPolicyOptions());
  return engine ? "(created)" : engine.error().message;
}

TEST(RegistrableDomainTest, RefusesWhatIsNotOneOwnersDomain) {
  const std::string at = "group 'cams', rule 'r': registrable domain ";
  EXPECT_EQ(registrableError("p2p.easy4ipcloud.com"),
            at + "'p2p.easy4ipcloud.com': is not a registrable domain: its registrable domain is "
                 "'easy4ipcloud.com'");
  EXPECT_EQ(registrableError("co.uk"),
            at + "'co.uk': is a public suffix (anyone can register names under it), not one "
                 "owner's domain");
  EXPECT_EQ(registrableError("s3.amazonaws.com"),
            at + "'s3.amazonaws.com': is a public suffix (anyone can register names under it), "
                 "not one owner's domain");
  EXPECT_EQ(registrableError("*.example.com"),
            at + "'*.example.com': write the registrable domain itself ('example.com'): it "
                 "covers every name under it");
  EXPECT_EQ(registrableError("exa mple.com"),
            at + "'exa mple.com': character ' ' is not allowed in a domain");
  EXPECT_EQ(registrableError("example.com"), "(created)");
}

TEST(VendorCloudNamesTest, ShippedFileNamesTheResearchedClouds) {
  auto names = loadVendorCloudNames(kNamesPath, defaultVendorCloudCatalog());
  ASSERT_TRUE(names) << names.error().message;
  PolicyOptions options = defaultPolicyOptions();
  options.vendor_cloud_names = *names;
  GroupPolicy group;
  group.name = "cams";
  PolicyEngine engine = makeEngine({group}, options);
  const PolicyGroupId cams = engine.groupId("cams");
  // Names nDPI's rules in camera-clouds.protos miss (they list www.easy4ipcloud.com and
  // openapi.lechange.cn), a DNS-cache name on a flow DPI saw only as TLS, and hosts.
  const std::pair<const char*, const char*> expected[] = {
      {"p2p.easy4ipcloud.com", "catalog:Dahua_Imou"},
      {"www.easy4ipcloud.com", "catalog:Dahua_Imou"},
      {"cn.lechange.cn", "catalog:Dahua_Imou"},
      {"litedev.hik-connect.com", "catalog:HikConnect"},
      {"p2p3.reolink.com", "catalog:Reolink"},
      {"dispatcher-st.axis.com", "catalog:Axis_Cloud"},
      {"a.kalay.net.cn", "catalog:TUTK_Kalay"},
  };
  for (const auto& [name, label] : expected) {
    Verdict verdict = engine.evaluate(cams, tlsNamed(name));
    EXPECT_EQ(verdict.alert, AlertKind::kVendorCloud) << name;
    EXPECT_EQ(engine.ruleLabel(verdict.rule), label) << name;
  }
  // Hosts cover themselves only: the vendor's web site is not its cloud.
  for (const char* name : {"www.reolink.com", "www.axis.com", "reolink.com", "example.com"}) {
    EXPECT_EQ(engine.ruleLabel(engine.evaluate(cams, tlsNamed(name)).rule), "default") << name;
  }
  // A group with the catalog off ignores the names too.
  group.vendor_cloud_catalog = false;
  PolicyEngine off = makeEngine({group}, options);
  EXPECT_EQ(off.ruleLabel(off.evaluate(off.groupId("cams"), tlsNamed("p2p.easy4ipcloud.com")).rule),
            "default");
}

std::string namesError(std::string_view lines) {
  TempFile file(std::string("cloud,name,scope,source\n") + std::string(lines));
  auto names = loadVendorCloudNames(file.path(), defaultVendorCloudCatalog());
  if (names) return "(loaded)";
  std::string message = names.error().message;
  return message.substr(message.find(".csv:") + 5);
}

TEST(VendorCloudNamesTest, BadEntriesNameTheLine) {
  EXPECT_EQ(namesError("Reolink,p2p.reolink.com,host,x\n"), "(loaded)");
  EXPECT_EQ(
      namesError("Reolink,p2p.reolink.com,host,x\nNoSuchCloud,a.example,host,x\n").substr(0, 62),
      "3: cloud 'NoSuchCloud' is not a vendor-cloud protocol of the c");
  EXPECT_EQ(namesError("Dahua_Imou,p2p.easy4ipcloud.com,domain,x\n"),
            "2: name 'p2p.easy4ipcloud.com': is not a registrable domain: its registrable domain "
            "is 'easy4ipcloud.com'");
  EXPECT_EQ(namesError("Dahua_Imou,easy4ipcloud.com,zone,x\n"),
            "2: scope 'zone': expected domain or host");
  EXPECT_EQ(namesError("Dahua_Imou,*.easy4ipcloud.com,host,x\n"),
            "2: name '*.easy4ipcloud.com': a host is one name: list the registrable domain with "
            "scope domain instead");
  EXPECT_EQ(namesError("Dahua_Imou,easy4ipcloud.com,domain,\n"),
            "2: empty source: say where it is from");
  EXPECT_EQ(
      namesError("Dahua_Imou,easy4ipcloud.com,domain,x\n\nReolink,EASY4IPCLOUD.com,domain,y\n"),
      "4: name 'easy4ipcloud.com' listed again (first on line 2)");
  EXPECT_EQ(namesError("Dahua_Imou,easy4ipcloud.com,domain\n"),
            "2: expected 4 fields (cloud,name,scope,source), found 3");
}

}  // namespace
}  // namespace camwatch

namespace camwatch {
namespace {

// Rules on who operates the network: operators by name, operator_countries by the parent's home.
TEST(OperatorRulesTest, MatchTheOperatorAndItsHomeCountryNotTheBuilding) {
  const std::string path = ::testing::TempDir() + "operator_rules.csv";
  std::ofstream(path) << "asn,prefix,operator,holder,parent,parent_country,source\n"
                         "45102,,Alibaba,Alibaba US,Alibaba Group,CN,test\n"
                         "16509,,AWS,Amazon,Amazon.com Inc.,US,test\n";
  auto table = OperatorTable::load(path);
  ASSERT_TRUE(table) << table.error().message;
  PolicyOptions options = defaultPolicyOptions();
  options.operators = std::make_shared<const OperatorTable>(std::move(*table));
  PolicyRule no_cn = rule("no-chinese-operators", PolicyAction::kDeny);
  no_cn.operator_countries = {"cn"};
  PolicyRule aws = rule("aws-ok", PolicyAction::kAllow);
  aws.operators = {"aws"};
  GroupPolicy group;
  group.name = "cams";
  group.rules = {no_cn, aws};
  PolicyEngine engine = makeEngine({group}, options);
  const PolicyGroupId cams = engine.groupId("cams");

  DestinationFacts alibaba_us = tlsTo("47.254.33.45");  // the building is in the US
  alibaba_us.country = "US";
  alibaba_us.asn = 45102;
  Verdict verdict = engine.evaluate(cams, alibaba_us);
  EXPECT_EQ(verdict.action, PolicyAction::kDeny);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "rule:no-chinese-operators");

  DestinationFacts amazon = tlsTo("52.94.0.1");
  amazon.country = "US";
  amazon.asn = 16509;
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(cams, amazon).rule), "rule:aws-ok");

  DestinationFacts unlisted = tlsTo("198.51.100.1");
  unlisted.asn = 64500;
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(cams, unlisted).rule), "default");

  // Names the file does not list, and operator rules without a file, are refused at start.
  PolicyRule typo = rule("typo", PolicyAction::kDeny);
  typo.operators = {"Alibabba"};
  group.rules = {typo};
  auto refused = PolicyEngine::create({group}, options);
  ASSERT_FALSE(refused);
  EXPECT_EQ(
      refused.error().message,
      "group 'cams', rule 'typo': operator 'Alibabba': not an operator of the operators file");
  group.rules = {no_cn};
  refused = PolicyEngine::create({group}, defaultPolicyOptions());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "group 'cams', rule 'no-chinese-operators': operator country 'cn': needs the "
            "operators file (geoip.operators_file) to know who operates what");
}

}  // namespace
}  // namespace camwatch

namespace camwatch {
namespace {

// hardcoded_address: a classified flow to a public address without any name, that nothing
// else decided; rules and the catalog still win, and a named flow never raises it.
TEST(HardcodedAddressTest, RaisedOnlyForUnnamedPublicDestinationsNoRuleDecided) {
  GroupPolicy group;
  group.name = "cams";
  group.default_action = PolicyAction::kAllow;
  group.hardcoded_address = Severity::kCritical;
  PolicyRule ntp = rule("ntp", PolicyAction::kAllow);
  ntp.ports = {"udp/123"};
  group.rules = {ntp};
  PolicyEngine engine = makeEngine({group});
  const PolicyGroupId cams = engine.groupId("cams");

  Verdict verdict = engine.evaluate(cams, tlsTo("47.254.33.45"));  // no hostname
  EXPECT_EQ(verdict.alert, AlertKind::kHardcodedAddress);
  EXPECT_EQ(verdict.severity, Severity::kCritical);
  EXPECT_EQ(engine.ruleLabel(verdict.rule), "hardcoded_address");
  EXPECT_TRUE(verdict.final);

  EXPECT_EQ(engine.evaluate(cams, tlsNamed("cloud.example.com")).alert, std::nullopt);
  DestinationFacts time = tlsTo("203.0.113.5");
  time.ip_proto = 17;
  time.port = 123;
  EXPECT_EQ(engine.ruleLabel(engine.evaluate(cams, time).rule), "rule:ntp");  // a rule decided
  DestinationFacts local = tlsTo("192.168.1.5");
  local.scope = AddressScope::kPrivate;
  EXPECT_EQ(engine.evaluate(cams, local).alert, std::nullopt);

  group.hardcoded_address.reset();  // off: the default action decides
  PolicyEngine off = makeEngine({group});
  EXPECT_EQ(off.evaluate(off.groupId("cams"), tlsTo("47.254.33.45")).alert, std::nullopt);
}

}  // namespace
}  // namespace camwatch
