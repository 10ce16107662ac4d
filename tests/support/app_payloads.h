// app_payloads: application-layer payloads for generated traffic (DNS, TLS, HTTP, STUN, NTP,
// DHCP, RTSP/RTP). Each is well-formed enough for Wireshark and nDPI to recognise, and no more:
// TLS records after the hellos are random bytes, DNS carries only the sections asked for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/packet.h>

#include "support/packet_builder.h"

namespace camwatch::testkit {

Bytes toBytes(std::string_view text);

// --- DNS -------------------------------------------------------------------------------------

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypeCname = 5;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;

/// One answer record. `data` is address text for A/AAAA and the target name for CNAME.
struct DnsRecord {
  std::string name;
  std::uint16_t type = kDnsTypeA;
  std::string data;
  std::uint32_t ttl = 300;
};

/// A recursive query (RD set) for one name.
Bytes dnsQuery(std::uint16_t id, std::string_view name, std::uint16_t qtype = kDnsTypeA);

/// The response to dnsQuery(id, name, qtype) with `answers` in order. Names are compressed
/// (RFC 1035 4.1.4): any suffix written before becomes a pointer, in owner names and in CNAME
/// targets alike.
Bytes dnsResponse(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                  const std::vector<DnsRecord>& answers, std::uint8_t rcode = 0);

/// Answers for `name` -> CNAME chain[0] -> ... -> chain.back() -> addresses (A or AAAA by form).
std::vector<DnsRecord> dnsCnameChain(std::string_view name, const std::vector<std::string>& chain,
                                     const std::vector<std::string>& addresses,
                                     std::uint32_t ttl = 300);

// --- TLS -------------------------------------------------------------------------------------

struct ClientHelloOptions {
  std::string sni;                ///< empty: no server_name extension
  bool tls13 = true;              ///< adds supported_versions, key_share, psk modes
  std::vector<std::string> alpn;  ///< e.g. {"h2", "http/1.1"}; empty: no ALPN extension
  std::uint64_t seed = 1;         ///< random, session id and key share bytes
};

/// One TLS record (content type 22) holding a ClientHello.
Bytes tlsClientHello(const ClientHelloOptions& options);

/// The server's first flight as seen on the wire: ServerHello (and for TLS 1.3 the
/// compatibility ChangeCipherSpec) in separate records.
Bytes tlsServerHello(bool tls13, std::uint64_t seed = 2);

/// Application data records (content type 23) of random bytes, `total_len` bytes on the wire in
/// all, each record at most 16384 + 256 bytes of content.
Bytes tlsApplicationData(std::size_t total_len, std::uint64_t seed);

// --- HTTP ------------------------------------------------------------------------------------

Bytes httpGet(std::string_view host, std::string_view path = "/",
              std::string_view user_agent = "Mozilla/5.0 (X11; Linux x86_64)");
/// "HTTP/1.1 <status> ..." with Content-Length and a body of `body_len` bytes of text.
Bytes httpResponse(int status, std::string_view content_type, std::size_t body_len);

// --- STUN (RFC 5389) -------------------------------------------------------------------------

/// Binding request; the 96-bit transaction id comes from `transaction_seed`.
Bytes stunBindingRequest(std::uint64_t transaction_seed, std::string_view software = {});
/// Binding success response with XOR-MAPPED-ADDRESS for the same transaction.
Bytes stunBindingResponse(std::uint64_t transaction_seed, std::string_view mapped_ip,
                          std::uint16_t mapped_port);

// --- NTP -------------------------------------------------------------------------------------

/// NTPv4 client request (mode 3) sent at `now`.
Bytes ntpRequest(Timestamp now);
/// NTPv4 server reply (mode 4, stratum 2) to a request sent at `origin`, answered at `now`.
Bytes ntpReply(Timestamp origin, Timestamp now);

// --- DHCP ------------------------------------------------------------------------------------

inline constexpr std::uint8_t kDhcpDiscover = 1;
inline constexpr std::uint8_t kDhcpOffer = 2;
inline constexpr std::uint8_t kDhcpRequest = 3;
inline constexpr std::uint8_t kDhcpAck = 5;

struct DhcpSpec {
  std::uint8_t message_type = kDhcpDiscover;
  std::uint32_t xid = 0;
  Mac client_mac{};
  std::string your_ip = "0.0.0.0";      ///< yiaddr (offer/ack)
  std::string server_ip;                ///< option 54 (offer/ack/request); empty: none
  std::string requested_ip;             ///< option 50 (request); empty: none
  std::string hostname;                 ///< option 12; empty: none
  std::string router;                   ///< option 3 (offer/ack); empty: none
  std::uint32_t lease_seconds = 86400;  ///< option 51 (offer/ack)
};

/// BOOTP message with DHCP options, padded to the customary 300 bytes.
Bytes dhcpMessage(const DhcpSpec& spec);

// --- RTSP / RTP ------------------------------------------------------------------------------

Bytes rtspRequest(std::string_view method, std::string_view url, int cseq,
                  std::string_view extra_headers = {});
Bytes rtspResponse(int cseq, std::string_view extra_headers = {}, std::string_view body = {});
/// RTP over RTSP interleaved ('$', channel, length), payload type 96, `payload_len` random bytes.
Bytes rtpInterleaved(std::uint8_t channel, std::uint16_t seq, std::uint32_t rtp_ts,
                     std::uint32_t ssrc, std::size_t payload_len, std::uint64_t seed);

}  // namespace camwatch::testkit
