#include "report/headless_chromium.h"

#include <unistd.h>

#include <utility>

namespace camwatch {

HeadlessChromiumTask pdfTask(std::string pdf_path) {
  HeadlessChromiumTask task;
  task.kind = HeadlessChromiumTask::Kind::kPrintToPdf;
  task.output = std::move(pdf_path);
  return task;
}

HeadlessChromiumTask screenshotTask(std::string png_path, std::uint32_t width,
                                    std::uint32_t height) {
  HeadlessChromiumTask task;
  task.kind = HeadlessChromiumTask::Kind::kScreenshot;
  task.output = std::move(png_path);
  task.width = width;
  task.height = height;
  return task;
}

HeadlessChromiumTask domDumpTask(std::uint32_t width, std::uint32_t height) {
  HeadlessChromiumTask task;
  task.kind = HeadlessChromiumTask::Kind::kDumpDom;
  task.width = width;
  task.height = height;
  return task;
}

std::vector<std::string> headlessChromiumArgs(const std::string& chromium_path,
                                              const std::string& profile_dir,
                                              const std::string& page_path,
                                              const HeadlessChromiumTask& task) {
  std::vector<std::string> args{
      chromium_path,
      "--headless",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // No name resolves: the page needs no network, and a mistake in it cannot reach one.
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--user-data-dir=" + profile_dir,
  };
  if (task.console_on_stderr) {
    args.emplace_back("--enable-logging=stderr");
    args.emplace_back("--v=0");
  }
  const std::string window =
      "--window-size=" + std::to_string(task.width) + "," + std::to_string(task.height);
  switch (task.kind) {
    case HeadlessChromiumTask::Kind::kPrintToPdf:
      args.emplace_back("--no-pdf-header-footer");
      args.push_back("--print-to-pdf=" + task.output);
      break;
    case HeadlessChromiumTask::Kind::kScreenshot:
      // The same pixels on any machine: no scrollbars, no HiDPI scaling, no display profile.
      args.emplace_back("--hide-scrollbars");
      args.emplace_back("--force-device-scale-factor=1");
      args.emplace_back("--force-color-profile=srgb");
      args.push_back(window);
      args.push_back("--screenshot=" + task.output);
      break;
    case HeadlessChromiumTask::Kind::kDumpDom:
      args.push_back(window);
      args.emplace_back("--dump-dom");
      break;
  }
  // Chromium refuses to run as root with its sandbox ("Running as root without --no-sandbox is
  // not supported"). The page is camwatch's own, every input string escaped, scripts limited by
  // its Content-Security-Policy and the network closed above, so root runs it unsandboxed; any
  // other user keeps the sandbox.
  if (::geteuid() == 0) args.emplace_back("--no-sandbox");
  args.push_back("file://" + page_path);
  return args;
}

}  // namespace camwatch
