// A minimal HTTP/1.1 server for sink tests: listens on 127.0.0.1 on a port the kernel picks,
// records every request, answers with a configurable status, or holds the connection open
// without answering (to test client timeouts). One connection at a time, Connection: close.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace camwatch::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  ///< names lowercased
  std::string body;
};

class HttpTestServer {
 public:
  /// Binds 127.0.0.1:0 and starts the accept thread; throws std::runtime_error on failure.
  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const;

  /// The status of the next answers (200 by default) and their body.
  void setStatus(int status, std::string body = "");
  /// When true, requests are read and recorded but never answered until the server stops.
  void setHang(bool hang) { hang_ = hang; }

  std::vector<RecordedRequest> requests() const;

 private:
  void serve();
  void handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> hang_{false};
  mutable std::mutex mutex_;
  int status_ = 200;
  std::string body_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace camwatch::testing
