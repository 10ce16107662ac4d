#include "sinks/syslog/network_syslog_sender.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "sinks/syslog/syslog_message.h"
#include "util/socket_connect.h"

namespace camwatch {
namespace {

std::string opensslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "TLS failure (no OpenSSL error)";
  char text[256] = {};
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool isAddress(const std::string& host) {
  in6_addr any{};
  return ::inet_pton(AF_INET, host.c_str(), &any) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &any) == 1;
}

// OpenSSL writes to the socket with write(2): a peer that went away would raise SIGPIPE, which
// ends the process. While a guard lives, SIGPIPE is blocked in this thread; one raised meanwhile
// is taken off the thread's pending set before it is unblocked.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
};

}  // namespace

struct NetworkSyslogSender::Tls {
  SSL_CTX* context = nullptr;
  SSL* session = nullptr;
  ~Tls() {
    if (session != nullptr) SSL_free(session);
    if (context != nullptr) SSL_CTX_free(context);
  }
};

std::string_view syslogTransportName(SyslogTransport transport) {
  switch (transport) {
    case SyslogTransport::kUnix:
      return "unix";
    case SyslogTransport::kUdp:
      return "udp";
    case SyslogTransport::kTcp:
      return "tcp";
    case SyslogTransport::kTls:
      return "tls";
  }
  return "udp";
}

NetworkSyslogSender::NetworkSyslogSender(NetworkSyslogOptions options)
    : options_(std::move(options)) {
  const bool v6 = options_.host.find(':') != std::string::npos;
  name_ = fmt::format("{}{}{}:{}/{}", v6 ? "[" : "", options_.host, v6 ? "]" : "", options_.port,
                      syslogTransportName(options_.transport));
}

NetworkSyslogSender::~NetworkSyslogSender() { disconnect(); }

void NetworkSyslogSender::disconnect() {
  if (tls_ != nullptr) {
    if (tls_->session != nullptr && fd_ >= 0) {
      const SigpipeGuard guard;
      SSL_shutdown(tls_->session);
    }
    delete tls_;
    tls_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<void> NetworkSyslogSender::fail(const std::string& what, const std::string& why) {
  disconnect();
  return makeError(fmt::format("syslog {}: {}: {}", name_, what, why));
}

Result<void> NetworkSyslogSender::connect() {
  Result<int> fd = connectSocket(options_.host, options_.port,
                                 options_.transport != SyslogTransport::kUdp, options_.timeout);
  if (!fd) {
    disconnect();
    return makeError(fmt::format("syslog {}: {}", name_, fd.error().message));
  }
  fd_ = *fd;
  if (options_.transport == SyslogTransport::kTls) return startTls();
  return {};
}

Result<void> NetworkSyslogSender::startTls() {
  tls_ = new Tls;
  tls_->context = SSL_CTX_new(TLS_client_method());
  if (tls_->context == nullptr) return fail("TLS", opensslError());
  SSL_CTX_set_min_proto_version(tls_->context, TLS1_2_VERSION);
  SSL_CTX_set_verify(tls_->context, SSL_VERIFY_PEER, nullptr);
  const bool cas =
      options_.ca_file.empty()
          ? SSL_CTX_set_default_verify_paths(tls_->context) == 1
          : SSL_CTX_load_verify_locations(tls_->context, options_.ca_file.c_str(), nullptr) == 1;
  if (!cas) return fail("TLS CA file '" + options_.ca_file + "'", opensslError());
  if (!options_.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(tls_->context, options_.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(tls_->context, options_.key_file.c_str(), SSL_FILETYPE_PEM) !=
            1) {
      return fail("TLS client certificate '" + options_.cert_file + "'", opensslError());
    }
  }
  tls_->session = SSL_new(tls_->context);
  if (tls_->session == nullptr || SSL_set_fd(tls_->session, fd_) != 1) {
    return fail("TLS", opensslError());
  }
  // The certificate must name the host we asked for: its address, or its name (sent as SNI).
  if (isAddress(options_.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls_->session), options_.host.c_str());
  } else {
    SSL_set1_host(tls_->session, options_.host.c_str());
    SSL_ctrl(tls_->session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(options_.host.c_str()));
  }
  const SigpipeGuard guard;
  if (SSL_connect(tls_->session) != 1) {
    const long verified = SSL_get_verify_result(tls_->session);
    std::string why = opensslError();
    if (verified != X509_V_OK) why = X509_verify_cert_error_string(verified);
    return fail("TLS handshake", why);
  }
  return {};
}

Result<void> NetworkSyslogSender::write(std::string_view bytes) {
  if (options_.transport == SyslogTransport::kUdp) {
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
      return fail("send", std::strerror(errno));
    }
    return {};
  }
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    if (tls_ != nullptr) {
      const SigpipeGuard guard;
      const int n =
          SSL_write(tls_->session, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
      if (n <= 0) return fail("TLS write", opensslError());
      sent += static_cast<std::size_t>(n);
      continue;
    }
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("send", std::strerror(errno == EAGAIN ? ETIMEDOUT : errno));
    }
    sent += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> NetworkSyslogSender::send(std::string_view message) {
  // A stream the peer closed still takes one write: look first, so the message is not lost.
  if (fd_ >= 0 && options_.transport != SyslogTransport::kUdp) {
    char byte = 0;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) disconnect();
  }
  if (fd_ < 0) {
    if (auto connected = connect(); !connected) return connected;
  }
  if (options_.transport == SyslogTransport::kUdp) return write(message);
  return write(octetCountedFrame(message));
}

}  // namespace camwatch
