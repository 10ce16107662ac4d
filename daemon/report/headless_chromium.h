// headless_chromium: the one command line camwatch opens its own pages with in headless Chromium
// (Debian's `chromium`): `replay --report-pdf` printing the report (report_pdf.h), and the tests
// that load, screenshot and compare the report (tests/integration/report_test.cc,
// report_screenshot_test.cc). Every run is isolated the same way: a private profile, no first-run
// or background work, every host name unresolvable (the page fetches nothing, and this makes sure
// of it), the sandbox dropped only for root, where Chromium refuses to start with it. What differs
// is the task: print a PDF, take a screenshot of a window of a given size, or print the DOM once
// the page's script ran. Building the arguments only: running the browser, its environment and
// deadline are the caller's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace camwatch {

/// What the browser does with the page.
struct HeadlessChromiumTask {
  enum class Kind { kPrintToPdf, kScreenshot, kDumpDom };
  Kind kind = Kind::kPrintToPdf;
  std::string output;       ///< the PDF or PNG written; "" for kDumpDom (the DOM on stdout)
  std::uint32_t width = 0;  ///< the window in CSS pixels, kScreenshot and kDumpDom
  std::uint32_t height = 0;
  bool console_on_stderr = false;  ///< the page's console messages and errors on standard error
};

/// Prints the page to `pdf_path` on paper (the report's print stylesheet), no header or footer.
HeadlessChromiumTask pdfTask(std::string pdf_path);
/// A PNG of the first `width` x `height` pixels of the page, at one device pixel per CSS pixel,
/// in sRGB and without scrollbars, so the image depends on the page and the fonts only.
HeadlessChromiumTask screenshotTask(std::string png_path, std::uint32_t width,
                                    std::uint32_t height);
/// The DOM as the page's script left it, on standard output, laid out in a window of that size.
HeadlessChromiumTask domDumpTask(std::uint32_t width, std::uint32_t height);

/// The argument list, argv[0] = `chromium_path`, that opens the local file `page_path` with a
/// profile in `profile_dir` for `task`. Adds `--no-sandbox` when this process runs as root.
std::vector<std::string> headlessChromiumArgs(const std::string& chromium_path,
                                              const std::string& profile_dir,
                                              const std::string& page_path,
                                              const HeadlessChromiumTask& task);

}  // namespace camwatch
