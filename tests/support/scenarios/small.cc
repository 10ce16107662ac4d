// The small scenarios, each exactly known: basic (every flow kind once), linktypes (a few flows
// on the link layer of --link) and timeouts (flows that the idle and active timeouts cut).
#include <utility>
#include <vector>

#include "support/app_payloads.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit::scenario {

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

}  // namespace camwatch::testkit::scenario
