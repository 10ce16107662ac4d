#include "support/http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace camwatch::testing {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Waits up to `ms` for `fd` to be readable; false on timeout.
bool waitReadable(int fd, int ms) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, ms) > 0;
}

}  // namespace

HttpTestServer::HttpTestServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("http test server: socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("http test server: bind/listen on 127.0.0.1:0 failed");
  }
  socklen_t length = sizeof(address);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

HttpTestServer::~HttpTestServer() {
  stopping_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::string HttpTestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpTestServer::setStatus(int status, std::string body) {
  std::lock_guard lock(mutex_);
  status_ = status;
  body_ = std::move(body);
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void HttpTestServer::serve() {
  // Poll with a short timeout instead of blocking in accept(), so the destructor can stop us.
  while (!stopping_) {
    if (!waitReadable(listen_fd_, 20)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void HttpTestServer::handle(int fd) {
  std::string data;
  std::size_t header_end = std::string::npos;
  std::size_t content_length = 0;
  RecordedRequest request;
  char buffer[4096];
  while (!stopping_) {
    if (!waitReadable(fd, 20)) continue;
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got <= 0) return;
    data.append(buffer, static_cast<std::size_t>(got));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      const std::string head = data.substr(0, header_end);
      std::size_t line_end = head.find("\r\n");
      const std::string request_line = head.substr(0, line_end);
      const std::size_t space1 = request_line.find(' ');
      const std::size_t space2 = request_line.find(' ', space1 + 1);
      request.method = request_line.substr(0, space1);
      request.path = request_line.substr(space1 + 1, space2 - space1 - 1);
      while (line_end != std::string::npos) {
        const std::size_t start = line_end + 2;
        line_end = head.find("\r\n", start);
        const std::string line = head.substr(start, line_end - start);
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        request.headers[lower(line.substr(0, colon))] = value;
      }
      if (auto found = request.headers.find("content-length"); found != request.headers.end()) {
        content_length = std::stoul(found->second);
      }
    }
    if (data.size() - (header_end + 4) >= content_length) break;
  }
  if (stopping_) return;
  request.body = data.substr(header_end + 4, content_length);
  int status = 0;
  std::string body;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    status = status_;
    body = body_;
  }
  if (hang_) {
    while (!stopping_ && hang_) ::usleep(10000);
    return;
  }
  const std::string response = "HTTP/1.1 " + std::to_string(status) +
                               " Test\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body;
  std::size_t sent = 0;
  while (sent < response.size()) {
    const ssize_t written = ::write(fd, response.data() + sent, response.size() - sent);
    if (written <= 0) return;
    sent += static_cast<std::size_t>(written);
  }
}

}  // namespace camwatch::testing
