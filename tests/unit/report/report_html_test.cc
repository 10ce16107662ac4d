// The HTML report: every string from the input is escaped (hostnames come from DNS answers and
// SNI the watched devices send), nothing is fetched from the network, and the same input gives
// the same bytes.
#include "report/report_html.h"

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

constexpr const char* kHostile = "<script>alert(1)</script>.evil\"onmouseover=alert(2) x='y'&";

ReplayOutcome hostileResult() {
  ReplayOutcome result;
  const Timestamp t0 = 1768467600LL * kNanosPerSecond;
  result.first_ts = t0;
  result.last_ts = t0 + 600 * kNanosPerSecond;
  result.decode.packets = 10;
  FlowRecord flow;
  flow.key.addr_a = *IpAddress::parse("192.168.10.21");
  flow.key.addr_b = *IpAddress::parse("203.0.113.7");
  flow.key.port_b = 443;
  flow.key.ip_proto = 6;
  flow.first_seen = t0 + kNanosPerSecond;
  flow.last_seen = t0 + 300 * kNanosPerSecond;
  flow.bytes = {12345, 678};
  flow.egress = true;
  std::strncpy(flow.dpi.hostname.data(), kHostile, flow.dpi.hostname.size() - 1);
  result.digest.setOrigin(t0);
  result.digest.add(flow);
  SeenCamera camera;
  camera.camera.ip = flow.key.addr_a;
  camera.camera.name = kHostile;
  camera.listed = true;
  camera.egress_bytes = 12345;
  result.cameras.push_back(camera);
  Alert alert;
  alert.time = t0 + kNanosPerSecond;
  alert.camera = camera.camera;
  alert.destination.ip = flow.key.addr_b;
  alert.destination.hostname = kHostile;
  alert.rule = kHostile;
  result.alerts.push_back(alert);
  CaptureFileStats file;
  file.path = std::string("/tmp/") + kHostile + ".pcap";
  file.link_type = "EN10MB";
  result.files.push_back(file);
  return result;
}

ReportInput hostileInput() {
  ReportInput input;
  input.version = "0.0.0 (git test)";
  input.sensor_name = kHostile;
  input.config_path = kHostile;
  input.config_text = std::string("sensor:\n  name: ") + kHostile + "\n</pre><img src=x>\n";
  input.config_sha256 = "00";
  input.files.push_back(ReportCaptureFile{42, "ab"});
  return input;
}

TEST(ReportHtml, HtmlEscapeCoversTheFiveCharacters) {
  EXPECT_EQ(htmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(htmlEscape("plain.example.com"), "plain.example.com");
}

TEST(ReportHtml, HostileNamesAreEscapedEverywhere) {
  const ReplayOutcome result = hostileResult();
  const std::vector<DestinationRow> rows = buildDestinations(result, FlowNaming{});
  ASSERT_EQ(rows.size(), 1U);
  const std::string html = reportToHtml(result, rows, hostileInput());
  // The only <script> element is the report's own, and no input text became markup.
  std::size_t scripts = 0;
  for (std::size_t at = html.find("<script"); at != std::string::npos;
       at = html.find("<script", at + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 1U);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("</pre><img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;.evil&quot;onmouseover=alert(2) "
                      "x=&#39;y&#39;&amp;"),
            std::string::npos);
  // The hostname reached the destinations table and the alert row.
  EXPECT_NE(html.find("<td class=\"host\">&lt;script&gt;"), std::string::npos);
}

TEST(ReportHtml, NothingIsFetchedFromTheNetwork) {
  const ReplayOutcome result = hostileResult();
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<iframe"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
}

TEST(ReportHtml, SameInputSameBytesWithChartsAndReadyMarker) {
  const ReplayOutcome result = hostileResult();
  const auto rows = buildDestinations(result, FlowNaming{});
  const std::string html = reportToHtml(result, rows, hostileInput());
  EXPECT_EQ(html, reportToHtml(result, rows, hostileInput()));
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(html.find("not a vendor cloud"), std::string::npos);
  EXPECT_NE(html.find("reportReady='1'"), std::string::npos);
  EXPECT_NE(html.find("window.onerror"), std::string::npos);
}

TEST(ReportHtml, TimelineBucketFitsTheSpanInSixtyBuckets) {
  EXPECT_EQ(timelineBucket(30 * kNanosPerSecond), kNanosPerSecond);
  EXPECT_EQ(timelineBucket(60 * kNanosPerSecond), kNanosPerSecond);
  EXPECT_EQ(timelineBucket(61 * kNanosPerSecond), 5 * kNanosPerSecond);
  EXPECT_EQ(timelineBucket(600 * kNanosPerSecond), 10 * kNanosPerSecond);
  EXPECT_EQ(timelineBucket(3600 * kNanosPerSecond), 60 * kNanosPerSecond);
  EXPECT_EQ(timelineBucket(86400 * kNanosPerSecond), 1800 * kNanosPerSecond);
}

// A camera that flooded the internet: the page lists its 500 largest destinations and says how
// many more the CSV has, so the report stays a page a browser can open.
TEST(ReportHtml, AFloodingCameraListsItsLargestDestinationsAndNamesTheRest) {
  ReplayOutcome result = hostileResult();
  FlowRecord first;  // hostileResult()'s flow
  first.key.addr_a = *IpAddress::parse("192.168.10.21");
  first.key.port_b = 443;
  first.key.ip_proto = 6;
  first.first_seen = result.first_ts + kNanosPerSecond;
  first.last_seen = result.first_ts + 300 * kNanosPerSecond;
  first.egress = true;
  for (std::uint32_t n = 1; n <= 799; ++n) {
    FlowRecord flow = first;
    const std::uint8_t bytes[4] = {45, 0, static_cast<std::uint8_t>(n >> 8),
                                   static_cast<std::uint8_t>(n)};
    flow.key.addr_b = IpAddress::fromV4(bytes);
    flow.bytes = {n, 0};
    result.digest.add(flow);
  }
  const std::vector<DestinationRow> rows = buildDestinations(result, FlowNaming{});
  ASSERT_EQ(rows.size(), 800U);
  const std::string html = reportToHtml(result, rows, hostileInput());
  EXPECT_NE(html.find("The 500 destinations with the most bytes out are listed; 300 more are in "
                      "the destinations CSV"),
            std::string::npos);
  EXPECT_NE(html.find("203.0.113.7"), std::string::npos);  // the largest (12345 bytes)
  EXPECT_NE(html.find(">45.0.3.31<"), std::string::npos);  // 799 bytes: listed
  EXPECT_EQ(html.find(">45.0.1.44<"), std::string::npos);  // 300 bytes: only in the CSV
}

}  // namespace
}  // namespace camwatch
