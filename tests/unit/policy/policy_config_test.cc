// Tests of what PolicyEngine::create accepts and the error text for what it does not (each names
// the group, the rule and the entry), and of the protocol lists: the built-in vendor-cloud
// catalog must equal the protocols of config/camera-clouds.protos.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/policy.h>

namespace camwatch {
namespace {

const std::string kShippedProtos =
    std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-clouds.protos";

PolicyRule rule(std::string name, PolicyAction action = PolicyAction::kDeny) {
  PolicyRule out;
  out.name = std::move(name);
  out.action = action;
  return out;
}

GroupPolicy group(std::string name, std::vector<PolicyRule> rules) {
  GroupPolicy out;
  out.name = std::move(name);
  out.rules = std::move(rules);
  return out;
}

std::string createError(std::vector<GroupPolicy> groups,
                        const PolicyOptions& options = defaultPolicyOptions()) {
  Result<PolicyEngine> engine = PolicyEngine::create(std::move(groups), options);
  return engine ? std::string("(created)") : engine.error().message;
}

// The error for a rule "r" in group "cams" that `setup` fills in.
template <typename Setup>
std::string ruleError(Setup setup) {
  PolicyRule r = rule("r");
  setup(r);
  return createError({group("cams", {r})});
}

std::string domainError(std::string domain) {
  return ruleError([&](PolicyRule& r) { r.domains = {domain}; });
}
std::string cidrError(std::string cidr) {
  return ruleError([&](PolicyRule& r) { r.cidrs = {cidr}; });
}
std::string portError(std::string port) {
  return ruleError([&](PolicyRule& r) { r.ports = {port}; });
}
std::string asnError(std::string asn) {
  return ruleError([&](PolicyRule& r) { r.asns = {asn}; });
}
std::string countryError(std::string country) {
  return ruleError([&](PolicyRule& r) { r.countries = {country}; });
}

TEST(PolicyConfigTest, ValidRulesAreAccepted) {
  PolicyRule all = rule("everything");
  all.domains = {"a.example", "*.b.example",           "c.example.",
                 "*.com",     "xn--bcher-kva.example", "under_score.example"};
  all.cidrs = {"0.0.0.0/0",     "::/0",      "203.0.113.0/24",
               "2001:db8::/32", "192.0.2.1", "::ffff:198.51.100.0/120"};
  all.asns = {"1", "AS4294967295", "as13335"};
  all.countries = {"CN", "ru"};
  all.protocols = {"TLS.HikConnect", "STUN"};
  all.categories = {"Cloud", "User custom category 1"};
  all.ports = {"0", "65535", "tcp/443", "UDP/3478-3479", "8000-8100"};
  EXPECT_EQ(createError({group("cams", {all})}), "(created)");
  EXPECT_EQ(createError({}), "(created)");
  EXPECT_EQ(createError({group("cams", {})}), "(created)");
}

TEST(PolicyConfigTest, BadDomains) {
  EXPECT_EQ(domainError(".example.com"),
            "group 'cams', rule 'r': domain '.example.com': a leading dot is ambiguous: write "
            "'*.example.com' for its subdomains and 'example.com' for the domain itself (or both)");
  EXPECT_EQ(domainError("*"),
            "group 'cams', rule 'r': domain '*': '*' alone is not a pattern: leave domains out to "
            "match any destination");
  EXPECT_EQ(domainError("*."), "group 'cams', rule 'r': domain '*.': nothing after '*.'");
  EXPECT_EQ(domainError(""), "group 'cams', rule 'r': domain '': empty domain");
  EXPECT_EQ(domainError("a.*.example"),
            "group 'cams', rule 'r': domain 'a.*.example': '*' only as the whole first label "
            "('*.example.com')");
  EXPECT_EQ(domainError("*example.com"),
            "group 'cams', rule 'r': domain '*example.com': '*' only as the whole first label "
            "('*.example.com')");
  EXPECT_EQ(domainError("a..example"), "group 'cams', rule 'r': domain 'a..example': empty label");
  EXPECT_EQ(domainError("a example"),
            "group 'cams', rule 'r': domain 'a example': character ' ' is not allowed in a "
            "domain");
  EXPECT_EQ(domainError("http://a.example"),
            "group 'cams', rule 'r': domain 'http://a.example': character ':' is not allowed in a "
            "domain");
  EXPECT_EQ(
      domainError(std::string(254, 'a')),
      "group 'cams', rule 'r': domain '" + std::string(254, 'a') + "': longer than 253 characters");
}

TEST(PolicyConfigTest, BadCidrs) {
  EXPECT_EQ(cidrError("10.0.0.0/33"),
            "group 'cams', rule 'r': cidr '10.0.0.0/33': prefix longer than 32");
  EXPECT_EQ(cidrError("2001:db8::/129"),
            "group 'cams', rule 'r': cidr '2001:db8::/129': prefix longer than 128");
  EXPECT_EQ(cidrError("10.0.0.0/"),
            "group 'cams', rule 'r': cidr '10.0.0.0/': prefix length is not a number");
  EXPECT_EQ(cidrError("10.0.0.0/-1"),
            "group 'cams', rule 'r': cidr '10.0.0.0/-1': prefix length is not a number");
  EXPECT_EQ(cidrError("10.0.0/8"),
            "group 'cams', rule 'r': cidr '10.0.0/8': not an IPv4 or IPv6 address");
  EXPECT_EQ(cidrError("example.com"),
            "group 'cams', rule 'r': cidr 'example.com': not an IPv4 or IPv6 address");
  EXPECT_EQ(cidrError("10.0.0.1/8"),
            "group 'cams', rule 'r': cidr '10.0.0.1/8': host bits set (did you mean 10.0.0.0/8?)");
  EXPECT_EQ(cidrError("2001:db8::1/32"),
            "group 'cams', rule 'r': cidr '2001:db8::1/32': host bits set (did you mean "
            "2001:db8::/32?)");
}

TEST(PolicyConfigTest, BadPortsAsnsCountries) {
  const std::string port_help =
      "not a port (0-65535) or range ('8000-8100'), optionally after 'tcp/' or 'udp/'";
  EXPECT_EQ(portError("65536"), "group 'cams', rule 'r': port '65536': " + port_help);
  EXPECT_EQ(portError("https"), "group 'cams', rule 'r': port 'https': " + port_help);
  EXPECT_EQ(portError("tcp/"), "group 'cams', rule 'r': port 'tcp/': " + port_help);
  EXPECT_EQ(portError("80-"), "group 'cams', rule 'r': port '80-': " + port_help);
  EXPECT_EQ(portError("100-90"), "group 'cams', rule 'r': port '100-90': range from high to low");
  EXPECT_EQ(portError("sctp/80"),
            "group 'cams', rule 'r': port 'sctp/80': transport 'sctp' is not tcp or udp");

  const std::string asn_help = "not an AS number ('13335' or 'AS13335')";
  EXPECT_EQ(asnError("AS"), "group 'cams', rule 'r': asn 'AS': " + asn_help);
  EXPECT_EQ(asnError("AS-1"), "group 'cams', rule 'r': asn 'AS-1': " + asn_help);
  EXPECT_EQ(asnError("4294967296"), "group 'cams', rule 'r': asn '4294967296': " + asn_help);
  EXPECT_EQ(asnError("AS0"),
            "group 'cams', rule 'r': asn 'AS0': AS 0 stands for 'unknown' and would never match");

  const std::string country_help = "not a two-letter ISO 3166-1 country code";
  EXPECT_EQ(countryError("CHN"), "group 'cams', rule 'r': country 'CHN': " + country_help);
  EXPECT_EQ(countryError("C1"), "group 'cams', rule 'r': country 'C1': " + country_help);
  EXPECT_EQ(countryError(""), "group 'cams', rule 'r': country '': " + country_help);
}

TEST(PolicyConfigTest, BadRulesAndGroups) {
  EXPECT_EQ(createError({group("cams", {rule("empty")})}),
            "group 'cams', rule 'empty': no matchers (a rule needs domains, registrable_domains, "
            "cidrs, asns, countries, operators, operator_countries, protocols, categories or "
            "ports; use the group's default_action to decide everything else)");
  PolicyRule a = rule("same");
  a.countries = {"CN"};
  PolicyRule b = rule("same", PolicyAction::kAllow);
  b.asns = {"1"};
  EXPECT_EQ(createError({group("cams", {a, b})}), "group 'cams': rule 'same' defined twice");
  // The same rule name in another group is fine.
  EXPECT_EQ(createError({group("cams", {a}), group("nvrs", {a})}), "(created)");
  EXPECT_EQ(createError({group("cams", {a}), group("cams", {})}), "group 'cams': defined twice");
  EXPECT_EQ(createError({group("cams", {}), group("", {})}), "group 2: empty group name");
  EXPECT_EQ(createError({group("cams", {a, rule("")})}), "group 'cams': rule 2: empty rule name");
  PolicyRule bad_protocol = rule("p");
  bad_protocol.protocols = {"TLS HikConnect"};
  EXPECT_EQ(createError({group("cams", {bad_protocol})}),
            "group 'cams', rule 'p': protocol 'TLS HikConnect': contains blanks");
  PolicyRule bad_category = rule("c");
  bad_category.categories = {" "};
  EXPECT_EQ(createError({group("cams", {bad_category})}),
            "group 'cams', rule 'c': category ' ': empty name");
  // The first bad entry is reported, in the order the lists are documented.
  PolicyRule two = rule("two");
  two.cidrs = {"1.2.3.4/40"};
  two.ports = {"x"};
  EXPECT_EQ(createError({group("cams", {two})}),
            "group 'cams', rule 'two': cidr '1.2.3.4/40': prefix longer than 32");
}

TEST(PolicyConfigTest, BadOptions) {
  PolicyOptions options = defaultPolicyOptions();
  options.vendor_cloud_catalog.emplace_back();
  EXPECT_EQ(createError({}, options), "vendor_cloud_catalog: empty name");
  options = defaultPolicyOptions();
  options.p2p_protocols = {"STUN", " "};
  EXPECT_EQ(createError({}, options), "p2p_protocols: empty name");
}

TEST(PolicyCatalogTest, BuiltInCatalogIsTheProtosFile) {
  Result<std::vector<std::string>> names = loadProtocolNames(kShippedProtos);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, defaultVendorCloudCatalog());
  EXPECT_EQ(defaultVendorCloudCatalog().size(), 23U);
}

TEST(PolicyCatalogTest, P2pListHasStunAndNoCatalogProtocol) {
  const std::vector<std::string>& p2p = defaultP2pProtocols();
  EXPECT_NE(std::find(p2p.begin(), p2p.end(), "STUN"), p2p.end());
  for (const std::string& name : defaultVendorCloudCatalog()) {
    EXPECT_EQ(std::find(p2p.begin(), p2p.end(), name), p2p.end()) << name;
  }
  PolicyOptions options = defaultPolicyOptions();
  EXPECT_EQ(options.vendor_cloud_catalog, defaultVendorCloudCatalog());
  EXPECT_EQ(options.p2p_protocols, p2p);
}

// A protos file in the test's temporary directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(testing::TempDir()) /
            ("policy_" + std::to_string(::getpid()) + "_" + info->name() + ".protos");
    std::ofstream out(path_, std::ios::binary);
    out << content;
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

TEST(PolicyCatalogTest, LoadProtocolNames) {
  TempFile file(
      "# comment @NotAName\n"
      "host:\"a.example\"@First\r\n"
      "\n"
      "udp:1,udp:2@Second\n"
      "host:\".b.example\"@First\n"
      "tcp:3@Third");
  Result<std::vector<std::string>> names = loadProtocolNames(file.path());
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(*names, (std::vector<std::string>{"First", "Second", "Third"}));

  TempFile bad("host:\"a.example\"@First\nhost:\"b.example\"\n");
  names = loadProtocolNames(bad.path());
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().message, bad.path() + ":2: rule without a protocol name ('@Name')");

  names = loadProtocolNames("/nonexistent/camera-clouds.protos");
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().message,
            "/nonexistent/camera-clouds.protos: cannot open the protocols file");
}

}  // namespace
}  // namespace camwatch
