// The building blocks every scenario uses: local MACs, link specs, session specs with their
// sequence numbers seeded from an Rng, ARP exchanges, and writing a finished mix to a capture
// file. Private to tests/support/scenarios/.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "support/packet_builder.h"
#include "support/rng.h"
#include "support/scenarios.h"
#include "support/traffic.h"

namespace camwatch::testkit::scenario {

// Locally administered unicast MACs (02:...) for hosts that need no vendor.
Mac localMac(std::uint32_t n);

LinkSpec ethernet(std::vector<std::uint16_t> vlans = {}, bool qinq = false);

TcpSessionSpec tcpSpec(const LinkSpec& link, const Host& client, std::uint16_t client_port,
                       const Host& server, std::uint16_t server_port, Timestamp start);
UdpExchangeSpec udpSpec(const LinkSpec& link, const Host& client, std::uint16_t client_port,
                        const Host& server, std::uint16_t server_port, Timestamp start);
PingSpec pingSpec(const LinkSpec& link, const Host& client, const Host& server, Timestamp start,
                  unsigned count);

// Seeds the sequence numbers and IP ids of a session from `rng`, as real stacks randomise them.
void randomise(TcpSessionSpec& spec, Rng& rng);
void randomise(UdpExchangeSpec& spec, Rng& rng);

TcpMessage tcpMessage(bool from_client, Bytes data, Timestamp pause = 0);
UdpDatagram udpDatagram(bool from_client, Bytes data, Timestamp pause = 0);

Bytes arpFrame(const LinkSpec& link, std::uint16_t op, const Host& sender, const Mac& target_mac,
               const std::string& target_ip);

// Who-has `target` from `asker`, answered by `target`.
void arpResolve(TrafficMix& mix, const LinkSpec& link, Timestamp ts, const Host& asker,
                const Host& target);

// Splits a conversation's frames into those before `boundary` and the rest (for flows that a
// timeout cuts into two records).
std::pair<std::vector<TimedFrame>, std::vector<TimedFrame>> splitAt(std::vector<TimedFrame> frames,
                                                                    Timestamp boundary);

CaptureFileOptions fileOptions(const ScenarioOptions& options, std::uint32_t linktype);

std::uint64_t writeMix(TrafficMix& mix, const std::string& output, const ScenarioOptions& options,
                       std::uint32_t linktype, ExpectedCapture* expected);

}  // namespace camwatch::testkit::scenario
