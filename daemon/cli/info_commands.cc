#include "cli/info_commands.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <maxminddb.h>
#include <ndpi/ndpi_api.h>
#include <pcap/pcap.h>

#include <camwatch/baseline.h>
#include <camwatch/build_info.h>

#include "cli/cli.h"
#include "config/config.h"
#include "policy/registrable_domain.h"
#include "runtime/metrics_sources.h"

namespace camwatch::cli {

namespace {

// What loading the config does not read but the service will at start: the metrics password
// file. Reading it now finds a wrong path or an empty file before the service does.
// @return "" or the error, naming the file.
std::string filesTheServiceReads(const Config& config) {
  if (config.metrics.password_file.empty()) return "";
  auto password = MetricsServer::readPasswordFile(config.metrics.password_file);
  return password ? "" : password.error().message;
}

// Site configs side by side: each must load on its own (its includes resolved, its `${VAR}`s
// set in this environment). Shared fragments belong in a folder below, which is not listed.
int checkConfigDirectory(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() == ".yaml" && entry.is_regular_file()) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) {
    std::cerr << "camwatch: " << directory << ": " << ec.message() << '\n';
    return kExitUsage;
  }
  if (files.empty()) {
    std::cerr << "camwatch: " << directory << ": no *.yaml files\n";
    return kExitUsage;
  }
  std::sort(files.begin(), files.end());
  std::size_t bad = 0;
  for (const std::string& file : files) {
    auto config = loadConfig(file);
    if (config && !filesTheServiceReads(*config).empty()) {
      ++bad;
      std::cout << file << ": ERROR: " << filesTheServiceReads(*config) << '\n';
    } else if (config) {
      std::cout << file << ": OK\n";
    } else {
      ++bad;
      // The error names its file first (an included one, maybe), so the line says both.
      std::cout << file << ": ERROR: " << config.error().message << '\n';
    }
  }
  std::cout << fmt::format("{} of {} config files OK\n", files.size() - bad, files.size());
  return bad == 0 ? kExitOk : kExitUsage;
}

}  // namespace

int checkConfigCommand(const std::string& path) {
  if (std::filesystem::is_directory(path)) return checkConfigDirectory(path);
  auto config = loadConfig(path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  if (const std::string unreadable = filesTheServiceReads(*config); !unreadable.empty()) {
    std::cerr << "camwatch: " << unreadable << '\n';
    return kExitUsage;
  }
  std::cout << path << ": OK\n" << describeConfig(*config);
  if (config->metrics.enabled) {
    const std::string exposed = metricsExposureWarning(*config, config->metrics.listen);
    if (!exposed.empty()) std::cerr << "camwatch: warning: " << exposed << '\n';
  }
  if (config->learning.mode != LearningMode::kOff) {
    auto baseline = LearnedBaseline::load(config->learning.state_file);
    if (!baseline) {
      std::cerr << "camwatch: " << baseline.error().message << '\n';
      return kExitUsage;
    }
    std::cout << "# learnt so far (" << config->learning.state_file << ")\n"
              << baseline->describe();
  }
  return kExitOk;
}

int versionCommand() {
  std::cout << fmt::format("camwatch {} (git {})\n  nDPI {}\n  {}\n  libmaxminddb {}\n  {}\n",
                           CAMWATCH_VERSION, CAMWATCH_GIT_HASH, ndpi_revision(), pcap_lib_version(),
                           MMDB_lib_version(), PublicSuffixList::system().source());
  return kExitOk;
}

}  // namespace camwatch::cli
