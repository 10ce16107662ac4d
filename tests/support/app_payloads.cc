#include "support/app_payloads.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <stdexcept>
#include <utility>

#include "support/rng.h"

namespace camwatch::testkit {
namespace {

constexpr std::uint32_t kStunMagicCookie = 0x2112a442;
// Seconds from the NTP era (1900) to the Unix epoch (1970).
constexpr std::int64_t kNtpUnixOffset = 2208988800LL;

std::vector<std::string> splitLabels(std::string_view name) {
  std::vector<std::string> labels;
  while (!name.empty()) {
    std::size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) {
      throw std::invalid_argument("bad DNS name: " + std::string(name));
    }
    labels.emplace_back(label);
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  return labels;
}

std::string lowerJoin(const std::vector<std::string>& labels, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < labels.size(); ++i) {
    if (!out.empty()) out += '.';
    for (char c : labels[i]) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Writes names into one DNS message, pointing back at suffixes already written.
class DnsNameWriter {
 public:
  void write(Bytes& message, std::string_view name) {
    std::vector<std::string> labels = splitLabels(name);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string suffix = lowerJoin(labels, i);
      auto it = std::find_if(written_.begin(), written_.end(),
                             [&](const auto& entry) { return entry.first == suffix; });
      if (it != written_.end()) {
        putU16(message, static_cast<std::uint16_t>(0xc000 | it->second));
        return;
      }
      // Pointers have 14 bits; later suffixes simply are not offered for compression.
      if (message.size() < 0x4000) {
        written_.emplace_back(suffix, static_cast<std::uint16_t>(message.size()));
      }
      putU8(message, static_cast<std::uint8_t>(labels[i].size()));
      putString(message, labels[i]);
    }
    putU8(message, 0);
  }

 private:
  std::vector<std::pair<std::string, std::uint16_t>> written_;
};

void putDnsHeader(Bytes& out, std::uint16_t id, std::uint16_t flags, std::uint16_t answers) {
  putU16(out, id);
  putU16(out, flags);
  putU16(out, 1);  // one question
  putU16(out, answers);
  putU16(out, 0);
  putU16(out, 0);
}

// Prepends a TLS handshake header (type + 24-bit length) and a record header.
Bytes tlsRecord(std::uint8_t content_type, std::uint16_t record_version, const Bytes& content) {
  Bytes out;
  putU8(out, content_type);
  putU16(out, record_version);
  putU16(out, static_cast<std::uint16_t>(content.size()));
  putBytes(out, content);
  return out;
}

Bytes tlsHandshake(std::uint8_t type, const Bytes& body) {
  Bytes out;
  putU8(out, type);
  putU8(out, static_cast<std::uint8_t>(body.size() >> 16));
  putU16(out, static_cast<std::uint16_t>(body.size()));
  putBytes(out, body);
  return out;
}

void putExtension(Bytes& out, std::uint16_t type, const Bytes& data) {
  putU16(out, type);
  putU16(out, static_cast<std::uint16_t>(data.size()));
  putBytes(out, data);
}

void putNtpTimestamp(Bytes& out, Timestamp ts) {
  std::int64_t seconds = ts / kNanosPerSecond + kNtpUnixOffset;
  auto fraction = static_cast<std::uint64_t>(ts % kNanosPerSecond);
  putU32(out, static_cast<std::uint32_t>(seconds));
  putU32(out, static_cast<std::uint32_t>((fraction << 32) / 1'000'000'000ULL));
}

Bytes stunTransactionId(std::uint64_t seed) { return Rng(seed).bytes(12); }

std::string reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    default:
      return "Status";
  }
}

}  // namespace

Bytes toBytes(std::string_view text) { return {text.begin(), text.end()}; }

Bytes dnsQuery(std::uint16_t id, std::string_view name, std::uint16_t qtype) {
  Bytes out;
  putDnsHeader(out, id, 0x0100, 0);  // standard query, recursion desired
  DnsNameWriter names;
  names.write(out, name);
  putU16(out, qtype);
  putU16(out, 1);  // IN
  return out;
}

Bytes dnsResponse(std::uint16_t id, std::string_view name, std::uint16_t qtype,
                  const std::vector<DnsRecord>& answers, std::uint8_t rcode) {
  Bytes out;
  // QR, RD, RA and the response code.
  putDnsHeader(out, id, static_cast<std::uint16_t>(0x8180 | (rcode & 0x0f)),
               static_cast<std::uint16_t>(answers.size()));
  DnsNameWriter names;
  names.write(out, name);
  putU16(out, qtype);
  putU16(out, 1);
  for (const DnsRecord& record : answers) {
    names.write(out, record.name);
    putU16(out, record.type);
    putU16(out, 1);
    putU32(out, record.ttl);
    std::size_t length_at = out.size();
    putU16(out, 0);
    if (record.type == kDnsTypeCname) {
      names.write(out, record.data);
    } else {
      IpBytes address = IpBytes::parse(record.data);
      if (address.v6 != (record.type == kDnsTypeAaaa)) {
        throw std::invalid_argument("DNS record type does not match address " + record.data);
      }
      putBytes(out, address.view());
    }
    setU16(out, length_at, static_cast<std::uint16_t>(out.size() - length_at - 2));
  }
  return out;
}

std::vector<DnsRecord> dnsCnameChain(std::string_view name, const std::vector<std::string>& chain,
                                     const std::vector<std::string>& addresses, std::uint32_t ttl) {
  std::vector<DnsRecord> records;
  std::string owner(name);
  for (const std::string& target : chain) {
    records.push_back({owner, kDnsTypeCname, target, ttl});
    owner = target;
  }
  for (const std::string& address : addresses) {
    bool v6 = IpBytes::parse(address).v6;
    records.push_back({owner, v6 ? kDnsTypeAaaa : kDnsTypeA, address, ttl});
  }
  return records;
}

Bytes tlsClientHello(const ClientHelloOptions& options) {
  Rng rng(options.seed);
  Bytes body;
  putU16(body, 0x0303);
  putBytes(body, rng.bytes(32));  // random
  putU8(body, 32);                // session id (middlebox compatibility mode)
  putBytes(body, rng.bytes(32));
  std::vector<std::uint16_t> suites;
  if (options.tls13) suites = {0x1301, 0x1302, 0x1303};
  const std::uint16_t kTls12Suites[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
                                        0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  suites.insert(suites.end(), std::begin(kTls12Suites), std::end(kTls12Suites));
  putU16(body, static_cast<std::uint16_t>(suites.size() * 2));
  for (std::uint16_t suite : suites) putU16(body, suite);
  putU8(body, 1);  // compression methods: null only
  putU8(body, 0);

  Bytes extensions;
  if (!options.sni.empty()) {
    Bytes data;
    putU16(data, static_cast<std::uint16_t>(options.sni.size() + 3));
    putU8(data, 0);  // host_name
    putU16(data, static_cast<std::uint16_t>(options.sni.size()));
    putString(data, options.sni);
    putExtension(extensions, 0, data);
  }
  putExtension(extensions, 23, {});       // extended_master_secret
  putExtension(extensions, 0xff01, {0});  // renegotiation_info
  putExtension(extensions, 10, {0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18});  // groups
  putExtension(extensions, 11, {1, 0});  // ec_point_formats: uncompressed
  putExtension(extensions, 35, {});      // session_ticket
  if (!options.alpn.empty()) {
    Bytes list;
    for (const std::string& protocol : options.alpn) {
      putU8(list, static_cast<std::uint8_t>(protocol.size()));
      putString(list, protocol);
    }
    Bytes data;
    putU16(data, static_cast<std::uint16_t>(list.size()));
    putBytes(data, list);
    putExtension(extensions, 16, data);
  }
  putExtension(extensions, 5, {1, 0, 0, 0, 0});  // status_request: OCSP
  Bytes algorithms;
  const std::uint16_t kSignatureAlgorithms[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                                0x0805, 0x0501, 0x0806, 0x0601};
  for (std::uint16_t algorithm : kSignatureAlgorithms) putU16(algorithms, algorithm);
  Bytes signature_data;
  putU16(signature_data, static_cast<std::uint16_t>(algorithms.size()));
  putBytes(signature_data, algorithms);
  putExtension(extensions, 13, signature_data);
  if (options.tls13) {
    Bytes key_share;
    putU16(key_share, 36);
    putU16(key_share, 0x001d);  // x25519
    putU16(key_share, 32);
    putBytes(key_share, rng.bytes(32));
    putExtension(extensions, 51, key_share);
    putExtension(extensions, 45, {1, 1});  // psk_key_exchange_modes: psk_dhe_ke
    putExtension(extensions, 43, {4, 0x03, 0x04, 0x03, 0x03});  // supported_versions
  }
  putU16(body, static_cast<std::uint16_t>(extensions.size()));
  putBytes(body, extensions);
  return tlsRecord(22, 0x0301, tlsHandshake(1, body));
}

Bytes tlsServerHello(bool tls13, std::uint64_t seed) {
  Rng rng(seed);
  Bytes body;
  putU16(body, 0x0303);
  putBytes(body, rng.bytes(32));
  putU8(body, 32);
  putBytes(body, rng.bytes(32));
  putU16(body, tls13 ? 0x1301 : 0xc02f);
  putU8(body, 0);
  Bytes extensions;
  if (tls13) {
    putExtension(extensions, 43, {0x03, 0x04});
    Bytes key_share;
    putU16(key_share, 0x001d);
    putU16(key_share, 32);
    putBytes(key_share, rng.bytes(32));
    putExtension(extensions, 51, key_share);
  } else {
    putExtension(extensions, 0xff01, {0});
    putExtension(extensions, 23, {});
    putExtension(extensions, 11, {1, 0});
  }
  putU16(body, static_cast<std::uint16_t>(extensions.size()));
  putBytes(body, extensions);
  Bytes out = tlsRecord(22, 0x0303, tlsHandshake(2, body));
  if (tls13) putBytes(out, tlsRecord(20, 0x0303, {1}));  // ChangeCipherSpec
  return out;
}

Bytes tlsApplicationData(std::size_t total_len, std::uint64_t seed) {
  constexpr std::size_t kMaxContent = 16384 + 256;
  if (total_len < 6) throw std::invalid_argument("TLS application data needs 6 bytes or more");
  Rng rng(seed);
  Bytes out;
  out.reserve(total_len);
  std::size_t remaining = total_len;
  while (remaining > 0) {
    std::size_t content = std::min(remaining - 5, kMaxContent);
    std::size_t left_after = remaining - 5 - content;
    // Never leave a tail too short for a record of its own.
    if (left_after > 0 && left_after < 6) content -= 6;
    putBytes(out, tlsRecord(23, 0x0303, rng.bytes(content)));
    remaining -= 5 + content;
  }
  return out;
}

Bytes httpGet(std::string_view host, std::string_view path, std::string_view user_agent) {
  std::string text = "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + std::string(host) +
                     "\r\nUser-Agent: " + std::string(user_agent) +
                     "\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n";
  return toBytes(text);
}

Bytes httpResponse(int status, std::string_view content_type, std::size_t body_len) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
                     "\r\nServer: webs\r\nContent-Type: " + std::string(content_type) +
                     "\r\nContent-Length: " + std::to_string(body_len) +
                     "\r\nConnection: keep-alive\r\n\r\n";
  constexpr std::string_view kFiller = "<p>camwatch generated test page</p>\n";
  for (std::size_t i = 0; i < body_len; ++i) text += kFiller[i % kFiller.size()];
  return toBytes(text);
}

Bytes stunBindingRequest(std::uint64_t transaction_seed, std::string_view software) {
  Bytes attributes;
  if (!software.empty()) {
    putU16(attributes, 0x8022);  // SOFTWARE
    putU16(attributes, static_cast<std::uint16_t>(software.size()));
    putString(attributes, software);
    while (attributes.size() % 4 != 0) attributes.push_back(0);
  }
  Bytes out;
  putU16(out, 0x0001);
  putU16(out, static_cast<std::uint16_t>(attributes.size()));
  putU32(out, kStunMagicCookie);
  putBytes(out, stunTransactionId(transaction_seed));
  putBytes(out, attributes);
  return out;
}

Bytes stunBindingResponse(std::uint64_t transaction_seed, std::string_view mapped_ip,
                          std::uint16_t mapped_port) {
  Bytes transaction = stunTransactionId(transaction_seed);
  IpBytes ip = IpBytes::parse(mapped_ip);
  // XOR-MAPPED-ADDRESS: the address XORed with the cookie (and transaction id for IPv6).
  Bytes mask;
  putU32(mask, kStunMagicCookie);
  putBytes(mask, transaction);
  Bytes attribute;
  putU8(attribute, 0);
  putU8(attribute, ip.v6 ? 2 : 1);
  putU16(attribute, static_cast<std::uint16_t>(mapped_port ^ (kStunMagicCookie >> 16)));
  for (std::size_t i = 0; i < ip.size(); ++i) {
    putU8(attribute, static_cast<std::uint8_t>(ip.bytes[i] ^ mask[i]));
  }
  Bytes out;
  putU16(out, 0x0101);
  putU16(out, static_cast<std::uint16_t>(4 + attribute.size()));
  putU32(out, kStunMagicCookie);
  putBytes(out, transaction);
  putU16(out, 0x0020);
  putU16(out, static_cast<std::uint16_t>(attribute.size()));
  putBytes(out, attribute);
  return out;
}

Bytes ntpRequest(Timestamp now) {
  // LI 0, version 4, mode 3 (client); poll 2^6 s; then delays, reference id and the three other
  // timestamps, zero.
  Bytes out(40, 0);
  out[0] = 0x23;
  out[2] = 6;
  out[3] = 0xe9;
  putNtpTimestamp(out, now);
  return out;
}

Bytes ntpReply(Timestamp origin, Timestamp now) {
  Bytes out = {0x24, 2, 6, 0xe9};                          // mode 4 (server), stratum 2
  putU32(out, 0x00000120);                                 // root delay
  putU32(out, 0x00000340);                                 // root dispersion
  putBytes(out, std::vector<std::uint8_t>{192, 0, 2, 1});  // reference: the upstream server
  putNtpTimestamp(out, now - 64 * kNanosPerSecond);
  putNtpTimestamp(out, origin);
  putNtpTimestamp(out, now - 200'000);
  putNtpTimestamp(out, now);
  return out;
}

Bytes dhcpMessage(const DhcpSpec& spec) {
  bool from_server = spec.message_type == kDhcpOffer || spec.message_type == kDhcpAck;
  Bytes out;
  putU8(out, from_server ? 2 : 1);  // BOOTREPLY / BOOTREQUEST
  putU8(out, 1);                    // Ethernet
  putU8(out, 6);
  putU8(out, 0);
  putU32(out, spec.xid);
  putU16(out, 0);
  putU16(out, 0x8000);  // broadcast: the client has no address yet
  putU32(out, 0);       // ciaddr
  putBytes(out, IpBytes::parse(spec.your_ip).view());
  putU32(out, 0);  // siaddr
  putU32(out, 0);  // giaddr
  putBytes(out, spec.client_mac);
  out.resize(out.size() + 10 + 64 + 128, 0);  // chaddr padding, sname, file
  putU32(out, 0x63825363);                    // magic cookie
  auto option = [&out](std::uint8_t code, std::span<const std::uint8_t> data) {
    putU8(out, code);
    putU8(out, static_cast<std::uint8_t>(data.size()));
    putBytes(out, data);
  };
  auto ipOption = [&option](std::uint8_t code, const std::string& text) {
    if (!text.empty()) option(code, IpBytes::parse(text).view());
  };
  const std::uint8_t type[1] = {spec.message_type};
  option(53, type);
  if (from_server) {
    ipOption(54, spec.server_ip);
    Bytes lease;
    putU32(lease, spec.lease_seconds);
    option(51, lease);
    ipOption(1, "255.255.255.0");
    ipOption(3, spec.router);
    ipOption(6, spec.router);
  } else {
    Bytes client_id = {1};
    putBytes(client_id, spec.client_mac);
    option(61, client_id);
    ipOption(50, spec.requested_ip);
    ipOption(54, spec.server_ip);
    if (!spec.hostname.empty()) option(12, toBytes(spec.hostname));
    const std::uint8_t wanted[] = {1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252};
    option(55, wanted);
  }
  putU8(out, 255);
  if (out.size() < 300) out.resize(300, 0);
  return out;
}

Bytes rtspRequest(std::string_view method, std::string_view url, int cseq,
                  std::string_view extra_headers) {
  std::string text = std::string(method) + " " + std::string(url) +
                     " RTSP/1.0\r\nCSeq: " + std::to_string(cseq) +
                     "\r\nUser-Agent: NVR RTSP client\r\n" + std::string(extra_headers) + "\r\n";
  return toBytes(text);
}

Bytes rtspResponse(int cseq, std::string_view extra_headers, std::string_view body) {
  std::string text =
      "RTSP/1.0 200 OK\r\nCSeq: " + std::to_string(cseq) + "\r\n" + std::string(extra_headers);
  if (!body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n";
  text += body;
  return toBytes(text);
}

Bytes rtpInterleaved(std::uint8_t channel, std::uint16_t seq, std::uint32_t rtp_ts,
                     std::uint32_t ssrc, std::size_t payload_len, std::uint64_t seed) {
  Bytes out;
  putU8(out, '$');
  putU8(out, channel);
  putU16(out, static_cast<std::uint16_t>(12 + payload_len));
  putU8(out, 0x80);  // RTP version 2
  putU8(out, 96);    // dynamic payload type (H.264 in the SDP)
  putU16(out, seq);
  putU32(out, rtp_ts);
  putU32(out, ssrc);
  putBytes(out, Rng(seed).bytes(payload_len));
  return out;
}

}  // namespace camwatch::testkit
