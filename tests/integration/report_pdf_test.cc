// replay --report-pdf end to end. The real camwatch binary replays the shipped demo capture
// (demo/camera-vlan-demo.pcap) with the ground-truth config and the test GeoIP database, prints
// the report with Debian's chromium and the PDF's text is read back with `pdftotext` (Debian's
// poppler-utils; scripts/setup.sh installs both): the findings (alert kinds, cameras; page 1
// opening with the most severe), the section headings, camwatch's version, and the SHA-256 of the
// capture, the config and the data sources must be in it; with `include:`, every config file is
// named with its SHA-256. Fake browsers (shell scripts) check the rest without Chromium: what the
// browser is given (a private profile and home, no name resolution), and that each way it can
// fail is named: not found, an exit status with its last lines, no PDF, a timeout; the private
// temporary folder is gone afterwards every time.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

namespace fs = std::filesystem;

const std::string kCamwatch = CAMWATCH_BINARY;
const std::string kSourceDir = CAMWATCH_SOURCE_DIR;
const std::string kPdftotext = "/usr/bin/pdftotext";

std::string sha256Of(const std::string& path) {
  const CommandResult sum = runCommand("sha256sum " + shellQuote(path));
  if (sum.exit_code != 0 || sum.out.size() < 64) return "(sha256sum failed for " + path + ")";
  return sum.out.substr(0, 64);
}

// Runs of spaces and line breaks as one space: pdftotext breaks lines where the page did.
std::string oneLine(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\f' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

class ReportPdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = writeGroundTruthConfigWithGeo(dir_);
    fs::create_directories(tmp_);
  }

  // camwatch replay of the demo capture with `flags`, TMPDIR pointing at a folder of the test so
  // that what --report-pdf leaves behind there can be seen.
  CommandResult replay(const std::string& flags, const std::string& env = "") {
    return runCommand("env TMPDIR=" + shellQuote(tmp_) + " " + env + " " + kCamwatch +
                      " replay -c " + shellQuote(config_) + " " + flags + " " +
                      shellQuote(capture_));
  }

  // A fake browser: a shell script with `body`.
  std::string fakeBrowser(const std::string& body) {
    const std::string path = dir_.path("fake-chromium");
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  bool tmpIsEmpty() const { return fs::is_empty(tmp_); }

  TempDir dir_;
  std::string tmp_ = dir_.path("tmp");
  std::string capture_ = kSourceDir + "/demo/camera-vlan-demo.pcap";
  std::string config_;
};

TEST_F(ReportPdfTest, ChromiumPrintsFindingsAndHashesIntoThePdf) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium"))
      << "/usr/bin/chromium is missing: install Debian's chromium (scripts/setup.sh does)";
  ASSERT_TRUE(fs::exists(kPdftotext))
      << kPdftotext << " is missing: install Debian's poppler-utils (scripts/setup.sh does)";
  const std::string pdf = dir_.path("report.pdf");
  const std::string alerts = dir_.path("alerts.jsonl");
  // No --report: the page goes to a temporary file only.
  const CommandResult run = replay("--report-pdf " + shellQuote(pdf) + " --chromium chromium" +
                                   " --alerts " + shellQuote(alerts));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(tmpIsEmpty()) << "the private temporary folder was left behind";
  ASSERT_EQ(readFile(pdf).substr(0, 5), "%PDF-");

  const CommandResult text = runCommand(kPdftotext + " -enc UTF-8 " + shellQuote(pdf) + " -");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::string words = oneLine(text.out);

  const CommandResult version = runCommand(kCamwatch + " version");
  ASSERT_EQ(version.exit_code, 0);
  const std::string camwatch_line = version.out.substr(0, version.out.find('\n'));
  ASSERT_EQ(camwatch_line.rfind("camwatch ", 0), 0U) << camwatch_line;
  EXPECT_NE(words.find(camwatch_line.substr(9)), std::string::npos)
      << "no '" << camwatch_line.substr(9) << "' in the PDF";

  // The hashes: the capture, the config, and the data sources' files.
  EXPECT_NE(words.find(sha256Of(capture_)), std::string::npos) << "capture SHA-256";
  EXPECT_NE(words.find(sha256Of(config_)), std::string::npos) << "config SHA-256";
  for (const std::string& file :
       {dir_.path("geo/demo-geo.mmdb"), kSourceDir + "/config/operators.csv",
        kSourceDir + "/config/camera-clouds.protos", kSourceDir + "/config/camera-cloud-names.csv",
        kSourceDir + "/config/camera-oui.csv"}) {
    EXPECT_NE(words.find(sha256Of(file)), std::string::npos) << "SHA-256 of " << file;
  }
  // A data source line: the test GeoIP's MMDB metadata (tests/support/make_test_mmdb.pl).
  EXPECT_NE(words.find("GeoIP country and ASN database"), std::string::npos);
  EXPECT_NE(words.find("built 2024-01-01"), std::string::npos);
  EXPECT_NE(words.find("Public Suffix List libpsl"), std::string::npos);

  for (const char* heading : {"camwatch replay report", "Findings", "About this replay", "Charts",
                              "Cameras, most severe first", "Beacons", "Alerts", "Capture files",
                              "Configuration", "Provenance", "Data sources"}) {
    EXPECT_NE(words.find(heading), std::string::npos) << heading;
  }
  // The findings: every alert kind the replay raised, and the cameras they name.
  std::set<std::string> kinds;
  for (const auto& alert : readJsonLines(alerts)) kinds.insert(alert["kind"].get<std::string>());
  ASSERT_GE(kinds.size(), 3U) << "the ground truth raises several kinds";
  for (const std::string& kind : kinds) {
    EXPECT_NE(words.find(kind), std::string::npos) << "alert kind " << kind;
  }
  for (const char* camera : {"cam-lobby", "cam-yard", "HikConnect"}) {
    EXPECT_NE(words.find(camera), std::string::npos) << camera;
  }

  // Findings first: page 1 holds the findings the ground truth calls for (ground_truth.h), the
  // most severe first: the denied lookup and destination of the new device (critical), then
  // cam-yard's 30 MB upload over the ground truth's budget; the charts start a page of their own.
  const CommandResult first =
      runCommand(kPdftotext + " -enc UTF-8 -f 1 -l 1 " + shellQuote(pdf) + " -");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string page1 = oneLine(first.out);
  const std::size_t findings = page1.find("Findings");
  ASSERT_NE(findings, std::string::npos) << page1;
  const std::size_t denied = page1.find("Denied by policy");
  const std::size_t budget = page1.find("Uploads over budget");
  ASSERT_NE(denied, std::string::npos) << page1;
  ASSERT_NE(budget, std::string::npos) << page1;
  EXPECT_LT(findings, denied);
  EXPECT_LT(denied, budget) << "critical before warning";
  EXPECT_NE(page1.find("cam-yard", budget), std::string::npos) << page1;
  EXPECT_EQ(page1.find("Egress by operator country"), std::string::npos) << "charts on page 1";
  // The rest of the ground truth's findings, each with the cameras it names.
  for (const auto& [title, cameras] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"DNS outside the site", {"cam-dock", "cam-stairs", "cam-roof"}},
           {"P2P and relays", {"cam-car-park"}},
           {"Hard-coded addresses", {"cam-yard"}},
           {"Unknown devices", {"192.168.10.57"}},
           {"Beacons", {"cam-mast"}}}) {
    const std::size_t at = words.find(title + ".");
    ASSERT_NE(at, std::string::npos) << title;
    const std::size_t next = words.find(". Evidence:", at);
    ASSERT_NE(next, std::string::npos) << title;
    // Its lines: after its evidence, before the next finding's.
    const std::string lines = words.substr(next, words.find(". Evidence:", next + 1) - next);
    for (const std::string& camera : cameras) {
      EXPECT_NE(lines.find(camera), std::string::npos)
          << title << ": " << camera << " in " << lines;
    }
  }
}

TEST_F(ReportPdfTest, TheHtmlCarriesTheSameProvenance) {
  const std::string html = dir_.path("report.html");
  const CommandResult run = replay("--report " + shellQuote(html));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string page = readFile(html);
  EXPECT_NE(page.find("id=\"provenance\""), std::string::npos);
  EXPECT_NE(page.find("@media print"), std::string::npos);
  for (const std::string& file :
       {capture_, config_, dir_.path("geo/demo-geo.mmdb"), kSourceDir + "/config/operators.csv"}) {
    EXPECT_NE(page.find(sha256Of(file)), std::string::npos) << file;
  }
  for (const char* text :
       {"network operators", "vendor-cloud protocols", "vendor-cloud names", "MAC vendors (OUI)",
        "Public Suffix List", "nDPI", ", IPv6, built 2024-01-01 (", "AS, 0 prefixes"}) {
    EXPECT_NE(page.find(text), std::string::npos) << text;
  }
}

// A site config that includes two files, one by its path and one through a glob: the report's
// provenance names all three, the main file first, each with the SHA-256 sha256sum(1) gives.
TEST_F(ReportPdfTest, TheProvenanceNamesEveryFileTheConfigWasBuiltFrom) {
  fs::create_directories(dir_.path("site/conf.d"));
  const std::string shared = dir_.path("site/conf.d/10-limits.yaml");
  std::ofstream(shared) << "replay:\n  max_timelines: 500\n";
  const std::string site = dir_.path("site/site.yaml");
  std::ofstream(site) << "include: [" << config_ << ", conf.d/*.yaml]\n"
                      << "sensor:\n  name: site-with-includes\n";
  const std::string html = dir_.path("report.html");
  const CommandResult run = runCommand(kCamwatch + " replay -c " + shellQuote(site) + " --report " +
                                       shellQuote(html) + " " + shellQuote(capture_));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string page = readFile(html);
  ASSERT_NE(page.find("site-with-includes"), std::string::npos) << "the main file was not read";

  // The Config files table of the Provenance section, one row a file: path (the page may break
  // it after each '/'), how it was read, and its digest.
  const std::size_t provenance = page.find("id=\"provenance\"");
  ASSERT_NE(provenance, std::string::npos);
  const std::size_t table = page.find("<h3>Config files</h3>", provenance);
  ASSERT_NE(table, std::string::npos);
  std::string rows = page.substr(table, page.find("</tbody>", table) - table);
  for (std::size_t at = rows.find("<wbr>"); at != std::string::npos; at = rows.find("<wbr>")) {
    rows.erase(at, 5);
  }
  std::vector<std::vector<std::string>> seen;
  for (std::size_t row = rows.find("<tr><td"); row != std::string::npos;
       row = rows.find("<tr><td", row + 1)) {
    const std::size_t end = rows.find("</tr>", row);
    std::vector<std::string> cells;
    for (std::size_t cell = rows.find("<td", row); cell < end; cell = rows.find("<td", cell + 1)) {
      const std::size_t open = rows.find('>', cell) + 1;
      std::string text = rows.substr(open, rows.find("</td>", open) - open);
      if (text.rfind("<code class=\"digest\">", 0) == 0) text = text.substr(21, 64);
      cells.push_back(text);
    }
    ASSERT_EQ(cells.size(), 4U) << rows.substr(row, end - row);
    seen.push_back({cells[0], cells[1], cells[3]});
  }
  const std::vector<std::vector<std::string>> expected = {{site, "main config", sha256Of(site)},
                                                          {config_, "included", sha256Of(config_)},
                                                          {shared, "included", sha256Of(shared)}};
  EXPECT_EQ(seen, expected) << rows;

  // The Configuration section names them too.
  const std::size_t config = page.find("id=\"config\"");
  ASSERT_NE(config, std::string::npos);
  const std::string facts = page.substr(config, page.find("</dl>", config) - config);
  for (const std::string& file : {site, config_, shared}) {
    EXPECT_NE(facts.find("<dd>" + sha256Of(file) + "</dd>"), std::string::npos) << file;
  }
  EXPECT_NE(facts.find("<dt>included</dt><dd>" + shared + "</dd>"), std::string::npos) << facts;
  // And shows what each included file says, after the main file's text.
  const std::size_t main_text = page.find("<pre>include: [", config);
  ASSERT_NE(main_text, std::string::npos);
  EXPECT_NE(page.find("<h3>Included: <code>" + shared +
                          "</code></h3>\n<pre>replay:\n  max_timelines: 500\n</pre>",
                      main_text),
            std::string::npos)
      << page.substr(config);
}

TEST_F(ReportPdfTest, BrowserNotInPathNamesItsPackageBeforeTheReplay) {
  const std::string pdf = dir_.path("report.pdf");
  const CommandResult run =
      replay("--report-pdf " + shellQuote(pdf) + " --summary " + shellQuote(dir_.path("s.json")),
             "PATH=" + shellQuote(dir_.path("empty-path")));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("chromium not found in PATH"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("apt-get install chromium"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--chromium PATH"), std::string::npos) << run.err;
  // Said before the replay: nothing was written.
  EXPECT_FALSE(fs::exists(pdf));
  EXPECT_FALSE(fs::exists(dir_.path("s.json")));

  const CommandResult named =
      replay("--report-pdf " + shellQuote(pdf) + " --chromium " + dir_.path("no-such-browser"));
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_NE(named.err.find(dir_.path("no-such-browser") + " is not an executable file"),
            std::string::npos)
      << named.err;
}

TEST_F(ReportPdfTest, BrowserGetsAPrivateProfileAndHomeAndNoNetwork) {
  // Writes what it was given beside the test, then a stand-in PDF where it was told to.
  const std::string seen = dir_.path("seen.txt");
  const std::string browser = fakeBrowser(
      "echo \"HOME=$HOME\" >" + shellQuote(seen) + "\nfor a in \"$@\"; do echo \"$a\" >>" +
      shellQuote(seen) +
      "; case $a in --print-to-pdf=*) printf '%%PDF-1.4 stand-in' >\"${a#--print-to-pdf=}\";; "
      "esac; done");
  const std::string pdf = dir_.path("report.pdf");
  const std::string html = dir_.path("report.html");
  const CommandResult run = replay("--report " + shellQuote(html) + " --report-pdf " +
                                   shellQuote(pdf) + " --chromium " + shellQuote(browser));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(readFile(pdf), "%PDF-1.4 stand-in");
  EXPECT_TRUE(tmpIsEmpty());
  const std::string args = readFile(seen);
  const std::string folder = tmp_ + "/camwatch-pdf-";
  EXPECT_NE(args.find("HOME=" + folder), std::string::npos) << args;
  EXPECT_NE(args.find("--user-data-dir=" + folder), std::string::npos) << args;
  EXPECT_NE(args.find("--host-resolver-rules=MAP * ~NOTFOUND"), std::string::npos) << args;
  EXPECT_NE(args.find("--headless\n"), std::string::npos) << args;
  EXPECT_NE(args.find("--no-pdf-header-footer\n"), std::string::npos) << args;
  EXPECT_NE(args.find("\nfile://" + folder), std::string::npos) << args;
  // The sandbox goes only for root, which Chromium refuses to run sandboxed.
  EXPECT_EQ(args.find("--no-sandbox") != std::string::npos, ::geteuid() == 0) << args;
}

TEST_F(ReportPdfTest, FailingBrowserIsNamedWithItsStatusAndLastLinesAndTheRestIsWritten) {
  const std::string browser = fakeBrowser(
      "echo 'starting' >&2\necho '[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus' >&2\n"
      "echo 'cannot print: out of paper' >&2\nexit 3");
  const std::string pdf = dir_.path("report.pdf");
  const std::string html = dir_.path("report.html");
  const CommandResult run = replay("--report " + shellQuote(html) + " --report-pdf " +
                                   shellQuote(pdf) + " --chromium " + shellQuote(browser));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(browser + " exited with status 3"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("cannot print: out of paper"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("starting"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("dbus"), std::string::npos) << "D-Bus noise is left out: " << run.err;
  EXPECT_FALSE(fs::exists(pdf));
  EXPECT_TRUE(fs::exists(html)) << "the HTML report is still written";
  EXPECT_TRUE(tmpIsEmpty());
  // The summary is still printed.
  EXPECT_NE(run.out.find("packets"), std::string::npos) << run.out;
}

TEST_F(ReportPdfTest, BrowserThatWritesNoPdfIsNamed) {
  const std::string pdf = dir_.path("report.pdf");
  const CommandResult run = replay("--report-pdf " + shellQuote(pdf) + " --chromium " +
                                   shellQuote(fakeBrowser("echo 'printed nothing' >&2")));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("exited 0 but wrote no PDF"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("printed nothing"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(pdf));
  EXPECT_TRUE(tmpIsEmpty());
}

TEST_F(ReportPdfTest, BrowserPastTheDeadlineIsKilledWithItsChildren) {
  const std::string pidfile = dir_.path("child.pid");
  // A helper process of its own, like Chromium's renderer, that outlives a killed parent unless
  // its process group is killed too.
  const std::string browser = fakeBrowser("sleep 60 &\necho $! >" + shellQuote(pidfile) +
                                          "\necho 'still loading' >&2\nwait");
  const auto started = std::chrono::steady_clock::now();
  const CommandResult run = replay("--report-pdf " + shellQuote(dir_.path("report.pdf")) +
                                   " --pdf-timeout 1 --chromium " + shellQuote(browser));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("did not finish within 1 s and was killed"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("still loading"), std::string::npos) << run.err;
  EXPECT_LT(took, std::chrono::seconds(30));
  EXPECT_TRUE(tmpIsEmpty());
  const std::string child = readFile(pidfile);
  ASSERT_FALSE(child.empty());
  // Killed with the group: its /proc entry is gone, or a zombie on its way out.
  const std::string stat = readFile("/proc/" + child.substr(0, child.find('\n')) + "/stat");
  EXPECT_TRUE(stat.empty() || stat.find(") Z ") != std::string::npos) << stat;
}

TEST(ReportPdfHelp, ReplayHelpNamesThePdfOptions) {
  const CommandResult help = runCommand(kCamwatch + " replay --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--report-pdf", "--chromium", "--pdf-timeout"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace camwatch::integration
