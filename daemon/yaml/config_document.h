// config_document: the config file as one YAML tree, after its `include:` files are merged in and
// `${VAR}` references in values are replaced from the environment (docs/configuration.md, "Many
// sites"). Keeps, for every node, the file it came from, so ConfigReader's errors name the
// included file and line a mistake is in, and relative paths resolve against that file's folder.
//
// The merge rule, applied in this order for a file with `include: [a.yaml, conf.d/*.yaml]`:
//   - each entry is a path relative to the including file's folder, or a glob; a glob's matches
//     are sorted by name and may be none; a plain path that does not exist is an error;
//   - the included files are merged one after the other, then the including file on top; of two
//     files, the later one "wins":
//       * maps merge key by key, recursively;
//       * a scalar or a list in the winner replaces the other's (lists are not appended);
//     except for the named entries, which several files combine and none may redefine:
//       * `policy.<group>` and `groups.<group>`: a group defined in two files is an error
//         naming both;
//       * `inventory.devices`: the lists are concatenated (included files first); a device name
//         in two files is an error naming both;
//   - an include cycle, or a file included twice along one chain, is an error naming the chain.
//
// `${NAME}` in a value is the environment variable NAME (an error naming the key, file, line
// and variable when unset), `${NAME:-text}` is NAME or, when unset or empty, `text`; `$${` is a
// literal `${`. Keys are not expanded. Values from variables whose name contains PASSWORD, TOKEN,
// SECRET or KEY are hidden from describeConfig() (hiddenValues()).
//
// Control thread only; throws ConfigError, with the complete message.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace camwatch {

class ConfigDocument {
 public:
  /// Loads `path` and everything it includes. Throws ConfigError.
  static ConfigDocument load(const std::string& path);

  /// The merged tree; null for an empty file (all defaults).
  const YAML::Node& root() const { return root_; }
  /// The file `node` came from (the root file for nodes the merge made).
  const std::string& fileOf(const YAML::Node& node) const;
  /// Every file read, the root first, in the order read.
  std::vector<std::string> files() const;
  /// Secret values the environment put into the config (see above), longest first.
  const std::vector<std::string>& hiddenValues() const { return hidden_; }

 private:
  struct Source {
    std::string path;
    std::vector<YAML::Node> nodes;  ///< every node of the file, keys and values
  };
  YAML::Node loadFile(const std::string& path, std::vector<std::string>& chain);
  void expandEnvironment(YAML::Node node, const std::string& key, const std::string& file);
  void merge(YAML::Node winner, const YAML::Node& other, const std::string& path);
  void concatenateDevices(YAML::Node winner, const YAML::Node& other);
  [[noreturn]] void failAt(const YAML::Node& node, const std::string& key,
                           const std::string& what) const;
  std::string where(const YAML::Node& node) const;

  std::string root_path_;
  YAML::Node root_;
  std::vector<Source> sources_;
  std::vector<std::string> hidden_;
};

}  // namespace camwatch
