#include "support/traffic.h"

#include <algorithm>
#include <span>
#include <utility>

namespace camwatch::testkit {
namespace {

void addIpLayer(Frame& frame, const Host& src, const Host& dst, std::uint16_t id, std::uint8_t ttl,
                bool dont_fragment) {
  if (IpBytes::parse(src.ip).v6) {
    Ipv6Options options;
    options.hop_limit = ttl;
    frame.ipv6(src.ip, dst.ip, options);
  } else {
    Ipv4Options options;
    options.ttl = ttl;
    options.id = id;
    options.df = dont_fragment;
    frame.ipv4(src.ip, dst.ip, options);
  }
}

FlowFacts baseFacts(const LinkSpec& link, std::string l4, const Host& client,
                    std::uint16_t client_port, const Host& server, std::uint16_t server_port) {
  FlowFacts facts;
  facts.l4 = std::move(l4);
  if (link.kind == LinkKind::kEthernet) {
    if (!link.vlans.empty()) facts.vlan = link.vlans[0];
    if (link.vlans.size() > 1) facts.vlan_inner = link.vlans[1];
  }
  facts.src_ip = canonicalIp(client.ip);
  facts.src_port = client_port;
  facts.dst_ip = canonicalIp(server.ip);
  facts.dst_port = server_port;
  return facts;
}

}  // namespace

std::uint32_t linktypeFor(LinkKind kind) {
  switch (kind) {
    case LinkKind::kEthernet:
      return kLinktypeEthernet;
    case LinkKind::kSll:
      return kLinktypeLinuxSll;
    case LinkKind::kSll2:
      return kLinktypeLinuxSll2;
    case LinkKind::kRaw:
      return kLinktypeRaw;
    case LinkKind::kNull:
      return kLinktypeNull;
  }
  return kLinktypeEthernet;
}

Frame linkFrame(const LinkSpec& link, const Host& src, const Host& dst, bool to_server) {
  Frame frame;
  switch (link.kind) {
    case LinkKind::kEthernet:
      frame.eth(src.mac, dst.mac);
      for (std::size_t i = 0; i < link.vlans.size(); ++i) {
        if (i == 0 && link.qinq) {
          frame.svlan(link.vlans[i]);
        } else {
          frame.vlan(link.vlans[i]);
        }
      }
      frame.padTo(link.pad_to);
      break;
    case LinkKind::kSll:
      frame.sll(src.mac, to_server ? kSllOutgoing : kSllHost);
      break;
    case LinkKind::kSll2:
      frame.sll2(src.mac, 2, to_server ? kSllOutgoing : kSllHost);
      break;
    case LinkKind::kRaw:
      break;
    case LinkKind::kNull:
      frame.nullLink();
      break;
  }
  return frame;
}

std::vector<TimedFrame> tcpSession(const TcpSessionSpec& spec) {
  std::vector<TimedFrame> out;
  Timestamp now = spec.start;
  // Index 0 is the client, 1 the server: next sequence number to send, next IP id.
  std::array<std::uint32_t, 2> next_seq = {spec.client_isn, spec.server_isn};
  std::array<std::uint16_t, 2> ip_id = {spec.client_ip_id, spec.server_ip_id};

  auto emit = [&](bool from_client, std::uint8_t flags, std::span<const std::uint8_t> data,
                  const Bytes& tcp_options) {
    std::size_t sender = from_client ? 0 : 1;
    const Host& src = from_client ? spec.client : spec.server;
    const Host& dst = from_client ? spec.server : spec.client;
    Frame frame = linkFrame(spec.link, src, dst, from_client);
    addIpLayer(frame, src, dst, ip_id[sender]++, from_client ? spec.client_ttl : spec.server_ttl,
               true);
    TcpOptions tcp;
    tcp.seq = next_seq[sender];
    tcp.ack = (flags & kAck) != 0 ? next_seq[1 - sender] : 0;
    // Window scaling (x128) is offered in the SYNs, so later windows are the scaled-down values.
    if ((flags & kSyn) != 0) {
      tcp.window = from_client ? 64240 : 65160;
    } else {
      tcp.window = from_client ? 502 : 509;
    }
    tcp.options = tcp_options;
    frame.tcp(from_client ? spec.client_port : spec.server_port,
              from_client ? spec.server_port : spec.client_port, flags, tcp);
    frame.payload(data);
    out.push_back({now, frame.build(), from_client});
    now += spec.gap;
    // SYN and FIN each take one sequence number.
    next_seq[sender] +=
        static_cast<std::uint32_t>(data.size()) + ((flags & (kSyn | kFin)) != 0 ? 1U : 0U);
  };

  if (spec.handshake) {
    emit(true, kSyn, {}, tcpSynOptions(static_cast<std::uint16_t>(spec.mss)));
    emit(false, kSynAck, {}, tcpSynOptions(static_cast<std::uint16_t>(spec.mss)));
    emit(true, kAck, {}, {});
  }
  for (std::size_t m = 0; m < spec.messages.size(); ++m) {
    const TcpMessage& message = spec.messages[m];
    now += message.pause;
    unsigned unacked = 0;
    for (std::size_t pos = 0; pos < message.data.size(); pos += spec.mss) {
      std::size_t len = std::min(spec.mss, message.data.size() - pos);
      bool last = pos + len >= message.data.size();
      emit(message.from_client, last ? kPshAck : kAck,
           std::span<const std::uint8_t>(message.data.data() + pos, len), {});
      if (++unacked >= spec.ack_every && !last) {
        emit(!message.from_client, kAck, {}, {});
        unacked = 0;
      }
    }
    // Data from the other side right away acknowledges this message; otherwise a pure ACK.
    bool answered_at_once = m + 1 < spec.messages.size() &&
                            spec.messages[m + 1].from_client != message.from_client &&
                            spec.messages[m + 1].pause == 0;
    if (!message.data.empty() && !answered_at_once) emit(!message.from_client, kAck, {}, {});
  }
  if (spec.close) {
    emit(true, kFinAck, {}, {});
    emit(false, kFinAck, {}, {});
    emit(true, kAck, {}, {});
  }
  return out;
}

void cutToSnaplen(std::vector<TimedFrame>& frames, std::size_t whole, std::size_t snaplen) {
  for (std::size_t i = whole; i < frames.size(); ++i) {
    TimedFrame& frame = frames[i];
    if (frame.bytes.size() <= snaplen) continue;
    frame.wire_len = static_cast<std::uint32_t>(frame.wireLength());
    frame.bytes.resize(snaplen);
    frame.bytes.shrink_to_fit();  // a bulk transfer's frames would otherwise keep their payload
  }
}

std::vector<TimedFrame> udpExchange(const UdpExchangeSpec& spec) {
  std::vector<TimedFrame> out;
  Timestamp now = spec.start;
  std::array<std::uint16_t, 2> ip_id = {spec.client_ip_id, spec.server_ip_id};
  for (const UdpDatagram& datagram : spec.datagrams) {
    now += datagram.pause;
    bool from_client = datagram.from_client;
    const Host& src = from_client ? spec.client : spec.server;
    const Host& dst = from_client ? spec.server : spec.client;
    Frame frame = linkFrame(spec.link, src, dst, from_client);
    addIpLayer(frame, src, dst, ip_id[from_client ? 0 : 1]++,
               from_client ? spec.client_ttl : spec.server_ttl, false);
    frame.udp(from_client ? spec.client_port : spec.server_port,
              from_client ? spec.server_port : spec.client_port);
    frame.payload(datagram.data);
    out.push_back({now, frame.build(), from_client});
    now += spec.gap;
  }
  return out;
}

std::vector<TimedFrame> pingExchange(const PingSpec& spec) {
  std::vector<TimedFrame> out;
  for (unsigned i = 0; i < spec.count; ++i) {
    Timestamp sent = spec.start + static_cast<Timestamp>(i) * spec.interval;
    auto seq = static_cast<std::uint16_t>(i + 1);
    for (bool request : {true, false}) {
      const Host& src = request ? spec.client : spec.server;
      const Host& dst = request ? spec.server : spec.client;
      Frame frame = linkFrame(spec.link, src, dst, request);
      addIpLayer(frame, src, dst, static_cast<std::uint16_t>(0x4000 + i), request ? 64 : 57, false);
      frame.icmpEcho(spec.id, seq, !request).payload(spec.payload_len);
      out.push_back({request ? sent : sent + spec.rtt, frame.build(), request});
    }
  }
  return out;
}

FlowFacts flowFacts(const TcpSessionSpec& spec) {
  return baseFacts(spec.link, "tcp", spec.client, spec.client_port, spec.server, spec.server_port);
}

FlowFacts flowFacts(const UdpExchangeSpec& spec) {
  return baseFacts(spec.link, "udp", spec.client, spec.client_port, spec.server, spec.server_port);
}

FlowFacts flowFacts(const PingSpec& spec) {
  bool v6 = IpBytes::parse(spec.client.ip).v6;
  return baseFacts(spec.link, v6 ? "icmpv6" : "icmp", spec.client, 0, spec.server, 0);
}

std::size_t ExpectedCapture::addFlow(FlowFacts facts) {
  flows_.push_back(std::move(facts));
  return flows_.size() - 1;
}

void ExpectedCapture::countPacket(std::uint64_t wire_len) {
  ++packets_;
  bytes_ += wire_len;
}

void ExpectedCapture::countFlowPacket(std::size_t flow, bool to_server, std::uint64_t wire_len) {
  countPacket(wire_len);
  FlowFacts& facts = flows_.at(flow);
  std::size_t direction = to_server ? 0 : 1;
  ++facts.packets[direction];
  facts.bytes[direction] += wire_len;
}

void ExpectedCapture::annotate(const std::string& key, nlohmann::json value) {
  notes_[key] = std::move(value);
}

nlohmann::json ExpectedCapture::toJson() const {
  nlohmann::json flows = nlohmann::json::array();
  for (const FlowFacts& facts : flows_) {
    flows.push_back({
        {"l4", facts.l4},
        {"vlan", facts.vlan},
        {"vlan_inner", facts.vlan_inner},
        {"src_ip", facts.src_ip},
        {"src_port", facts.src_port},
        {"dst_ip", facts.dst_ip},
        {"dst_port", facts.dst_port},
        {"packets_to_server", facts.packets[0]},
        {"packets_to_client", facts.packets[1]},
        {"bytes_to_server", facts.bytes[0]},
        {"bytes_to_client", facts.bytes[1]},
    });
  }
  nlohmann::json out = notes_;
  out["packets"] = packets_;
  out["bytes"] = bytes_;
  out["flows"] = std::move(flows);
  return out;
}

std::size_t TrafficMix::addFlow(const FlowFacts& facts, std::vector<TimedFrame> frames) {
  flows_.push_back(facts);
  std::size_t index = flows_.size() - 1;
  addToFlow(index, std::move(frames));
  return index;
}

void TrafficMix::addToFlow(std::size_t flow, std::vector<TimedFrame> frames) {
  for (TimedFrame& frame : frames) frames_.push_back({std::move(frame), flow});
}

void TrafficMix::addFrame(Timestamp ts, Bytes bytes) {
  frames_.push_back({{ts, std::move(bytes), true}, kNoFlow});
}

void TrafficMix::writeTo(PacketWriter& writer, ExpectedCapture* expected) {
  std::stable_sort(frames_.begin(), frames_.end(),
                   [](const Entry& a, const Entry& b) { return a.frame.ts < b.frame.ts; });
  std::size_t first_flow = 0;
  if (expected != nullptr) {
    first_flow = expected->flows().size();
    for (const FlowFacts& facts : flows_) expected->addFlow(facts);
  }
  for (const Entry& entry : frames_) {
    writer.write(entry.frame.ts, entry.frame.bytes, entry.frame.wire_len);
    if (expected == nullptr) continue;
    if (entry.flow == kNoFlow) {
      expected->countPacket(entry.frame.wireLength());
    } else {
      expected->countFlowPacket(first_flow + entry.flow, entry.frame.to_server,
                                entry.frame.wireLength());
    }
  }
  frames_.clear();
  flows_.clear();
}

}  // namespace camwatch::testkit
