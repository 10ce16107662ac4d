#include "support/scenarios/common.h"

#include <utility>

#include "support/app_payloads.h"

namespace camwatch::testkit::scenario {

Mac localMac(std::uint32_t n) {
  return {0x02,
          0x00,
          0x00,
          static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8),
          static_cast<std::uint8_t>(n)};
}

LinkSpec ethernet(std::vector<std::uint16_t> vlans, bool qinq) {
  LinkSpec link;
  link.vlans = std::move(vlans);
  link.qinq = qinq;
  return link;
}

TcpSessionSpec tcpSpec(const LinkSpec& link, const Host& client, std::uint16_t client_port,
                       const Host& server, std::uint16_t server_port, Timestamp start) {
  TcpSessionSpec spec;
  spec.link = link;
  spec.client = client;
  spec.client_port = client_port;
  spec.server = server;
  spec.server_port = server_port;
  spec.start = start;
  return spec;
}

UdpExchangeSpec udpSpec(const LinkSpec& link, const Host& client, std::uint16_t client_port,
                        const Host& server, std::uint16_t server_port, Timestamp start) {
  UdpExchangeSpec spec;
  spec.link = link;
  spec.client = client;
  spec.client_port = client_port;
  spec.server = server;
  spec.server_port = server_port;
  spec.start = start;
  return spec;
}

PingSpec pingSpec(const LinkSpec& link, const Host& client, const Host& server, Timestamp start,
                  unsigned count) {
  PingSpec spec;
  spec.link = link;
  spec.client = client;
  spec.server = server;
  spec.start = start;
  spec.count = count;
  return spec;
}

void randomise(TcpSessionSpec& spec, Rng& rng) {
  spec.client_isn = rng.u32();
  spec.server_isn = rng.u32();
  spec.client_ip_id = rng.u16();
  spec.server_ip_id = rng.u16();
}

void randomise(UdpExchangeSpec& spec, Rng& rng) {
  spec.client_ip_id = rng.u16();
  spec.server_ip_id = rng.u16();
}

TcpMessage tcpMessage(bool from_client, Bytes data, Timestamp pause) {
  TcpMessage message;
  message.from_client = from_client;
  message.data = std::move(data);
  message.pause = pause;
  return message;
}

UdpDatagram udpDatagram(bool from_client, Bytes data, Timestamp pause) {
  UdpDatagram datagram;
  datagram.from_client = from_client;
  datagram.data = std::move(data);
  datagram.pause = pause;
  return datagram;
}

Bytes arpFrame(const LinkSpec& link, std::uint16_t op, const Host& sender, const Mac& target_mac,
               const std::string& target_ip) {
  ArpSpec arp;
  arp.op = op;
  arp.sender_mac = sender.mac;
  arp.sender_ip = sender.ip;
  arp.target_mac = op == 1 ? Mac{} : target_mac;
  arp.target_ip = target_ip;
  Frame frame;
  frame.eth(sender.mac, op == 1 ? kBroadcastMac : target_mac);
  for (std::uint16_t vlan : link.vlans) frame.vlan(vlan);
  return frame.arp(arp).padTo(link.pad_to).build();
}

void arpResolve(TrafficMix& mix, const LinkSpec& link, Timestamp ts, const Host& asker,
                const Host& target) {
  mix.addFrame(ts, arpFrame(link, 1, asker, kBroadcastMac, target.ip));
  mix.addFrame(ts + 300 * kMicros, arpFrame(link, 2, target, asker.mac, asker.ip));
}

void addRtpBursts(TcpSessionSpec& spec, const RtpBursts& bursts, Rng& rng) {
  std::uint16_t rtp_seq = 1;
  std::uint32_t rtp_ts = 0;
  for (Timestamp t = bursts.first; t < bursts.end; t += bursts.period) {
    Bytes burst;
    for (int i = 0; i < bursts.per_burst; ++i) {
      putBytes(burst, rtpInterleaved(0, rtp_seq++, rtp_ts, bursts.ssrc, bursts.packet_len - 16,
                                     rng.next()));
      rtp_ts += bursts.clock_step;
    }
    spec.messages.push_back(tcpMessage(false, std::move(burst), bursts.pause));
  }
}

std::pair<std::vector<TimedFrame>, std::vector<TimedFrame>> splitAt(std::vector<TimedFrame> frames,
                                                                    Timestamp boundary) {
  std::pair<std::vector<TimedFrame>, std::vector<TimedFrame>> parts;
  for (TimedFrame& frame : frames) {
    (frame.ts < boundary ? parts.first : parts.second).push_back(std::move(frame));
  }
  return parts;
}

CaptureFileOptions fileOptions(const ScenarioOptions& options, std::uint32_t linktype) {
  CaptureFileOptions file;
  file.linktype = linktype;
  file.snaplen = options.snaplen;
  file.resolution = options.resolution;
  return file;
}

std::uint64_t writeMix(TrafficMix& mix, const std::string& output, const ScenarioOptions& options,
                       std::uint32_t linktype, ExpectedCapture* expected) {
  PacketWriterPtr writer = openCaptureFile(output, options.pcapng, fileOptions(options, linktype));
  mix.writeTo(*writer, expected);
  writer->close();
  return writer->packetsWritten();
}

}  // namespace camwatch::testkit::scenario
