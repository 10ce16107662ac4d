// The report's Provenance section and print stylesheet: the section is self-contained (one
// <section> the page's layout can move), escapes every input string (paths and versions come
// from the config and from files), lists each config file (the main one, then the included ones),
// capture and data source with its digest, and says
// "-" where there is none; the stylesheet prints on A4 with page breaks and no dark backgrounds.
#include "report/report_provenance.h"

#include <string>

#include <gtest/gtest.h>

#include "report/report_html.h"
#include "report/report_print.h"

namespace camwatch {
namespace {

constexpr const char* kHostile = "<b>x</b>&\"'";
const std::string kDigest(64, 'a');

ReportInput inputWithSources() {
  ReportInput input;
  input.version = "1.2.3 (git abc)";
  input.config_path = "config/camwatch.yaml";
  input.config_files.push_back(
      ReportConfigFile{"config/camwatch.yaml", 700, std::string(64, 'c'), ""});
  input.config_files.push_back(ReportConfigFile{std::string("config/conf.d/") + kHostile + ".yaml",
                                                300, std::string(64, 'd'), "x: 1\n"});
  input.files.push_back(ReportCaptureFile{1536, std::string(64, 'f')});
  input.data_sources.push_back(
      DataSource{"GeoIP country database", std::string("geo/") + kHostile + ".mmdb",
                 std::string("type '") + kHostile + "', IPv6, built 2024-01-01", 2048, kDigest});
  input.data_sources.push_back(
      DataSource{"Public Suffix List", "", "libpsl 0.21.2, built-in list", 0, ""});
  return input;
}

ReplayOutcome oneCapture() {
  ReplayOutcome result;
  CaptureFileStats file;
  file.path = "captures/demo.pcap";
  result.files.push_back(file);
  return result;
}

TEST(ReportProvenance, ListsVersionConfigCapturesAndSourcesWithTheirDigests) {
  const std::string html = provenanceSection(oneCapture(), inputWithSources());
  EXPECT_EQ(html.rfind("<section class=\"provenance\">\n<h2 id=\"provenance\">Provenance</h2>", 0),
            0U);
  EXPECT_EQ(html.substr(html.size() - 11), "</section>\n");
  EXPECT_NE(html.find("<dd>1.2.3 (git abc)</dd>"), std::string::npos);
  // The main config first, then the file it includes, each with its size and digest.
  const std::size_t main = html.find(
      "<tr><td class=\"path\">config/<wbr>camwatch.yaml</td><td>main config</td><td class=\"n\" "
      "title=\"700 bytes\">700 B</td><td><code class=\"digest\">" +
      std::string(64, 'c') + "</code></td></tr>");
  const std::size_t included = html.find(
      "</td><td>included</td><td class=\"n\" title=\"300 bytes\">300 B</td><td><code "
      "class=\"digest\">" +
      std::string(64, 'd') + "</code></td></tr>");
  ASSERT_NE(main, std::string::npos) << html;
  ASSERT_NE(included, std::string::npos) << html;
  EXPECT_LT(main, included);
  EXPECT_LT(included, html.find("<h3>Capture files</h3>"));
  EXPECT_NE(html.find("<td class=\"path\">captures/<wbr>demo.pcap</td><td class=\"n\" "
                      "title=\"1536 bytes\">"),
            std::string::npos);
  EXPECT_NE(html.find("<code class=\"digest\">" + std::string(64, 'f') + "</code>"),
            std::string::npos);
  EXPECT_NE(html.find("<td>GeoIP country database</td>"), std::string::npos);
  EXPECT_NE(html.find("<code class=\"digest\">" + kDigest + "</code>"), std::string::npos);
  // A library has no file: no size, "-" for the digest.
  EXPECT_NE(html.find("<td>Public Suffix List</td><td class=\"path\"></td><td>libpsl 0.21.2, "
                      "built-in list</td><td class=\"n\"></td><td class=\"muted\">-</td>"),
            std::string::npos)
      << html;
}

TEST(ReportProvenance, EscapesPathsAndVersions) {
  const std::string html = provenanceSection(oneCapture(), inputWithSources());
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("geo/<wbr>&lt;b&gt;x&lt;/<wbr>b&gt;&amp;&quot;&#39;.mmdb"),
            std::string::npos);
  EXPECT_NE(html.find("conf.d/<wbr>&lt;b&gt;x&lt;/<wbr>b&gt;&amp;&quot;&#39;.yaml"),
            std::string::npos);
  EXPECT_NE(html.find("type &#39;&lt;b&gt;"), std::string::npos);
}

TEST(ReportProvenance, TheWholePageCarriesTheSectionAndThePrintStyle) {
  const ReplayOutcome result = oneCapture();
  const std::string html = reportToHtml(result, {}, inputWithSources());
  EXPECT_NE(html.find(provenanceSection(result, inputWithSources())), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#provenance\">"), std::string::npos);
  EXPECT_NE(html.find(printStyleSheet()), std::string::npos);
  EXPECT_LT(html.find(printStyleSheet()), html.find("</head>"));
}

TEST(ReportPrint, PrintsOnA4WithPageBreaksAndNoDarkBackgrounds) {
  const std::string css(printStyleSheet());
  EXPECT_NE(css.find("@media print{"), std::string::npos);
  EXPECT_NE(css.find("@page{size:A4"), std::string::npos);
  EXPECT_NE(css.find("h2{"), std::string::npos);
  EXPECT_NE(css.find("break-before:page"), std::string::npos);
  EXPECT_NE(css.find("tr,figure,dl.facts,svg{break-inside:avoid}"), std::string::npos);
  EXPECT_NE(css.find("thead{display:table-header-group}"), std::string::npos);
  // The findings open page 1 (they sit in <section id="findings">), the facts follow them.
  EXPECT_NE(css.find("#findings>h2,h2#about{margin-top:14pt;break-before:auto}"),
            std::string::npos);
  // What does nothing on paper: the filter boxes, the timelines' log-scale switch.
  EXPECT_NE(css.find("input.filter,input.scale-toggle,input.scale-toggle+label{display:none}"),
            std::string::npos);
  // Backgrounds in print are none or white.
  for (std::size_t at = css.find("background:"); at != std::string::npos;
       at = css.find("background:", at + 1)) {
    const std::string value = css.substr(at + 11, 4);
    EXPECT_TRUE(value == "none" || value == "#fff") << value;
  }
}

}  // namespace
}  // namespace camwatch
