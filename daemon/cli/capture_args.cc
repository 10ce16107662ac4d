#include "cli/capture_args.h"

#include <glob.h>

#include <algorithm>

#include <fmt/format.h>

namespace camwatch::cli {

// `replay --metrics` takes a file or an address. An address has a ':' and a port number (0 to
// 65535, digits only) after the last one: "127.0.0.1:9108", "0.0.0.0:0". Anything else is a file
// name, so "out.prom" and "./a:b.prom" stay files; "dir/x:9108" would be an address (with an
// invalid host, which MetricsServer then names), so write "./x:9108" only for a directory "x".
bool isListenAddress(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoul(port) <= 65535;
}

// CAPTURE arguments with * ? or [ are glob(3) patterns, so a quoted "dir/*.pcap" works where
// the shell's expansion would be too long (or when no shell expands it). Each pattern's matches
// are sorted bytewise (glob sorts by locale, which would make the order depend on the user's);
// a file named twice is read once, since reading it twice would double every flow. A pattern
// that matches nothing is an error: an empty replay would look like a quiet network.
Result<std::vector<std::string>> expandCaptureArguments(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& path) {
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  };
  for (const std::string& arg : args) {
    if (arg.find_first_of("*?[") == std::string::npos) {
      add(arg);
      continue;
    }
    glob_t matches{};
    const int rc = glob(arg.c_str(), GLOB_NOSORT, nullptr, &matches);
    std::vector<std::string> found;
    if (rc == 0) found.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    globfree(&matches);
    if (rc == GLOB_NOMATCH || (rc == 0 && found.empty())) {
      return makeError(fmt::format("{}: no capture file matches this pattern", arg));
    }
    if (rc != 0) {
      return makeError(fmt::format("{}: cannot expand the pattern: {}", arg,
                                   rc == GLOB_NOSPACE ? "out of memory" : "read error"));
    }
    std::sort(found.begin(), found.end());
    for (const std::string& path : found) add(path);
  }
  return out;
}

}  // namespace camwatch::cli
