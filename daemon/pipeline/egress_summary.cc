#include "pipeline/egress_summary.h"

#include <cstring>
#include <string>
#include <string_view>

namespace camwatch {

void addEgressSummary(EgressTrafficTable& table, const EgressFlowSummary& summary) {
  const CameraFacts& camera = summary.camera;
  std::string label;
  if (summary.naming && summary.naming->inventory) {
    const HostIdentity identity =
        summary.naming->inventory->identify(camera.ip, camera.has_mac ? camera.mac.data() : nullptr,
                                            camera.vlan_outer, camera.vlan_inner);
    label = identity.name;
  }
  if (label.empty()) label = camera.ip.toString();
  const std::string_view country(summary.country.data(), strnlen(summary.country.data(), 3));
  std::string_view operator_country;
  std::string_view network_operator;
  if (summary.naming && summary.naming->operators) {
    const NetworkOperator* op = summary.naming->operators->find(summary.asn, summary.server);
    if (op != nullptr) {
      operator_country = op->country;
      network_operator = op->name;
    }
  }
  table.add(EgressKey{label, country, summary.asn, ProtocolText::view(summary.protocol),
                      operator_country, network_operator},
            summary.bytes, summary.flows);
}

}  // namespace camwatch
