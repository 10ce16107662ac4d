// The GeoIP data tools: scripts/csv-to-asn-mmdb.pl and scripts/fetch-geoip.sh, run on small
// fixtures made here (CSV rows like @ip-location-db/asn's, a country MMDB shaped like
// @ip-location-db/geo-whois-asn-country-mmdb's, packaged as npm packs them), and their output
// read back through camwatch's own MaxmindGeoLookup. No network: fetch-geoip.sh gets the
// packages from local paths, and an `npm` that fails is first on PATH in case it tried.
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/geo.h>

namespace camwatch {
namespace {

namespace fs = std::filesystem;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

struct Outcome {
  int status = -1;     // exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

Outcome run(const std::string& command) {
  Outcome result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    result.output = "popen failed: " + command;
    return result;
  }
  std::array<char, 4096> buffer;
  std::size_t got = 0;
  while ((got = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), got);
  }
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  return result;
}

const std::string kScripts = std::string(CAMWATCH_SOURCE_DIR) + "/scripts/";

// Today's date and hour as the end of an ip-location-db version (2.3.YYYYMMDDHH), so the
// fixture is not flagged as stale.
std::string freshVersion() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 16> stamp{};
  std::strftime(stamp.data(), stamp.size(), "%Y%m%d%H", &utc);
  return std::string("2.3.") + stamp.data();
}

// Notice texts as the real packages ship them (they end without a newline).
constexpr const char* kNroLicense =
    "The statistics data provided by NRO is licensed under a Creative Commons Attribution 4.0 "
    "International License.\nCopyright Holder: Number Resource Organization (NRO)\nYou are free "
    "to use this data, provided you give attribution to nro.net for the data.";
constexpr const char* kDbipLicense =
    "The free IP to ASN Lite database by DB-IP is licensed under a Creative Commons Attribution "
    "4.0 International License.\n<a href='https://db-ip.com'>IP Geolocation by DB-IP</a>";

// The README of a package whose data its maintainer has disowned, opening the way
// ip-location-db's READMEs do.
constexpr const char* kCautionReadme =
    "> [!CAUTION]\n"
    "> **Data Bugs & Migration**\n"
    "> \n"
    "> The data published here contains bugs.\n"
    "\n"
    "# ip-location-db\n";

// Answers fetch-geoip.sh's checks expect (its country_checks and asn_checks), plus ranges
// whose edges do not fall on network boundaries.
const std::vector<std::string> kGoodCountries = {
    "8.8.8.0-8.8.8.255=US",
    "2001:4860::/32=US",
    "193.0.14.0-193.0.17.255=NL",
    "2001:7fd::/32=NL",
    "133.11.0.0/16=JP",
    "81.2.69.17-81.2.69.200=GB",
    "2a02:cf40::1-2a02:cf40::ff=NO",
};
const std::string kGoodAsnIpv4 =
    "1.1.1.0,1.1.1.255,13335,\"Cloudflare, Inc.\"\n"
    "8.8.8.0,8.8.8.255,15169,Google LLC\n"
    "9.9.9.0,9.9.9.255,19281,Quad9\n"
    "193.0.14.0,193.0.17.255,25152,Reseaux IP Europeens Network Coordination Centre (RIPE NCC)\n";
const std::string kGoodAsnIpv6 =
    "2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
    "2001:4860:4805::,2001:4860:4805:ffff:ffff:ffff:ffff:ffff,43515,Google Ireland Limited\n"
    "2001:4860:480d::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
    "2606:4700:4700::,2606:4700:4700:ffff:ffff:ffff:ffff:ffff,13335,\"Cloudflare, Inc.\"\n"
    "2620:fe::,2620:fe::ffff:ffff:ffff:ffff:ffff,19281,Quad9\n";

class GeoipDataToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "camwatch-geoip-tools.XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    dir_ = pattern;
    // An npm that fails loudly, ahead of the real one: the fetch must not touch the registry.
    writeFile(dir_ / "bin/npm",
              "#!/bin/sh\necho \"fake npm: this test must not reach the registry: $*\" >&2\n"
              "exit 99\n");
    fs::permissions(dir_ / "bin/npm", fs::perms::owner_all);
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path path(const std::string& name) const { return dir_ / name; }

  // Runs csv-to-asn-mmdb.pl with the CSVs given, named asn-ipv4.csv / asn-ipv6.csv in the
  // test's directory.
  Outcome csvToAsnMmdb(const fs::path& output, const std::string& ipv4, const std::string& ipv6) {
    writeFile(path("csv/asn-ipv4.csv"), ipv4);
    writeFile(path("csv/asn-ipv6.csv"), ipv6);
    return run(std::string("perl ") + quote(kScripts + "csv-to-asn-mmdb.pl") + " " +
               quote(output.string()) + " " + quote(path("csv/asn-ipv4.csv").string()) + " " +
               quote(path("csv/asn-ipv6.csv").string()));
  }

  // A package folder laid out as npm packs it (package/package.json and the data files).
  fs::path makePackage(const std::string& name, const std::string& package,
                       const std::string& version, const std::string& license,
                       const std::map<std::string, std::string>& files) {
    const fs::path root = path("packages/" + name);
    writeFile(root / "package/package.json", "{\n  \"name\": \"" + package +
                                                 "\",\n  \"version\": \"" + version +
                                                 "\",\n  \"license\": \"" + license + "\"\n}\n");
    for (const auto& [file, text] : files) writeFile(root / "package" / file, text);
    return root;
  }

  // The country package: its MMDB made by make_test_mmdb.pl from RANGE=CC arguments.
  fs::path makeCountryPackage(const std::string& name, const std::string& version,
                              const std::vector<std::string>& countries,
                              const std::string& readme = "# geo-whois-asn-country-mmdb\n") {
    const fs::path root =
        makePackage(name, "@ip-location-db/geo-whois-asn-country-mmdb", version, "CC0-1.0",
                    {{"NRO_LICENSE", kNroLicense}, {"README.md", readme}});
    std::string command = std::string(CAMWATCH_PERL) + " " + quote(CAMWATCH_MAKE_TEST_MMDB) +
                          " --country-code " +
                          quote((root / "package/geo-whois-asn-country.mmdb").string());
    // append, not `" " + quote(...)`: GCC 12 -O3 warns -Wrestrict on that (a false positive).
    for (const std::string& country : countries) command.append(" ").append(quote(country));
    const Outcome made = run(command);
    EXPECT_EQ(made.status, 0) << command << "\n" << made.output;
    return root;
  }

  fs::path makeAsnPackage(const std::string& name, const std::string& version,
                          const std::string& ipv4, const std::string& ipv6,
                          const std::string& readme = "# asn\n") {
    return makePackage(name, "@ip-location-db/asn", version,
                       "SEE LICENSE IN ROUTEVIEWS-LICENSE and DBIP-LICENSE (CC-BY-4.0)",
                       {{"asn-ipv4.csv", ipv4},
                        {"asn-ipv6.csv", ipv6},
                        {"DBIP-LICENSE", kDbipLicense},
                        {"NRO_LICENSE", kNroLicense},
                        {"README.md", readme}});
  }

  // The folder as a tarball, as `npm pack` writes one (package/... inside, gzip'd).
  fs::path tarball(const fs::path& package_root) {
    const fs::path file = package_root.string() + ".tgz";
    const Outcome packed = run("tar -czf " + quote(file.string()) + " -C " +
                               quote(package_root.string()) + " package");
    EXPECT_EQ(packed.status, 0) << packed.output;
    return file;
  }

  Outcome fetchGeoip(const std::string& arguments) {
    return run("PATH=" + quote(path("bin").string()) + ":\"$PATH\" " +
               quote(kScripts + "fetch-geoip.sh") + " --out " + quote(path("out").string()) + " " +
               arguments);
  }

  static std::unique_ptr<MaxmindGeoLookup> open(const fs::path& country_db,
                                                const fs::path& asn_db) {
    auto lookup = MaxmindGeoLookup::open({country_db.string(), asn_db.string()});
    EXPECT_TRUE(lookup.has_value()) << lookup.error().message;
    return lookup ? std::move(*lookup) : nullptr;
  }

  fs::path dir_;
};

void expectAsn(const MaxmindGeoLookup& geo, const char* address, std::uint32_t asn,
               const std::string& org) {
  const GeoInfo info = geo.lookup(ip(address));
  EXPECT_EQ(info.scope, AddressScope::kPublic) << address;
  EXPECT_EQ(info.asn, asn) << address;
  EXPECT_EQ(info.org, org) << address;
}

void expectCountry(const MaxmindGeoLookup& geo, const char* address, const char* country) {
  const GeoInfo info = geo.lookup(ip(address));
  EXPECT_EQ(info.scope, AddressScope::kPublic) << address;
  EXPECT_EQ(info.countryCode(), country) << address;
}

TEST_F(GeoipDataToolsTest, CsvToAsnMmdbRangesReadBackExactly) {
  const Outcome built = csvToAsnMmdb(
      path("asn.mmdb"),
      "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
      "8.8.8.0,8.8.8.255,15169,Google LLC\r\n"  // CRLF line ends are accepted
      "81.2.69.17,81.2.69.200,64501,\"LLC \"\"Example\"\"\"\n"
      "93.184.216.0,93.184.216.34,64502,Z\xc3\xbcrich Net AG\n"
      "\n"
      "93.184.216.35,93.184.216.35,64503,\n",
      // Teredo (2001::/32) is aliased to IPv4 in the tree: its row (the real file has one) is
      // skipped, not an error.
      "2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC\n"
      "2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
      "2001:4860:4805::,2001:4860:4805:ffff:ffff:ffff:ffff:ffff,43515,Google Ireland Limited\n"
      "2a02:cf40::1,2a02:cf40::ff,64504,\"Odd, \"\"Range\"\" AS\"\n");
  ASSERT_EQ(built.status, 0) << built.output;
  EXPECT_NE(built.output.find("8 ranges from 2 file(s), 1 skipped inside aliased IPv6 ranges"),
            std::string::npos)
      << built.output;

  auto geo = open("", path("asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  EXPECT_TRUE(geo->hasAsn());
  EXPECT_FALSE(geo->hasCountry());

  // IPv4: inside, at both edges of a range that is not a network, and just outside.
  expectAsn(*geo, "1.0.0.1", 13335, "Cloudflare, Inc.");
  expectAsn(*geo, "8.8.8.8", 15169, "Google LLC");
  expectAsn(*geo, "8.8.8.255", 15169, "Google LLC");
  expectAsn(*geo, "8.8.9.0", 0, "");
  expectAsn(*geo, "8.8.7.255", 0, "");
  expectAsn(*geo, "81.2.69.16", 0, "");
  expectAsn(*geo, "81.2.69.17", 64501, "LLC \"Example\"");
  expectAsn(*geo, "81.2.69.100", 64501, "LLC \"Example\"");
  expectAsn(*geo, "81.2.69.200", 64501, "LLC \"Example\"");
  expectAsn(*geo, "81.2.69.201", 0, "");
  expectAsn(*geo, "93.184.216.34", 64502, "Z\xc3\xbcrich Net AG");
  expectAsn(*geo, "93.184.216.35", 64503, "");  // an empty organisation: the number only
  expectAsn(*geo, "93.184.216.36", 0, "");
  expectAsn(*geo, "1.0.1.0", 0, "");

  // IPv6: inside, the edge between two ranges, outside, and an odd-edged range.
  expectAsn(*geo, "2001:4860:4800::1", 15169, "Google LLC");
  expectAsn(*geo, "2001:4860:4804:ffff:ffff:ffff:ffff:ffff", 15169, "Google LLC");
  expectAsn(*geo, "2001:4860:4805::", 43515, "Google Ireland Limited");
  expectAsn(*geo, "2001:4860:4805:ffff:ffff:ffff:ffff:ffff", 43515, "Google Ireland Limited");
  expectAsn(*geo, "2001:4860:4806::", 0, "");
  expectAsn(*geo, "2001:485f:ffff:ffff:ffff:ffff:ffff:ffff", 0, "");
  expectAsn(*geo, "2a02:cf40::", 0, "");
  expectAsn(*geo, "2a02:cf40::1", 64504, "Odd, \"Range\" AS");
  expectAsn(*geo, "2a02:cf40::ff", 64504, "Odd, \"Range\" AS");
  expectAsn(*geo, "2a02:cf40::100", 0, "");

  // The aliases, as in MaxMind's databases: a 6to4 address finds the AS of the IPv4 address it
  // carries, a Teredo address that of its Teredo server (bits 32-63).
  expectAsn(*geo, "2002:808:808::1", 15169, "Google LLC");
  expectAsn(*geo, "2001:0:808:808::1", 15169, "Google LLC");
  EXPECT_EQ(geo->lookupErrors(), 0U);
}

TEST_F(GeoipDataToolsTest, CsvToAsnMmdbMalformedLineIsAnErrorNamingFileAndLine) {
  const std::string good = "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n";
  const std::vector<std::string> malformed = {
      "1.0.1.0,1.0.1.255,13335",                    // no organisation column
      "1.0.1.0,1.0.1.255,AS13335,Example",          // AS number not a number
      "1.0.1.0,1.0.1.255,4294967296,Example",       // AS number over 32 bits
      "1.0.1.0,1.0.1.255,-1,Example",               // negative
      "1.0.1.0,2001::,13335,Example",               // IPv4 start, IPv6 end
      "1.0.1.0,1.0.1.255,13335,\"Unterminated",     // quote never closed
      "1.0.1.0,1.0.1.255,13335,\"Stray \"quote\"",  // inner quote not doubled
      "1.0.1.0,1.0.1.255,13335,Example, Inc.",      // a fifth column
      "1.0.1.0,1.0.1.999,13335,Example",            // not an address
      "1.0.1.255,1.0.1.0,13335,Example",            // start after end
      "ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization",
  };
  for (const std::string& line : malformed) {
    SCOPED_TRACE(line);
    const fs::path output = path("asn.mmdb");
    const Outcome built = csvToAsnMmdb(output, good + good + line + "\n" + good, "");
    EXPECT_NE(built.status, 0) << built.output;
    const std::string where = path("csv/asn-ipv4.csv").string() + ":3: ";
    EXPECT_EQ(built.output.rfind(where, 0), 0U) << built.output;
    // The writer's own source position is not part of the message.
    EXPECT_EQ(built.output.find(".pm line"), std::string::npos) << built.output;
    EXPECT_FALSE(fs::exists(output));
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find("asn.mmdb"), std::string::npos)
          << "left behind: " << entry.path();
    }
  }

  // Line numbers count per file.
  const Outcome built = csvToAsnMmdb(path("asn.mmdb"), good,
                                     "2001:4860::,2001:4860::ff,15169,Google\n"
                                     "2001:4860::100,1.0.0.0,15169,Google\n");
  EXPECT_NE(built.status, 0);
  EXPECT_EQ(built.output.rfind(path("csv/asn-ipv6.csv").string() + ":2: expected ", 0), 0U)
      << built.output;
}

TEST_F(GeoipDataToolsTest, CsvToAsnMmdbWithoutRowsIsAnError) {
  const Outcome built = csvToAsnMmdb(path("asn.mmdb"), "\n", "");
  EXPECT_NE(built.status, 0);
  EXPECT_NE(built.output.find("no rows in " + path("csv/asn-ipv4.csv").string()), std::string::npos)
      << built.output;
  EXPECT_FALSE(fs::exists(path("asn.mmdb")));
}

TEST_F(GeoipDataToolsTest, FetchBuildsBothDatabasesFromLocalPackages) {
  const std::string version = freshVersion();
  // One package as a folder, the other as a tarball: both forms work for either.
  const fs::path country = makeCountryPackage("country", version, kGoodCountries);
  const fs::path asn = tarball(makeAsnPackage("asn", version, kGoodAsnIpv4, kGoodAsnIpv6));

  const Outcome fetched = fetchGeoip("--country-from " + quote(country.string()) + " --asn-from " +
                                     quote(asn.string()));
  ASSERT_EQ(fetched.status, 0) << fetched.output;
  EXPECT_NE(fetched.output.find("checked 12 well-known addresses: all as expected"),
            std::string::npos)
      << fetched.output;
  EXPECT_EQ(fetched.output.find("WARNING"), std::string::npos) << fetched.output;
  EXPECT_EQ(fetched.output.find("fake npm"), std::string::npos) << fetched.output;

  auto geo = open(path("out/country.mmdb"), path("out/asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  const GeoInfo google = geo->lookup(ip("8.8.8.8"));
  EXPECT_EQ(google.countryCode(), "US");
  EXPECT_EQ(google.asn, 15169U);
  EXPECT_EQ(google.org, "Google LLC");
  const GeoInfo google_v6 = geo->lookup(ip("2001:4860:4860::8888"));
  EXPECT_EQ(google_v6.countryCode(), "US");
  EXPECT_EQ(google_v6.asn, 15169U);
  EXPECT_EQ(google_v6.org, "Google LLC");
  const GeoInfo ripe = geo->lookup(ip("193.0.17.255"));
  EXPECT_EQ(ripe.countryCode(), "NL");
  EXPECT_EQ(ripe.asn, 25152U);
  EXPECT_EQ(ripe.org, "Reseaux IP Europeens Network Coordination Centre (RIPE NCC)");
  // The country file is copied as it is: its ranges, edges included, come through.
  expectCountry(*geo, "81.2.69.16", "");
  expectCountry(*geo, "81.2.69.17", "GB");
  expectCountry(*geo, "81.2.69.200", "GB");
  expectCountry(*geo, "81.2.69.201", "");
  expectCountry(*geo, "2a02:cf40::", "");
  expectCountry(*geo, "2a02:cf40::1", "NO");
  expectCountry(*geo, "2a02:cf40::ff", "NO");
  expectCountry(*geo, "2a02:cf40::100", "");
  expectCountry(*geo, "8.8.9.0", "");
  const GeoInfo cloudflare = geo->lookup(ip("1.1.1.1"));  // an AS but no country
  EXPECT_EQ(cloudflare.countryCode(), "");
  EXPECT_EQ(cloudflare.asn, 13335U);
  EXPECT_EQ(cloudflare.org, "Cloudflare, Inc.");

  const std::string sources = readFile(path("out/SOURCES.txt"));
  EXPECT_NE(sources.find("): 12 of 12 known addresses as expected\n"), std::string::npos)
      << sources;
  EXPECT_NE(sources.find("  ok     8.8.8.8 in " + path("out/country.mmdb").string() +
                         ": expected country US\n"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("@ip-location-db/geo-whois-asn-country-mmdb@" + version +
                         " (local folder " + country.string() + ";"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("@ip-location-db/asn@" + version + " (local file " + asn.string() + ";"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("the package declares CC0-1.0"), std::string::npos) << sources;
  // The licence notices, whole, with the attribution they ask for.
  EXPECT_NE(sources.find("            You are free to use this data, provided you give "
                         "attribution to nro.net for the data.\n"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("  --- DBIP-LICENSE\n"), std::string::npos) << sources;
  EXPECT_NE(sources.find("<a href='https://db-ip.com'>IP Geolocation by DB-IP</a>"),
            std::string::npos)
      << sources;
  EXPECT_EQ(sources.find("notice:"), std::string::npos) << sources;

  // Present: a second run skips, and needs neither npm nor the local packages.
  const Outcome again = fetchGeoip("");
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("are present; skipped"), std::string::npos) << again.output;
}

TEST_F(GeoipDataToolsTest, FetchWarnsNamingAddressExpectedAndGotWhenTheDataAnswersWrong) {
  // Data from 2024, whose README disowns it, and whose answers are wrong for four of the
  // checked addresses: 8.8.8.8 in the wrong country, 193.0.14.129 in none, 1.1.1.1 in the wrong
  // AS, 9.9.9.9 in the right AS under another organisation.
  const std::string version = "2.3.2024010112";
  const fs::path country = tarball(makeCountryPackage(
      "country", version,
      {"8.8.8.0/24=XX", "2001:4860::/32=US", "2001:7fd::/32=NL", "133.11.0.0/16=JP"},
      kCautionReadme));
  const fs::path asn = makeAsnPackage(
      "asn", version,
      "1.1.1.0,1.1.1.255,64500,Example Net\n"
      "8.8.8.0,8.8.8.255,15169,Google LLC\n"
      "9.9.9.0,9.9.9.255,19281,Something Else\n"
      "193.0.14.0,193.0.17.255,25152,Reseaux IP Europeens Network Coordination Centre (RIPE NCC)\n",
      kGoodAsnIpv6);

  const Outcome fetched = fetchGeoip("--country-from " + quote(country.string()) + " --asn-from " +
                                     quote(asn.string()));
  // Warnings, not a failure: the demo goes on with the data it has.
  ASSERT_EQ(fetched.status, 0) << fetched.output;
  const std::string country_db = path("out/country.mmdb").string();
  const std::string asn_db = path("out/asn.mmdb").string();
  for (const std::string& warning : {
           "WARNING: 8.8.8.8 in " + country_db + ": expected country US: got XX\n",
           "WARNING: 193.0.14.129 in " + country_db + ": expected country NL: got no country\n",
           "WARNING: 1.1.1.1 in " + asn_db +
               ": expected AS13335 (Cloudflare): got AS64500 "
               "(Example Net)\n",
           "WARNING: 9.9.9.9 in " + asn_db +
               ": expected AS19281 (Quad9): got AS19281 (Something Else)\n",
           std::string("WARNING: 4 of 12 well-known addresses did not resolve as expected"),
           // The age comes from the version, the notice from the README.
           std::string("WARNING: @ip-location-db/asn@2.3.2024010112 is "),
           std::string(" days old (data of 2024-01-01)"),
           std::string("WARNING: @ip-location-db/geo-whois-asn-country-mmdb@2.3.2024010112: its "
                       "README opens with a caution notice: \"Data Bugs & Migration\""),
       }) {
    EXPECT_NE(fetched.output.find(warning), std::string::npos)
        << "missing: " << warning << "\nin:\n"
        << fetched.output;
  }
  // The eight right answers are not warned about.
  EXPECT_EQ(fetched.output.find("2001:4860:4860::8888 in"), std::string::npos) << fetched.output;

  const std::string sources = readFile(path("out/SOURCES.txt"));
  EXPECT_NE(sources.find("): 4 of 12 known addresses NOT as expected: the data may be wrong\n"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("  WRONG  8.8.8.8 in " + country_db + ": expected country US: got XX\n"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("  ok     133.11.0.1 in " + country_db + ": expected country JP\n"),
            std::string::npos)
      << sources;
  EXPECT_NE(sources.find("  data of:  2024-01-01 (going by the version; "), std::string::npos)
      << sources;
  EXPECT_NE(sources.find("            > [!CAUTION]\n            > **Data Bugs & Migration**\n"),
            std::string::npos)
      << sources;

  // The databases are installed all the same: camwatch reads what the data says.
  auto geo = open(path("out/country.mmdb"), path("out/asn.mmdb"));
  ASSERT_NE(geo, nullptr);
  EXPECT_EQ(geo->lookup(ip("8.8.8.8")).countryCode(), "XX");
  EXPECT_EQ(geo->lookup(ip("1.1.1.1")).asn, 64500U);
}

TEST_F(GeoipDataToolsTest, FetchFailsNamingTheLocalSourceThatIsWrong) {
  const std::string version = freshVersion();
  const fs::path country = makeCountryPackage("country", version, kGoodCountries);
  const fs::path asn = makeAsnPackage("asn", version, kGoodAsnIpv4, kGoodAsnIpv6);

  struct Case {
    std::string arguments;
    std::string message;
  };
  const fs::path missing = path("no-such-package.tgz");
  writeFile(path("not-a-tarball.tgz"), "not gzip");
  const fs::path no_package = path("packages/empty");
  fs::create_directories(no_package);
  const fs::path bad_csv =
      makeAsnPackage("bad-csv", version, kGoodAsnIpv4 + "9.9.9.0,9.9.9.255,Quad9\n", kGoodAsnIpv6);
  const fs::path no_ipv6 = makeAsnPackage("no-ipv6", version, kGoodAsnIpv4, "");
  for (const Case& c : std::vector<Case>{
           {"--asn-from " + quote(missing.string()),
            missing.string() + ": no such file or folder (given for @ip-location-db/asn)"},
           {"--country-from " + quote(path("not-a-tarball.tgz").string()),
            path("not-a-tarball.tgz").string() + ": not a gzip'd tar archive"},
           {"--country-from " + quote(no_package.string()),
            no_package.string() + ": not an npm package folder"},
           // The ASN package given for the country.
           {"--country-from " + quote(asn.string()),
            asn.string() + ": the package is '@ip-location-db/asn', expected "
                           "@ip-location-db/geo-whois-asn-country-mmdb"},
           {"--asn-from " + quote(no_ipv6.string()),
            "@ip-location-db/asn: expected asn-ipv6.csv in the package"},
           {"--asn-from " + quote(bad_csv.string()),
            "/asn-ipv4.csv:5: expected ip_range_start,ip_range_end,autonomous_system_number,"},
       }) {
    SCOPED_TRACE(c.arguments);
    std::error_code ignored;
    fs::remove_all(path("out"), ignored);
    // The other package is given too, so nothing would need npm.
    const std::string other = c.arguments.rfind("--asn-from", 0) == 0
                                  ? " --country-from " + quote(country.string())
                                  : " --asn-from " + quote(asn.string());
    const Outcome fetched = fetchGeoip(c.arguments + other);
    EXPECT_EQ(fetched.status, 1) << fetched.output;
    EXPECT_NE(fetched.output.find(c.message), std::string::npos)
        << "missing: " << c.message << "\nin:\n"
        << fetched.output;
    EXPECT_EQ(fetched.output.find("fake npm"), std::string::npos) << fetched.output;
    EXPECT_FALSE(fs::exists(path("out/SOURCES.txt")));
  }
}

}  // namespace
}  // namespace camwatch
