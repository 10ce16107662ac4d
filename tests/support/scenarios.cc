#include "support/scenarios.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <utility>

#include "support/app_payloads.h"
#include "support/rng.h"

namespace camwatch::testkit {
namespace {

// --- Shared helpers ----------------------------------------------------------------------------

// Locally administered unicast MACs (02:...) for hosts that need no vendor.
Mac localMac(std::uint32_t n) {
  return {0x02,
          0x00,
          0x00,
          static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8),
          static_cast<std::uint8_t>(n)};
}

LinkSpec ethernet(std::vector<std::uint16_t> vlans = {}, bool qinq = false) {
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

// Seeds the sequence numbers and IP ids of a session from `rng`, as real stacks randomise them.
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

TcpMessage tcpMessage(bool from_client, Bytes data, Timestamp pause = 0) {
  TcpMessage message;
  message.from_client = from_client;
  message.data = std::move(data);
  message.pause = pause;
  return message;
}

UdpDatagram udpDatagram(bool from_client, Bytes data, Timestamp pause = 0) {
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

// Who-has `target` from `asker`, answered by `target`.
void arpResolve(TrafficMix& mix, const LinkSpec& link, Timestamp ts, const Host& asker,
                const Host& target) {
  mix.addFrame(ts, arpFrame(link, 1, asker, kBroadcastMac, target.ip));
  mix.addFrame(ts + 300 * kMicros, arpFrame(link, 2, target, asker.mac, asker.ip));
}

// Splits a conversation's frames into those before `boundary` and the rest (for flows that a
// timeout cuts into two records).
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

// --- basic -------------------------------------------------------------------------------------

// Small and exactly known: every flow kind the flow table must keep apart, once.
void buildBasic(TrafficMix& mix) {
  const Timestamp t0 = kScenarioEpoch;
  const LinkSpec lan = ethernet();
  const Host client{localMac(0x01000a), "192.168.1.10"};
  const Host web{localMac(0x010014), "192.168.1.20"};
  const Host router{localMac(0x010001), "192.168.1.1"};
  const Host sink{localMac(0x01001e), "192.168.1.30"};
  const Host remote{router.mac, "198.51.100.7"};
  const Host client6{client.mac, "2001:db8:1::10"};
  const Host router6{router.mac, "2001:db8:1::1"};
  const Host server6{router.mac, "2001:db8:2::20"};

  arpResolve(mix, lan, t0, client, web);

  TcpSessionSpec http = tcpSpec(lan, client, 40001, web, 80, t0 + 10 * kMillis);
  http.messages = {tcpMessage(true, httpGet("192.168.1.20", "/index.html")),
                   tcpMessage(false, httpResponse(200, "text/html", 3000))};
  mix.addFlow(flowFacts(http), tcpSession(http));

  UdpExchangeSpec dns = udpSpec(lan, client, 53001, router, 53, t0 + 1 * kSeconds);
  dns.gap = 12 * kMillis;
  dns.datagrams = {
      udpDatagram(true, dnsQuery(0x1001, "www.example.com")),
      udpDatagram(false, dnsResponse(0x1001, "www.example.com", kDnsTypeA,
                                     dnsCnameChain("www.example.com", {"edge.example.net"},
                                                   {"192.0.2.10", "192.0.2.11"})))};
  mix.addFlow(flowFacts(dns), udpExchange(dns));

  PingSpec ping = pingSpec(lan, client, remote, t0 + 2 * kSeconds, 2);
  mix.addFlow(flowFacts(ping), pingExchange(ping));

  TcpSessionSpec tls6 = tcpSpec(lan, client6, 40002, server6, 443, t0 + 3 * kSeconds);
  ClientHelloOptions hello;
  hello.sni = "www.example.com";
  hello.alpn = {"h2", "http/1.1"};
  tls6.messages = {tcpMessage(true, tlsClientHello(hello)), tcpMessage(false, tlsServerHello(true)),
                   tcpMessage(false, tlsApplicationData(2000, 7))};
  mix.addFlow(flowFacts(tls6), tcpSession(tls6));

  UdpExchangeSpec dns6 = udpSpec(lan, client6, 53002, router6, 53, t0 + 3500 * kMillis);
  dns6.datagrams = {
      udpDatagram(true, dnsQuery(0x1002, "www.example.com", kDnsTypeAaaa)),
      udpDatagram(false, dnsResponse(0x1002, "www.example.com", kDnsTypeAaaa,
                                     {{"www.example.com", kDnsTypeAaaa, "2001:db8:2::20", 300}}))};
  mix.addFlow(flowFacts(dns6), udpExchange(dns6));

  PingSpec ping6 = pingSpec(lan, client6, server6, t0 + 4 * kSeconds, 1);
  mix.addFlow(flowFacts(ping6), pingExchange(ping6));

  const LinkSpec vlan10 = ethernet({10});
  const Host nvr{localMac(0x0a00c8), "192.168.10.200"};
  const Host camera{localMac(0x0a0015), "192.168.10.21"};
  TcpSessionSpec rtsp = tcpSpec(vlan10, nvr, 50000, camera, 554, t0 + 5 * kSeconds);
  rtsp.messages = {
      tcpMessage(true, rtspRequest("OPTIONS", "rtsp://192.168.10.21:554/stream1", 1)),
      tcpMessage(false, rtspResponse(1, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n"))};
  mix.addFlow(flowFacts(rtsp), tcpSession(rtsp));

  const LinkSpec qinq = ethernet({100, 20}, true);
  const Host ntp_client{localMac(0x140005), "10.20.0.5"};
  const Host ntp_server{localMac(0x140001), "10.20.0.1"};
  UdpExchangeSpec ntp = udpSpec(qinq, ntp_client, 123, ntp_server, 123, t0 + 6 * kSeconds);
  ntp.datagrams = {udpDatagram(true, ntpRequest(t0 + 6 * kSeconds)),
                   udpDatagram(false, ntpReply(t0 + 6 * kSeconds, t0 + 6 * kSeconds))};
  mix.addFlow(flowFacts(ntp), udpExchange(ntp));

  // One UDP datagram of 3008 bytes (8 header + 3000 data) in three IPv4 fragments (1480, 1480
  // and 48 bytes of IP payload), answered by one unfragmented datagram.
  const Timestamp frag_start = t0 + 7 * kSeconds;
  Ipv4Options frag_ip;
  frag_ip.id = 0x1234;
  Frame datagram = linkFrame(lan, client, sink, true);
  datagram.ipv4(client.ip, sink.ip, frag_ip).udp(5000, 6000).payload(std::size_t{3000});
  std::vector<TimedFrame> fragments;
  for (Bytes& bytes : datagram.buildFragments(1480)) {
    fragments.push_back({frag_start + static_cast<Timestamp>(fragments.size()) * 100 * kMicros,
                         std::move(bytes), true});
  }
  UdpExchangeSpec reply = udpSpec(lan, client, 5000, sink, 6000, frag_start + 5 * kMillis);
  reply.datagrams = {udpDatagram(false, Bytes(100, 0x42))};
  std::size_t frag_flow = mix.addFlow(flowFacts(reply), std::move(fragments));
  mix.addToFlow(frag_flow, udpExchange(reply));
}

// --- linktypes ---------------------------------------------------------------------------------

void buildLinktypes(TrafficMix& mix, LinkKind kind, bool want_v4, bool want_v6) {
  const Timestamp t0 = kScenarioEpoch;
  LinkSpec link;
  link.kind = kind;
  const Host client{localMac(0x01000a), "192.168.1.10"};
  const Host web{localMac(0x010014), "192.168.1.20"};
  const Host router{localMac(0x010001), "192.168.1.1"};
  const Host client6{client.mac, "2001:db8:1::10"};
  const Host router6{router.mac, "2001:db8:1::1"};
  const Host server6{router.mac, "2001:db8:2::20"};

  if (want_v4) {
    TcpSessionSpec http = tcpSpec(link, client, 40001, web, 80, t0);
    http.messages = {tcpMessage(true, httpGet("192.168.1.20")),
                     tcpMessage(false, httpResponse(200, "text/plain", 500))};
    mix.addFlow(flowFacts(http), tcpSession(http));

    UdpExchangeSpec dns = udpSpec(link, client, 53001, router, 53, t0 + 1 * kSeconds);
    dns.datagrams = {
        udpDatagram(true, dnsQuery(0x2001, "camera.example.com")),
        udpDatagram(false, dnsResponse(0x2001, "camera.example.com", kDnsTypeA,
                                       {{"camera.example.com", kDnsTypeA, "192.0.2.21", 60}}))};
    mix.addFlow(flowFacts(dns), udpExchange(dns));

    PingSpec ping = pingSpec(link, client, web, t0 + 2 * kSeconds, 2);
    mix.addFlow(flowFacts(ping), pingExchange(ping));
  }
  if (want_v6) {
    TcpSessionSpec tls = tcpSpec(link, client6, 40002, server6, 443, t0 + 3 * kSeconds);
    ClientHelloOptions hello;
    hello.sni = "camera.example.com";
    tls.messages = {tcpMessage(true, tlsClientHello(hello)),
                    tcpMessage(false, tlsServerHello(true))};
    mix.addFlow(flowFacts(tls), tcpSession(tls));

    UdpExchangeSpec dns6 = udpSpec(link, client6, 53002, router6, 53, t0 + 4 * kSeconds);
    dns6.datagrams = {
        udpDatagram(true, dnsQuery(0x2002, "camera.example.com", kDnsTypeAaaa)),
        udpDatagram(false,
                    dnsResponse(0x2002, "camera.example.com", kDnsTypeAaaa,
                                {{"camera.example.com", kDnsTypeAaaa, "2001:db8:2::21", 60}}))};
    mix.addFlow(flowFacts(dns6), udpExchange(dns6));

    PingSpec ping6 = pingSpec(link, client6, server6, t0 + 5 * kSeconds, 1);
    mix.addFlow(flowFacts(ping6), pingExchange(ping6));
  }
}

// --- timeouts ----------------------------------------------------------------------------------

// Flows around the default timeouts (UDP idle 60 s, TCP idle 300 s, active 1800 s). No gap or
// flow age is within 20 s of a timeout, so ">" and ">=" comparisons give the same records.
void buildTimeouts(TrafficMix& mix, ExpectedCapture* expected) {
  const Timestamp t0 = kScenarioEpoch;
  const LinkSpec lan = ethernet();
  const Host client{localMac(0x01000a), "192.168.1.10"};
  const Host server{localMac(0x010028), "192.168.1.40"};
  Rng rng(0x71e0);

  // UDP, idle gap of 120 s: two records with the same five-tuple.
  UdpExchangeSpec udp_gap = udpSpec(lan, client, 50100, server, 9999, t0);
  udp_gap.gap = 1 * kSeconds;
  udp_gap.datagrams = {udpDatagram(true, Bytes(64, 1)), udpDatagram(false, Bytes(64, 2)),
                       udpDatagram(true, Bytes(64, 3)),
                       udpDatagram(true, Bytes(64, 4), 120 * kSeconds),
                       udpDatagram(false, Bytes(64, 5))};
  auto udp_parts = splitAt(udpExchange(udp_gap), t0 + 60 * kSeconds);
  mix.addFlow(flowFacts(udp_gap), std::move(udp_parts.first));
  mix.addFlow(flowFacts(udp_gap), std::move(udp_parts.second));

  // UDP, gaps of 20 s: one record.
  UdpExchangeSpec udp_steady = udpSpec(lan, client, 50200, server, 9999, t0 + 5 * kSeconds);
  udp_steady.gap = 20 * kSeconds;
  for (int i = 0; i < 6; ++i) udp_steady.datagrams.push_back(udpDatagram(i % 2 == 0, Bytes(80)));
  mix.addFlow(flowFacts(udp_steady), udpExchange(udp_steady));

  // TCP lasting ~1950 s with a segment every 100 s: the active timeout (1800 s) cuts it in two.
  // Segments at 50, 150, ..., 1950 s after the SYN; the first at or after 1800 s is at 1850 s.
  const Timestamp long_start = t0 + 10 * kSeconds;
  TcpSessionSpec long_tcp = tcpSpec(lan, client, 40100, server, 22, long_start);
  randomise(long_tcp, rng);
  Timestamp now = long_start + 3 * long_tcp.gap;  // after the handshake
  for (int k = 0; k < 20; ++k) {
    Timestamp at = long_start + (50 + 100 * static_cast<Timestamp>(k)) * kSeconds;
    long_tcp.messages.push_back(tcpMessage(true, Bytes(48, 0x5a), at - now));
    now = at + 2 * long_tcp.gap;  // the segment and its ACK
  }
  auto long_parts = splitAt(tcpSession(long_tcp), long_start + 1800 * kSeconds);
  mix.addFlow(flowFacts(long_tcp), std::move(long_parts.first));
  mix.addFlow(flowFacts(long_tcp), std::move(long_parts.second));

  // TCP idle for 400 s (TCP idle timeout 300 s) between two request/response pairs: two records.
  const Timestamp idle_start = t0 + 20 * kSeconds;
  TcpSessionSpec idle_tcp = tcpSpec(lan, client, 40200, server, 80, idle_start);
  randomise(idle_tcp, rng);
  idle_tcp.messages = {tcpMessage(true, httpGet("192.168.1.40", "/a")),
                       tcpMessage(false, httpResponse(200, "text/plain", 100)),
                       tcpMessage(true, httpGet("192.168.1.40", "/b"), 400 * kSeconds),
                       tcpMessage(false, httpResponse(200, "text/plain", 100))};
  auto idle_parts = splitAt(tcpSession(idle_tcp), idle_start + 200 * kSeconds);
  mix.addFlow(flowFacts(idle_tcp), std::move(idle_parts.first));
  mix.addFlow(flowFacts(idle_tcp), std::move(idle_parts.second));

  // ICMP every 30 s: one record.
  PingSpec ping = pingSpec(lan, client, server, t0 + 30 * kSeconds, 4);
  ping.interval = 30 * kSeconds;
  mix.addFlow(flowFacts(ping), pingExchange(ping));

  if (expected != nullptr) {
    expected->annotate(
        "assumes",
        {{"udp_idle_timeout_s", 60}, {"tcp_idle_timeout_s", 300}, {"active_timeout_s", 1800}});
  }
}

// --- demo --------------------------------------------------------------------------------------

struct DemoSite {
  LinkSpec vlan = ethernet({10});
  Host gateway{parseMac("02:00:0a:0a:00:01"), "192.168.10.1"};
  Host nvr{parseMac("c0:56:e3:20:01:c8"), "192.168.10.200"};  // Hikvision OUI
  std::vector<Host> cameras = {
      {parseMac("44:19:b6:3a:51:21"), "192.168.10.21"},  // Hikvision
      {parseMac("bc:ad:28:7e:10:22"), "192.168.10.22"},  // Hikvision
      {parseMac("3c:ef:8c:12:5a:23"), "192.168.10.23"},  // Dahua
      {parseMac("e0:50:8b:4d:90:24"), "192.168.10.24"},  // Dahua
  };
  Host remote(const std::string& ip) const { return {gateway.mac, ip}; }
};

void demoRtsp(TrafficMix& mix, const DemoSite& site, std::size_t index, Timestamp start,
              Timestamp end, Rng& rng) {
  const Host& camera = site.cameras[index];
  bool hikvision = index < 2;
  std::string url =
      "rtsp://" + camera.ip + ":554" +
      (hikvision ? "/Streaming/Channels/101" : "/cam/realmonitor?channel=1&subtype=0");
  std::string session = "5a3c" + std::to_string(1000 + index);
  std::string sdp = "v=0\r\no=- 1768467600 1 IN IP4 " + camera.ip +
                    "\r\ns=Media Presentation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
                    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";
  TcpSessionSpec spec =
      tcpSpec(site.vlan, site.nvr, static_cast<std::uint16_t>(50554 + index), camera, 554, start);
  randomise(spec, rng);
  // One RTP packet per segment, as cameras send them.
  spec.mss = 1300;
  spec.gap = 2 * kMillis;
  spec.close = false;  // still streaming when the capture ends
  spec.messages = {
      tcpMessage(true, rtspRequest("OPTIONS", url, 1)),
      tcpMessage(false, rtspResponse(1, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n")),
      tcpMessage(true, rtspRequest("DESCRIBE", url, 2, "Accept: application/sdp\r\n")),
      tcpMessage(false, rtspResponse(2, "Content-Type: application/sdp\r\n", sdp)),
      tcpMessage(true, rtspRequest("SETUP", url + "/trackID=1", 3,
                                   "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")),
      tcpMessage(false, rtspResponse(3, "Session: " + session +
                                            ";timeout=60\r\nTransport: RTP/AVP/TCP;unicast;"
                                            "interleaved=0-1\r\n")),
      tcpMessage(true,
                 rtspRequest("PLAY", url, 4, "Session: " + session + "\r\nRange: npt=0.000-\r\n")),
      tcpMessage(false, rtspResponse(4, "Session: " + session + "\r\n")),
  };
  // A burst of five 1300-byte RTP packets every 10 s.
  auto ssrc = static_cast<std::uint32_t>(0x1c0ffee0 + index);
  std::uint16_t rtp_seq = 1;
  std::uint32_t rtp_ts = 0;
  for (Timestamp t = start + 10 * kSeconds; t < end; t += 10 * kSeconds) {
    Bytes burst;
    for (int i = 0; i < 5; ++i) {
      putBytes(burst, rtpInterleaved(0, rtp_seq++, rtp_ts, ssrc, 1300 - 16, rng.next()));
      rtp_ts += 3600;
    }
    spec.messages.push_back(tcpMessage(false, std::move(burst), 10 * kSeconds - 16 * kMillis));
  }
  mix.addFlow(flowFacts(spec), tcpSession(spec));
}

// A DNS lookup through the gateway, then TLS 1.3 to the first address answered.
void demoCloudCheckIn(TrafficMix& mix, const DemoSite& site, const Host& camera,
                      const std::string& name, const std::vector<std::string>& cnames,
                      const std::string& address, Timestamp start, Rng& rng) {
  UdpExchangeSpec dns =
      udpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)),
              site.gateway, 53, start);
  randomise(dns, rng);
  dns.gap = 18 * kMillis;
  auto id = static_cast<std::uint16_t>(rng.u16());
  dns.datagrams = {udpDatagram(true, dnsQuery(id, name)),
                   udpDatagram(false, dnsResponse(id, name, kDnsTypeA,
                                                  dnsCnameChain(name, cnames, {address}, 600)))};
  mix.addFlow(flowFacts(dns), udpExchange(dns));

  TcpSessionSpec tls =
      tcpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)),
              site.remote(address), 443, start + 100 * kMillis);
  randomise(tls, rng);
  tls.gap = 25 * kMillis;
  tls.server_ttl = 49;
  ClientHelloOptions hello;
  hello.sni = name;
  hello.seed = rng.next();
  tls.messages = {tcpMessage(true, tlsClientHello(hello)),
                  tcpMessage(false, tlsServerHello(true, rng.next())),
                  tcpMessage(false, tlsApplicationData(2600, rng.next())),
                  tcpMessage(true, tlsApplicationData(620, rng.next())),
                  tcpMessage(false, tlsApplicationData(1100, rng.next())),
                  tcpMessage(true, tlsApplicationData(340, rng.next()), 2 * kSeconds),
                  tcpMessage(false, tlsApplicationData(180, rng.next()))};
  mix.addFlow(flowFacts(tls), tcpSession(tls));
}

void demoNtp(TrafficMix& mix, const DemoSite& site, const Host& camera, Timestamp start, Rng& rng) {
  UdpExchangeSpec ntp =
      udpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)),
              site.remote("162.159.200.123"), 123, start);
  randomise(ntp, rng);
  ntp.gap = 31 * kMillis;
  ntp.server_ttl = 54;
  ntp.datagrams = {udpDatagram(true, ntpRequest(start)),
                   udpDatagram(false, ntpReply(start, start + 30 * kMillis))};
  mix.addFlow(flowFacts(ntp), udpExchange(ntp));
}

void demoStun(TrafficMix& mix, const DemoSite& site, const Host& camera, Timestamp start,
              std::uint64_t transaction) {
  UdpExchangeSpec stun =
      udpSpec(site.vlan, camera, 50012, site.remote("43.130.155.63"), 3478, start);
  stun.gap = 42 * kMillis;
  stun.server_ttl = 51;
  stun.datagrams = {udpDatagram(true, stunBindingRequest(transaction)),
                    udpDatagram(false, stunBindingResponse(transaction, "203.0.113.77", 50012))};
  mix.addFlow(flowFacts(stun), udpExchange(stun));
}

void demoUpload(TrafficMix& mix, const DemoSite& site, const Host& camera, Timestamp start,
                Rng& rng) {
  TcpSessionSpec upload =
      tcpSpec(site.vlan, camera, 51877, site.remote("47.254.33.45"), 443, start);
  randomise(upload, rng);
  upload.gap = 5 * kMillis;
  upload.server_ttl = 47;
  ClientHelloOptions hello;  // no SNI: the camera connects to a bare IP address
  hello.seed = rng.next();
  upload.messages = {tcpMessage(true, tlsClientHello(hello)),
                     tcpMessage(false, tlsServerHello(true, rng.next())),
                     tcpMessage(true, tlsApplicationData(5'000'000, rng.next())),
                     tcpMessage(false, tlsApplicationData(240, rng.next()))};
  mix.addFlow(flowFacts(upload), tcpSession(upload));
}

// An unknown laptop joins the camera VLAN: DHCP, ARP, DNS, web, a look at a camera's web UI
// and a ping sweep over the cameras.
void demoNewDevice(TrafficMix& mix, const DemoSite& site, Timestamp start, Rng& rng) {
  const Host laptop{parseMac("16:7a:2e:91:c4:03"), "192.168.10.57"};
  const Host unconfigured{laptop.mac, "0.0.0.0"};
  const Host broadcast{kBroadcastMac, "255.255.255.255"};
  const std::uint32_t xid = 0x5e1f00d1;

  DhcpSpec discover;
  discover.message_type = kDhcpDiscover;
  discover.xid = xid;
  discover.client_mac = laptop.mac;
  discover.hostname = "DESKTOP-K7Q2M9";
  DhcpSpec request = discover;
  request.message_type = kDhcpRequest;
  request.requested_ip = laptop.ip;
  request.server_ip = site.gateway.ip;
  DhcpSpec offer;
  offer.message_type = kDhcpOffer;
  offer.xid = xid;
  offer.client_mac = laptop.mac;
  offer.your_ip = laptop.ip;
  offer.server_ip = site.gateway.ip;
  offer.router = site.gateway.ip;
  DhcpSpec ack = offer;
  ack.message_type = kDhcpAck;

  UdpExchangeSpec client_side = udpSpec(site.vlan, unconfigured, 68, broadcast, 67, start);
  client_side.gap = 10 * kMillis;
  client_side.client_ttl = 128;
  client_side.datagrams = {udpDatagram(true, dhcpMessage(discover)),
                           udpDatagram(true, dhcpMessage(request))};
  mix.addFlow(flowFacts(client_side), udpExchange(client_side));
  UdpExchangeSpec server_side =
      udpSpec(site.vlan, site.gateway, 67, broadcast, 68, start + 5 * kMillis);
  server_side.gap = 10 * kMillis;
  server_side.datagrams = {udpDatagram(true, dhcpMessage(offer)),
                           udpDatagram(true, dhcpMessage(ack))};
  mix.addFlow(flowFacts(server_side), udpExchange(server_side));

  // Gratuitous ARP, then the gateway.
  mix.addFrame(start + 100 * kMillis, arpFrame(site.vlan, 1, laptop, kBroadcastMac, laptop.ip));
  arpResolve(mix, site.vlan, start + 300 * kMillis, laptop, site.gateway);

  const Timestamp browse = start + 1 * kSeconds;
  demoCloudCheckIn(mix, site, laptop, "www.example.com", {}, "93.184.215.14", browse, rng);

  TcpSessionSpec web = tcpSpec(site.vlan, laptop, 52101, site.cameras[0], 80, start + 5 * kSeconds);
  randomise(web, rng);
  web.gap = 3 * kMillis;
  web.client_ttl = 128;
  web.messages = {tcpMessage(true, httpGet(site.cameras[0].ip, "/")),
                  tcpMessage(false, httpResponse(401, "text/html", 180)),
                  tcpMessage(true, httpGet(site.cameras[0].ip, "/doc/page/login.asp"), kSeconds),
                  tcpMessage(false, httpResponse(200, "text/html", 2400))};
  mix.addFlow(flowFacts(web), tcpSession(web));

  for (std::size_t i = 0; i < site.cameras.size(); ++i) {
    PingSpec ping = pingSpec(site.vlan, laptop, site.cameras[i],
                             start + 10 * kSeconds + static_cast<Timestamp>(i) * 50 * kMillis, 1);
    ping.id = 0x0001;
    ping.payload_len = 32;
    ping.rtt = 800 * kMicros;
    mix.addFlow(flowFacts(ping), pingExchange(ping));
  }
}

void demoManagement(TrafficMix& mix, Timestamp start, Rng& rng) {
  const LinkSpec untagged = ethernet();
  const Host admin{parseMac("02:00:00:01:00:32"), "192.168.1.50"};
  const Host sw{parseMac("02:00:00:01:00:02"), "192.168.1.2"};
  TcpSessionSpec mgmt = tcpSpec(untagged, admin, 61022, sw, 443, start);
  randomise(mgmt, rng);
  mgmt.gap = 2 * kMillis;
  mgmt.client_ttl = 128;
  ClientHelloOptions hello;
  hello.sni = "switch01.mgmt.example";
  hello.seed = rng.next();
  mgmt.messages = {tcpMessage(true, tlsClientHello(hello)),
                   tcpMessage(false, tlsServerHello(true, rng.next())),
                   tcpMessage(true, tlsApplicationData(420, rng.next())),
                   tcpMessage(false, tlsApplicationData(3100, rng.next())),
                   tcpMessage(true, tlsApplicationData(260, rng.next()), 3 * kSeconds),
                   tcpMessage(false, tlsApplicationData(1200, rng.next()))};
  mix.addFlow(flowFacts(mgmt), tcpSession(mgmt));
}

void buildDemo(TrafficMix& mix) {
  const Timestamp t0 = kScenarioEpoch;
  const Timestamp end = t0 + 600 * kSeconds;
  const DemoSite site;
  Rng rng(0xca3e7a);

  // The switch announces itself (LLDP, untagged) twice.
  const Mac switch_port = parseMac("02:00:00:01:00:18");
  for (Timestamp at : {t0 + 15 * kSeconds, t0 + 315 * kSeconds}) {
    mix.addFrame(at, Frame()
                         .eth(switch_port, parseMac("01:80:c2:00:00:0e"))
                         .lldp(switch_port, "GigabitEthernet1/0/24", 120, "switch01")
                         .padTo(60)
                         .build());
  }

  // The NVR finds its cameras, then pulls one RTSP stream from each until the end.
  for (std::size_t i = 0; i < site.cameras.size(); ++i) {
    Timestamp at = t0 + 200 * kMillis + static_cast<Timestamp>(i) * 150 * kMillis;
    arpResolve(mix, site.vlan, at, site.nvr, site.cameras[i]);
    demoRtsp(mix, site, i, t0 + 1 * kSeconds + static_cast<Timestamp>(i) * 250 * kMillis, end, rng);
  }

  // Each camera syncs its clock at start-up and five minutes later.
  arpResolve(mix, site.vlan, t0 + 4900 * kMillis, site.cameras[0], site.gateway);
  for (std::size_t i = 0; i < site.cameras.size(); ++i) {
    for (Timestamp base : {t0 + 5 * kSeconds, t0 + 305 * kSeconds}) {
      demoNtp(mix, site, site.cameras[i], base + static_cast<Timestamp>(i) * kSeconds, rng);
    }
  }

  // Vendor clouds: a Hikvision camera checks in with Hik-Connect, a Dahua one with Easy4IP.
  for (Timestamp base : {t0 + 30 * kSeconds, t0 + 330 * kSeconds}) {
    demoCloudCheckIn(mix, site, site.cameras[0], "litedev.hik-connect.com", {}, "52.5.124.127",
                     base, rng);
    demoCloudCheckIn(mix, site, site.cameras[2], "www.easy4ipcloud.com",
                     {"p2p-eu.easy4ipcloud.com"}, "47.88.29.110", base + 30 * kSeconds, rng);
  }

  // A Hikvision camera asks a STUN server for its public address, twice.
  demoStun(mix, site, site.cameras[1], t0 + 90 * kSeconds, 0x57a1);
  demoStun(mix, site, site.cameras[1], t0 + 390 * kSeconds, 0x57a2);

  // The odd one: a Dahua camera uploads 5 MB to an unknown host on the internet.
  demoUpload(mix, site, site.cameras[3], t0 + 200 * kSeconds, rng);

  demoNewDevice(mix, site, t0 + 420 * kSeconds, rng);
  demoManagement(mix, t0 + 500 * kSeconds, rng);
}

// --- bench -------------------------------------------------------------------------------------

// Streams a large capture: a fixed number of concurrent "slots", each playing one flow; every
// step picks a slot at random and emits its next frame. Short flows are generated whole (a few
// frames), long flows in chunks, so memory stays small whatever the packet count.
class BenchGenerator {
 public:
  BenchGenerator(const ScenarioOptions& options, PacketWriter& writer)
      : options_(options), writer_(writer), rng_(options.seed * 0x9e3779b97f4a7c15ULL + 17) {
    // Packets left after the long flows (~8% of all) must be spread over `flows` short flows.
    double per_flow = static_cast<double>(options.packets) * 0.92 /
                      static_cast<double>(std::max<std::uint64_t>(options.flows, 1)) * 0.95;
    // Mix: 15% one-packet UDP, DNS-like pairs (2) and short TCP (9) share the rest.
    double dns_share = (0.15 + 0.85 * 9.0 - per_flow) / 7.0;
    dns_share = std::clamp(dns_share, 0.0, 0.85);
    dns_permille_ = static_cast<std::uint64_t>(dns_share * 1000.0);
  }

  void run() {
    slots_.resize(kSlots);
    for (std::size_t i = 0; i < kSlots; ++i) startFlow(i);
    Timestamp now = kScenarioEpoch;
    while (written_ < options_.packets) {
      std::size_t slot = rng_.uniform(0, kSlots - 1);
      Slot& s = slots_[slot];
      if (s.next == s.frames.size() && !refill(slot)) startFlow(slot);
      Slot& current = slots_[slot];
      const Bytes& frame = current.frames[current.next++];
      writer_.write(now, frame);
      ++written_;
      bytes_ += frame.size();
      now += static_cast<Timestamp>(rng_.uniform(20, 300)) * kMicros;
    }
    std::fprintf(stderr, "bench: %llu packets, %llu bytes, %llu flows started\n",
                 static_cast<unsigned long long>(written_), static_cast<unsigned long long>(bytes_),
                 static_cast<unsigned long long>(flows_started_));
  }

 private:
  static constexpr std::size_t kSlots = 256;
  static constexpr std::size_t kLongSlots = 20;
  static constexpr std::size_t kLongChunkSegments = 32;
  static constexpr std::size_t kLongChunks = 64;

  struct Slot {
    std::vector<Bytes> frames;
    std::size_t next = 0;
    // Long flows only: the session being continued and how many chunks remain.
    std::unique_ptr<TcpSessionSpec> long_flow;
    std::size_t chunks_left = 0;
  };

  LinkSpec randomLink() {
    LinkSpec link;
    if (!rng_.chance(10)) link.vlans = {static_cast<std::uint16_t>(10 * rng_.uniform(1, 8))};
    return link;
  }

  // Client addresses and ports come from the flow number so that five-tuples never repeat.
  std::pair<Host, std::uint16_t> clientFor(std::uint64_t n, bool v6) {
    std::uint64_t host = n % 16384;
    auto port = static_cast<std::uint16_t>(10000 + (n / 16384) % 55000);
    char text[64];
    if (v6) {
      std::snprintf(text, sizeof(text), "2001:db8:c::%llx:%llx",
                    static_cast<unsigned long long>(host >> 8),
                    static_cast<unsigned long long>(host & 0xff));
    } else {
      std::snprintf(text, sizeof(text), "10.%llu.%llu.%llu",
                    static_cast<unsigned long long>(host >> 12),
                    static_cast<unsigned long long>((host >> 4) & 0xff),
                    static_cast<unsigned long long>(16 * (host & 0xf) + 1));
    }
    return {Host{localMac(static_cast<std::uint32_t>(host)), text}, port};
  }

  Host serverFor(bool v6) {
    // 198.18.0.0/15 is reserved for benchmarking (RFC 2544).
    std::uint64_t n = rng_.uniform(0, 20000);
    char text[64];
    if (v6) {
      std::snprintf(text, sizeof(text), "2001:db8:5::%llx", static_cast<unsigned long long>(n));
    } else {
      std::snprintf(text, sizeof(text), "198.%llu.%llu.%llu",
                    static_cast<unsigned long long>(18 + n / 65536),
                    static_cast<unsigned long long>((n / 256) % 256),
                    static_cast<unsigned long long>(n % 256));
    }
    return {localMac(0xfe0001), text};
  }

  static std::vector<Bytes> framesOf(std::vector<TimedFrame> timed) {
    std::vector<Bytes> frames;
    frames.reserve(timed.size());
    for (TimedFrame& frame : timed) frames.push_back(std::move(frame.bytes));
    return frames;
  }

  void startFlow(std::size_t index) {
    Slot& slot = slots_[index];
    slot.next = 0;
    slot.long_flow.reset();
    std::uint64_t n = flows_started_++;
    bool v6 = rng_.chance(10);
    LinkSpec link = randomLink();
    auto [client, client_port] = clientFor(n, v6);
    Host server = serverFor(v6);
    if (index < kLongSlots) {
      auto spec =
          std::make_unique<TcpSessionSpec>(tcpSpec(link, client, client_port, server, 443, 0));
      randomise(*spec, rng_);
      slot.long_flow = std::move(spec);
      slot.chunks_left = kLongChunks;
      slot.frames.clear();
      refill(index);
      return;
    }
    std::uint64_t pick = rng_.uniform(0, 999);
    std::string name = "host" + std::to_string(n % 5000) + ".example.com";
    if (pick < 150) {
      UdpExchangeSpec spec = udpSpec(link, client, client_port, server, 514, 0);
      std::string line =
          "<134>Jan 15 09:00:00 " + name + " camwatch-bench: event " + std::to_string(n) + " ";
      line.resize(rng_.uniform(line.size(), 400), 'x');
      spec.datagrams = {udpDatagram(true, toBytes(line))};
      slot.frames = framesOf(udpExchange(spec));
    } else if (pick < 150 + dns_permille_) {
      UdpExchangeSpec spec = udpSpec(link, client, client_port, server, 53, 0);
      auto id = rng_.u16();
      spec.datagrams = {udpDatagram(true, dnsQuery(id, name)),
                        udpDatagram(false, dnsResponse(id, name, kDnsTypeA,
                                                       {{name, kDnsTypeA, "192.0.2.1", 60}}))};
      slot.frames = framesOf(udpExchange(spec));
    } else {
      TcpSessionSpec spec = tcpSpec(link, client, client_port, server, 443, 0);
      randomise(spec, rng_);
      ClientHelloOptions hello;
      hello.sni = name;
      hello.seed = n;
      Bytes answer = tlsServerHello(true, n);
      putBytes(answer, tlsApplicationData(rng_.uniform(100, 1200), n));
      spec.messages = {tcpMessage(true, tlsClientHello(hello)),
                       tcpMessage(false, std::move(answer))};
      slot.frames = framesOf(tcpSession(spec));
    }
  }

  // Generates the next chunk of a long flow; false when the slot has nothing more to play.
  bool refill(std::size_t index) {
    Slot& slot = slots_[index];
    if (!slot.long_flow || slot.chunks_left == 0) return false;
    TcpSessionSpec& spec = *slot.long_flow;
    bool first = slot.chunks_left == kLongChunks;
    bool last = slot.chunks_left == 1;
    spec.handshake = first;
    spec.close = last;
    // A TLS upload: whole application data records per chunk, after a ClientHello.
    spec.messages.clear();
    std::size_t data_len = kLongChunkSegments * spec.mss;
    std::size_t hello_len = 0;
    std::size_t answer_len = 0;
    if (first) {
      ClientHelloOptions hello;
      hello.sni = "upload.example.com";
      spec.messages.push_back(tcpMessage(true, tlsClientHello(hello)));
      spec.messages.push_back(tcpMessage(false, tlsServerHello(true, rng_.next())));
      hello_len = spec.messages[0].data.size();
      answer_len = spec.messages[1].data.size();
    }
    spec.messages.push_back(tcpMessage(true, tlsApplicationData(data_len, rng_.next())));
    std::vector<TimedFrame> timed = tcpSession(spec);
    // Continue the sequence numbers and IP ids where this chunk stopped.
    auto client_advance = static_cast<std::uint32_t>(hello_len + data_len + (first ? 1 : 0));
    auto server_advance = static_cast<std::uint32_t>(answer_len + (first ? 1 : 0));
    std::size_t client_frames = 0;
    for (const TimedFrame& frame : timed) client_frames += frame.to_server ? 1 : 0;
    spec.client_isn += client_advance;
    spec.server_isn += server_advance;
    spec.client_ip_id = static_cast<std::uint16_t>(spec.client_ip_id + client_frames);
    spec.server_ip_id =
        static_cast<std::uint16_t>(spec.server_ip_id + timed.size() - client_frames);
    slot.frames = framesOf(std::move(timed));
    slot.next = 0;
    --slot.chunks_left;
    return true;
  }

  const ScenarioOptions& options_;
  PacketWriter& writer_;
  Rng rng_;
  std::vector<Slot> slots_;
  std::uint64_t dns_permille_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t flows_started_ = 0;
};

LinkKind linkKindFor(LinkChoice choice) {
  switch (choice) {
    case LinkChoice::kEthernet:
      return LinkKind::kEthernet;
    case LinkChoice::kSll:
      return LinkKind::kSll;
    case LinkChoice::kSll2:
      return LinkKind::kSll2;
    case LinkChoice::kNull:
      return LinkKind::kNull;
    case LinkChoice::kRaw:
    case LinkChoice::kIpv4:
    case LinkChoice::kIpv6:
      break;
  }
  return LinkKind::kRaw;
}

std::uint32_t linktypeForChoice(LinkChoice choice) {
  if (choice == LinkChoice::kIpv4) return kLinktypeIpv4;
  if (choice == LinkChoice::kIpv6) return kLinktypeIpv6;
  return linktypeFor(linkKindFor(choice));
}

// --- flood -------------------------------------------------------------------------------------

// One camera (192.168.10.21, VLAN 10) sends one small UDP datagram to each of --flows public
// addresses counted up from 45.0.0.1, a microsecond apart: that many distinct 5-tuples and
// destinations in about a second of capture, far more than a flow table, the DNS and GeoIP caches
// or the alert state may hold (issue 8: bounded resources).
std::uint64_t writeFlood(PacketWriter& writer, std::uint64_t flows) {
  const Mac camera_mac = localMac(0x0a0015);
  const Mac gateway_mac = localMac(0x0a0001);
  for (std::uint64_t n = 0; n < flows; ++n) {
    const std::uint32_t destination = 0x2d000001U + static_cast<std::uint32_t>(n);  // 45.0.0.1 + n
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", destination >> 24, (destination >> 16) & 255,
                  (destination >> 8) & 255, destination & 255);
    const auto port = static_cast<std::uint16_t>(20000 + n % 40000);
    Frame frame;
    frame.eth(camera_mac, gateway_mac).vlan(10).ipv4("192.168.10.21", text).udp(port, 9999);
    frame.payload(std::size_t{16});
    writer.write(kScenarioEpoch + static_cast<Timestamp>(n) * kMicros, frame.build());
  }
  return flows;
}

// --- spoof -------------------------------------------------------------------------------------

// --flows distinct camera addresses counted up from 10.0.0.1 (spoofed sources on camera VLAN 10,
// private, so the default config takes each for a camera) each send one small UDP datagram to
// 45.0.0.1:9999, a microsecond apart: far more cameras than per-camera state may hold (issue 8:
// bounded resources, inventory.max_cameras and alerts.max_active).
std::uint64_t writeSpoof(PacketWriter& writer, std::uint64_t sources) {
  const Mac gateway_mac = localMac(0x0a0001);
  for (std::uint64_t n = 0; n < sources; ++n) {
    const std::uint32_t source = 0x0a000001U + static_cast<std::uint32_t>(n);  // 10.0.0.1 + n
    char text[32];
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", source >> 24, (source >> 16) & 255,
                  (source >> 8) & 255, source & 255);
    Frame frame;
    frame.eth(localMac(0x100000 + static_cast<std::uint32_t>(n % 0xfffff)), gateway_mac)
        .vlan(10)
        .ipv4(text, "45.0.0.1")
        .udp(40000, 9999);
    frame.payload(std::size_t{16});
    writer.write(kScenarioEpoch + static_cast<Timestamp>(n) * kMicros, frame.build());
  }
  return sources;
}

}  // namespace

bool parseLinkChoice(std::string_view text, LinkChoice& out) {
  static const std::pair<std::string_view, LinkChoice> kNames[] = {
      {"ethernet", LinkChoice::kEthernet}, {"sll", LinkChoice::kSll},   {"sll2", LinkChoice::kSll2},
      {"raw", LinkChoice::kRaw},           {"ipv4", LinkChoice::kIpv4}, {"ipv6", LinkChoice::kIpv6},
      {"null", LinkChoice::kNull},
  };
  for (const auto& [name, choice] : kNames) {
    if (name == text) {
      out = choice;
      return true;
    }
  }
  return false;
}

const std::vector<ScenarioInfo>& scenarios() {
  static const std::vector<ScenarioInfo> kScenarios = {
      {"demo",
       "camera VLAN, ~10 minutes: RTSP, NTP, vendor clouds, STUN, a 5 MB upload, a new "
       "device, ARP/LLDP, one untagged management flow",
       true},
      {"basic",
       "small capture with exactly known flows (TCP, UDP, ICMP, IPv6, VLAN, QinQ, "
       "IPv4 fragments, ARP)",
       true},
      {"linktypes", "a few flows with the link layer of --link", true},
      {"bench", "large capture (--packets, --flows) with a realistic packet mix", false},
      {"timeouts", "flows cut by the idle and active timeouts", true},
      {"flood", "one camera, one UDP datagram to each of --flows public addresses", false},
      {"spoof", "--flows camera source addresses, one UDP datagram each to one public address",
       false},
  };
  return kScenarios;
}

std::uint64_t runScenario(const std::string& name, const std::string& output,
                          const ScenarioOptions& options, ExpectedCapture* expected) {
  TrafficMix mix;
  if (name == "demo") {
    buildDemo(mix);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "basic") {
    buildBasic(mix);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "linktypes") {
    bool v4 = options.link != LinkChoice::kIpv6;
    bool v6 = options.link != LinkChoice::kIpv4;
    buildLinktypes(mix, linkKindFor(options.link), v4, v6);
    return writeMix(mix, output, options, linktypeForChoice(options.link), expected);
  }
  if (name == "timeouts") {
    buildTimeouts(mix, expected);
    return writeMix(mix, output, options, kLinktypeEthernet, expected);
  }
  if (name == "bench") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    BenchGenerator generator(options, *writer);
    generator.run();
    writer->close();
    return writer->packetsWritten();
  }
  if (name == "flood") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    const std::uint64_t packets = writeFlood(*writer, options.flows);
    writer->close();
    return packets;
  }
  if (name == "spoof") {
    PacketWriterPtr writer =
        openCaptureFile(output, options.pcapng, fileOptions(options, kLinktypeEthernet));
    const std::uint64_t packets = writeSpoof(*writer, options.flows);
    writer->close();
    return packets;
  }
  throw std::invalid_argument("unknown scenario: " + name);
}

}  // namespace camwatch::testkit
