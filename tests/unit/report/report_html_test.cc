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
  input.config_files.push_back(ReportConfigFile{kHostile, 30, "00", ""});
  // An included file with a hostile name and text: both shown, escaped.
  input.config_files.push_back(ReportConfigFile{std::string("conf.d/") + kHostile, 40, "01",
                                                std::string("# ") + kHostile + "\n</pre><img>\n"});
  // And one that was gone when the report was written: no digest, no text.
  input.config_files.push_back(ReportConfigFile{"conf.d/gone.yaml", 0, "", ""});
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
  EXPECT_NE(html.find("&lt;/pre&gt;&lt;img&gt;"), std::string::npos);  // the included file's text
  EXPECT_NE(html.find("<h3>Included: <code>conf.d/gone.yaml</code></h3>\n<p class=\"muted\">Could "
                      "not be read again when the report was written.</p>"),
            std::string::npos);
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

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// The text between `from` and the next `to` after it.
std::string between(const std::string& html, const std::string& from, const std::string& to) {
  const std::size_t start = html.find(from);
  if (start == std::string::npos) return {};
  const std::size_t end = html.find(to, start + from.size());
  return html.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The answers come first, then the facts, the charts, the cameras and the alerts.
TEST(ReportHtml, FindingsOpenThePage) {
  const ReplayOutcome result = hostileResult();
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  const std::size_t findings = html.find("<section id=\"findings\">");
  ASSERT_NE(findings, std::string::npos);
  EXPECT_LT(findings, html.find("id=\"about\""));
  EXPECT_LT(html.find("id=\"about\""), html.find("id=\"charts\""));
  EXPECT_LT(html.find("id=\"charts\""), html.find("id=\"cameras\""));
  EXPECT_LT(html.find("id=\"cameras\""), html.find("id=\"alerts\""));
  // The one alert (a warning disallowed_destination) makes the first finding, which links the
  // camera; the rest found nothing and say so.
  EXPECT_NE(html.find("<li class=\"finding lvl-warning\" id=\"finding-denied\"><span "
                      "class=\"lvl\">warning</span> <strong>Denied by policy.</strong> 1 camera "
                      "reached or looked up 1 destination the policy denies (1 rule)."),
            std::string::npos);
  EXPECT_LT(findings, html.find("id=\"finding-denied\""));
  EXPECT_LT(html.find("id=\"finding-denied\""), html.find("id=\"finding-vendor-cloud\""));
  EXPECT_NE(html.find("No camera contacted a vendor cloud."), std::string::npos);
  EXPECT_NE(between(html, "id=\"finding-denied\"", "</li>\n</ul>")
                .find("<a href=\"#camera-192.168.10.21\">192.168.10.21 &lt;script&gt;"),
            std::string::npos);
}

TEST(ReportHtml, EveryCameraKeepsItsAnchorQuietOnesFoldedPerVendor) {
  ReplayOutcome result = hostileResult();
  for (const char* address : {"192.168.10.31", "192.168.10.30"}) {
    SeenCamera quiet;
    quiet.camera.ip = *IpAddress::parse(address);
    quiet.camera.vendor = "Axis";
    quiet.listed = true;
    result.cameras.push_back(quiet);
  }
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  EXPECT_NE(html.find("<section class=\"camera\" id=\"camera-192.168.10.21\">"), std::string::npos);
  EXPECT_EQ(html.find("<section class=\"camera\" id=\"camera-192.168.10.30\">"), std::string::npos);
  EXPECT_NE(
      html.find("<li>Axis: 2 cameras: <span id=\"camera-192.168.10.30\">192.168.10.30</span>, "
                "<span id=\"camera-192.168.10.31\">192.168.10.31</span></li>"),
      std::string::npos);
  EXPECT_NE(html.find("2 cameras had local traffic only."), std::string::npos);
}

// Two cameras over the same 299 s, one sending 100 times the other: on one scale the small one
// is a sliver, on the log scale its shape shows. Heights are worked out by hand: 10 s buckets
// (a 600 s span), the big camera's full bucket is 1234567 * 10 / 299 = 41289.5 bytes (the top),
// the small one's 412.9 bytes: linear 40 * 0.01 rounds to 0, drawn as 1 unit; log
// 40 * log10(413.9) / log10(41290.5) = 22.7, so 23 (its first bucket, 9 s: 22.3, so 22).
TEST(ReportHtml, TimelinesShareOneScaleBusiestFirstWithACssOnlyLogSwitch) {
  ReplayOutcome result = hostileResult();
  FlowRecord big;
  big.key.addr_a = *IpAddress::parse("192.168.10.22");
  big.key.addr_b = *IpAddress::parse("203.0.113.8");
  big.key.port_b = 443;
  big.key.ip_proto = 6;
  big.first_seen = result.first_ts + kNanosPerSecond;
  big.last_seen = result.first_ts + 300 * kNanosPerSecond;
  big.bytes = {1234567, 0};
  big.egress = true;
  result.digest.add(big);
  SeenCamera camera;
  camera.camera.ip = big.key.addr_a;
  camera.listed = true;
  camera.egress_bytes = 1234567;
  result.cameras.push_back(camera);
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  EXPECT_NE(html.find("the top of every chart is 40.3 KiB a bucket"), std::string::npos);
  const std::string linear = between(html, "<div class=\"sm-grid sm-linear\">", "</div>\n</div>");
  const std::string log = between(html, "<div class=\"sm-grid sm-log\">", "</div>\n</div>");
  ASSERT_FALSE(linear.empty());
  ASSERT_FALSE(log.empty());
  EXPECT_LT(linear.find("192.168.10.22"), linear.find("192.168.10.21"));  // busiest first
  const std::string small_linear = linear.substr(linear.find("#camera-192.168.10.21"));
  const std::string small_log = log.substr(log.find("#camera-192.168.10.21"));
  EXPECT_NE(small_linear.find("d=\"M0 40V39h3V40h1V39h3V40"), std::string::npos) << small_linear;
  EXPECT_NE(small_log.find("d=\"M0 40V18h3V40h1V17h3V40"), std::string::npos) << small_log;
  EXPECT_NE(linear.find("d=\"M0 40V4h3V40h1V0h3V40"), std::string::npos) << linear;
  // The switch is a checkbox before both sets, and CSS alone shows one or the other.
  EXPECT_LT(html.find("<input type=\"checkbox\" id=\"timeline-log\""),
            html.find("sm-grid sm-linear"));
  EXPECT_NE(html.find(".sm-log{display:none}#timeline-log:checked~.sm-linear{display:none}"
                      "#timeline-log:checked~.sm-log{display:grid}"),
            std::string::npos);
}

// Past the cut the most severe alerts are kept, in time order, and the rest are named.
TEST(ReportHtml, AlertsPastTheCutKeepTheMostSevere) {
  ReplayOutcome result = hostileResult();
  const Alert model = result.alerts.front();
  result.alerts.clear();
  for (int i = 0; i < 1200; ++i) {
    Alert alert = model;
    alert.time = result.first_ts + i * kNanosPerSecond;
    alert.severity = i >= 1100 ? Severity::kCritical : Severity::kWarning;
    alert.rule = (i >= 1100 ? "crit-" : "warn-") + std::to_string(i);
    result.alerts.push_back(alert);
  }
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  const std::string table =
      between(html, "<table class=\"sortable\" id=\"alerts-table\">", "</table>");
  EXPECT_EQ(count(table, "<tr>"), 501U);  // the heading and 500 alerts
  EXPECT_NE(table.find(">crit-1199<"), std::string::npos);
  EXPECT_NE(table.find(">crit-1100<"), std::string::npos);
  EXPECT_NE(table.find(">warn-399<"), std::string::npos);  // the 400 earliest warnings
  EXPECT_EQ(table.find(">warn-400<"), std::string::npos);
  EXPECT_LT(table.find(">warn-399<"), table.find(">crit-1100<"));  // time order
  EXPECT_NE(html.find("The 500 most severe alerts are listed, in time order; 700 more are in "
                      "replay --alerts FILE."),
            std::string::npos);
}

// Past the 25 most severe cameras with egress, a camera keeps its map and its anchor, and the
// page says the CSV has its rows instead of listing them.
TEST(ReportHtml, OnlyTheMostSevereCamerasListTheirDestinations) {
  ReplayOutcome result = hostileResult();
  for (std::uint8_t n = 1; n <= 29; ++n) {
    FlowRecord flow;
    const std::uint8_t camera[4] = {192, 168, 11, n};
    flow.key.addr_a = IpAddress::fromV4(camera);
    flow.key.addr_b = *IpAddress::parse("203.0.113.9");
    flow.key.port_b = 443;
    flow.key.ip_proto = 6;
    flow.first_seen = result.first_ts + kNanosPerSecond;
    flow.last_seen = flow.first_seen;
    flow.bytes = {n, 0};  // 192.168.11.29 sends the most of them, 192.168.11.1 the least
    flow.egress = true;
    result.digest.add(flow);
    SeenCamera seen;
    seen.camera.ip = flow.key.addr_a;
    seen.listed = true;
    seen.egress_bytes = n;
    result.cameras.push_back(seen);
  }
  const std::string html =
      reportToHtml(result, buildDestinations(result, FlowNaming{}), hostileInput());
  // 30 cameras with egress: the alerted one and the 24 largest others get a table (1000 / 25 =
  // 40 rows each), 192.168.11.1 to .5 do not.
  EXPECT_NE(html.find("id=\"dest-24\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"dest-25\""), std::string::npos);
  const std::string last = between(html, "id=\"camera-192.168.11.5\"", "</section>");
  EXPECT_NE(last.find("<table class=\"map\">"), std::string::npos);
  EXPECT_NE(last.find("Its 1 destination row is in the destinations CSV"), std::string::npos);
  EXPECT_EQ(between(html, "id=\"camera-192.168.11.6\"", "</section>").find("Its 1 destination"),
            std::string::npos);
  EXPECT_NE(html.find("at most 40 each"), std::string::npos);
}

}  // namespace
}  // namespace camwatch
