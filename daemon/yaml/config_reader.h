// yaml/: typed values out of the YAML config file for config/ and the sink types, with the file,
// line and key path every error names.
//
// config_reader: reads values out of the YAML config file for loadConfig() and for the sink
// types (sinks/<type>/<type>_sink_type.cc), keeping the file name and key path so every error
// names file, line, key and what was expected. Private to the daemon; control thread only.
//
// A folder of its own, below both config/ and sinks/: config/ walks the sink type list to read
// `alerts.sinks`, and each sink type reads its own keys with this, so neither includes the other
// the wrong way (config/ -> sinks/ -> yaml/).
//
// yaml-cpp throws on bad input, and so does ConfigReader::fail(): loadConfig() catches both and
// turns them into one Error, so the readers of each section stay free of error plumbing.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <camwatch/ip_address.h>
#include <camwatch/packet.h>

namespace camwatch {

class ConfigDocument;

/// What ConfigReader::fail() throws; the message is complete ("file:line:col: key: what").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// " (did you mean 'x'?)" for the closest of `known`, or "" when none is close. Keys and group
/// names are case-sensitive here, so the distance counts a change of case too.
std::string suggestion(const std::string& word, const std::vector<std::string>& known);

/// Reads one YAML file. Each reader takes the node and its full key path ("alerts.sinks[0].url").
class ConfigReader {
 public:
  /// `file`: the config file's path, for messages and for resolving relative paths.
  explicit ConfigReader(std::string file) : file_(std::move(file)) {}
  /// A config merged from several files: errors and relative paths follow the file each node
  /// came from. `document` must outlive the reader.
  explicit ConfigReader(const ConfigDocument& document);

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& what) const;

  /// Every key of `map` must be one of `known`; `path` names the map ("flows").
  void checkKeys(const YAML::Node& map, const std::string& path,
                 const std::vector<std::string>& known) const;

  std::uint64_t unsignedValue(const YAML::Node& node, const std::string& key, std::uint64_t min,
                              std::uint64_t max) const;
  /// "300s", "5m", "1h", "250ms", "7d", or a bare number of seconds; never zero.
  Timestamp duration(const YAML::Node& node, const std::string& key) const;
  /// Like duration(), but "0" (or "0s") is allowed and means "never" / "off".
  Timestamp durationOrZero(const YAML::Node& node, const std::string& key) const;
  std::chrono::milliseconds millis(const YAML::Node& node, const std::string& key) const;
  /// "64MiB", "500MB", "1GiB", "1500000" (bytes), "2kB".
  std::uint64_t byteSize(const YAML::Node& node, const std::string& key, bool allow_zero) const;
  IpPrefix prefix(const YAML::Node& node, const std::string& key) const;
  std::vector<IpPrefix> prefixList(const YAML::Node& node, const std::string& key) const;
  std::vector<std::uint16_t> vlanList(const YAML::Node& node, const std::string& key) const;
  /// A list of values; a single value is a list of one.
  std::vector<std::string> stringList(const YAML::Node& node, const std::string& key) const;
  bool boolean(const YAML::Node& node, const std::string& key) const;
  std::string scalar(const YAML::Node& node, const std::string& key) const;
  /// A path; a relative one is relative to the folder of the config file that holds it, so a
  /// config (or an included file) and its files move together.
  std::string filePath(const YAML::Node& node, const std::string& key) const;

  /// A value from a fixed set: `parse` maps the text to it, `expected` lists the set.
  template <typename T, typename Parse>
  T named(const YAML::Node& node, const std::string& key, Parse parse, const char* expected) const {
    const std::string text = scalar(node, key);
    const std::optional<T> value = parse(text);
    if (!value) fail(node, key, fmt::format("expected {}, got '{}'", expected, text));
    return *value;
  }

 private:
  /// The file `node` came from.
  const std::string& fileOf(const YAML::Node& node) const;

  std::string file_;
  const ConfigDocument* document_ = nullptr;
};

/// A duration as the config writes it ("90s", "5m", "7d"), the inverse of duration(); for
/// describeConfig() and the sink types' describers.
std::string formatDuration(Timestamp ns);
/// Same for milliseconds; 0 is "0".
std::string formatMillis(std::chrono::milliseconds value);

}  // namespace camwatch
