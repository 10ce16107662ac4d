#include "sinks/http/http_sink_settings.h"

namespace camwatch {

void checkHttpUrl(const ConfigReader& reader, const YAML::Node& node, const std::string& key,
                  const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    reader.fail(node, key, fmt::format("'{}': expected an http:// or https:// URL", url));
  }
}

void readHttpAuth(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
                  std::vector<std::string>& headers, std::string& bearer_token_file) {
  if (node["headers"]) {
    const YAML::Node& map = node["headers"];
    if (!map.IsMap()) {
      reader.fail(map, path + ".headers", "expected a mapping of header names to values");
    }
    for (const auto& header : map) {
      const auto name = header.first.as<std::string>();
      headers.push_back(name + ": " + reader.scalar(header.second, path + ".headers." + name));
    }
  }
  if (node["bearer_token_file"]) {
    bearer_token_file = reader.filePath(node["bearer_token_file"], path + ".bearer_token_file");
  }
}

void readHttpTimeouts(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
                      HttpTimeouts& timeouts) {
  if (node["connect_timeout"]) {
    timeouts.connect = reader.millis(node["connect_timeout"], path + ".connect_timeout");
  }
  if (node["timeout"]) timeouts.total = reader.millis(node["timeout"], path + ".timeout");
}

void describeHttpAuth(const std::vector<std::string>& headers, const std::string& bearer_token_file,
                      std::string& yaml) {
  for (const std::string& header : headers) {
    yaml += fmt::format("      header: {}: (set)\n", header.substr(0, header.find(':')));
  }
  if (!bearer_token_file.empty()) {
    yaml += fmt::format("      bearer_token_file: '{}'\n", bearer_token_file);
  }
}

void describeHttpTimeouts(const HttpTimeouts& timeouts, std::string& yaml) {
  yaml += fmt::format("      connect_timeout: {}\n      timeout: {}\n",
                      formatMillis(timeouts.connect), formatMillis(timeouts.total));
}

}  // namespace camwatch
