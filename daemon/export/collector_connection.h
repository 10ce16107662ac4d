// CollectorConnection: the socket an IPFIX exporter sends its messages on, UDP or TCP, with
// bounded waits (a connect or a send gives up after `timeout`), no SIGPIPE, and errors that name
// the collector. The exporter's thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include <camwatch/result.h>

#include "export/ipfix_flow.h"

namespace camwatch {

class CollectorConnection {
 public:
  CollectorConnection(IpfixCollector collector, std::chrono::milliseconds timeout);
  ~CollectorConnection();
  CollectorConnection(const CollectorConnection&) = delete;
  CollectorConnection& operator=(const CollectorConnection&) = delete;

  /// Resolves the collector and opens the socket: UDP connects it (so an ICMP port unreachable
  /// comes back as an error of a later send), TCP connects, waiting at most the timeout.
  Result<void> open();
  bool isOpen() const { return fd_ >= 0; }
  /// TCP: whether the collector closed the connection (or it broke) since the last send: a
  /// stream the peer closed still takes one write, whose message would be lost. Looks without
  /// waiting; false for UDP.
  bool peerClosed() const;
  /// Sends one message whole: one datagram, or every byte on the stream. A TCP failure closes
  /// the connection (a message cut short has broken the stream); a UDP one does not.
  Result<void> send(std::span<const std::uint8_t> message);
  void close();
  /// "127.0.0.1:4739/udp".
  const std::string& name() const { return name_; }

 private:
  Result<void> fail(const std::string& what, int error);

  IpfixCollector collector_;
  std::chrono::milliseconds timeout_;
  std::string name_;
  int fd_ = -1;
};

}  // namespace camwatch
