// scenarios: the captures camwatch-testgen writes, as a library so tests can run them in-process
// too. Every scenario is deterministic: fixed seeds, packet time from kScenarioEpoch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/packet.h>

#include "support/pcap_writer.h"
#include "support/traffic.h"

namespace camwatch::testkit {

/// 2026-01-15T09:00:00Z, the start of every generated capture.
inline constexpr Timestamp kScenarioEpoch = 1768467600LL * kNanosPerSecond;

/// Link layer for the `linktypes` scenario.
enum class LinkChoice : std::uint8_t { kEthernet, kSll, kSll2, kRaw, kIpv4, kIpv6, kNull };

/// Parses "ethernet", "sll", "sll2", "raw", "ipv4", "ipv6", "null"; false when unknown.
bool parseLinkChoice(std::string_view text, LinkChoice& out);

struct ScenarioOptions {
  LinkChoice link = LinkChoice::kEthernet;  ///< linktypes only
  bool pcapng = false;
  std::uint32_t snaplen = 262144;
  TsResolution resolution = TsResolution::kNano;
  std::uint64_t packets = 750000;  ///< bench only
  std::uint64_t flows = 220000;    ///< bench only: at least this many flows
  std::uint64_t cameras = 200;     ///< fleet only
  std::uint64_t seed = 1;
};

struct ScenarioInfo {
  std::string name;
  std::string description;
  bool has_expect;  ///< writes expected flow facts
};

const std::vector<ScenarioInfo>& scenarios();

/// Writes scenario `name` to `output`; fills `expected` (may be null) for scenarios with
/// expected facts. Returns the number of packets written. Throws std::invalid_argument for an
/// unknown scenario and std::runtime_error when the file cannot be written.
std::uint64_t runScenario(const std::string& name, const std::string& output,
                          const ScenarioOptions& options, ExpectedCapture* expected);

}  // namespace camwatch::testkit
