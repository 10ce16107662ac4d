// ProtocolNameCache: "TLS.HikConnect" for a flow's (master, app) protocol pair, formatted once
// per pair and handed out as a view from then on. A worker names the protocol of every egress
// flow it judges or summarises; nDPI formats the name into a buffer each time, so without the
// cache that is a string built per flow, mostly for a verdict that turns out a silent allow.
//
// The pairs are those nDPI names on this worker's traffic: a few dozen in practice, and never
// more than nDPI's protocols squared. Entries are never dropped, so views stay valid.
//
// Threads: one cache per worker, used by that worker only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <camwatch/classification.h>
#include <camwatch/classifier.h>

namespace camwatch {

class ProtocolNameCache {
 public:
  /// names.protocolName(dpi), for `names` of the same classifier (or one made from the same
  /// DpiConfig) on every call. Valid as long as this cache.
  std::string_view protocolName(const ProtocolNames& names, const FlowClassification& dpi);

  /// Pairs named so far.
  std::size_t size() const { return names_.size(); }

 private:
  std::unordered_map<std::uint32_t, std::string> names_;  // key: master << 16 | app
};

}  // namespace camwatch
