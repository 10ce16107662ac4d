#include "yaml/config_reader.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <utility>

#include "util/text.h"
#include "yaml/config_document.h"

namespace camwatch {

std::string suggestion(const std::string& word, const std::vector<std::string>& known) {
  const std::string* closest = nullptr;
  std::size_t best = 3;
  for (const std::string& candidate : known) {
    const std::size_t distance = editDistance(word, candidate, LetterCase::kExact);
    if (distance < best) {
      best = distance;
      closest = &candidate;
    }
  }
  return closest == nullptr ? std::string() : didYouMean(*closest);
}

ConfigReader::ConfigReader(const ConfigDocument& document)
    : file_(document.files().empty() ? std::string() : document.files().front()),
      document_(&document) {}

const std::string& ConfigReader::fileOf(const YAML::Node& node) const {
  return document_ == nullptr ? file_ : document_->fileOf(node);
}

void ConfigReader::fail(const YAML::Node& node, const std::string& key,
                        const std::string& what) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) {
    throw ConfigError(fmt::format("{}:{}:{}: {}{}{}", fileOf(node), mark.line + 1, mark.column + 1,
                                  key, key.empty() ? "" : ": ", what));
  }
  throw ConfigError(fmt::format("{}: {}{}{}", fileOf(node), key, key.empty() ? "" : ": ", what));
}

void ConfigReader::checkKeys(const YAML::Node& map, const std::string& path,
                             const std::vector<std::string>& known) const {
  if (!map.IsMap()) fail(map, path, "expected a mapping of keys to values");
  for (const auto& item : map) {
    const auto key = item.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string full = path.empty() ? key : path + "." + key;
    const std::string hint = suggestion(key, known);
    std::string list;
    for (const std::string& candidate : known) list += (list.empty() ? "" : ", ") + candidate;
    fail(item.first, full, fmt::format("unknown key{}; expected one of: {}", hint, list));
  }
}

std::uint64_t ConfigReader::unsignedValue(const YAML::Node& node, const std::string& key,
                                          std::uint64_t min, std::uint64_t max) const {
  const std::string text = scalar(node, key);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    fail(node, key, fmt::format("expected a whole number, got '{}'", text));
  }
  if (value < min || value > max) {
    fail(node, key, fmt::format("{} is out of range [{}, {}]", value, min, max));
  }
  return value;
}

Timestamp ConfigReader::duration(const YAML::Node& node, const std::string& key) const {
  const std::string text = scalar(node, key);
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string unit(end, text.data() + text.size());
  Timestamp scale = 0;
  if (unit.empty() || unit == "s") scale = kNanosPerSecond;
  if (unit == "ms") scale = kNanosPerSecond / 1000;
  if (unit == "m") scale = 60 * kNanosPerSecond;
  if (unit == "h") scale = 3600 * kNanosPerSecond;
  if (unit == "d") scale = 24 * 3600 * kNanosPerSecond;
  if (ec != std::errc() || end == text.data() || scale == 0 || number == 0 ||
      number > static_cast<std::uint64_t>(std::numeric_limits<Timestamp>::max() / scale)) {
    fail(node, key,
         fmt::format("expected a positive duration such as 90s, 5m, 1h or 7d, got '{}'", text));
  }
  return static_cast<Timestamp>(number) * scale;
}

Timestamp ConfigReader::durationOrZero(const YAML::Node& node, const std::string& key) const {
  const std::string text = scalar(node, key);
  if (text == "0" || text == "0s" || text == "0m" || text == "0h") return 0;
  return duration(node, key);
}

std::chrono::milliseconds ConfigReader::millis(const YAML::Node& node,
                                               const std::string& key) const {
  return std::chrono::milliseconds(duration(node, key) / (kNanosPerSecond / 1000));
}

// Decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) units, as network people write both.
std::uint64_t ConfigReader::byteSize(const YAML::Node& node, const std::string& key,
                                     bool allow_zero) const {
  const std::string text = scalar(node, key);
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  std::string unit(end, text.data() + text.size());
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  static const std::pair<const char*, std::uint64_t> kUnits[] = {
      {"", 1},
      {"B", 1},
      {"kB", 1000},
      {"KB", 1000},
      {"MB", 1000 * 1000},
      {"GB", 1000ULL * 1000 * 1000},
      {"TB", 1000ULL * 1000 * 1000 * 1000},
      {"KiB", 1024},
      {"MiB", 1024 * 1024},
      {"GiB", 1024ULL * 1024 * 1024},
      {"TiB", 1024ULL * 1024 * 1024 * 1024}};
  std::uint64_t scale = 0;
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) scale = factor;
  }
  if (ec != std::errc() || end == text.data() || scale == 0 ||
      number > std::numeric_limits<std::uint64_t>::max() / scale || (number == 0 && !allow_zero)) {
    fail(node, key,
         fmt::format("expected a {}size such as 500MB, 64MiB or 1GB, got '{}'",
                     allow_zero ? "" : "positive ", text));
  }
  return number * scale;
}

IpPrefix ConfigReader::prefix(const YAML::Node& node, const std::string& key) const {
  const std::string text = scalar(node, key);
  auto parsed = IpPrefix::parse(text);
  if (!parsed) fail(node, key, fmt::format("'{}': {}", text, parsed.error().message));
  return *parsed;
}

std::vector<IpPrefix> ConfigReader::prefixList(const YAML::Node& node,
                                               const std::string& key) const {
  std::vector<IpPrefix> prefixes;
  if (node.IsScalar()) {
    prefixes.push_back(prefix(node, key));
    return prefixes;
  }
  if (!node.IsSequence()) fail(node, key, "expected a list of addresses or CIDR prefixes");
  for (std::size_t i = 0; i < node.size(); ++i) {
    prefixes.push_back(prefix(node[i], key + "[" + std::to_string(i) + "]"));
  }
  return prefixes;
}

std::vector<std::uint16_t> ConfigReader::vlanList(const YAML::Node& node,
                                                  const std::string& key) const {
  std::vector<std::uint16_t> vlans;
  if (node.IsScalar()) {
    vlans.push_back(static_cast<std::uint16_t>(unsignedValue(node, key, 1, 4094)));
    return vlans;
  }
  if (!node.IsSequence()) fail(node, key, "expected a list of VLAN ids (1-4094)");
  for (std::size_t i = 0; i < node.size(); ++i) {
    vlans.push_back(static_cast<std::uint16_t>(
        unsignedValue(node[i], key + "[" + std::to_string(i) + "]", 1, 4094)));
  }
  return vlans;
}

std::vector<std::string> ConfigReader::stringList(const YAML::Node& node,
                                                  const std::string& key) const {
  if (node.IsScalar()) return {node.Scalar()};
  if (!node.IsSequence()) fail(node, key, "expected a list of values");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < node.size(); ++i) {
    values.push_back(scalar(node[i], key + "[" + std::to_string(i) + "]"));
  }
  return values;
}

bool ConfigReader::boolean(const YAML::Node& node, const std::string& key) const {
  const std::string value = scalar(node, key);
  if (value == "true") return true;
  if (value == "false") return false;
  fail(node, key, "expected true or false, got '" + value + "'");
}

std::string ConfigReader::scalar(const YAML::Node& node, const std::string& key) const {
  if (!node.IsScalar()) fail(node, key, "expected a single value");
  return node.Scalar();
}

std::string ConfigReader::filePath(const YAML::Node& node, const std::string& key) const {
  std::filesystem::path file = scalar(node, key);
  if (!file.empty() && file.is_relative())
    file = std::filesystem::path(fileOf(node)).parent_path() / file;
  return file.string();
}

std::string formatDuration(Timestamp ns) {
  if (ns % (24 * 3600 * kNanosPerSecond) == 0)
    return fmt::format("{}d", ns / (24 * 3600 * kNanosPerSecond));
  if (ns % (3600 * kNanosPerSecond) == 0) return fmt::format("{}h", ns / (3600 * kNanosPerSecond));
  if (ns % (60 * kNanosPerSecond) == 0) return fmt::format("{}m", ns / (60 * kNanosPerSecond));
  if (ns % kNanosPerSecond == 0) return fmt::format("{}s", ns / kNanosPerSecond);
  return fmt::format("{}ms", ns / (kNanosPerSecond / 1000));
}

std::string formatMillis(std::chrono::milliseconds value) {
  return value.count() == 0 ? std::string("0")
                            : formatDuration(value.count() * (kNanosPerSecond / 1000));
}

}  // namespace camwatch
