#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

namespace fs = std::filesystem;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// Builds the fixture databases once per test process with tests/support/make_test_mmdb.pl, so
// no binary file is committed and the data is readable in one place.
class MaxmindGeoLookupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "camwatch-geo-test.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      setup_error_ = new std::string("mkdtemp " + pattern + " failed");
      return;
    }
    dir_ = new fs::path(pattern);
    const std::string command = std::string("'") + CAMWATCH_PERL + "' '" + CAMWATCH_MAKE_TEST_MMDB +
                                "' '" + dir_->string() + "'";
    if (std::system(command.c_str()) != 0) {
      setup_error_ =
          new std::string(command +
                          " failed: the geo tests need Perl's MaxMind::DB::Writer::Tree (Debian: "
                          "libmaxmind-db-writer-perl)");
    }
  }

  static void TearDownTestSuite() {
    if (dir_ != nullptr) {
      std::error_code ignored;
      fs::remove_all(*dir_, ignored);
    }
    delete dir_;
    delete setup_error_;
    dir_ = nullptr;
    setup_error_ = nullptr;
  }

  void SetUp() override { ASSERT_EQ(setup_error_, nullptr) << *setup_error_; }

  static std::string db(const char* name) { return (*dir_ / name).string(); }

  static std::unique_ptr<MaxmindGeoLookup> open(const std::string& country_db,
                                                const std::string& asn_db) {
    auto lookup = MaxmindGeoLookup::open({country_db, asn_db});
    EXPECT_TRUE(lookup.has_value()) << lookup.error().message;
    return lookup ? std::move(*lookup) : nullptr;
  }

  static std::string writeFile(const char* name, const std::string& bytes) {
    const std::string path = db(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  // Raw pointers: gtest's suite hooks are static, and a static std::string would outlive main.
  static inline fs::path* dir_ = nullptr;
  static inline std::string* setup_error_ = nullptr;
};

TEST_F(MaxmindGeoLookupTest, MaxmindSchemaIpv4AndIpv6) {
  auto geo = open(db("maxmind-city.mmdb"), db("maxmind-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  EXPECT_TRUE(geo->hasCountry());
  EXPECT_TRUE(geo->hasAsn());

  const GeoInfo london = geo->lookup(ip("81.2.69.160"));
  EXPECT_EQ(london.scope, AddressScope::kPublic);
  EXPECT_EQ(london.countryCode(), "GB");
  EXPECT_EQ(london.asn, 64501U);
  EXPECT_EQ(london.org, "Example UK Limited");

  const GeoInfo google = geo->lookup(ip("2001:4860:4860::8888"));
  EXPECT_EQ(google.countryCode(), "US");
  EXPECT_EQ(google.asn, 15169U);
  EXPECT_EQ(google.org, "Google LLC");

  // IPv6 country without an ASN record: the fields are independent.
  const GeoInfo norway = geo->lookup(ip("2a02:cf40::1"));
  EXPECT_EQ(norway.countryCode(), "NO");
  EXPECT_EQ(norway.asn, 0U);
  EXPECT_EQ(norway.org, "");
}

TEST_F(MaxmindGeoLookupTest, MaxmindFallsBackToRegisteredCountry) {
  auto geo = open(db("maxmind-city.mmdb"), "");
  ASSERT_NE(geo, nullptr);
  EXPECT_EQ(geo->lookup(ip("5.6.7.8")).countryCode(), "SE");
  EXPECT_FALSE(geo->hasAsn());
}

TEST_F(MaxmindGeoLookupTest, IpLocationDbSchemaIpv4AndIpv6) {
  auto geo = open(db("iplocation-country.mmdb"), db("iplocation-asn.mmdb"));
  ASSERT_NE(geo, nullptr);

  const GeoInfo quad9 = geo->lookup(ip("9.9.9.9"));
  EXPECT_EQ(quad9.countryCode(), "CH");
  EXPECT_EQ(quad9.asn, 19281U);
  EXPECT_EQ(quad9.org, "Quad9");

  const GeoInfo quad9_v6 = geo->lookup(ip("2620:fe::fe"));
  EXPECT_EQ(quad9_v6.countryCode(), "CH");
  EXPECT_EQ(quad9_v6.asn, 19281U);

  // UTF-8 and punctuation come through untouched.
  const GeoInfo example = geo->lookup(ip("1.2.3.4"));
  EXPECT_EQ(example.countryCode(), "JP");
  EXPECT_EQ(example.org, "Z\xc3\xbcrich Net AG, \"Example\"");
}

TEST_F(MaxmindGeoLookupTest, SchemasMix) {
  auto geo = open(db("maxmind-city.mmdb"), db("iplocation-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const GeoInfo info = geo->lookup(ip("1.2.3.4"));
  EXPECT_EQ(info.countryCode(), "AU");  // from the MaxMind file, not ip-location-db's "JP"
  EXPECT_EQ(info.asn, 64502U);
}

TEST_F(MaxmindGeoLookupTest, OneFileForBothRoles) {
  auto geo = open(db("iplocation-combined.mmdb"), db("iplocation-combined.mmdb"));
  ASSERT_NE(geo, nullptr);
  EXPECT_EQ(geo->describe().size(), 1U);
  const GeoInfo info = geo->lookup(ip("9.9.9.10"));
  EXPECT_EQ(info.countryCode(), "CH");
  EXPECT_EQ(info.asn, 19281U);
  EXPECT_EQ(info.org, "Quad9");
}

TEST_F(MaxmindGeoLookupTest, PublicAddressNotInAnyDatabase) {
  auto geo = open(db("maxmind-city.mmdb"), db("maxmind-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  for (const char* text : {"8.8.4.4", "2a03:2880::1"}) {
    const GeoInfo info = geo->lookup(ip(text));
    EXPECT_EQ(info.scope, AddressScope::kPublic) << text;
    EXPECT_EQ(info.countryCode(), "") << text;
    EXPECT_EQ(info.asn, 0U) << text;
    EXPECT_EQ(info.org, "") << text;
  }
  EXPECT_EQ(geo->lookupErrors(), 0U);
}

TEST_F(MaxmindGeoLookupTest, NonPublicAddressesAreLabelledNotLookedUp) {
  // Every fixture maps 10.0.0.0/8 to "XX" / AS 64511: finding them means a lookup happened.
  auto geo = open(db("maxmind-city.mmdb"), db("maxmind-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const GeoInfo private_v4 = geo->lookup(ip("10.1.2.3"));
  EXPECT_EQ(private_v4.scope, AddressScope::kPrivate);
  EXPECT_EQ(private_v4.countryCode(), "");
  EXPECT_EQ(private_v4.asn, 0U);
  EXPECT_EQ(geo->lookup(ip("::ffff:10.9.9.9")).scope, AddressScope::kPrivate);
  EXPECT_EQ(geo->lookup(ip("::ffff:10.9.9.9")).asn, 0U);
  EXPECT_EQ(geo->lookup(ip("fd00::1")).scope, AddressScope::kPrivate);
  EXPECT_EQ(geo->lookup(ip("100.64.1.1")).scope, AddressScope::kCgnat);
  EXPECT_EQ(geo->lookup(ip("192.0.2.1")).scope, AddressScope::kDocumentation);
  EXPECT_EQ(geo->lookup(ip("2001:db8::1")).scope, AddressScope::kDocumentation);
  EXPECT_EQ(geo->lookup(ip("127.0.0.1")).scope, AddressScope::kLoopback);
  EXPECT_EQ(geo->lookup(ip("255.255.255.255")).scope, AddressScope::kBroadcast);
}

TEST_F(MaxmindGeoLookupTest, Nat64AddressIsLookedUpAsItsIpv4) {
  auto geo = open(db("maxmind-city.mmdb"), db("maxmind-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const GeoInfo info = geo->lookup(ip("64:ff9b::1.2.3.4"));
  EXPECT_EQ(info.scope, AddressScope::kPublic);
  EXPECT_EQ(info.countryCode(), "AU");
  EXPECT_EQ(info.asn, 64500U);
}

TEST_F(MaxmindGeoLookupTest, Ipv6AddressInIpv4OnlyDatabaseIsAMiss) {
  auto geo = open(db("maxmind-country-ipv4.mmdb"), "");
  ASSERT_NE(geo, nullptr);
  EXPECT_EQ(geo->lookup(ip("1.2.3.4")).countryCode(), "AU");
  EXPECT_EQ(geo->lookup(ip("2001:4860::1")).countryCode(), "");
  EXPECT_EQ(geo->lookupErrors(), 0U);
}

TEST_F(MaxmindGeoLookupTest, DescribeNamesFileSchemaTypeAndDate) {
  auto geo = open(db("iplocation-country.mmdb"), db("maxmind-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const std::vector<std::string> lines = geo->describe();
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], db("iplocation-country.mmdb") +
                          ": country database (country_code), type 'country ipvAll', IPv6, "
                          "built 2024-01-01");
  EXPECT_EQ(lines[1], db("maxmind-asn.mmdb") +
                          ": ASN database (autonomous_system_number/_organization), type "
                          "'GeoLite2-ASN', IPv6, built 2024-01-01");
}

TEST_F(MaxmindGeoLookupTest, EmptyPathsMeanNoGeoAndNoWarning) {
  auto geo = open("", "");
  ASSERT_NE(geo, nullptr);
  EXPECT_FALSE(geo->hasCountry());
  EXPECT_FALSE(geo->hasAsn());
  EXPECT_TRUE(geo->warnings().empty());
  EXPECT_EQ(geo->lookup(ip("8.8.8.8")), GeoInfo{});
}

TEST_F(MaxmindGeoLookupTest, MissingFileIsAnErrorNamingIt) {
  const std::string missing = db("no-such-country.mmdb");
  auto geo = MaxmindGeoLookup::open({missing, db("maxmind-asn.mmdb")});
  ASSERT_FALSE(geo.has_value());
  EXPECT_EQ(geo.error().message, missing + ": country database not found");
}

TEST_F(MaxmindGeoLookupTest, MissingFileCanBeAWarningAndNoGeo) {
  const std::string missing_country = db("no-such-country.mmdb");
  const std::string missing_asn = db("no-such-asn.mmdb");
  auto geo = MaxmindGeoLookup::open({missing_country, missing_asn}, GeoDatabaseMissing::kWarn);
  ASSERT_TRUE(geo.has_value()) << geo.error().message;
  const std::vector<std::string>& warnings = (*geo)->warnings();
  ASSERT_EQ(warnings.size(), 2U);
  EXPECT_EQ(warnings[0].rfind(missing_country + ": country database not found", 0), 0U)
      << warnings[0];
  EXPECT_EQ(warnings[1].rfind(missing_asn + ": ASN database not found", 0), 0U) << warnings[1];
  EXPECT_FALSE((*geo)->hasCountry());
  EXPECT_FALSE((*geo)->hasAsn());
  const GeoInfo info = (*geo)->lookup(ip("1.2.3.4"));
  EXPECT_EQ(info.scope, AddressScope::kPublic);
  EXPECT_EQ(info.countryCode(), "");
  EXPECT_EQ((*geo)->lookup(ip("10.0.0.1")).scope, AddressScope::kPrivate);
}

TEST_F(MaxmindGeoLookupTest, OneMissingDatabaseLeavesTheOtherWorking) {
  auto geo = MaxmindGeoLookup::open({db("maxmind-city.mmdb"), db("no-such-asn.mmdb")},
                                    GeoDatabaseMissing::kWarn);
  ASSERT_TRUE(geo.has_value()) << geo.error().message;
  EXPECT_EQ((*geo)->warnings().size(), 1U);
  const GeoInfo info = (*geo)->lookup(ip("1.2.3.4"));
  EXPECT_EQ(info.countryCode(), "AU");
  EXPECT_EQ(info.asn, 0U);
}

TEST_F(MaxmindGeoLookupTest, CorruptFileIsAnErrorNamingIt) {
  const std::string garbage = writeFile("garbage.mmdb", std::string(4096, 'x'));
  for (const auto missing : {GeoDatabaseMissing::kError, GeoDatabaseMissing::kWarn}) {
    auto geo = MaxmindGeoLookup::open({garbage, ""}, missing);
    ASSERT_FALSE(geo.has_value());
    EXPECT_EQ(geo.error().message.rfind(
                  garbage + ": country database: cannot read it as a MaxMind DB (.mmdb) file: ", 0),
              0U)
        << geo.error().message;
  }

  // The first half of a real database: its metadata (at the end) is gone.
  std::ifstream in(db("maxmind-asn.mmdb"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string truncated = writeFile("truncated.mmdb", bytes.substr(0, bytes.size() / 2));
  auto geo = MaxmindGeoLookup::open({"", truncated});
  ASSERT_FALSE(geo.has_value());
  EXPECT_EQ(geo.error().message.rfind(truncated + ": ASN database: cannot read it", 0), 0U)
      << geo.error().message;

  const std::string empty = writeFile("empty.mmdb", "");
  EXPECT_FALSE(MaxmindGeoLookup::open({empty, ""}).has_value());
}

// A database updated in place while camwatch runs (`cp new.mmdb country.mmdb` truncates and
// rewrites the same inode; a failed download leaves garbage or nothing) must not change or crash
// the lookups already open: they keep answering from the file as it was when it was opened.
// With the file mapped straight from disk, reading a truncated page would raise SIGBUS.
TEST_F(MaxmindGeoLookupTest, FileOverwrittenInPlaceWhileOpenKeepsTheOpenedAnswers) {
  std::ifstream in(db("maxmind-city.mmdb"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = writeFile("live-country.mmdb", bytes);
  auto geo = open(path, "");
  ASSERT_NE(geo, nullptr);
  EXPECT_EQ(geo->lookup(ip("81.2.69.160")).countryCode(), "GB");

  for (const std::string& replacement :
       {std::string(), std::string(100, 'x'), bytes.substr(0, 64)}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << replacement;  // the same inode
    EXPECT_EQ(geo->lookup(ip("81.2.69.160")).countryCode(), "GB");
    EXPECT_EQ(geo->lookup(ip("2001:4860:4860::8888")).countryCode(), "US");
  }
  // Opening the damaged file now is an error naming it; the open lookup is unaffected.
  EXPECT_FALSE(MaxmindGeoLookup::open({path, ""}).has_value());
  EXPECT_EQ(geo->lookup(ip("81.2.69.160")).countryCode(), "GB");
}

TEST_F(MaxmindGeoLookupTest, DirectoryIsAnErrorNamingIt) {
  auto geo = MaxmindGeoLookup::open({dir_->string(), ""}, GeoDatabaseMissing::kWarn);
  ASSERT_FALSE(geo.has_value());
  EXPECT_EQ(geo.error().message.rfind(dir_->string() + ": country database is a directory", 0), 0U)
      << geo.error().message;
}

TEST_F(MaxmindGeoLookupTest, DatabaseWithoutTheExpectedFieldsIsAnError) {
  auto asn_as_country = MaxmindGeoLookup::open({db("maxmind-asn.mmdb"), ""});
  ASSERT_FALSE(asn_as_country.has_value());
  EXPECT_EQ(
      asn_as_country.error().message.rfind(
          db("maxmind-asn.mmdb") + ": country database of type 'GeoLite2-ASN' has no country field",
          0),
      0U)
      << asn_as_country.error().message;

  auto country_as_asn = MaxmindGeoLookup::open({"", db("iplocation-country.mmdb")});
  ASSERT_FALSE(country_as_asn.has_value());
  EXPECT_NE(country_as_asn.error().message.find("has no autonomous_system_number field"),
            std::string::npos)
      << country_as_asn.error().message;
}

TEST_F(MaxmindGeoLookupTest, ConcurrentLookupsAgree) {
  std::shared_ptr<const GeoLookup> geo = open(db("maxmind-city.mmdb"), db("iplocation-asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const IpAddress addresses[] = {ip("1.2.3.4"), ip("2001:4860::1"), ip("9.9.9.9"), ip("10.0.0.1"),
                                 ip("8.8.8.8")};
  std::vector<GeoInfo> expected;
  for (const IpAddress& address : addresses) expected.push_back(geo->lookup(address));

  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 2000; ++round) {
        const std::size_t i = (t + static_cast<std::size_t>(round)) % expected.size();
        if (geo->lookup(addresses[i]) != expected[i]) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int mismatch : mismatches) EXPECT_EQ(mismatch, 0);
}

}  // namespace
}  // namespace camwatch
