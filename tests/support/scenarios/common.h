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

// An RTSP session's video from the camera, interleaved RTP on the TCP connection: from `first`
// until `end`, every `period` a burst of `per_burst` RTP packets of `packet_len` bytes (one TCP
// segment each when the session's mss is packet_len) `pause` after the one before was sent, the
// RTP clock advancing `clock_step` per packet. Appended to `spec`'s messages; one rng draw per
// packet.
struct RtpBursts {
  std::uint32_t ssrc = 0;
  Timestamp first = 0;
  Timestamp end = 0;
  Timestamp period = 0;
  Timestamp pause = 0;
  int per_burst = 1;
  std::size_t packet_len = 0;
  std::uint32_t clock_step = 0;
};
void addRtpBursts(TcpSessionSpec& spec, const RtpBursts& bursts, Rng& rng);

// Splits a conversation's frames into those before `boundary` and the rest (for flows that a
// timeout cuts into two records).
std::pair<std::vector<TimedFrame>, std::vector<TimedFrame>> splitAt(std::vector<TimedFrame> frames,
                                                                    Timestamp boundary);

CaptureFileOptions fileOptions(const ScenarioOptions& options, std::uint32_t linktype);

std::uint64_t writeMix(TrafficMix& mix, const std::string& output, const ScenarioOptions& options,
                       std::uint32_t linktype, ExpectedCapture* expected);

}  // namespace camwatch::testkit::scenario
