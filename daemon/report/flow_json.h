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
#include <camwatch/packet.h>
#include <camwatch/result.h>

namespace camwatch {

/// TCP flags as letters in the order FSRPAU, e.g. "SAF"; empty when none.
std::string tcpFlagLetters(std::uint8_t flags);

/// What turns the ids and addresses in a record into names. Any member may be null: the fields
/// it would fill are then empty ("Unknown" for the protocol).
struct FlowNaming {
  const ProtocolNames* dpi = nullptr;
  const GeoLookup* geo = nullptr;
  const OuiTable* oui = nullptr;
};

nlohmann::ordered_json flowToJson(const FlowRecord& flow, const FlowNaming& naming);

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
};

}  // namespace camwatch
