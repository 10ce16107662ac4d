// classifier: the interface a worker classifies its flows through (NdpiClassifier in daemon, a
// fake in tests/mocks). It works on a flow's FlowClassification and on a handle of its own
// per-flow state that the worker keeps next to the flow: the flow record itself carries no
// classifier state, so the flow table knows nothing about DPI.
//
// Threads: one classifier per worker, used by that worker only; ProtocolNames as each says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <camwatch/classification.h>
#include <camwatch/decode.h>

namespace camwatch {

/// A classifier's handle of its state for one flow, kept by the worker while the flow lives.
/// Zero (the default) is "no state": a new flow, or one whose classification is final.
struct ClassifierState {
  std::uint32_t id = 0;
  bool empty() const { return id == 0; }
};

/// Names of the ids a classifier puts into FlowClassification, byte for byte as they appear in
/// the outputs ("TLS.Google", "DNS.HikConnect", "Unknown").
class ProtocolNames {
 public:
  virtual ~ProtocolNames() = default;
  /// master.app as ndpiReader prints it (the app alone when there is no master).
  virtual std::string protocolName(const FlowClassification& dpi) const = 0;
  /// The name of one protocol id, of the category: views valid as long as this object.
  virtual std::string_view protocolIdName(std::uint16_t id) const = 0;
  virtual std::string_view categoryName(const FlowClassification& dpi) const = 0;
};

class Classifier {
 public:
  virtual ~Classifier() = default;

  /// Feeds one packet of a flow whose classification is not final. `packets_seen`: the flow's
  /// packets so far, both ways, this one included; `frame` is the captured packet from its first
  /// byte. May set `dpi.final`, and then leaves `state` empty.
  virtual void onPacket(FlowClassification& dpi, ClassifierState& state, std::uint64_t packets_seen,
                        const DecodedPacket& packet, std::span<const std::uint8_t> frame) = 0;

  /// The flow ended: makes its classification final (giving up and guessing when undecided) and
  /// takes its state back, leaving `state` empty. Harmless when already final.
  virtual void finish(FlowClassification& dpi, ClassifierState& state) = 0;

  /// Per-flow states handed out and not yet taken back (flows being classified).
  virtual std::size_t statesInUse() const = 0;

  /// Names of this classifier's ids; lives as long as the classifier.
  virtual const ProtocolNames& names() const = 0;
};

}  // namespace camwatch
