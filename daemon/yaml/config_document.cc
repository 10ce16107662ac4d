#include "yaml/config_document.h"

#include <glob.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "yaml/config_reader.h"

namespace camwatch {
namespace {

namespace fs = std::filesystem;

void collectNodes(const YAML::Node& node, std::vector<YAML::Node>& nodes) {
  nodes.push_back(node);
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) collectNodes(item, nodes);
  } else if (node.IsMap()) {
    for (const auto& item : node) {
      collectNodes(item.first, nodes);
      collectNodes(item.second, nodes);
    }
  }
}

bool isGlob(const std::string& text) { return text.find_first_of("*?[") != std::string::npos; }

// The files a glob matches, sorted by name (glob(3) sorts by the locale; the order must not
// depend on it).
std::vector<std::string> globFiles(const std::string& pattern) {
  glob_t matches{};
  std::vector<std::string> files;
  if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
      if (fs::is_regular_file(matches.gl_pathv[i])) files.emplace_back(matches.gl_pathv[i]);
    }
  }
  globfree(&matches);
  std::sort(files.begin(), files.end());
  return files;
}

bool isVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Variables whose values check-config must not print.
bool isSecretName(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (const char* word : {"PASSWORD", "TOKEN", "SECRET", "KEY"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string chainText(const std::vector<std::string>& chain) {
  std::string text;
  for (const std::string& file : chain) text += (text.empty() ? "" : " -> ") + file;
  return text;
}

// The key node of `key` in `map` (for its position), or an undefined node.
YAML::Node keyNode(const YAML::Node& map, const std::string& key) {
  for (const auto& item : map) {
    if (item.first.IsScalar() && item.first.Scalar() == key) return item.first;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

ConfigDocument ConfigDocument::load(const std::string& path) {
  ConfigDocument document;
  document.root_path_ = path;
  std::vector<std::string> chain;
  document.root_ = document.loadFile(path, chain);
  std::vector<std::string>& hidden = document.hidden_;
  std::sort(hidden.begin(), hidden.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  hidden.erase(std::unique(hidden.begin(), hidden.end()), hidden.end());
  return document;
}

const std::string& ConfigDocument::fileOf(const YAML::Node& node) const {
  if (node.IsDefined()) {
    for (const Source& source : sources_) {
      for (const YAML::Node& known : source.nodes) {
        if (known.is(node)) return source.path;
      }
    }
  }
  return root_path_;
}

std::vector<std::string> ConfigDocument::files() const {
  std::vector<std::string> files;
  for (const Source& source : sources_) files.push_back(source.path);
  return files;
}

void ConfigDocument::failAt(const YAML::Node& node, const std::string& key,
                            const std::string& what) const {
  ConfigReader(fileOf(node)).fail(node, key, what);
}

std::string ConfigDocument::where(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return fileOf(node);
  return fmt::format("{}:{}", fileOf(node), mark.line + 1);
}

YAML::Node ConfigDocument::loadFile(const std::string& path, std::vector<std::string>& chain) {
  std::error_code ec;
  const std::string identity = fs::weakly_canonical(path, ec).string();
  for (const Source& source : sources_) {
    if (fs::weakly_canonical(source.path, ec).string() != identity) continue;
    std::vector<std::string> cycle = chain;
    cycle.push_back(path);
    const bool on_chain = std::any_of(chain.begin(), chain.end(), [&](const std::string& file) {
      return fs::weakly_canonical(file, ec).string() == identity;
    });
    throw ConfigError(fmt::format("{}: {}: {}", chain.back(),
                                  on_chain ? "include cycle" : "file included twice",
                                  chainText(cycle)));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(fmt::format("{}: cannot read the config file{}", path,
                                  chain.empty() ? "" : " (included by " + chainText(chain) + ")"));
  } catch (const YAML::Exception& error) {
    // Syntax errors: yaml-cpp's message carries the line and column.
    throw ConfigError(fmt::format("{}:{}:{}: invalid YAML: {}", path, error.mark.line + 1,
                                  error.mark.column + 1, error.msg));
  }
  Source source{path, {}};
  collectNodes(root, source.nodes);
  sources_.push_back(std::move(source));
  if (root.IsNull()) return root;  // an empty file: nothing to merge
  if (!root.IsMap()) failAt(root, "", "expected a mapping of section names to sections");
  expandEnvironment(root, "", path);

  const YAML::Node includes = root["include"];
  if (!includes) return root;
  const ConfigReader reader(path);
  const std::vector<std::string> entries = reader.stringList(includes, "include");
  chain.push_back(path);
  YAML::Node merged;  // the included files so far, later ones winning
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node entry = includes.IsSequence() ? includes[i] : includes;
    const std::string key = includes.IsSequence() ? fmt::format("include[{}]", i) : "include";
    const std::string target = reader.filePath(entry, key);
    std::vector<std::string> files;
    if (isGlob(entries[i])) {
      files = globFiles(target);
    } else if (!fs::exists(target, ec)) {
      failAt(entry, key,
             fmt::format("'{}': no such file (include chain: {})", target, chainText(chain)));
    } else {
      files.push_back(target);
    }
    for (const std::string& file : files) {
      YAML::Node included = loadFile(file, chain);
      if (included.IsNull()) continue;
      if (merged.IsDefined() && !merged.IsNull()) merge(included, merged, "");
      merged = included;
    }
  }
  chain.pop_back();
  root.remove("include");
  if (merged.IsDefined() && !merged.IsNull()) merge(root, merged, "");
  return root;
}

void ConfigDocument::expandEnvironment(YAML::Node node, const std::string& key,
                                       const std::string& file) {
  if (node.IsMap()) {
    for (auto item : node) {
      const std::string name = item.first.IsScalar() ? item.first.Scalar() : "?";
      expandEnvironment(item.second, key.empty() ? name : key + "." + name, file);
    }
    return;
  }
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      expandEnvironment(node[i], fmt::format("{}[{}]", key, i), file);
    }
    return;
  }
  if (!node.IsScalar()) return;
  const std::string& text = node.Scalar();
  if (text.find('$') == std::string::npos) return;
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      ConfigReader(file).fail(node, key, "'${' without its '}' (write $${ for a literal ${)");
    }
    const std::string inner = text.substr(i + 2, close - i - 2);
    const std::size_t dash = inner.find(":-");
    const std::string name = inner.substr(0, dash);
    if (!isVariableName(name)) {
      ConfigReader(file).fail(
          node, key,
          fmt::format("'${{{}}}': expected ${{NAME}} or ${{NAME:-default}}, NAME of letters, "
                      "digits and _",
                      inner));
    }
    const char* value = std::getenv(name.c_str());
    std::string replacement;
    if (dash != std::string::npos) {
      replacement = value != nullptr && *value != '\0' ? value : inner.substr(dash + 2);
    } else if (value == nullptr) {
      ConfigReader(file).fail(
          node, key,
          fmt::format("environment variable {} is not set (write ${{{}:-default}} for a default)",
                      name, name));
    } else {
      replacement = value;
    }
    if (isSecretName(name) && !replacement.empty()) hidden_.push_back(replacement);
    out += replacement;
    i = close + 1;
  }
  node = out;
}

void ConfigDocument::merge(YAML::Node winner, const YAML::Node& other, const std::string& path) {
  const YAML::Node& lookup = winner;  // const operator[]: a missing key is not inserted
  for (const auto& item : other) {
    const auto key = item.first.as<std::string>();
    const std::string full = path.empty() ? key : path + "." + key;
    const YAML::Node mine = lookup[key];
    if (!mine) {
      winner.force_insert(item.first, item.second);
      continue;
    }
    if (path == "policy" || path == "groups") {
      failAt(keyNode(winner, key), full,
             fmt::format("group '{}' is defined in both {} and {}; define each group in one file",
                         key, where(keyNode(winner, key)), where(item.first)));
    }
    if (full == "inventory.devices" && mine.IsSequence() && item.second.IsSequence()) {
      concatenateDevices(winner, item.second);
    } else if (mine.IsMap() && item.second.IsMap()) {
      merge(mine, item.second, full);
    }
    // Otherwise the winner's scalar or list stands.
  }
}

// `inventory.devices` of two files: the other file's devices, then the winner's.
void ConfigDocument::concatenateDevices(YAML::Node inventory, const YAML::Node& other) {
  const YAML::Node mine = static_cast<const YAML::Node&>(inventory)["devices"];
  auto nameOf = [](const YAML::Node& device) -> YAML::Node {
    if (device.IsMap() && device["name"] && device["name"].IsScalar()) return device["name"];
    return YAML::Node(YAML::NodeType::Undefined);
  };
  YAML::Node combined(YAML::NodeType::Sequence);
  for (const YAML::Node& device : other) combined.push_back(device);
  for (const YAML::Node& device : mine) {
    const YAML::Node name = nameOf(device);
    if (name.IsDefined()) {
      for (const YAML::Node& earlier : other) {
        const YAML::Node earlier_name = nameOf(earlier);
        if (!earlier_name.IsDefined() || earlier_name.Scalar() != name.Scalar()) continue;
        failAt(name, "inventory.devices",
               fmt::format("device '{}' is defined in both {} and {}", name.Scalar(),
                           where(earlier_name), where(name)));
      }
    }
    combined.push_back(device);
  }
  inventory["devices"] = combined;
}

}  // namespace camwatch
