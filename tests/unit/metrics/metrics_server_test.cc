// MetricsServer over real HTTP on loopback (libcurl through the sinks' httpRequest): /metrics
// serves the registry, basic auth rejects wrong credentials with 401, listen errors name the
// address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/metrics.h>

#include "sinks/http/http_client.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::ScratchDir;

std::string base64(const std::string& text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])) << 16U) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8U) |
                   static_cast<unsigned char>(text[i + 2]);
    for (const unsigned shift : {18U, 12U, 6U, 0U}) out += kAlphabet[(n >> shift) & 63U];
  }
  if (const std::size_t rest = text.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])) << 16U;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8U;
    out += kAlphabet[(n >> 18U) & 63U];
    out += kAlphabet[(n >> 12U) & 63U];
    out += rest == 2 ? kAlphabet[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

Result<HttpResponse> scrape(const std::string& url, const std::vector<std::string>& headers = {}) {
  HttpTimeouts timeouts;
  timeouts.connect = std::chrono::milliseconds(2000);
  timeouts.total = std::chrono::milliseconds(5000);
  return httpRequest("GET", url, headers, "", timeouts);
}

/// The whole raw answer (status line, headers, body) to a bare HTTP/1.0 GET, to see headers
/// httpRequest does not return.
std::string rawGet(std::uint16_t port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t got; (got = read(fd, buffer, sizeof buffer)) > 0;) {
        answer.append(buffer, static_cast<std::size_t>(got));
      }
    }
  }
  close(fd);
  return answer;
}

std::string basicAuth(const std::string& user, const std::string& password) {
  return "Authorization: Basic " + base64(user + ":" + password);
}

MetricsLayout oneWorker() {
  MetricsLayout layout;
  layout.workers = 1;
  return layout;
}

MetricsServerOptions onAnyPort() {
  MetricsServerOptions options;
  options.listen = "127.0.0.1:0";
  return options;
}

TEST(MetricsServerTest, Base64OfTheTestHelperIsRight) {
  EXPECT_EQ(base64("prometheus:s3cret"), "cHJvbWV0aGV1czpzM2NyZXQ=");
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64("abc"), "YWJj");
}

TEST(MetricsServerTest, ServesTheRegistryAtMetrics) {
  MetricsRegistry metrics(oneWorker(), {});
  auto server = MetricsServer::start(onAnyPort(), metrics);
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_NE((*server)->port(), 0);
  EXPECT_EQ((*server)->url(), "http://127.0.0.1:" + std::to_string((*server)->port()) + "/metrics");

  MetricsSnapshot snapshot;
  snapshot.workers.resize(1);
  snapshot.workers[0].packets = 1234;
  metrics.update(snapshot);
  auto response = scrape((*server)->url());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("camwatch_worker_packets_total{worker=\"0\"} 1234\n"),
            std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find("# TYPE camwatch_build_info gauge"), std::string::npos);
}

TEST(MetricsServerTest, BasicAuthRejectsWrongCredentialsAndAcceptsTheRightOnes) {
  ScratchDir dir;
  const std::string password_file = dir.path("metrics.password");
  std::ofstream(password_file) << "  s3cret\n";  // surrounding whitespace is not part of it
  MetricsRegistry metrics(oneWorker(), {});
  MetricsServerOptions options = onAnyPort();
  options.username = "prometheus";
  options.password_file = password_file;
  auto server = MetricsServer::start(options, metrics);
  ASSERT_TRUE(server) << server.error().message;
  const std::string url = (*server)->url();

  auto anonymous = scrape(url);
  ASSERT_TRUE(anonymous) << anonymous.error().message;
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->body.find("camwatch_"), std::string::npos);

  for (const auto& [user, password] :
       std::vector<std::pair<std::string, std::string>>{{"prometheus", "wrong"},
                                                        {"prometheus", "s3cret2"},
                                                        {"prometheus", "s3cre"},
                                                        {"someone", "s3cret"},
                                                        {"prometheus", ""}}) {
    auto rejected = scrape(url, {basicAuth(user, password)});
    ASSERT_TRUE(rejected) << rejected.error().message;
    EXPECT_EQ(rejected->status, 401) << user << ":" << password;
    EXPECT_EQ(rejected->body.find("camwatch_"), std::string::npos);
  }

  auto accepted = scrape(url, {basicAuth("prometheus", "s3cret")});
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->status, 200);
  EXPECT_NE(accepted->body.find("camwatch_worker_packets_total"), std::string::npos);
}

TEST(MetricsServerTest, UnauthorizedAnswersCarryABasicChallenge) {
  ScratchDir dir;
  MetricsRegistry metrics(oneWorker(), {});
  MetricsServerOptions options = onAnyPort();
  options.username = "prometheus";
  options.password_file = dir.path("password");
  std::ofstream(options.password_file) << "s3cret\n";
  auto server = MetricsServer::start(options, metrics);
  ASSERT_TRUE(server) << server.error().message;
  const std::string answer = rawGet((*server)->port(), "/metrics");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 401")) << answer;
  EXPECT_NE(answer.find("WWW-Authenticate: Basic realm=\"camwatch\""), std::string::npos) << answer;
}

TEST(MetricsServerTest, PortAlreadyInUseIsAnErrorNamingTheAddress) {
  MetricsRegistry metrics(oneWorker(), {});
  auto first = MetricsServer::start(onAnyPort(), metrics);
  ASSERT_TRUE(first) << first.error().message;
  MetricsServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = MetricsServer::start(options, metrics);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find(options.listen), std::string::npos)
      << second.error().message;
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
  // The first one still serves.
  auto response = scrape((*first)->url());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST(MetricsServerTest, StoppingTheServerClosesThePort) {
  MetricsRegistry metrics(oneWorker(), {});
  std::string url;
  {
    auto server = MetricsServer::start(onAnyPort(), metrics);
    ASSERT_TRUE(server) << server.error().message;
    url = (*server)->url();
    ASSERT_TRUE(scrape(url));
  }
  EXPECT_FALSE(scrape(url));  // connection refused
}

TEST(MetricsServerTest, MalformedAddressesAreErrorsNamingThem) {
  MetricsRegistry metrics(oneWorker(), {});
  for (const std::string listen :
       {"localhost:9108", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http", "::1:9108",
        "[127.0.0.1]:9108", ":9108", "10.0.0.300:9108"}) {
    MetricsServerOptions options;
    options.listen = listen;
    auto server = MetricsServer::start(options, metrics);
    ASSERT_FALSE(server) << listen;
    EXPECT_NE(server.error().message.find("'" + listen + "'"), std::string::npos)
        << server.error().message;
  }
}

TEST(MetricsServerTest, AnAddressNotOnThisHostIsAnErrorNamingIt) {
  MetricsRegistry metrics(oneWorker(), {});
  MetricsServerOptions options;
  options.listen = "192.0.2.1:0";  // TEST-NET-1: never a local address
  auto server = MetricsServer::start(options, metrics);
  ASSERT_FALSE(server);
  EXPECT_NE(server.error().message.find("192.0.2.1:0"), std::string::npos)
      << server.error().message;
}

TEST(MetricsServerTest, Ipv6ServesWhenCivetwebHasItAndIsAClearErrorOtherwise) {
  MetricsRegistry metrics(oneWorker(), {});
  MetricsServerOptions options;
  options.listen = "[::1]:0";
  auto server = MetricsServer::start(options, metrics);
  if (!MetricsServer::supportsIpv6()) {
    ASSERT_FALSE(server);
    EXPECT_NE(server.error().message.find("'[::1]:0'"), std::string::npos)
        << server.error().message;
    EXPECT_NE(server.error().message.find("IPv6"), std::string::npos) << server.error().message;
    return;
  }
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ((*server)->url(), "http://[::1]:" + std::to_string((*server)->port()) + "/metrics");
  auto response = scrape((*server)->url());
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST(MetricsServerTest, PasswordFileProblemsAreErrorsNamingTheFile) {
  ScratchDir dir;
  MetricsRegistry metrics(oneWorker(), {});
  MetricsServerOptions options = onAnyPort();
  options.username = "prometheus";
  options.password_file = dir.path("missing.password");
  auto missing = MetricsServer::start(options, metrics);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(options.password_file), std::string::npos);

  options.password_file = dir.path("empty.password");
  std::ofstream(options.password_file) << " \n";
  auto empty = MetricsServer::start(options, metrics);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;

  options.username.clear();  // a password file without a user is a mistake too
  EXPECT_FALSE(MetricsServer::start(options, metrics));
  options.username = "prometheus";
  options.password_file.clear();
  EXPECT_FALSE(MetricsServer::start(options, metrics));
}

// Loopback never leaves the host; any other address (every interface included) is plain HTTP
// on the network, and the warning says whether anyone can read it or only the password travels.
TEST(MetricsServerTest, ExposureWarningNamesNonLoopbackAddressesOnly) {
  MetricsServerOptions options;
  for (const char* loopback : {"127.0.0.1:9108", "127.1.2.3:0", "[::1]:9108"}) {
    options.listen = loopback;
    EXPECT_EQ(MetricsServer::exposureWarning(options), "") << loopback;
  }
  for (const char* network : {"0.0.0.0:9108", "192.0.2.7:9108", "[::]:9108", "[2001:db8::1]:1"}) {
    options.listen = network;
    options.username.clear();
    const std::string open = MetricsServer::exposureWarning(options);
    EXPECT_NE(open.find(network), std::string::npos) << open;
    EXPECT_NE(open.find("without basic auth"), std::string::npos) << open;
    options.username = "prometheus";
    const std::string in_clear = MetricsServer::exposureWarning(options);
    EXPECT_NE(in_clear.find(network), std::string::npos) << in_clear;
    EXPECT_NE(in_clear.find("password and the metrics cross the network in clear"),
              std::string::npos)
        << in_clear;
  }
}

}  // namespace
}  // namespace camwatch
