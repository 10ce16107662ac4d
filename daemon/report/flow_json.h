// Flow records as JSON: one object per flow, one flow per line (docs/flows.md lists the fields).
// Runs off the hot path (after the flows ended), so allocation here is fine.
#pragma once

#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <camwatch/classifier.h>
#include <camwatch/flow.h>
#include <camwatch/geo.h>
#include <camwatch/inventory.h>
#include <camwatch/operators.h>
#include <camwatch/packet.h>
#include <camwatch/result.h>

#include "dpi/protocol_name_cache.h"

namespace camwatch {

/// TCP flags as letters in the order FSRPAU, e.g. "SAF"; empty when none.
std::string tcpFlagLetters(std::uint8_t flags);

/// What turns the ids and addresses in a record into names. Any member may be null: the fields
/// it would fill are then empty ("Unknown" for the protocol).
struct FlowNaming {
  const ProtocolNames* dpi = nullptr;
  const GeoLookup* geo = nullptr;
  const OuiTable* oui = nullptr;
  const OperatorTable* operators = nullptr;  ///< null: operator fields empty
};

/// The record as a JSON value: the format's definition (docs/flows.md), which appendFlowJson
/// writes the same bytes of.
nlohmann::ordered_json flowToJson(const FlowRecord& flow, const FlowNaming& naming);

/// Appends flowToJson(flow, naming).dump(-1, ' ', false, replace), written straight (JsonLine):
/// what --flows writes per record. `protocol_names` names the protocol for `naming.dpi`.
void appendFlowJson(std::string& out, const FlowRecord& flow, const FlowNaming& naming,
                    ProtocolNameCache& protocol_names);

/// Writes flow records to a file as JSON lines, one at a time as a replay hands them over, so no
/// record has to be kept for it.
class FlowJsonLinesWriter {
 public:
  /// Opens (truncates) `path`; "-" is standard output. Fails naming the file.
  static Result<std::unique_ptr<FlowJsonLinesWriter>> open(const std::string& path);
  void write(const FlowRecord& flow, const FlowNaming& naming);
  /// Flushes; fails naming the file when any write failed.
  Result<void> close();

 private:
  explicit FlowJsonLinesWriter(std::string path) : path_(std::move(path)) {}
  std::string path_;
  std::ofstream file_;
  std::ostream* out_ = nullptr;
  std::string line_;  // reused: one line's text
  ProtocolNameCache protocol_names_;
  const ProtocolNames* names_for_ = nullptr;
};

}  // namespace camwatch
