// IpfixEncoder: IPFIX messages (RFC 7011) of IpfixFlows, encoded by Debian's libfixbuf: its
// information model (the IANA elements, RFC 5103 reverse elements), camwatch's own elements
// under a private enterprise number, one template for IPv4 flows and one for IPv6, and the
// message headers (sequence numbers, export time, observation domain). libfixbuf writes each
// message into a buffer of ours instead of a socket of its own, so the exporter decides how a
// message is sent (export/collector_connection.h) and what a failure costs. One encoder is one
// transport session (RFC 7011 section 10: a TCP connection gets a new one). Exporter thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <camwatch/result.h>

#include "export/ipfix_flow.h"

namespace camwatch {

/// camwatch's information elements under `enterprise_number` (docs/ipfix.md lists them).
struct IpfixEnterpriseElement {
  const char* name;
  std::uint16_t id;
};
inline constexpr IpfixEnterpriseElement kIpfixEnterpriseElements[] = {
    {"camwatchCameraName", 1},      {"camwatchCameraGroup", 2},    {"camwatchVendorCloud", 3},
    {"camwatchCountry", 4},         {"camwatchAsOrganization", 5}, {"camwatchOperator", 6},
    {"camwatchOperatorCountry", 7}, {"camwatchVerdict", 8},        {"camwatchRule", 9},
    {"camwatchHostname", 10},
};

/// camwatch's template ids: one for IPv4 flows, one for IPv6 flows.
inline constexpr std::uint16_t kIpfixTemplateIpv4 = 256;
inline constexpr std::uint16_t kIpfixTemplateIpv6 = 257;

struct IpfixEncoderOptions {
  /// RFC 5612's documentation number by default: a deployment may register its own.
  std::uint32_t enterprise_number = 32473;
  std::uint32_t observation_domain = 0;
  /// The largest message: UDP keeps each below a common path MTU (1500 less IP and UDP
  /// headers); TCP may use up to 65535.
  std::uint16_t max_message_bytes = 1400;
};

/// One IPFIX message, ready to send, and how many flow records it holds.
struct IpfixMessage {
  std::vector<std::uint8_t> bytes;
  std::size_t records = 0;
};

class IpfixEncoder {
 public:
  /// Builds the information model, the templates and the session. Fails naming what libfixbuf
  /// refused (an element its model lacks, a template it cannot build).
  static Result<std::unique_ptr<IpfixEncoder>> create(const IpfixEncoderOptions& options);
  ~IpfixEncoder();
  IpfixEncoder(const IpfixEncoder&) = delete;
  IpfixEncoder& operator=(const IpfixEncoder&) = delete;

  /// Closes the message being filled, then puts both templates in a message of their own: at
  /// the start of a session and, over UDP, again on schedule (RFC 7011 section 8.4).
  Result<void> exportTemplates();
  /// Adds one record; the message being filled is closed first when the record does not fit.
  Result<void> append(const IpfixFlow& flow);
  /// Closes the message being filled, if it holds a record.
  Result<void> flush();
  /// The messages closed since the last call, oldest first.
  std::vector<IpfixMessage> takeMessages();

 private:
  struct Fixbuf;
  explicit IpfixEncoder(std::unique_ptr<Fixbuf> fixbuf);
  Result<void> emit();

  std::unique_ptr<Fixbuf> fixbuf_;
  std::size_t records_in_message_ = 0;
  std::vector<IpfixMessage> messages_;
};

}  // namespace camwatch
