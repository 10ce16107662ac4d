// replay --report and --destinations end to end: the real camwatch binary replays the generated
// camera-VLAN capture (`camwatch-testgen demo`) with the ground-truth config and the test GeoIP
// database, so there are cameras, countries, a vendor cloud and alerts. The CSV rows and the
// HTML are checked as text, then the page is opened in headless Chromium (Debian's `chromium`,
// scripts/setup.sh installs it): no console errors, the script's ready marker set, and the
// charts' colours present in a screenshot decoded with support/png_image.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "integration/chromium_run.h"
#include "integration/ground_truth.h"
#include "integration/run_command.h"
#include "support/png_image.h"

namespace camwatch::integration {
namespace {

namespace fs = std::filesystem;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kTestgen = CAMWATCH_TESTGEN;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;

// Colours of daemon/report/svg_chart.h's palette that long bars of the demo's charts are drawn
// in: country (blue), "not a vendor cloud" (sky blue), alert kind (reddish purple), a foreign
// operator country (vermillion).
constexpr std::uint32_t kChartColours[] = {0x0072b2, 0x56b4e9, 0xcc79a7, 0xd55e00};

// A CSV parser for what RFC 4180 allows: quoted fields with doubled quotes and line breaks.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  return rows;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    capture_ = dir_.path("camera-vlan.pcap");
    const CommandResult gen = runCommand(kTestgen + " demo " + shellQuote(capture_));
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    config_ = writeGroundTruthConfigWithGeo(dir_);
  }

  CommandResult replay(const std::string& report, const std::string& csv,
                       const std::string& flags = "") {
    return runCommand(kCamwatch + " replay -c " + shellQuote(config_) + " --report " +
                      shellQuote(report) + " --destinations " + shellQuote(csv) + " " + flags +
                      " " + shellQuote(capture_));
  }

  TempDir dir_;
  std::string capture_;
  std::string config_;
};

TEST_F(ReportTest, CsvHasOneRowPerCameraDestinationWithNamesAndVerdicts) {
  const CommandResult run = replay(dir_.path("report.html"), dir_.path("dest.csv"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto rows = parseCsv(readFile(dir_.path("dest.csv")));
  ASSERT_GE(rows.size(), 5U);
  const std::vector<std::string>& header = rows[0];
  ASSERT_EQ(header.size(), 24U);
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  const std::vector<std::string>* cloud = nullptr;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    ASSERT_EQ(rows[r].size(), header.size()) << "row " << r;
    // Only camera egress: every server is public, every camera in the camera subnet.
    EXPECT_EQ(rows[r][column["camera_ip"]].rfind("192.168.10.", 0), 0U);
    EXPECT_NE(rows[r][column["server_ip"]].rfind("192.168.", 0), 0U);
    if (rows[r][column["camera_ip"]] == "192.168.10.21" &&
        rows[r][column["server_ip"]] == "52.5.124.127") {
      cloud = &rows[r];
    }
  }
  ASSERT_NE(cloud, nullptr) << "no row for cam-lobby -> 52.5.124.127";
  const auto field = [&](const char* name) { return (*cloud)[column[name]]; };
  EXPECT_EQ(field("camera_name"), "cam-lobby");
  EXPECT_EQ(field("camera_group"), "hikvision");
  EXPECT_EQ(field("hostname"), "litedev.hik-connect.com");
  EXPECT_EQ(field("l4"), "tcp");
  EXPECT_EQ(field("protocol"), "TLS.HikConnect");
  EXPECT_EQ(field("server_ports"), "443");
  EXPECT_EQ(field("country"), "US");
  EXPECT_EQ(field("asn"), "14618");
  EXPECT_EQ(field("org"), "Amazon.com, Inc.");
  EXPECT_EQ(field("vendor_cloud"), "HikConnect");
  EXPECT_EQ(field("verdict"), "deny");
  EXPECT_EQ(field("rule"), "catalog:HikConnect");
  EXPECT_EQ(field("alert_kind"), "vendor_cloud");
  // Two TLS sessions of the generated capture, 5 minutes apart (tests/support/scenarios/demo.cc).
  EXPECT_EQ(field("flows"), "2");
  EXPECT_EQ(field("packets_out"), "20");
  EXPECT_EQ(field("packets_in"), "14");
  EXPECT_EQ(field("bytes_out"), "3654");
  EXPECT_EQ(field("bytes_in"), "8866");
  EXPECT_EQ(field("first_seen"), "2026-01-15T09:00:30.100000Z");
  EXPECT_EQ(field("last_seen"), "2026-01-15T09:05:32.500000Z");
  // The organisation has a comma, so the raw file quotes it.
  EXPECT_NE(readFile(dir_.path("dest.csv")).find(",\"Amazon.com, Inc.\","), std::string::npos);
}

TEST_F(ReportTest, HtmlHasEverySectionAndNoExternalReferences) {
  const CommandResult run = replay(dir_.path("report.html"), dir_.path("dest.csv"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = readFile(dir_.path("report.html"));
  for (const char* section : {"id=\"findings\"", "id=\"cameras\"", "id=\"alerts\"", "id=\"charts\"",
                              "id=\"captures\"", "id=\"config\""}) {
    EXPECT_NE(html.find(section), std::string::npos) << section;
  }
  for (const char* text :
       {"cam-lobby", "cam-yard", "litedev.hik-connect.com", "catalog:HikConnect", "p2p:STUN",
        "vendor_cloud", "egress_volume", "unknown_camera", "Amazon.com, Inc.", "HikConnect",
        "not a vendor cloud", "sensor:\n  name: ground-truth", "egress bytes by country",
        "egress timeline of 192.168.10.21 cam-lobby"}) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
  // Every capture's SHA-256 as sha256sum(1) computes it, and the config's.
  for (const std::string& file : {capture_, config_}) {
    const CommandResult sum = runCommand("sha256sum " + shellQuote(file));
    ASSERT_EQ(sum.exit_code, 0);
    EXPECT_NE(html.find(sum.out.substr(0, 64)), std::string::npos) << file;
  }
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  EXPECT_EQ(count(html, "<script"), 1U);
  EXPECT_GE(count(html, "<svg class=\"chart\""), 4U);
}

// The findings a person expects from the ground truth (ground_truth.h, kGroundTruthAlerts), in
// the order the levels give: the two critical alerts of the unlisted laptop (a denied lookup
// and a denied destination, one rule) first; then the warnings in the findings' own order:
// the vendor clouds (cam-lobby and cam-mast HikConnect, cam-gate and cam-dock Dahua_Imou), the
// foreign operators those and the others reached (the config says the site is in GB: AWS,
// Cloudflare and Google are US, Alibaba and Tencent CN), cam-yard's upload over budget,
// cam-car-park's STUN, the DNS outside the site (cam-dock asks Quad9, cam-stairs DoH to
// 8.8.8.8, cam-roof DoT to 1.1.1.1), cam-yard's hard-coded address, the laptop as an unknown
// device; then what was seen without an alert of its own: cam-mast's call every 30 s (its one
// vendor_cloud notification came before there was a rhythm) and NTP, allowed; last what found
// nothing: destination drift.
TEST_F(ReportTest, FindingsComeInTheOrderAPersonExpectsFromTheGroundTruth) {
  // 13 alerts (and their updates, which add no finding: the same kinds, cameras, levels).
  ASSERT_EQ(groundTruthAlertIdentities(), 13U)
      << "the ground truth changed: work this order out again";
  const CommandResult run = replay(dir_.path("report.html"), dir_.path("dest.csv"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = readFile(dir_.path("report.html"));
  std::vector<std::string> order;
  const std::string marker = "<li class=\"finding ";
  for (std::size_t at = html.find(marker); at != std::string::npos;
       at = html.find(marker, at + 1)) {
    const std::size_t level = at + marker.size();
    const std::size_t id = html.find("id=\"finding-", level) + 12;
    order.push_back(html.substr(level, html.find('"', level) - level) + " " +
                    html.substr(id, html.find('"', id) - id));
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "lvl-critical denied", "lvl-warning vendor-cloud",
                       "lvl-warning jurisdiction", "lvl-warning budget", "lvl-warning p2p",
                       "lvl-warning dns", "lvl-warning hardcoded", "lvl-warning unknown",
                       "lvl-seen beacons", "lvl-seen allowed", "lvl-nothing drift"}));
  for (const char* text : {
           "1 camera reached or looked up 1 destination the policy denies (1 rule).",
           "rule:no-example (disallowed_destination and dns_lookup_blocked): www.example.com: "
           "<a href=\"#camera-192.168.10.57\">192.168.10.57</a>",
           "4 cameras contacted 2 vendor clouds: HikConnect (2 cameras) and Dahua_Imou (2 "
           "cameras).",
           "foreign jurisdictions (home: GB)",
           "1 camera went over its egress budget;",
           "1 camera used P2P or relay protocols: STUN (1 camera).",
           "3 cameras used 1 DNS resolver outside the site and 2 encrypted DNS services.",
           "47.254.33.45, AS45102 Alibaba (US) Technology Co., Ltd., operated by Alibaba (CN), in "
           "DE: <a href=\"#camera-192.168.10.24\">192.168.10.24 cam-yard</a>",
           "1 device not in the inventory was seen on the camera networks.",
           "1 camera contacted 1 destination at a regular interval (1 rhythm).",
           "udp NTP: 1 destination",
       }) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
  // Every link of a finding leads somewhere on the page.
  for (std::size_t at = html.find("href=\"#"); at != std::string::npos;
       at = html.find("href=\"#", at + 1)) {
    const std::string anchor = html.substr(at + 7, html.find('"', at + 7) - at - 7);
    EXPECT_NE(html.find("id=\"" + anchor + "\""), std::string::npos) << anchor;
  }
  // The ranked camera list opens with the most severe camera: the laptop (critical).
  EXPECT_LT(html.find("<section class=\"camera\" id=\"camera-192.168.10.57\">"),
            html.find("<section class=\"camera\" id=\"camera-192.168.10.24\">"));
}

TEST_F(ReportTest, AnyWorkerCountGivesByteIdenticalReportAndCsv) {
  ASSERT_EQ(replay(dir_.path("r1.html"), dir_.path("d1.csv"), "--workers 1").exit_code, 0);
  ASSERT_EQ(replay(dir_.path("r3.html"), dir_.path("d3.csv"), "--workers 3").exit_code, 0);
  EXPECT_EQ(readFile(dir_.path("r1.html")), readFile(dir_.path("r3.html")));
  EXPECT_EQ(readFile(dir_.path("d1.csv")), readFile(dir_.path("d3.csv")));
}

TEST_F(ReportTest, UnwritableReportIsNamedAndTheOtherOutputsAreStillWritten) {
  const std::string bad = dir_.path("missing-dir/report.html");
  const CommandResult run =
      replay(bad, dir_.path("dest.csv"), "--summary " + shellQuote(dir_.path("summary.json")));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(bad), std::string::npos) << run.err;
  EXPECT_TRUE(fs::exists(dir_.path("dest.csv")));
  EXPECT_TRUE(fs::exists(dir_.path("summary.json")));
}

TEST_F(ReportTest, GzipCaptureIsHashedAsItsCompressedBytes) {
  ASSERT_EQ(runCommand("gzip -kn " + shellQuote(capture_)).exit_code, 0);
  const std::string gz = capture_ + ".gz";
  const CommandResult run =
      runCommand(kCamwatch + " replay -c " + shellQuote(config_) + " --report " +
                 shellQuote(dir_.path("report.html")) + " " + shellQuote(gz));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = readFile(dir_.path("report.html"));
  const CommandResult sum = runCommand("sha256sum " + shellQuote(gz));
  ASSERT_EQ(sum.exit_code, 0);
  EXPECT_NE(html.find(sum.out.substr(0, 64)), std::string::npos);
  EXPECT_NE(html.find(gz), std::string::npos);
}

TEST(ReportHelp, ReplayHelpNamesBothOptions) {
  const CommandResult help = runCommand(kCamwatch + " replay --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--report"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--destinations"), std::string::npos) << help.out;
}

std::vector<std::string> consoleProblems(const std::string& log) {
  std::vector<std::string> problems;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find("CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      problems.push_back(line);
    }
    start = end + 1;
  }
  return problems;
}

TEST_F(ReportTest, ChromiumLoadsThePageWithoutErrorsAndDrawsTheCharts) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/setup.sh (it installs Debian's chromium, which "
      << "this test needs to render the report)";
  const std::string report = dir_.path("report.html");
  ASSERT_EQ(replay(report, dir_.path("dest.csv")).exit_code, 0);

  // A window as wide as a laptop's and tall enough for the charts.
  const CommandResult dom = runChromium(report, dir_.path("profile-dom"), domDumpTask(1280, 4000));
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-report-ready=\"1\""), std::string::npos)
      << "the report's script did not finish";
  EXPECT_EQ(dom.out.find("data-report-error"), std::string::npos) << dom.out.substr(0, 2000);
  EXPECT_EQ(consoleProblems(dom.err), std::vector<std::string>{});

  const std::string shot = dir_.path("shot.png");
  const CommandResult screenshot =
      runChromium(report, dir_.path("profile-shot"), screenshotTask(shot, 1280, 4000));
  ASSERT_EQ(screenshot.exit_code, 0) << screenshot.err;
  EXPECT_EQ(consoleProblems(screenshot.err), std::vector<std::string>{});
  const testkit::PngImage image = testkit::readPng(shot);
  ASSERT_EQ(image.width, 1280U);
  ASSERT_GT(image.height, 1000U);
  std::map<std::uint32_t, std::uint64_t> chart_pixels;
  std::map<std::uint32_t, std::uint64_t> colours;
  for (std::uint32_t y = 0; y < image.height; ++y) {
    for (std::uint32_t x = 0; x < image.width; ++x) {
      const std::uint32_t rgb = image.pixel(x, y);
      ++colours[rgb];
      for (const std::uint32_t colour : kChartColours) {
        if (rgb == colour) ++chart_pixels[colour];
      }
    }
  }
  EXPECT_GT(colours.size(), 10U) << "the screenshot is (nearly) one colour";
  for (const std::uint32_t colour : kChartColours) {
    // A bar is at least 2 x 16 px; real bars here are hundreds of pixels wide.
    EXPECT_GT(chart_pixels[colour], 500U) << std::hex << "colour #" << colour;
  }
}

}  // namespace
}  // namespace camwatch::integration
