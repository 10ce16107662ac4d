#include "cli/info_commands.h"

#include <iostream>

#include <fmt/format.h>
#include <maxminddb.h>
#include <ndpi/ndpi_api.h>
#include <pcap/pcap.h>

#include <camwatch/baseline.h>
#include <camwatch/build_info.h>

#include "cli/cli.h"
#include "config/config.h"
#include "policy/registrable_domain.h"

namespace camwatch::cli {

int checkConfigCommand(const std::string& path) {
  auto config = loadConfig(path);
  if (!config) {
    std::cerr << "camwatch: " << config.error().message << '\n';
    return kExitUsage;
  }
  std::cout << path << ": OK\n" << describeConfig(*config);
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
