#include "integration/run_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace camwatch::integration {

std::string shellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

int metricsPortInLog(const std::string& log) {
  const std::string marker = "metrics at http://";
  const std::size_t at = log.find(marker);
  if (at == std::string::npos) return 0;
  const std::size_t end = log.find("/metrics", at + marker.size());
  const std::size_t colon = log.rfind(':', end);
  if (end == std::string::npos || colon == std::string::npos || colon < at + marker.size()) {
    return 0;
  }
  int port = 0;
  for (std::size_t i = colon + 1; i < end; ++i) {
    if (log[i] < '0' || log[i] > '9' || port > 65535) return 0;
    port = port * 10 + (log[i] - '0');
  }
  return port > 65535 ? 0 : port;
}

std::string readFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream buffer;
  buffer << file.rdbuf();
  return buffer.str();
}

nlohmann::json readJsonLines(const std::string& path) {
  nlohmann::json lines = nlohmann::json::array();
  std::istringstream in(readFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

CommandResult runCommand(const std::string& command) {
  TempDir dir;
  const std::string out = dir.path("stdout");
  const std::string err = dir.path("stderr");
  // A group, so that redirections inside `command` keep their own targets.
  const std::string full = "{ " + command + "\n} >" + shellQuote(out) + " 2>" + shellQuote(err);
  const int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = readFile(out);
  result.err = readFile(err);
  return result;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "camwatch-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string makeTestGeo(const TempDir& dir) {
  const std::string geo = dir.path("geo");
  std::filesystem::create_directories(geo);
  const CommandResult mmdb =
      runCommand(shellQuote(CAMWATCH_PERL) + " " + shellQuote(CAMWATCH_MAKE_TEST_MMDB) + " " +
                 shellQuote(geo));
  if (mmdb.exit_code != 0) throw std::runtime_error("make_test_mmdb.pl failed: " + mmdb.err);
  return geo + "/demo-geo.mmdb";
}

std::string writeGroundTruthConfigWithGeo(const TempDir& dir, const std::string& extra) {
  namespace fs = std::filesystem;
  const std::string base =
      std::string(CAMWATCH_SOURCE_DIR) + "/tests/integration/configs/ground-truth.yaml";
  const std::string mmdb = makeTestGeo(dir);
  std::string text = readFile(base);
  const std::string folder = fs::path(base).parent_path().string() + "/";
  for (const char* key : {"protocols_file: ", "cloud_names_file: ", "doh_resolvers_file: ",
                          "oui_file: ", "operators_file: "}) {
    const std::size_t at = text.find(key);
    if (at == std::string::npos) throw std::runtime_error(base + " has no " + key);
    text.insert(at + std::string(key).size(), folder);
  }
  const std::string section = "\ngeoip:\n";
  const std::size_t geoip = text.find(section);
  if (geoip == std::string::npos) throw std::runtime_error(base + " has no geoip: section");
  text.insert(geoip + section.size(), "  country_db: " + mmdb + "\n  asn_db: " + mmdb + "\n");
  const std::string path = dir.path("camwatch.yaml");
  std::ofstream(path) << text << extra;
  return path;
}

}  // namespace camwatch::integration
