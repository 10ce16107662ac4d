#include "alert/alert_factory.h"

#include <algorithm>
#include <cstring>

#include <camwatch/decode.h>
#include <camwatch/dpi.h>

#include "util/text.h"

namespace camwatch {

void ProtocolText::set(std::array<char, kSize>& field, std::string_view text) {
  const std::size_t length = std::min(text.size(), kSize - 1);
  std::memcpy(field.data(), text.data(), length);
  field[length] = '\0';
}

std::string_view ProtocolText::view(const std::array<char, kSize>& field) {
  return std::string_view(field.data(), strnlen(field.data(), kSize));
}

std::string_view NamingSnapshot::groupName(GroupId id) const {
  return inventory ? inventory->groupName(id) : std::string_view();
}

std::string_view NamingSnapshot::ruleLabel(RuleId id) const {
  return policy ? policy->ruleLabel(id) : fixedRuleLabel(id);
}

HostIdentity AlertFactory::identity(const NamingSnapshot* naming, const CameraFacts& facts) const {
  if (naming == nullptr || !naming->inventory) return HostIdentity{};
  return naming->inventory->identify(facts.ip, facts.has_mac ? facts.mac.data() : nullptr,
                                     facts.vlan_outer, facts.vlan_inner);
}

AlertCamera AlertFactory::camera(const NamingSnapshot* naming, const CameraFacts& facts) const {
  AlertCamera camera;
  camera.ip = facts.ip;
  if (facts.has_mac) camera.mac = macToString(facts.mac);
  const HostIdentity identity = this->identity(naming, facts);
  camera.name = std::string(identity.name);
  camera.vendor = std::string(identity.vendor);
  camera.group = std::string(identity.group);
  return camera;
}

bool AlertFactory::isDns(const FlowJudged& flow) {
  const std::string_view name = ProtocolText::view(flow.protocol.name);
  const std::string_view app = name == "Unknown" ? name : ProtocolText::view(flow.protocol.app);
  return ProtocolText::view(flow.protocol.master) == "DNS" || app == "DNS";
}

AlertDestination AlertFactory::destination(const FlowJudged& flow, bool with_org) {
  AlertDestination destination;
  destination.port = flow.port;
  if (flow.dns_query || flow.hostname_source == HostnameSource::kDnsQuery) {
    // A DNS flow: the name is the question; the destination is the resolver.
    destination.dns_query = flow.hostname.data();
  } else {
    destination.hostname = flow.hostname.data();
    destination.hostname_source =
        destinationNameSource(flow.hostname_source, flow.hostname[0] != '\0',
                              addressScope(flow.server) == AddressScope::kPublic);
  }
  destination.ip = flow.server;
  destination.country = std::string(flow.country.data(), strnlen(flow.country.data(), 3));
  destination.asn = flow.asn;
  const GeoLookup* geo = flow.naming ? flow.naming->geo.get() : nullptr;
  if (with_org && geo != nullptr && flow.asn != 0) destination.org = geo->lookup(flow.server).org;
  const OperatorTable* operators = flow.naming ? flow.naming->operators.get() : nullptr;
  if (operators != nullptr) {
    if (const NetworkOperator* op = operators->find(flow.asn, flow.server)) {
      destination.network_operator = op->name;
      destination.operator_country = op->country;
    }
  }
  return destination;
}

Alert AlertFactory::flowAlert(const FlowJudged& flow) const {
  Alert alert;
  alert.time = flow.time;
  alert.severity = flow.severity;
  alert.kind = flow.kind;
  alert.camera = camera(flow.naming.get(), flow.camera);
  alert.destination = destination(flow, true);
  alert.protocol.l4 = ipProtocolName(flow.ip_proto);
  alert.protocol.risks = riskNames(flow.risk);
  if (!flow.dns_query) {
    const std::string_view name = ProtocolText::view(flow.protocol.name);
    alert.protocol.app =
        std::string(name == "Unknown" ? name : ProtocolText::view(flow.protocol.app));
    alert.protocol.master = std::string(ProtocolText::view(flow.protocol.master));
    alert.protocol.category = std::string(ProtocolText::view(flow.protocol.category));
  }
  alert.evidence.first_seen = flow.first_seen;
  alert.evidence.last_seen = flow.last_seen;
  alert.evidence.packets = flow.packets;
  alert.evidence.bytes = flow.bytes;
  alert.rule = std::string(ruleLabel(flow));
  if (flow.naming) alert.sensor = flow.naming->sensor_name;
  alert.dedup_key = camwatch::dedupKey(alert);
  return alert;
}

std::string AlertFactory::dedupKey(const FlowJudged& flow) const {
  return camwatch::dedupKey(flow.camera.ip, flow.kind, destination(flow, false));
}

}  // namespace camwatch
