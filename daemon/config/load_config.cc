// loadConfig(): the config file, section by section in file order, then the checks only the
// inventory and the policy engine can make. The small sections are read here; policy, inventory
// and groups, learning and alerts have files of their own (config_sections.h).
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "config/config.h"
#include "config/config_sections.h"
#include "util/text.h"
#include "yaml/config_document.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "camwatch";
  return name;
}

void readSensor(const ConfigReader& reader, const YAML::Node& sensor, Config& config) {
  reader.checkKeys(sensor, "sensor", {"name", "user", "country"});
  if (sensor["user"]) config.run_as_user = reader.scalar(sensor["user"], "sensor.user");
  if (sensor["name"]) {
    config.sensor_name = reader.scalar(sensor["name"], "sensor.name");
    if (config.sensor_name.empty()) reader.fail(sensor["name"], "sensor.name", "must not be empty");
  }
  if (sensor["country"]) {
    const std::string country = reader.scalar(sensor["country"], "sensor.country");
    if (country.size() != 2 || !isAsciiLetter(country[0]) || !isAsciiLetter(country[1])) {
      reader.fail(sensor["country"], "sensor.country",
                  "'" + country + "': expected two letters (ISO 3166-1 alpha-2, e.g. GB)");
    }
    config.sensor_country = upperAsciiCopy(country);
  }
}

void readReplay(const ConfigReader& reader, const YAML::Node& replay, Config& config) {
  reader.checkKeys(replay, "replay",
                   {"workers", "max_hosts", "max_destination_rows", "max_timelines"});
  if (replay["workers"]) {
    config.workers =
        static_cast<unsigned>(reader.unsignedValue(replay["workers"], "replay.workers", 0, 256));
  }
  // What the summary, report and destinations CSV itemise; beyond, flows are counted only.
  for (const auto& [key, value] :
       {std::pair{"max_hosts", &config.replay_limits.max_hosts},
        std::pair{"max_destination_rows", &config.replay_limits.max_destination_rows},
        std::pair{"max_timelines", &config.replay_limits.max_timelines}}) {
    if (replay[key]) {
      *value = static_cast<std::size_t>(
          reader.unsignedValue(replay[key], std::string("replay.") + key, 1, 100'000'000));
    }
  }
}

void readFlows(const ConfigReader& reader, const YAML::Node& flows, FlowTableConfig& flow) {
  reader.checkKeys(flows, "flows",
                   {"max_flows", "tcp_idle_timeout", "udp_idle_timeout", "tcp_closed_timeout",
                    "active_timeout"});
  if (flows["max_flows"]) {
    flow.max_flows = static_cast<std::uint32_t>(
        reader.unsignedValue(flows["max_flows"], "flows.max_flows", 1, 1U << 30U));
  }
  const std::pair<const char*, Timestamp*> durations[] = {
      {"tcp_idle_timeout", &flow.tcp_idle_timeout},
      {"udp_idle_timeout", &flow.udp_idle_timeout},
      {"tcp_closed_timeout", &flow.tcp_closed_timeout},
      {"active_timeout", &flow.active_timeout}};
  for (const auto& [key, target] : durations) {
    if (flows[key]) *target = reader.duration(flows[key], std::string("flows.") + key);
  }
}

void readDpi(const ConfigReader& reader, const YAML::Node& dpi, DpiConfig& config) {
  reader.checkKeys(dpi, "dpi",
                   {"enabled", "protocols_file", "cloud_names_file", "doh_resolvers_file",
                    "max_tcp_packets", "max_udp_packets"});
  if (dpi["enabled"]) {
    const std::string value = reader.scalar(dpi["enabled"], "dpi.enabled");
    if (value != "true" && value != "false") {
      reader.fail(dpi["enabled"], "dpi.enabled", "expected true or false, got '" + value + "'");
    }
    config.enabled = value == "true";
  }
  if (dpi["protocols_file"]) {
    config.protocols_file = reader.filePath(dpi["protocols_file"], "dpi.protocols_file");
  }
  if (dpi["cloud_names_file"]) {
    config.cloud_names_file = reader.filePath(dpi["cloud_names_file"], "dpi.cloud_names_file");
  }
  if (dpi["doh_resolvers_file"]) {
    config.doh_resolvers_file =
        reader.filePath(dpi["doh_resolvers_file"], "dpi.doh_resolvers_file");
  }
  if (dpi["max_tcp_packets"]) {
    config.max_tcp_packets = static_cast<std::uint16_t>(
        reader.unsignedValue(dpi["max_tcp_packets"], "dpi.max_tcp_packets", 1, 1000));
  }
  if (dpi["max_udp_packets"]) {
    config.max_udp_packets = static_cast<std::uint16_t>(
        reader.unsignedValue(dpi["max_udp_packets"], "dpi.max_udp_packets", 1, 1000));
  }
}

void readDns(const ConfigReader& reader, const YAML::Node& dns, DnsCacheConfig& config) {
  reader.checkKeys(dns, "dns", {"cache_size", "min_ttl", "max_ttl"});
  if (dns["cache_size"]) {
    config.capacity = static_cast<std::uint32_t>(
        reader.unsignedValue(dns["cache_size"], "dns.cache_size", 64, 1U << 26U));
  }
  if (dns["min_ttl"]) config.min_ttl = reader.duration(dns["min_ttl"], "dns.min_ttl");
  if (dns["max_ttl"]) config.max_ttl = reader.duration(dns["max_ttl"], "dns.max_ttl");
  if (config.min_ttl > config.max_ttl) {
    reader.fail(dns, "dns.min_ttl", "must not be longer than dns.max_ttl");
  }
}

void readGeoip(const ConfigReader& reader, const YAML::Node& geoip, Config& config) {
  reader.checkKeys(geoip, "geoip", {"country_db", "asn_db", "operators_file", "cache_size"});
  if (geoip["operators_file"]) {
    config.operators_file = reader.filePath(geoip["operators_file"], "geoip.operators_file");
  }
  if (geoip["country_db"])
    config.geoip.country_db = reader.filePath(geoip["country_db"], "geoip.country_db");
  if (geoip["asn_db"]) config.geoip.asn_db = reader.filePath(geoip["asn_db"], "geoip.asn_db");
  if (geoip["cache_size"]) {
    config.geo_cache_size = static_cast<std::uint32_t>(
        reader.unsignedValue(geoip["cache_size"], "geoip.cache_size", 0, 1U << 24U));
  }
}

void readCapture(const ConfigReader& reader, const YAML::Node& node, CaptureConfig& capture) {
  reader.checkKeys(node, "capture",
                   {"interfaces", "snaplen", "buffer_size", "bpf", "promiscuous", "workers"});
  if (node["interfaces"]) {
    capture.interfaces = reader.stringList(node["interfaces"], "capture.interfaces");
  }
  if (node["snaplen"]) {
    capture.snaplen = static_cast<std::uint32_t>(
        reader.unsignedValue(node["snaplen"], "capture.snaplen", 64, 262144));
  }
  if (node["buffer_size"]) {
    const std::uint64_t bytes = reader.byteSize(node["buffer_size"], "capture.buffer_size", false);
    if (bytes < (1ULL << 20U) || bytes > (4ULL << 30U)) {
      reader.fail(node["buffer_size"], "capture.buffer_size", "expected 1MiB to 4GiB");
    }
    capture.buffer_mib = static_cast<std::uint32_t>(bytes >> 20U);
  }
  if (node["bpf"]) capture.bpf = reader.scalar(node["bpf"], "capture.bpf");
  if (node["promiscuous"])
    capture.promiscuous = reader.boolean(node["promiscuous"], "capture.promiscuous");
  if (node["workers"]) {
    capture.workers =
        static_cast<unsigned>(reader.unsignedValue(node["workers"], "capture.workers", 0, 256));
  }
}

// host:port. Port 0 is allowed: the kernel picks a free one and `run` logs the URL with the port
// it got (tests run sensors side by side that way).
std::string readListenAddress(const ConfigReader& reader, const YAML::Node& node) {
  std::string listen = reader.scalar(node, "metrics.listen");
  const std::size_t colon = listen.rfind(':');
  std::uint32_t port = 0;
  const char* first = listen.data() + (colon == std::string::npos ? 0 : colon + 1);
  const auto [end, ec] = std::from_chars(first, listen.data() + listen.size(), port);
  if (colon == std::string::npos || colon == 0 || ec != std::errc() ||
      end != listen.data() + listen.size() || port > 65535) {
    reader.fail(
        node, "metrics.listen",
        fmt::format("expected host:port such as 127.0.0.1:9108 or 0.0.0.0:9108, got '{}'", listen));
  }
  return listen;
}

void readMetrics(const ConfigReader& reader, const YAML::Node& node, MetricsConfig& metrics) {
  if (node.IsMap() && node["tls"]) {
    reader.fail(node["tls"], "metrics.tls",
                "camwatch does not serve TLS itself (Debian 12's civetweb 1.15 crashes on TLS "
                "connections with OpenSSL 3): listen on 127.0.0.1 and put a TLS front such as "
                "stunnel before it (docs/metrics.md, \"Scraping across the network\")");
  }
  reader.checkKeys(node, "metrics",
                   {"enabled", "listen", "max_destinations", "username", "password_file"});
  if (node["username"]) metrics.username = reader.scalar(node["username"], "metrics.username");
  if (node["password_file"]) {
    metrics.password_file = reader.filePath(node["password_file"], "metrics.password_file");
  }
  if (metrics.username.empty() != metrics.password_file.empty()) {
    reader.fail(node, "metrics.username",
                "basic auth needs both metrics.username and metrics.password_file");
  }
  if (node["enabled"]) metrics.enabled = reader.boolean(node["enabled"], "metrics.enabled");
  if (node["listen"]) metrics.listen = readListenAddress(reader, node["listen"]);
  if (node["max_destinations"]) {
    metrics.max_destinations = static_cast<std::uint32_t>(
        reader.unsignedValue(node["max_destinations"], "metrics.max_destinations", 0, 1000000));
  }
}

// `export.ipfix`: the collector (HOST:PORT, its transport in `transport` or as a /udp, /tcp
// suffix) and the exporter's settings (docs/ipfix.md).
void readIpfixExport(const ConfigReader& reader, const YAML::Node& node,
                     std::optional<IpfixExportOptions>& out) {
  reader.checkKeys(node, "export.ipfix",
                   {"collector", "transport", "template_refresh", "enterprise_number",
                    "observation_domain", "timeout"});
  if (!node["collector"]) {
    reader.fail(node, "export.ipfix.collector", "missing: the collector's HOST:PORT");
  }
  IpfixExportOptions options;
  auto collector = parseIpfixCollector(reader.scalar(node["collector"], "export.ipfix.collector"));
  if (!collector)
    reader.fail(node["collector"], "export.ipfix.collector", collector.error().message);
  options.collector = *collector;
  if (node["transport"]) {
    options.collector.transport = reader.named<IpfixTransport>(
        node["transport"], "export.ipfix.transport",
        [](const std::string& text) -> std::optional<IpfixTransport> {
          if (text == "udp") return IpfixTransport::kUdp;
          if (text == "tcp") return IpfixTransport::kTcp;
          return std::nullopt;
        },
        "udp or tcp");
  }
  if (node["template_refresh"]) {
    options.template_refresh = std::chrono::seconds(std::max<Timestamp>(
        1, reader.duration(node["template_refresh"], "export.ipfix.template_refresh") /
               kNanosPerSecond));
  }
  if (node["enterprise_number"]) {
    options.enterprise_number = static_cast<std::uint32_t>(reader.unsignedValue(
        node["enterprise_number"], "export.ipfix.enterprise_number", 1, 0xffffffffU));
  }
  if (node["observation_domain"]) {
    options.observation_domain = static_cast<std::uint32_t>(reader.unsignedValue(
        node["observation_domain"], "export.ipfix.observation_domain", 0, 0xffffffffU));
  }
  if (node["timeout"]) options.timeout = reader.millis(node["timeout"], "export.ipfix.timeout");
  out = std::move(options);
}

void readExport(const ConfigReader& reader, const YAML::Node& node, Config& config) {
  reader.checkKeys(node, "export", {"ipfix"});
  if (node["ipfix"]) readIpfixExport(reader, node["ipfix"], config.ipfix_export);
}

void readLogging(const ConfigReader& reader, const YAML::Node& node, LoggingConfig& logging) {
  reader.checkKeys(node, "logging", {"level", "format"});
  if (node["level"]) {
    logging.level = reader.named<std::string>(
        node["level"], "logging.level",
        [](const std::string& text) -> std::optional<std::string> {
          for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
            if (text == level) return text;
          }
          return std::nullopt;
        },
        "trace, debug, info, warn or error");
  }
  if (node["format"]) {
    logging.format = reader.named<std::string>(
        node["format"], "logging.format",
        [](const std::string& text) -> std::optional<std::string> {
          if (text == "text" || text == "json") return text;
          return std::nullopt;
        },
        "text or json");
  }
}

// Every section of a non-empty file. Throws ConfigError or YAML::Exception.
void readSections(const ConfigReader& reader, const YAML::Node& root, Config& config) {
  reader.checkKeys(root, "",
                   {"sensor", "capture", "replay", "flows", "dpi", "dns", "geoip", "inventory",
                    "groups", "policy", "learning", "alerts", "metrics", "export", "logging"});
  if (const YAML::Node sensor = root["sensor"]) readSensor(reader, sensor, config);
  if (const YAML::Node replay = root["replay"]) readReplay(reader, replay, config);
  if (const YAML::Node flows = root["flows"]) readFlows(reader, flows, config.flows);
  if (const YAML::Node dpi = root["dpi"]) readDpi(reader, dpi, config.dpi);
  if (const YAML::Node dns = root["dns"]) readDns(reader, dns, config.dns);
  if (const YAML::Node geoip = root["geoip"]) readGeoip(reader, geoip, config);
  if (const YAML::Node policy = root["policy"]) config.policy_groups = readPolicy(reader, policy);
  if (const YAML::Node inventory = root["inventory"]) readInventory(reader, inventory, config);
  if (const YAML::Node groups = root["groups"]) readGroups(reader, groups, config);
  if (const YAML::Node learning = root["learning"]) readLearning(reader, learning, config);
  if (const YAML::Node alerts = root["alerts"]) readAlerts(reader, alerts, config);
  if (const YAML::Node capture = root["capture"]) readCapture(reader, capture, config.capture);
  if (const YAML::Node metrics = root["metrics"]) readMetrics(reader, metrics, config.metrics);
  if (const YAML::Node exports = root["export"]) readExport(reader, exports, config);
  if (const YAML::Node logging = root["logging"]) readLogging(reader, logging, config.logging);
  if (const YAML::Node policy = root["policy"]) checkPolicyGroupsExist(reader, policy, config);
}

// What YAML cannot check: the inventory checks device and group names, duplicates and group
// references, against the OUI table (group vendors must be vendors it knows); the policy engine
// checks CIDRs, ports, country codes and duplicate rule names.
Result<void> checkWithComponents(const std::string& path, const Config& config) {
  std::shared_ptr<const OuiTable> oui;
  if (!config.oui_file.empty()) {
    auto table = OuiTable::load(config.oui_file);
    if (!table)
      return makeError(fmt::format("{}: inventory.oui_file: {}", path, table.error().message));
    oui = std::make_shared<const OuiTable>(std::move(*table));
  }
  if (auto inventory = CameraInventory::create(config.inventory, oui); !inventory) {
    return makeError(fmt::format("{}: inventory: {}", path, inventory.error().message));
  }
  OperatorTablePtr operators;
  if (!config.operators_file.empty()) {
    auto table = OperatorTable::load(config.operators_file);
    if (!table) {
      return makeError(fmt::format("{}: geoip.operators_file: {}", path, table.error().message));
    }
    operators = std::make_shared<const OperatorTable>(std::move(*table));
  }
  auto options = loadPolicyOptions(config.dpi.cloud_names_file, operators);
  if (!options)
    return makeError(fmt::format("{}: dpi.cloud_names_file: {}", path, options.error().message));
  if (!config.dpi.doh_resolvers_file.empty()) {
    auto doh = loadDohResolvers(config.dpi.doh_resolvers_file);
    if (!doh) {
      return makeError(fmt::format("{}: dpi.doh_resolvers_file: {}", path, doh.error().message));
    }
    options->doh_resolvers = std::move(*doh);
  }
  if (auto engine = PolicyEngine::create(config.policy_groups, *options); !engine) {
    return makeError(fmt::format("{}: policy: {}", path, engine.error().message));
  }
  return {};
}

}  // namespace

Config defaultConfig() {
  Config config;
  config.sensor_name = hostName();
  GroupPolicy group;
  group.name = "default";
  config.policy_groups.push_back(group);
  return config;
}

Result<Config> loadConfig(const std::string& path) {
  Config config = defaultConfig();
  config.source = path;
  try {
    // `include:` files merged in and `${VAR}`s expanded (yaml/config_document.h); the reader
    // names the file each value came from.
    const ConfigDocument document = ConfigDocument::load(path);
    config.source_files = document.files();
    config.hidden_values = document.hiddenValues();
    if (document.root().IsNull()) return config;  // an empty file means all defaults
    const ConfigReader reader(document);
    readSections(reader, document.root(), config);
  } catch (const ConfigError& error) {
    return makeError(error.what());
  } catch (const YAML::Exception& error) {
    return makeError(fmt::format("{}:{}:{}: invalid YAML: {}", path, error.mark.line + 1,
                                 error.mark.column + 1, error.msg));
  }
  if (auto checked = checkWithComponents(path, config); !checked) {
    return tl::unexpected(checked.error());
  }
  return config;
}

}  // namespace camwatch
