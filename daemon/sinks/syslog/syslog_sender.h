// SyslogSender: how the syslog sink's messages leave: a local unix datagram socket
// (UnixDatagramSender) or the network, UDP, TCP or TLS (NetworkSyslogSender). One caller at a
// time (the delivery thread).
#pragma once

#include <string_view>

#include <camwatch/result.h>

namespace camwatch {

class SyslogSender {
 public:
  virtual ~SyslogSender() = default;
  /// Sends one message (framing it as the transport needs). Connects when not connected, so a
  /// receiver that was down or restarted is found on the next send.
  /// @return an error naming the receiver and what failed.
  virtual Result<void> send(std::string_view message) = 0;
};

}  // namespace camwatch
