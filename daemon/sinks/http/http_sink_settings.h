// http_sink_settings: the `alerts.sinks` keys the HTTP sinks (webhook, alertmanager) share —
// headers, bearer token file, timeouts — read and described once for both. Control thread.
#pragma once

#include <string>
#include <vector>

#include "sinks/http/http_client.h"
#include "yaml/config_reader.h"

namespace camwatch {

/// Fails at `node` (key `key`) unless `url` starts with http:// or https://.
void checkHttpUrl(const ConfigReader& reader, const YAML::Node& node, const std::string& key,
                  const std::string& url);

/// `headers` (a mapping, kept as "Name: value" lines) and `bearer_token_file` of the entry at
/// `path`.
void readHttpAuth(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
                  std::vector<std::string>& headers, std::string& bearer_token_file);
/// `connect_timeout` and `timeout` of the entry at `path`.
void readHttpTimeouts(const ConfigReader& reader, const YAML::Node& node, const std::string& path,
                      HttpTimeouts& timeouts);

/// check-config lines for the same keys. Header values may hold secrets: names only.
void describeHttpAuth(const std::vector<std::string>& headers, const std::string& bearer_token_file,
                      std::string& yaml);
void describeHttpTimeouts(const HttpTimeouts& timeouts, std::string& yaml);

}  // namespace camwatch
