// NdpiClassifier: the Classifier (camwatch/classifier.h) of a worker, on nDPI. Inputs: the
// packets of a flow, from the L3 header, until nDPI is done (or a packet limit is reached, then
// it gives up and guesses, as ndpiReader does). Outputs: the flow's FlowClassification, and the
// names of its ids (ProtocolNames). Thread: the owning worker only; nDPI modules are created one
// after another at start-up.
//
// The nDPI flow state (~700 bytes) lives only while a flow is being classified; it comes from a
// per-worker pool and goes back as soon as classification is final. The worker holds it by a
// ClassifierState handle, so flow records never point into nDPI.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/classification.h>
#include <camwatch/classifier.h>
#include <camwatch/decode.h>
#include <camwatch/dpi.h>
#include <camwatch/result.h>

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;

namespace camwatch {

class NdpiClassifier final : public Classifier, public ProtocolNames {
 public:
  /// Creates one nDPI module with all protocols and the custom protocols file. Fails naming the
  /// file when it cannot be read. Not thread-safe: create classifiers one after another.
  static Result<std::unique_ptr<NdpiClassifier>> create(const DpiConfig& config);
  ~NdpiClassifier() override;
  NdpiClassifier(const NdpiClassifier&) = delete;
  NdpiClassifier& operator=(const NdpiClassifier&) = delete;

  // camwatch::Classifier. nDPI gets the frame from `packet.l3_offset`.
  void onPacket(FlowClassification& dpi, ClassifierState& state, std::uint64_t packets_seen,
                const DecodedPacket& packet, std::span<const std::uint8_t> frame) override;
  void finish(FlowClassification& dpi, ClassifierState& state) override;
  /// nDPI flow states taken from the pool right now (flows being classified).
  std::size_t statesInUse() const override { return states_in_use_; }
  const ProtocolNames& names() const override { return *this; }

  // camwatch::ProtocolNames. The protocol name is exactly as ndpiReader prints it. Any
  // classifier created from the same DpiConfig gives the same names (custom protocols get their
  // ids in file order). Thread: any, once no worker uses this classifier any more. The views
  // (nDPI's own names) are no copies and valid as long as this classifier.
  std::string protocolName(const FlowClassification& dpi) const override;
  std::string_view protocolIdName(std::uint16_t id) const override;
  std::string_view categoryName(const FlowClassification& dpi) const override;

  /// Bytes nDPI has allocated, all modules together (modules, automata, flow internals). Any
  /// thread.
  static std::uint64_t memoryInUse();
  /// An upper bound of the most nDPI ever had allocated at once, since the process started: the
  /// sum of each thread's own peak (threads count separately, so that nDPI's allocations on the
  /// workers share no cache line). With one thread allocating it is exact; with several it can
  /// exceed the true peak by what one thread had freed again when another peaked.
  static std::uint64_t peakMemory();

 private:
  explicit NdpiClassifier(const DpiConfig& config);
  ClassifierState acquireState();
  ndpi_flow_struct* stateAt(ClassifierState state) const;
  void releaseState(ClassifierState& state);
  void complete(FlowClassification& dpi, ClassifierState& state, bool give_up);

  DpiConfig config_;
  ndpi_detection_module_struct* module_ = nullptr;
  // The pool: state id n (from 1) is the (n - 1)th state of the blocks, in order.
  std::vector<std::uint32_t> free_states_;
  std::vector<std::unique_ptr<std::uint8_t[]>> state_blocks_;
  std::size_t states_in_use_ = 0;
};

}  // namespace camwatch
