// sinks/http/: the HTTP client of the webhook and Alertmanager sinks (libcurl) and the
// config keys they share (headers, bearer token file, timeouts).
//
// A small libcurl wrapper for the HTTP sinks (webhook, Alertmanager): one blocking request with
// connect and total timeouts, the response status and body. Off the hot path: the delivery
// thread calls it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <camwatch/result.h>

namespace camwatch {

struct HttpTimeouts {
  std::chrono::milliseconds connect{3000};  ///< TCP (+ TLS) connect
  std::chrono::milliseconds total{10000};   ///< whole request, answer included
};

struct HttpResponse {
  long status = 0;  ///< HTTP status code (libcurl's type)
  std::string body;
};

/// Sends `method` ("POST", "GET") to `url` with `headers` ("Name: value" lines) and `body`
/// (ignored for GET). Only http:// and https:// URLs; no redirects followed. Any thread (each
/// call has its own handle).
/// @return the response, whatever its status; an error naming the URL when no response came
/// (refused, timed out, TLS failure).
Result<HttpResponse> httpRequest(const std::string& method, const std::string& url,
                                 const std::vector<std::string>& headers, const std::string& body,
                                 const HttpTimeouts& timeouts);

/// Reads a bearer token from `path` (surrounding whitespace and newline trimmed), for an
/// "Authorization: Bearer ..." header. Control thread, at start.
/// @return the token, or an error naming the file when it is unreadable or empty.
Result<std::string> readBearerToken(const std::string& path);

/// The first `limit` bytes of `body` with control characters replaced by spaces, for an error
/// message.
std::string bodyExcerpt(const std::string& body, std::size_t limit = 200);

}  // namespace camwatch
