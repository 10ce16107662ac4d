// `replay --report-pdf FILE.pdf` (docs/report.md, "PDF"): the HTML report printed to PDF by
// headless Chromium (Debian's `chromium` package), with the report's print stylesheet
// (report/report_print.h). The browser runs with a private, temporary profile and home that are
// removed afterwards, every host name unresolvable (the page fetches nothing, and this makes sure
// of it) and a deadline; a failure says what failed: no browser (and which package brings it),
// its exit status and the last lines it wrote, a timeout, no PDF written. The PDF is not
// byte-deterministic (Chromium stamps its creation time in it); its text is.
#pragma once

#include <chrono>
#include <string>

#include <camwatch/result.h>

namespace camwatch {

/// The browser `chromium` names: itself when it holds a '/' (an executable file), else the first
/// executable file of that name in PATH. The error names what was looked for, where, and the
/// Debian package that brings it. Control thread.
Result<std::string> findChromium(const std::string& chromium);

/// Prints the self-contained page `html` to `pdf_path` with the browser at `chromium_path`
/// (findChromium): writes the page into a private temporary folder ($TMPDIR, else /tmp), runs
/// the browser there with `--print-to-pdf`, waits at most `timeout` (then kills it and its
/// children), checks that a PDF came out, copies it to `pdf_path` and removes the folder. The
/// command line is headless_chromium.h's (`--no-sandbox` only when running as root).
/// Blocks; control thread, never a worker.
Result<void> printPdf(const std::string& html, const std::string& pdf_path,
                      const std::string& chromium_path, std::chrono::seconds timeout);

}  // namespace camwatch
