// Flow records as JSON: one object per flow, one flow per line (docs/flows.md lists the fields).
// Runs off the hot path (after the flows ended), so allocation here is fine.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch {

/// TCP flags as letters in the order FSRPAU, e.g. "SAF"; empty when none.
std::string tcpFlagLetters(std::uint8_t flags);

/// "aa:bb:cc:dd:ee:ff"
std::string macToString(const std::array<std::uint8_t, 6>& mac);

/// What turns the ids and addresses in a record into names. Any member may be null: the fields
/// it would fill are then empty ("Unknown" for the protocol).
struct FlowNaming {
  const NdpiClassifier* dpi = nullptr;
  const GeoLookup* geo = nullptr;
  const OuiTable* oui = nullptr;
};

nlohmann::ordered_json flowToJson(const FlowRecord& flow, const FlowNaming& naming);

/// Writes `flows` to `path` as JSON lines ("-" is stdout). Fails naming the file.
Result<void> writeFlowsJsonLines(const std::string& path, const std::vector<FlowRecord>& flows,
                                 const FlowNaming& naming);

}  // namespace camwatch
