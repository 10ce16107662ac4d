// MetricsServer: prometheus::Exposer (civetweb) serving the registry at /metrics, optionally
// behind HTTP basic auth.
#include <CivetServer.h>

#include <charconv>
#include <exception>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <camwatch/ip_address.h>
#include <camwatch/metrics.h>

namespace camwatch {
namespace {

// civetweb reports why it could not start (e.g. "cannot bind to 127.0.0.1:9108: 98 (Address
// already in use)") only through its log callback. Server start is synchronous on the calling
// thread, so a thread-local pointer collects those lines during start() and is null otherwise:
// lines logged later from civetweb's own threads take civetweb's default path.
thread_local std::vector<std::string>* t_start_log = nullptr;

int collectStartLog(const mg_connection* /*connection*/, const char* message) {
  if (t_start_log == nullptr || message == nullptr) return 0;
  t_start_log->emplace_back(message);
  return 1;
}

struct ListenAddress {
  std::string host;  ///< as civetweb and URLs want it: "127.0.0.1", "[::1]"
  std::uint16_t port = 0;
};

Result<ListenAddress> parseListen(const std::string& listen) {
  const auto fail = [&listen](std::string_view why) {
    return makeError(fmt::format("metrics listen address '{}': {}", listen, why));
  };
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return fail("expected host:port such as 127.0.0.1:9108");
  ListenAddress address;
  address.host = listen.substr(0, colon);
  const std::string_view port_text = std::string_view(listen).substr(colon + 1);
  std::uint32_t port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail("the port is not a number from 0 to 65535");
  }
  address.port = static_cast<std::uint16_t>(port);
  const std::string_view host = address.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    const auto ip = IpAddress::parse(host.substr(1, host.size() - 2));
    if (!ip || ip->isV4()) return fail("expected an IPv6 address between the brackets");
    if (!MetricsServer::supportsIpv6()) {
      return fail(
          "this build's civetweb has no IPv6 support; listen on an IPv4 address (0.0.0.0 for "
          "every interface)");
    }
  } else {
    const auto ip = IpAddress::parse(host);
    if (!ip || !ip->isV4()) {
      return fail("the host must be an IPv4 address or a bracketed IPv6 one ([::1]), not a name");
    }
  }
  return address;
}

/// Compares without stopping at the first difference, so the time taken does not tell how much
/// of a guessed password was right.
bool equalsConstantTime(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char other = expected.empty() ? '\0' : expected[i % expected.size()];
    difference = static_cast<unsigned char>(difference | (given[i] ^ other));
  }
  return difference == 0;
}

}  // namespace

struct MetricsServer::Impl {
  std::shared_ptr<prometheus::Registry> registry;  // the exposer only holds a weak_ptr
  std::unique_ptr<prometheus::Exposer> exposer;
  std::string host;
  std::uint16_t port = 0;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() = default;

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsServerOptions& options,
                                                            const MetricsRegistry& metrics) {
  auto address = parseListen(options.listen);
  if (!address) return tl::unexpected(address.error());
  std::string password;
  if (!options.username.empty()) {
    if (options.password_file.empty()) {
      return makeError("metrics basic auth: a username needs a password file");
    }
    auto read = readPasswordFile(options.password_file);
    if (!read) return tl::unexpected(read.error());
    password = std::move(*read);
  } else if (!options.password_file.empty()) {
    return makeError("metrics basic auth: a password file needs a username");
  }

  auto impl = std::make_unique<Impl>();
  impl->registry = metrics.prometheusRegistry();
  impl->host = address->host;
  CivetCallbacks callbacks;
  callbacks.log_message = collectStartLog;
  std::vector<std::string> start_log;
  t_start_log = &start_log;
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{
            "listening_ports", fmt::format("{}:{}", address->host, address->port), "num_threads",
            std::to_string(options.threads == 0 ? 1 : options.threads),
            // A client that stops sending mid-request must not hold a thread for ever.
            "request_timeout_ms", "10000"},
        &callbacks);
  } catch (const std::exception& error) {
    t_start_log = nullptr;
    return makeError(fmt::format("metrics: cannot listen on {}: {}", options.listen,
                                 start_log.empty()
                                     ? std::string(error.what())
                                     : fmt::format("{}", fmt::join(start_log, "; "))));
  }
  t_start_log = nullptr;
  // Authentication first, so /metrics is never reachable without it.
  if (!options.username.empty()) {
    impl->exposer->RegisterAuth(
        [username = options.username, password = std::move(password)](const std::string& user,
                                                                      const std::string& pass) {
          // Both compared, always: the time does not tell which one was wrong.
          const bool user_ok = equalsConstantTime(user, username);
          const bool pass_ok = equalsConstantTime(pass, password);
          return user_ok && pass_ok;
        },
        "camwatch");
  }
  impl->exposer->RegisterCollectable(impl->registry);
  const std::vector<int> ports = impl->exposer->GetListeningPorts();
  if (ports.empty() || ports.front() <= 0 || ports.front() > 65535) {
    return makeError(
        fmt::format("metrics: cannot listen on {}: no listening port", options.listen));
  }
  impl->port = static_cast<std::uint16_t>(ports.front());
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

Result<std::string> MetricsServer::readPasswordFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return makeError(path + ": cannot read the metrics password file");
  std::string line;
  std::getline(file, line);
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return makeError(path + ": the metrics password file is empty");
  return line.substr(first, line.find_last_not_of(" \t\r\n") - first + 1);
}

std::string MetricsServer::exposureWarning(const MetricsServerOptions& options) {
  const std::size_t colon = options.listen.rfind(':');
  std::string_view host = std::string_view(options.listen).substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const auto ip = IpAddress::parse(host);
  // 127.0.0.0/8 and ::1 never leave the host; anything else (0.0.0.0 included) may.
  if (ip && ip->isV4() && ip->bytes[12] == 127) return "";
  if (ip && *ip == IpAddress::parse("::1")) return "";
  if (options.username.empty()) {
    return fmt::format(
        "metrics on {} without basic auth, in plain HTTP: anyone who reaches that address reads "
        "the camera addresses and destinations; set metrics.username and metrics.password_file "
        "and scrape through a TLS front (docs/metrics.md, \"Scraping across the network\")",
        options.listen);
  }
  return fmt::format(
      "metrics on {} in plain HTTP: the basic-auth password and the metrics cross the network "
      "in clear; listen on 127.0.0.1 and scrape through a TLS front (docs/metrics.md, "
      "\"Scraping across the network\")",
      options.listen);
}

bool MetricsServer::supportsIpv6() {
  constexpr unsigned kIpv6Feature = 8;  // civetweb's feature bit for IPv6
  return mg_check_feature(kIpv6Feature) != 0;
}

std::uint16_t MetricsServer::port() const { return impl_->port; }

std::string MetricsServer::url() const {
  return fmt::format("http://{}:{}/metrics", impl_->host, impl_->port);
}

}  // namespace camwatch
