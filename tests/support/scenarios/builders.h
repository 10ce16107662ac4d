// One entry point per scenario, for the registry (registry.cc) that runScenario() dispatches
// from. Private to tests/support/scenarios/.
#pragma once

#include <cstdint>

#include "support/pcap_writer.h"
#include "support/scenarios.h"
#include "support/traffic.h"

namespace camwatch::testkit::scenario {

// small.cc
void buildBasic(TrafficMix& mix);
void buildLinktypes(TrafficMix& mix, LinkKind kind, bool want_v4, bool want_v6);
void buildTimeouts(TrafficMix& mix, ExpectedCapture* expected);
LinkKind linkKindFor(LinkChoice choice);
std::uint32_t linktypeForChoice(LinkChoice choice);

// demo.cc
void buildDemo(TrafficMix& mix);

// branch.cc: a second site, for the tests of many sensors.
void buildBranch(TrafficMix& mix);

// load.cc: these stream straight to `writer`, as their captures are too large to hold.
void writeBench(const ScenarioOptions& options, PacketWriter& writer);
std::uint64_t writeFlood(PacketWriter& writer, std::uint64_t flows);
std::uint64_t writeSpoof(PacketWriter& writer, std::uint64_t sources);
std::uint64_t writeConcurrent(PacketWriter& writer, std::uint64_t flows);

// fleet.cc: streams too.
void writeFleet(const ScenarioOptions& options, PacketWriter& writer);

}  // namespace camwatch::testkit::scenario
