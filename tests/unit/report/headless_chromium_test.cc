// The headless Chromium command lines, written out by hand: the PDF one `replay --report-pdf`
// has always used (the isolation flags, no header or footer), and the screenshot and DOM ones
// the report tests use; `--no-sandbox` only for root, and the page always last.
#include "report/headless_chromium.h"

#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

// The flags every run has, as one line: written out, not taken from the code under test.
const std::string kIsolated =
    "/usr/bin/chromium --headless --disable-gpu --no-first-run --no-default-browser-check "
    "--disable-extensions --disable-background-networking --disable-component-update "
    "--disable-sync |--host-resolver-rules=MAP * ~NOTFOUND| --user-data-dir=/tmp/x/profile";

// The arguments as one line, each with a space before it; one with a space in it between '|'.
std::string joined(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& arg : args) {
    if (!line.empty()) line += ' ';
    line += arg.find(' ') == std::string::npos ? arg : "|" + arg + "|";
  }
  return line;
}

// kIsolated, then `task_flags`, then --no-sandbox when root, then the page.
std::string expected(const std::string& task_flags) {
  return kIsolated + " " + task_flags + (::geteuid() == 0 ? " --no-sandbox" : "") +
         " file:///tmp/x/report.html";
}

std::string argsFor(const HeadlessChromiumTask& task) {
  return joined(
      headlessChromiumArgs("/usr/bin/chromium", "/tmp/x/profile", "/tmp/x/report.html", task));
}

TEST(HeadlessChromium, PrintsToPdfWithoutHeaderOrFooter) {
  EXPECT_EQ(argsFor(pdfTask("/tmp/x/report.pdf")),
            expected("--no-pdf-header-footer --print-to-pdf=/tmp/x/report.pdf"));
}

TEST(HeadlessChromium, ScreenshotsAWindowAtOnePixelPerCssPixelInSrgb) {
  EXPECT_EQ(argsFor(screenshotTask("/tmp/x/shot.png", 1280, 900)),
            expected("--hide-scrollbars --force-device-scale-factor=1 --force-color-profile=srgb "
                     "--window-size=1280,900 --screenshot=/tmp/x/shot.png"));
}

TEST(HeadlessChromium, DumpsTheDomWithThePageConsoleOnStderrWhenAsked) {
  HeadlessChromiumTask task = domDumpTask(1280, 4000);
  EXPECT_EQ(argsFor(task), expected("--window-size=1280,4000 --dump-dom"));
  task.console_on_stderr = true;
  EXPECT_EQ(argsFor(task),
            expected("--enable-logging=stderr --v=0 --window-size=1280,4000 --dump-dom"));
}

}  // namespace
}  // namespace camwatch
