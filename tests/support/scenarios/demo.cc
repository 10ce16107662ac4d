// The demo scenario: a camera VLAN for about ten minutes, with RTSP, NTP, vendor clouds, STUN, a
// 30 MB upload (its data frames cut to a small snaplen), a new device, ARP/LLDP, one untagged
// management flow, cameras that use a public resolver, DNS over HTTPS and DNS over TLS, and a
// camera calling home every 30 s.
#include <string>
#include <utility>
#include <vector>

#include "support/app_payloads.h"
#include "support/scenarios/builders.h"
#include "support/scenarios/common.h"

namespace camwatch::testkit::scenario {

namespace {

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
  RtpBursts video;
  video.ssrc = static_cast<std::uint32_t>(0x1c0ffee0 + index);
  video.first = start + 10 * kSeconds;
  video.end = end;
  video.period = 10 * kSeconds;
  video.pause = 10 * kSeconds - 16 * kMillis;
  video.per_burst = 5;
  video.packet_len = 1300;
  video.clock_step = 3600;
  addRtpBursts(spec, video, rng);
  mix.addFlow(flowFacts(spec), tcpSession(spec));
}

// A DNS lookup through `resolver`, then TLS 1.3 to the first address answered.
void demoCloudCheckIn(TrafficMix& mix, const DemoSite& site, const Host& camera,
                      const Host& resolver, const std::string& name,
                      const std::vector<std::string>& cnames, const std::string& address,
                      Timestamp start, Rng& rng) {
  UdpExchangeSpec dns =
      udpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)), resolver,
              53, start);
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

// The same through the site's resolver, the gateway.
void demoCloudCheckIn(TrafficMix& mix, const DemoSite& site, const Host& camera,
                      const std::string& name, const std::vector<std::string>& cnames,
                      const std::string& address, Timestamp start, Rng& rng) {
  demoCloudCheckIn(mix, site, camera, site.gateway, name, cnames, address, start, rng);
}

// A TLS session to `server` that carries DNS (DoH on 443, DoT on 853): the ClientHello with
// `sni` and `alpn`, then a query and its answer every `period`, `lookups` times.
void demoEncryptedDns(TrafficMix& mix, const DemoSite& site, const Host& camera, const Host& server,
                      std::uint16_t port, const std::string& sni, const std::string& alpn,
                      Timestamp start, int lookups, Timestamp period, Rng& rng) {
  TcpSessionSpec tls =
      tcpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)), server,
              port, start);
  randomise(tls, rng);
  tls.gap = 12 * kMillis;
  tls.server_ttl = 58;
  ClientHelloOptions hello;
  hello.sni = sni;
  hello.alpn = {alpn};
  hello.seed = rng.next();
  tls.messages = {tcpMessage(true, tlsClientHello(hello)),
                  tcpMessage(false, tlsServerHello(true, rng.next())),
                  tcpMessage(false, tlsApplicationData(2900, rng.next()))};
  for (int i = 0; i < lookups; ++i) {
    // One draw per statement: the order of a call's arguments is the compiler's choice.
    const std::size_t query_len = rng.uniform(90, 160);
    const std::uint64_t query_seed = rng.next();
    const std::size_t answer_len = rng.uniform(120, 260);
    const std::uint64_t answer_seed = rng.next();
    tls.messages.push_back(
        tcpMessage(true, tlsApplicationData(query_len, query_seed), i == 0 ? 0 : period));
    tls.messages.push_back(tcpMessage(false, tlsApplicationData(answer_len, answer_seed)));
  }
  mix.addFlow(flowFacts(tls), tcpSession(tls));
}

// Cameras that bypass the site's resolver (issue 18 point 3): a Dahua camera asks Quad9
// (9.9.9.9) for its cloud's name and connects to the answer; one speaks DNS over HTTPS to
// Google (dns.google at 8.8.8.8, an address it has built in), one DNS over TLS to Cloudflare
// (1.1.1.1:853). Its own Rng, so that every flow made before keeps its bytes.
void demoOtherResolvers(TrafficMix& mix, const DemoSite& site, Timestamp start) {
  Rng rng(0x9d05e7a);
  const Host quad9_user{parseMac("3c:ef:8c:00:00:31"), "192.168.10.31"};
  const Host doh_user{parseMac("3c:ef:8c:00:00:32"), "192.168.10.32"};
  const Host dot_user{parseMac("3c:ef:8c:00:00:33"), "192.168.10.33"};
  demoCloudCheckIn(mix, site, quad9_user, site.remote("9.9.9.9"), "p2p.easy4ipcloud.com", {},
                   "47.254.130.17", start, rng);
  demoEncryptedDns(mix, site, doh_user, site.remote("8.8.8.8"), 443, "dns.google", "h2",
                   start + 10 * kSeconds, 4, 15 * kSeconds, rng);
  demoEncryptedDns(mix, site, dot_user, site.remote("1.1.1.1"), 853, "cloudflare-dns.com", "dot",
                   start + 20 * kSeconds, 3, 20 * kSeconds, rng);
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

// 30 MB in 46 s (about 5 Mbit/s) from a camera to a bare IP address: the flow an egress budget
// and the alert's growing evidence are about. 30,000,000 bytes of TLS application data in 20548
// segments of at most 1460 bytes, a pure ACK from the server every second segment, a packet
// every 1.5 ms. Only the first 100 frames are kept whole (the TCP and TLS handshakes and more
// than the 80 packets nDPI looks at); the later ones are captured with a 64-byte snaplen (the
// headers and the start of the payload) and their length on the wire, so the committed capture
// holds 30 MB of traffic in about 2.5 MB. The size and the gap draw nothing from `rng`: the flows
// after it are the same as with the 5 MB upload this was before.
void demoUpload(TrafficMix& mix, const DemoSite& site, const Host& camera, Timestamp start,
                Rng& rng) {
  TcpSessionSpec upload =
      tcpSpec(site.vlan, camera, 51877, site.remote("47.254.33.45"), 443, start);
  randomise(upload, rng);
  upload.gap = 1500 * kMicros;
  upload.server_ttl = 47;
  ClientHelloOptions hello;  // no SNI: the camera connects to a bare IP address
  hello.seed = rng.next();
  upload.messages = {tcpMessage(true, tlsClientHello(hello)),
                     tcpMessage(false, tlsServerHello(true, rng.next())),
                     tcpMessage(true, tlsApplicationData(30'000'000, rng.next())),
                     tcpMessage(false, tlsApplicationData(240, rng.next()))};
  std::vector<TimedFrame> frames = tcpSession(upload);
  cutToSnaplen(frames, 100, 64);
  mix.addFlow(flowFacts(upload), std::move(frames));
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

// A Hikvision camera calls home every 30 s, +-1 s, from 32 s to the end (19 contacts): each
// time a new TLS connection to Hik-Connect, a heartbeat of a few hundred bytes (issue 18 point 5:
// the beacon the summary and report list). It resolves the name once: the answer's TTL (600 s)
// outlasts the capture. Its own Rng, so every flow before it keeps its bytes.
void demoBeacon(TrafficMix& mix, const DemoSite& site, Timestamp t0) {
  Rng rng(0xbeac0034);
  const Host camera{parseMac("44:19:b6:00:00:34"), "192.168.10.34"};  // Hikvision
  const std::string name = "litedev.hik-connect.com";
  const std::string address = "52.5.124.127";
  constexpr int kContacts = 19;
  for (int k = 0; k < kContacts; ++k) {
    const Timestamp jitter = static_cast<Timestamp>(rng.uniform(0, 2000)) - 1000;
    const Timestamp start = t0 + (32 + 30 * k) * kSeconds + jitter * kMillis;
    if (k == 0) {
      UdpExchangeSpec dns =
          udpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)),
                  site.gateway, 53, start - 80 * kMillis);
      randomise(dns, rng);
      dns.gap = 15 * kMillis;
      const auto id = static_cast<std::uint16_t>(rng.u16());
      dns.datagrams = {udpDatagram(true, dnsQuery(id, name)),
                       udpDatagram(false, dnsResponse(id, name, kDnsTypeA,
                                                      dnsCnameChain(name, {}, {address}, 600)))};
      mix.addFlow(flowFacts(dns), udpExchange(dns));
    }
    TcpSessionSpec tls =
        tcpSpec(site.vlan, camera, static_cast<std::uint16_t>(rng.uniform(32768, 60999)),
                site.remote(address), 443, start);
    randomise(tls, rng);
    tls.gap = 22 * kMillis;
    tls.server_ttl = 49;
    ClientHelloOptions hello;
    hello.sni = name;
    hello.seed = rng.next();
    tls.messages = {tcpMessage(true, tlsClientHello(hello)),
                    tcpMessage(false, tlsServerHello(true, rng.next())),
                    tcpMessage(true, tlsApplicationData(180, rng.next())),
                    tcpMessage(false, tlsApplicationData(90, rng.next()))};
    mix.addFlow(flowFacts(tls), tcpSession(tls));
  }
}

}  // namespace

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

  // The odd one: a Dahua camera uploads 30 MB in a minute to an unknown host on the internet.
  demoUpload(mix, site, site.cameras[3], t0 + 200 * kSeconds, rng);

  demoNewDevice(mix, site, t0 + 420 * kSeconds, rng);
  demoManagement(mix, t0 + 500 * kSeconds, rng);

  demoOtherResolvers(mix, site, t0 + 110 * kSeconds);
  demoBeacon(mix, site, t0);
}

}  // namespace camwatch::testkit::scenario
