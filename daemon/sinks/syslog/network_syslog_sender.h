// NetworkSyslogSender: syslog messages to a collector over the network, as SIEMs take them:
// UDP (RFC 5426: one datagram per message), TCP (RFC 6587: octet-counted frames) or TLS (RFC
// 5425: the same frames in a TLS 1.2+ session, through OpenSSL, the server's certificate checked
// against `ca_file` and the host name). Connects lazily and again after any failure; every
// connect, handshake and send waits at most the timeout.
//
// Threads: one caller at a time (the delivery thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <camwatch/result.h>

#include "sinks/syslog/syslog_sender.h"

namespace camwatch {

enum class SyslogTransport : std::uint8_t { kUnix, kUdp, kTcp, kTls };
std::string_view syslogTransportName(SyslogTransport transport);

struct NetworkSyslogOptions {
  SyslogTransport transport = SyslogTransport::kUdp;
  std::string host;
  std::uint16_t port = 514;
  std::string ca_file;    ///< TLS: the CAs the server's certificate must chain to; "" = system's
  std::string cert_file;  ///< TLS: a client certificate, when the server asks for one; "" = none
  std::string key_file;   ///< TLS: its key
  std::chrono::milliseconds timeout{5000};
};

class NetworkSyslogSender final : public SyslogSender {
 public:
  /// Does not connect yet: the receiver may come up later.
  explicit NetworkSyslogSender(NetworkSyslogOptions options);
  ~NetworkSyslogSender() override;
  NetworkSyslogSender(const NetworkSyslogSender&) = delete;
  NetworkSyslogSender& operator=(const NetworkSyslogSender&) = delete;

  // camwatch::SyslogSender
  Result<void> send(std::string_view message) override;

  /// "syslog.example.net:6514/tls".
  const std::string& name() const { return name_; }

 private:
  struct Tls;
  Result<void> connect();
  Result<void> startTls();
  Result<void> write(std::string_view bytes);
  Result<void> fail(const std::string& what, const std::string& why);
  void disconnect();

  const NetworkSyslogOptions options_;
  std::string name_;
  int fd_ = -1;
  Tls* tls_ = nullptr;  // owned; null without a TLS session
};

}  // namespace camwatch
