// A client socket to HOST:PORT with bounded waits, for the senders that talk to a collector or a
// SIEM (export/collector_connection, sinks/syslog): resolve, connect without blocking longer than
// the timeout, then blocking sends and receives each limited to it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <camwatch/result.h>

namespace camwatch {

/// A socket connected to `host`:`port` (the first address getaddrinfo gives; `stream`: TCP,
/// else UDP), the connect waited for at most `timeout`; the socket is blocking from then on,
/// each send and receive limited to `timeout`. The caller owns (closes) the descriptor.
/// @return the descriptor, or an error the caller prefixes with whose connection it is:
/// "cannot resolve 'HOST': why", "socket: why" or "connect: why".
Result<int> connectSocket(const std::string& host, std::uint16_t port, bool stream,
                          std::chrono::milliseconds timeout);

}  // namespace camwatch
