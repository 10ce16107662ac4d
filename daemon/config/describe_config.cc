// describeConfig(): the effective configuration as YAML for `camwatch check-config`, every
// section with its values after defaults and path resolution. Tests pin these bytes
// (ReplayTest, CliTest, ConfigTest): change the text only on purpose.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "config/config.h"
#include "config/config_sections.h"
#include "sinks/sink_registry.h"
#include "yaml/config_reader.h"

namespace camwatch {
namespace {

std::string prefixes(const std::vector<IpPrefix>& list) {
  std::vector<std::string> texts;
  for (const IpPrefix& prefix : list) texts.push_back(prefix.toString());
  return fmt::format("[{}]", fmt::join(texts, ", "));
}

std::string budget(const EgressBudget& b) {
  if (b.bytes == 0) return std::string("0  # no budget");
  return fmt::format("{}\n    budget_window: {}", b.bytes, formatDuration(b.window));
}

std::string optionalDuration(Timestamp ns) {
  return ns == 0 ? std::string("0  # never") : formatDuration(ns);
}

void describeEngine(const Config& config, std::string& text) {
  text += fmt::format("replay:\n  workers: {}{}\n", config.workers,
                      config.workers == 0 ? "  # one per CPU core" : "");
  text += fmt::format("  max_hosts: {}\n  max_destination_rows: {}\n  max_timelines: {}\n",
                      config.replay_limits.max_hosts, config.replay_limits.max_destination_rows,
                      config.replay_limits.max_timelines);
  const FlowTableConfig& flow = config.flows;
  text += fmt::format(
      "flows:\n  max_flows: {}\n  tcp_idle_timeout: {}\n  udp_idle_timeout: {}\n"
      "  tcp_closed_timeout: {}\n  active_timeout: {}\n",
      flow.max_flows, formatDuration(flow.tcp_idle_timeout), formatDuration(flow.udp_idle_timeout),
      formatDuration(flow.tcp_closed_timeout), formatDuration(flow.active_timeout));
  text += fmt::format(
      "dpi:\n  enabled: {}\n  protocols_file: '{}'\n  cloud_names_file: '{}'\n"
      "  doh_resolvers_file: '{}'\n  max_tcp_packets: {}\n  max_udp_packets: {}\n",
      config.dpi.enabled, config.dpi.protocols_file, config.dpi.cloud_names_file,
      config.dpi.doh_resolvers_file, config.dpi.max_tcp_packets, config.dpi.max_udp_packets);
  text += fmt::format("dns:\n  cache_size: {}\n  min_ttl: {}\n  max_ttl: {}\n", config.dns.capacity,
                      formatDuration(config.dns.min_ttl), formatDuration(config.dns.max_ttl));
  text += fmt::format(
      "geoip:\n  country_db: '{}'\n  asn_db: '{}'\n  operators_file: '{}'\n  cache_size: {}\n",
      config.geoip.country_db, config.geoip.asn_db, config.operators_file, config.geo_cache_size);
  const CaptureConfig& capture = config.capture;
  text += fmt::format(
      "capture:  # camwatch run\n  interfaces: [{}]\n  snaplen: {}\n  buffer_size: {}MiB\n"
      "  bpf: '{}'\n  promiscuous: {}\n  workers: {}\n",
      fmt::join(capture.interfaces, ", "), capture.snaplen, capture.buffer_mib, capture.bpf,
      capture.promiscuous, capture.workers);
}

void describeInventory(const Config& config, std::string& text) {
  const InventoryConfig& inventory = config.inventory;
  text += fmt::format(
      "inventory:\n  oui_file: '{}'\n  camera_networks: {}\n  camera_vlans: [{}]\n"
      "  camera_vendors: {}\n  local_networks: {}\n  alert_unknown_devices: {}\n"
      "  unknown_device_severity: {}\n  max_cameras: {}\n  devices:{}\n",
      config.oui_file, prefixes(inventory.camera_networks), fmt::join(inventory.camera_vlans, ", "),
      inventory.camera_vendors, prefixes(inventory.local_networks), config.alert_unknown_devices,
      severityName(config.unknown_device_severity), config.max_cameras,
      inventory.devices.empty() ? " []" : "");
  for (const InventoryDevice& device : inventory.devices) {
    text += fmt::format("    - name: {}\n", device.name);
    if (device.ip) text += fmt::format("      ip: {}\n", device.ip->toString());
    if (device.mac) {
      const auto& m = *device.mac;
      text += fmt::format("      mac: {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n", m[0], m[1],
                          m[2], m[3], m[4], m[5]);
    }
    if (!device.group.empty()) text += fmt::format("      group: {}\n", device.group);
    if (!device.vendor.empty()) text += fmt::format("      vendor: {}\n", device.vendor);
  }
}

void describeGroups(const Config& config, std::string& text) {
  text +=
      fmt::format("groups:\n  default:  # cameras no other group claims\n    egress_budget: {}\n",
                  budget(config.default_egress_budget));
  for (const CameraGroupConfig& group : config.groups) {
    text += fmt::format(
        "  {}:\n    networks: {}\n    vlans: [{}]\n    vendors: [{}]\n    egress_budget: {}\n",
        group.membership.name, prefixes(group.membership.networks),
        fmt::join(group.membership.vlans, ", "), fmt::join(group.membership.vendors, ", "),
        budget(group.egress_budget));
  }
  text += fmt::format("learning:\n  mode: {}\n  period: {}\n  state_file: '{}'\n",
                      learningModeName(config.learning.mode),
                      formatDuration(config.learning.period), config.learning.state_file);
}

void describeAlerts(const AlertsConfig& alerts, const std::vector<SinkSpec>& sinks,
                    std::string& text) {
  text += fmt::format(
      "alerts:\n  suppression_window: {}\n  renotify_interval: {}\n  resolve_after: {}\n"
      "  max_active_per_camera: {}\n  max_active: {}\n  spool_dir: '{}'\n  spool_max_bytes: {}\n  "
      "spool_segment_bytes: {}\n  batch_size: {}\n"
      "  retry_base: {}\n  retry_max: {}\n  drain_timeout: {}\n  sinks:{}\n",
      optionalDuration(alerts.suppression_window), optionalDuration(alerts.renotify_interval),
      optionalDuration(alerts.resolve_after), alerts.max_active_per_camera, alerts.max_active,
      alerts.spool_dir, alerts.spool_max_bytes, alerts.spool_segment_bytes, alerts.batch_size,
      formatMillis(alerts.retry_base), formatMillis(alerts.retry_max),
      formatMillis(alerts.drain_timeout), sinks.empty() ? " []" : "");
  for (const SinkSpec& sink : sinks) {
    text += fmt::format("    - type: {}\n      name: {}\n", sink.type, sink.name);
    if (const SinkType* type = findSinkType(sink.type)) type->describe(sink.options.get(), text);
  }
}

void describeService(const Config& config, std::string& text) {
  text += fmt::format(
      "metrics:  # camwatch run\n  enabled: {}\n  listen: {}\n  max_destinations: {}\n"
      "  username: '{}'\n  password_file: '{}'\n",
      config.metrics.enabled, config.metrics.listen, config.metrics.max_destinations,
      config.metrics.username, config.metrics.password_file);
  if (const auto& ipfix = config.ipfix_export) {
    const IpfixCollector& collector = ipfix->collector;
    const bool v6 = collector.host.find(':') != std::string::npos;
    text += fmt::format(
        "export:\n  ipfix:\n    collector: '{}{}{}:{}'\n    transport: {}\n"
        "    template_refresh: {}s\n    enterprise_number: {}\n    observation_domain: {}\n"
        "    timeout: {}\n",
        v6 ? "[" : "", collector.host, v6 ? "]" : "", collector.port,
        ipfixTransportName(collector.transport), ipfix->template_refresh.count(),
        ipfix->enterprise_number, ipfix->observation_domain, formatMillis(ipfix->timeout));
  }
  text += fmt::format("logging:\n  level: {}\n  format: {}\n", config.logging.level,
                      config.logging.format);
}

void describeRule(const PolicyRule& rule, std::string& text) {
  text += fmt::format("      - name: {}\n        action: {}\n", rule.name,
                      policyActionName(rule.action));
  for (const RuleListKey& list : ruleListKeys()) {
    const std::vector<std::string>& values = rule.*list.list;
    if (!values.empty())
      text += fmt::format("        {}: [{}]\n", list.key, fmt::join(values, ", "));
  }
  if (rule.severity) text += fmt::format("        severity: {}\n", severityName(*rule.severity));
}

std::string_view alertSwitch(const std::optional<Severity>& severity) {
  return severity ? severityName(*severity) : "off";
}

void describePolicy(const std::vector<GroupPolicy>& groups, std::string& text) {
  text += "policy:\n";
  for (const GroupPolicy& group : groups) {
    text += fmt::format(
        "  {}:\n    default_action: {}\n    default_severity: {}\n"
        "    vendor_cloud_catalog: {}\n    hardcoded_address: {}\n    destination_drift: {}\n"
        "    resolvers:{}\n    external_resolver: {}\n    encrypted_dns: {}\n    rules:{}\n",
        group.name, policyActionName(group.default_action), severityName(group.default_severity),
        group.vendor_cloud_catalog, alertSwitch(group.hardcoded_address),
        alertSwitch(group.destination_drift),
        group.resolvers ? " " + prefixes(*group.resolvers)
                        : std::string("  # unset: the site's own, any host that is no egress "
                                      "destination"),
        alertSwitch(group.external_resolver), alertSwitch(group.encrypted_dns),
        group.rules.empty() ? " []" : "");
    for (const PolicyRule& rule : group.rules) describeRule(rule, text);
  }
}

}  // namespace

std::string describeConfig(const Config& config) {
  std::string text;
  text += fmt::format("# effective configuration (from {})\n", config.source);
  for (std::size_t i = 1; i < config.source_files.size(); ++i) {
    text += fmt::format("#   including {}\n", config.source_files[i]);
  }
  text += fmt::format("sensor:\n  name: {}\n", config.sensor_name);
  if (!config.run_as_user.empty()) text += fmt::format("  user: {}\n", config.run_as_user);
  if (!config.sensor_country.empty()) {
    text += fmt::format("  country: {}\n", config.sensor_country);
  }
  describeEngine(config, text);
  describeInventory(config, text);
  describeGroups(config, text);
  describeAlerts(config.alerts, config.alert_sinks, text);
  describeService(config, text);
  describePolicy(config.policy_groups, text);
  // Wherever a secret from the environment landed (a header, a URL's token), not only in the
  // keys known to hold one: the text is shown and pasted into tickets.
  for (const std::string& secret : config.hidden_values) {
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + std::string_view("<hidden>").size())) {
      text.replace(at, secret.size(), "<hidden>");
    }
  }
  return text;
}

}  // namespace camwatch
