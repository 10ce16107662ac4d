// Runs a command line through /bin/sh and captures its exit code, stdout and stderr; reads the
// files a run leaves behind.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace camwatch::integration {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// `command` is passed to /bin/sh -c; quote arguments with shellQuote().
CommandResult runCommand(const std::string& command);

std::string shellQuote(const std::string& text);

std::string readFile(const std::string& path);

/// The JSON values of a JSON-lines file (flows, alerts), one per non-empty line, as an array.
/// Throws nlohmann::json::parse_error for a line that is not JSON.
nlohmann::json readJsonLines(const std::string& path);

/// The port of the first "metrics at http://HOST:PORT/metrics" in camwatch's log (run's spdlog
/// line and replay's "camwatch: metrics at ..." alike), 0 while there is none: how a test that
/// passes --metrics 127.0.0.1:0 learns the port camwatch bound.
int metricsPortInLog(const std::string& log);

/// A fresh temporary directory for one test, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

/// Builds the test GeoIP databases (tests/support/make_test_mmdb.pl) in DIR/geo and returns the
/// path of demo-geo.mmdb, country and ASN for the generated captures' public addresses. Throws
/// std::runtime_error naming what failed.
std::string makeTestGeo(const TempDir& dir);

/// Writes DIR/camwatch.yaml: tests/integration/configs/ground-truth.yaml (its relative file
/// paths made absolute) with the test GeoIP database (tests/support/make_test_mmdb.pl, built in
/// DIR/geo) as country and ASN database, then `extra` (whole sections the base does not have).
/// Returns the path; throws std::runtime_error naming what failed.
std::string writeGroundTruthConfigWithGeo(const TempDir& dir, const std::string& extra = "");

}  // namespace camwatch::integration
