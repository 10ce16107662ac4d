// traffic: whole conversations on top of the frame builder (TCP sessions with handshake, data
// and close; UDP exchanges; pings), the expected flow facts that go with them, and TrafficMix,
// which interleaves conversations by time and writes them to a capture file.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <camwatch/packet.h>

#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch::testkit {

inline constexpr Timestamp kMillis = 1'000'000;
inline constexpr Timestamp kMicros = 1'000;
inline constexpr Timestamp kSeconds = kNanosPerSecond;

enum class LinkKind : std::uint8_t { kEthernet, kSll, kSll2, kRaw, kNull };

/// How frames of a conversation are wrapped below IP.
struct LinkSpec {
  LinkKind kind = LinkKind::kEthernet;
  std::vector<std::uint16_t> vlans;  ///< outermost first (Ethernet only)
  bool qinq = false;                 ///< the outer tag uses TPID 0x88a8 (802.1ad)
  std::size_t pad_to = 60;           ///< Ethernet minimum frame (no FCS); 0 = no padding
};

/// The LINKTYPE_* a capture of `kind` frames needs; kRaw gives LINKTYPE_RAW.
std::uint32_t linktypeFor(LinkKind kind);

struct Host {
  Mac mac{};
  std::string ip;
};

/// A Frame holding just the link layer of `link` for a packet from `src` to `dst` (for SLL the
/// packet type says "outgoing" to the server, "to us" back, as captured on the client).
Frame linkFrame(const LinkSpec& link, const Host& src, const Host& dst, bool to_server);

/// One generated packet and which way it went.
struct TimedFrame {
  Timestamp ts = 0;
  Bytes bytes;  ///< what the capture holds of the frame
  bool to_server = true;
  /// The frame's length on the wire when `bytes` holds only its start (cutToSnaplen); 0 = the
  /// whole frame is in `bytes`.
  std::uint32_t wire_len = 0;

  std::size_t wireLength() const { return wire_len != 0 ? wire_len : bytes.size(); }
};

/// Keeps the first `whole` frames of a conversation whole and cuts every later one to its first
/// `snaplen` bytes, keeping its length on the wire, as a capture with that snaplen would hold them
/// (the file records both lengths; camwatch counts wire lengths). For bulk transfers in committed
/// captures: the flow keeps its packets and bytes, the file does not grow by its payload.
void cutToSnaplen(std::vector<TimedFrame>& frames, std::size_t whole, std::size_t snaplen);

struct TcpMessage {
  bool from_client = true;
  Bytes data;
  Timestamp pause = 0;  ///< extra time before the first segment of this message
};

struct TcpSessionSpec {
  LinkSpec link;
  Host client;
  Host server;
  std::uint16_t client_port = 40000;
  std::uint16_t server_port = 80;
  Timestamp start = 0;
  Timestamp gap = kMillis;  ///< between one packet and the next
  std::size_t mss = 1460;
  unsigned ack_every = 2;  ///< the receiver sends a pure ACK after every Nth data segment
  bool handshake = true;
  bool close = true;  ///< FIN from the client, FIN from the server, last ACK
  std::vector<TcpMessage> messages;
  std::uint32_t client_isn = 0x10000000;
  std::uint32_t server_isn = 0x20000000;
  std::uint16_t client_ip_id = 1;
  std::uint16_t server_ip_id = 1;
  std::uint8_t client_ttl = 64;
  std::uint8_t server_ttl = 64;
};

/// A TCP conversation: SYN / SYN-ACK / ACK, each message segmented at `mss` (PSH on the last
/// segment), pure ACKs after every `ack_every` segments and after a message unless the other
/// side answers at once, then FIN/ACK, FIN/ACK, ACK. Sequence numbers are consistent.
std::vector<TimedFrame> tcpSession(const TcpSessionSpec& spec);

struct UdpDatagram {
  bool from_client = true;
  Bytes data;
  Timestamp pause = 0;
};

struct UdpExchangeSpec {
  LinkSpec link;
  Host client;
  Host server;
  std::uint16_t client_port = 50000;
  std::uint16_t server_port = 53;
  Timestamp start = 0;
  Timestamp gap = kMillis;
  std::vector<UdpDatagram> datagrams;
  std::uint16_t client_ip_id = 1;
  std::uint16_t server_ip_id = 1;
  std::uint8_t client_ttl = 64;
  std::uint8_t server_ttl = 64;
};

/// One UDP datagram per entry, in order, each `gap` (+ its pause) after the previous one.
std::vector<TimedFrame> udpExchange(const UdpExchangeSpec& spec);

struct PingSpec {
  LinkSpec link;
  Host client;
  Host server;
  Timestamp start = 0;
  Timestamp interval = kSeconds;  ///< between requests; the reply follows after `rtt`
  Timestamp rtt = 5 * kMillis;
  std::uint16_t id = 1;
  unsigned count = 3;
  std::size_t payload_len = 56;
};

/// ICMP (or ICMPv6) echo requests, each answered.
std::vector<TimedFrame> pingExchange(const PingSpec& spec);

/// What camwatch should report about one flow record. Index 0 = to server, 1 = to client.
struct FlowFacts {
  std::string l4;                ///< "tcp", "udp", "icmp", "icmpv6"
  std::uint16_t vlan = 0;        ///< outer VLAN id, 0 when untagged
  std::uint16_t vlan_inner = 0;  ///< inner VLAN id of QinQ, 0 otherwise
  std::string src_ip;            ///< initiator (client), canonical text
  std::uint16_t src_port = 0;
  std::string dst_ip;
  std::uint16_t dst_port = 0;
  std::array<std::uint64_t, 2> packets{};
  std::array<std::uint64_t, 2> bytes{};
};

FlowFacts flowFacts(const TcpSessionSpec& spec);
FlowFacts flowFacts(const UdpExchangeSpec& spec);
FlowFacts flowFacts(const PingSpec& spec);

/// Expected facts of a whole capture: totals over every packet and one entry per flow record.
class ExpectedCapture {
 public:
  std::size_t addFlow(FlowFacts facts);
  /// A packet outside any flow (ARP, LLDP, ...): totals only.
  void countPacket(std::uint64_t wire_len);
  void countFlowPacket(std::size_t flow, bool to_server, std::uint64_t wire_len);

  /// Adds a top-level key to the JSON, e.g. the timeouts the facts assume.
  void annotate(const std::string& key, nlohmann::json value);

  std::uint64_t packets() const { return packets_; }
  std::uint64_t bytes() const { return bytes_; }
  const std::vector<FlowFacts>& flows() const { return flows_; }

  /// {"packets": N, "bytes": N, "flows": [{"l4", "vlan", "vlan_inner", "src_ip", "src_port",
  /// "dst_ip", "dst_port", "packets_to_server", "packets_to_client", "bytes_to_server",
  /// "bytes_to_client"}, ...]}
  nlohmann::json toJson() const;

 private:
  std::uint64_t packets_ = 0;
  std::uint64_t bytes_ = 0;
  std::vector<FlowFacts> flows_;
  nlohmann::json notes_ = nlohmann::json::object();
};

/// Collects conversations and lone frames, then writes them in timestamp order (stable, so
/// frames with equal timestamps keep the order they were added in) and counts them.
class TrafficMix {
 public:
  static constexpr std::size_t kNoFlow = static_cast<std::size_t>(-1);

  /// Adds all frames of a conversation as one new expected flow; returns its index.
  std::size_t addFlow(const FlowFacts& facts, std::vector<TimedFrame> frames);
  /// Adds frames to an existing flow index (e.g. later fragments, or a second record).
  void addToFlow(std::size_t flow, std::vector<TimedFrame> frames);
  /// A frame belonging to no flow (non-IP).
  void addFrame(Timestamp ts, Bytes bytes);

  /// Writes every frame and fills `expected` (may be null). Leaves the mix empty.
  void writeTo(PacketWriter& writer, ExpectedCapture* expected);

  std::size_t frameCount() const { return frames_.size(); }

 private:
  struct Entry {
    TimedFrame frame;
    std::size_t flow;
  };
  std::vector<FlowFacts> flows_;
  std::vector<Entry> frames_;
};

}  // namespace camwatch::testkit
