// A Classifier (include/camwatch/classifier.h) without nDPI, for tests of the worker: it makes a
// flow final after a set number of packets with the ids it was given, or never (then only the
// flow's end finishes it). It hands out per-flow state handles and checks that the worker gives
// each back with the flow it belongs to, so slot mix-ups in the worker show as misuse().
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include <camwatch/classification.h>
#include <camwatch/classifier.h>
#include <camwatch/decode.h>

namespace camwatch::mocks {

/// Names ids the way no real protocol is named: "M3.A7" (master 3, app 7), "A7" without a
/// master, "Unknown" for neither; categories "C<n>".
class FakeProtocolNames final : public ProtocolNames {
 public:
  std::string protocolName(const FlowClassification& dpi) const override {
    if (dpi.master_protocol == 0 && dpi.app_protocol == 0) return "Unknown";
    const std::string app = "A" + std::to_string(dpi.app_protocol);
    if (dpi.master_protocol == 0) return app;
    return "M" + std::to_string(dpi.master_protocol) + "." + app;
  }
  std::string_view protocolIdName(std::uint16_t id) const override {
    return id == 0 ? std::string_view("Unknown") : remember("P" + std::to_string(id));
  }
  std::string_view categoryName(const FlowClassification& dpi) const override {
    return remember("C" + std::to_string(dpi.category));
  }

 private:
  // Views must outlive the call: each name is kept (set nodes do not move).
  std::string_view remember(std::string name) const {
    return *names_.insert(std::move(name)).first;
  }
  mutable std::set<std::string> names_;
};

/// What a FakeClassifier decides for every flow.
struct FakeOutcome {
  std::uint32_t final_after = 0;  ///< packets until final; 0 = never (only finish() ends it)
  std::uint16_t master = 0;
  std::uint16_t app = 0;
  std::uint16_t category = 0;
};

class FakeClassifier final : public Classifier {
 public:
  explicit FakeClassifier(FakeOutcome outcome) : outcome_(outcome) {}

  void onPacket(FlowClassification& dpi, ClassifierState& state, std::uint64_t packets_seen,
                const DecodedPacket& /*packet*/, std::span<const std::uint8_t> /*frame*/) override {
    ++packets_fed_;
    if (dpi.final || packets_seen == 0) ++misuse_;  // fed after final, or a flow without packets
    if (dpi.final) return;
    if (state.empty()) {
      state = ClassifierState{next_id_++};
      live_.insert(state.id);
    } else if (live_.count(state.id) == 0) {
      ++misuse_;  // a handle this classifier did not hand out, or gave back already
    }
    ++dpi.packets_inspected;
    if (outcome_.final_after != 0 && dpi.packets_inspected >= outcome_.final_after) {
      dpi.master_protocol = outcome_.master;
      dpi.app_protocol = outcome_.app;
      dpi.category = outcome_.category;
      dpi.final = true;
      release(state);
    }
  }

  void finish(FlowClassification& dpi, ClassifierState& state) override {
    if (dpi.final) {
      if (!state.empty()) ++misuse_;  // a final flow keeps no state
      return;
    }
    if (!state.empty() && live_.count(state.id) == 0) ++misuse_;
    ++finished_undecided_;
    dpi.final = true;
    dpi.guessed = true;
    release(state);
  }

  std::size_t statesInUse() const override { return live_.size(); }
  const ProtocolNames& names() const override { return names_; }

  /// Packets the worker fed, flows it finished before they were final, and calls that broke the
  /// interface's rules (feeding a final flow, a stale or foreign state handle).
  std::uint64_t packetsFed() const { return packets_fed_; }
  std::uint64_t finishedUndecided() const { return finished_undecided_; }
  std::uint64_t misuse() const { return misuse_; }

 private:
  void release(ClassifierState& state) {
    if (!state.empty()) live_.erase(state.id);
    state = ClassifierState{};
  }

  FakeOutcome outcome_;
  FakeProtocolNames names_;
  std::set<std::uint32_t> live_;
  std::uint32_t next_id_ = 1;
  std::uint64_t packets_fed_ = 0;
  std::uint64_t finished_undecided_ = 0;
  std::uint64_t misuse_ = 0;
};

}  // namespace camwatch::mocks
