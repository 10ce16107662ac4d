#include "report/report_pdf.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "report/headless_chromium.h"

extern char** environ;

namespace camwatch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPackageHint =
    "install Debian's chromium package (apt-get install chromium; scripts/setup.sh does) or name "
    "the browser with --chromium PATH";
// How many of the browser's last output lines an error quotes.
constexpr std::size_t kTailLines = 6;

bool isExecutableFile(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// A private folder for the page, the browser's profile, home and output; removed with everything
// in it when this goes, whatever happened.
class TempFolder {
 public:
  static Result<TempFolder> create() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        (base != nullptr && *base != '\0' ? std::string(base) : "/tmp") + "/camwatch-pdf-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return makeError(fmt::format("--report-pdf: cannot make a temporary folder {}: {}", pattern,
                                   std::strerror(errno)));
    }
    return TempFolder(std::move(pattern));
  }
  TempFolder(TempFolder&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  TempFolder& operator=(TempFolder&&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  std::string path(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  explicit TempFolder(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The last lines the browser wrote, without the D-Bus complaints a headless browser on a machine
// without a session bus prints by the dozen (they say nothing about the PDF).
std::string lastLines(const std::string& log_path) {
  std::ifstream file(log_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line.find(":ERROR:dbus/") != std::string::npos) continue;
    lines.push_back(line);
  }
  if (lines.empty()) return " (it wrote nothing)";
  std::string text = "; its last output:";
  const std::size_t from = lines.size() > kTailLines ? lines.size() - kTailLines : 0;
  for (std::size_t i = from; i < lines.size(); ++i) text += "\n  " + lines[i];
  return text;
}

// The browser's environment: ours, with HOME and the XDG folders in the private folder, so it
// leaves nothing in the user's home (Chromium creates ~/.pki, ~/.config and ~/.cache there) and
// runs for a service user without one.
std::vector<std::string> browserEnvironment(const TempFolder& folder) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (text.starts_with("HOME=") || text.starts_with("XDG_CONFIG_HOME=") ||
        text.starts_with("XDG_CACHE_HOME=")) {
      continue;
    }
    env.emplace_back(text);
  }
  env.push_back("HOME=" + folder.path("home"));
  env.push_back("XDG_CONFIG_HOME=" + folder.path("home/.config"));
  env.push_back("XDG_CACHE_HOME=" + folder.path("home/.cache"));
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& texts) {
  std::vector<char*> out;
  for (std::string& text : texts) out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

// Starts the browser in a process group of its own (so a timeout can end its helper processes
// too), stdin from /dev/null, stdout and stderr into `log_path`, default signal handling.
Result<pid_t> spawnBrowser(const std::string& chromium_path, std::vector<std::string> args,
                           std::vector<std::string> env, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (const int signal_number : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) {
    sigaddset(&defaults, signal_number);
  }
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv = pointers(args);
  std::vector<char*> envp = pointers(env);
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, chromium_path.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) {
    return makeError(
        fmt::format("--report-pdf: cannot start {}: {}", chromium_path, std::strerror(rc)));
  }
  return pid;
}

// Waits for the browser until `timeout`; then kills its process group. @return the wait status,
// or nullopt when it was killed for taking too long.
std::optional<int> waitForBrowser(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return 0;  // not our child any more: treat as exited
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Helpers the browser left behind (renderer, zygote) still hold the private folder open.
  ::kill(-pid, SIGKILL);
  return status;
}

bool looksLikePdf(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  char magic[5] = {};
  file.read(magic, sizeof magic);
  return file && std::string_view(magic, sizeof magic) == "%PDF-";
}

}  // namespace

Result<std::string> findChromium(const std::string& chromium) {
  if (chromium.find('/') != std::string::npos) {
    if (isExecutableFile(chromium)) return chromium;
    return makeError(fmt::format("--report-pdf: the browser {} is not an executable file: {}",
                                 chromium, kPackageHint));
  }
  const char* path_env = std::getenv("PATH");
  const std::string search = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::istringstream folders(search);
  for (std::string folder; std::getline(folders, folder, ':');) {
    const std::string candidate = (folder.empty() ? "." : folder) + "/" + chromium;
    if (isExecutableFile(candidate)) return candidate;
  }
  return makeError(
      fmt::format("--report-pdf: {} not found in PATH ({}): {}", chromium, search, kPackageHint));
}

Result<void> printPdf(const std::string& html, const std::string& pdf_path,
                      const std::string& chromium_path, std::chrono::seconds timeout) {
  auto folder = TempFolder::create();
  if (!folder) return tl::unexpected(folder.error());
  const std::string page = folder->path("report.html");
  const std::string printed = folder->path("report.pdf");
  const std::string log = folder->path("chromium.log");
  {
    std::ofstream file(page, std::ios::binary | std::ios::trunc);
    file << html;
    file.close();
    if (!file) return makeError("--report-pdf: cannot write the page to " + page);
  }
  std::error_code ignored;
  fs::create_directories(folder->path("home"), ignored);

  std::vector<std::string> args =
      headlessChromiumArgs(chromium_path, folder->path("profile"), page, pdfTask(printed));

  auto pid = spawnBrowser(chromium_path, std::move(args), browserEnvironment(*folder), log);
  if (!pid) return tl::unexpected(pid.error());
  const std::optional<int> status = waitForBrowser(*pid, timeout);
  if (!status) {
    return makeError(fmt::format("--report-pdf: {} did not finish within {} s and was killed{}",
                                 chromium_path, timeout.count(), lastLines(log)));
  }
  if (WIFSIGNALED(*status)) {
    return makeError(fmt::format("--report-pdf: {} was killed by signal {}{}", chromium_path,
                                 WTERMSIG(*status), lastLines(log)));
  }
  if (WIFEXITED(*status) && WEXITSTATUS(*status) != 0) {
    return makeError(fmt::format("--report-pdf: {} exited with status {}{}", chromium_path,
                                 WEXITSTATUS(*status), lastLines(log)));
  }
  if (!looksLikePdf(printed)) {
    return makeError(
        fmt::format("--report-pdf: {} exited 0 but wrote no PDF{}", chromium_path, lastLines(log)));
  }
  std::error_code error;
  fs::copy_file(printed, pdf_path, fs::copy_options::overwrite_existing, error);
  if (error) return makeError(fmt::format("{}: cannot write: {}", pdf_path, error.message()));
  return {};
}

}  // namespace camwatch
