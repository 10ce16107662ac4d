// Scraping across the network (docs/metrics.md): camwatch serves /metrics in plain HTTP on
// loopback with basic auth, and Debian's stunnel4 in front of it speaks TLS to the network.
// camwatch cannot serve TLS itself: Debian 12's civetweb 1.15 loads OpenSSL 3 at run time and
// calls SSL_get_peer_certificate, which OpenSSL 3 only has as a macro, so every TLS connection
// crashes it (civetweb issue 1334). A real Prometheus scrapes the front with `scheme: https`, the
// test CA and the credentials, and gets the replay's figures; a wrong password, plain HTTP and an
// unknown CA each leave its target down. Loopback only: the test makes its own CA with openssl.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "integration/alerts_fixture.h"
#include "integration/run_command.h"
#include "support/listening_ports.h"
#include "support/prometheus_process.h"
#include "support/test_certificates.h"

namespace camwatch::integration {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kStunnel = "/usr/bin/stunnel4";
const std::string kUser = "prometheus";
const std::string kPassword = "correct horse battery staple";

// A server the test started (spawnServer), killed and reaped when the test ends.
class Spawned {
 public:
  Spawned(const std::string& binary, const std::vector<std::string>& args, std::string log_path)
      : log_path_(std::move(log_path)) {
    const testkit::SpawnedServer spawned = testkit::spawnServer(binary, args, log_path_);
    pid_ = spawned.pid;
    error_ = spawned.error;
  }
  ~Spawned() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }
  std::string log() const { return readFile(log_path_); }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  std::string error_;
};

void writeText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Polls `condition` every 100 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return condition();
}

// The values `promql` gives now, one per series.
std::vector<double> valuesOf(const testkit::PrometheusProcess& prometheus,
                             const std::string& promql) {
  std::vector<double> values;
  const json answer = prometheus.query(promql);
  if (answer.value("status", "") != "success") return values;
  for (const json& series : answer.at("data").at("result")) {
    values.push_back(std::stod(series.at("value").at(1).get<std::string>()));
  }
  return values;
}

// The sum over every series of `metric` in a text exposition (what the endpoint itself says,
// read without Prometheus).
double sumInExposition(const std::string& text, const std::string& metric) {
  double sum = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(metric, 0) != 0 || line.size() <= metric.size()) continue;
    if (line[metric.size()] != '{' && line[metric.size()] != ' ') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

// One scrape job of Prometheus against the front, as list items for its scrape_configs.
std::string scrapeJob(const std::string& name, const std::string& scheme,
                      const std::string& ca_file, const std::string& password_file, int port) {
  std::string job = "  - job_name: " + name + "\n    scheme: " + scheme + "\n";
  if (!ca_file.empty()) job += "    tls_config:\n      ca_file: " + ca_file + "\n";
  job += "    basic_auth:\n      username: " + kUser + "\n      password_file: " + password_file +
         "\n";
  job += "    static_configs:\n      - targets: ['127.0.0.1:" + std::to_string(port) + "']\n";
  return job;
}

TEST(MetricsTlsFront, PrometheusScrapesOverHttpsWithBasicAuthAndFailsWithout) {
  ASSERT_EQ(::access(kStunnel.c_str(), X_OK), 0)
      << kStunnel << " is missing: run scripts/setup.sh (Debian package stunnel4)";
  TempDir dir;
  ASSERT_TRUE(testkit::makeTestCertificates(dir.path("")))
      << "openssl could not make the test certificates";
  writeText(dir.path("password"), kPassword + "\n");
  writeText(dir.path("wrong-password"), "Tr0ub4dor&3\n");

  // camwatch on loopback, basic auth on: the replay ends and its final figures stay served.
  const std::string config = configWith(
      dir, "camwatch.yaml",
      "metrics:\n  username: " + kUser + "\n  password_file: " + dir.path("password") + "\n");
  Spawned replay(kCamwatch,
                 {"replay", "-c", config, "--metrics", "127.0.0.1:0", "--linger", "300", kDemo},
                 dir.path("replay.log"));
  ASSERT_EQ(replay.error(), "");
  ASSERT_TRUE(eventually(
      [&] { return replay.log().find("serving the final metrics") != std::string::npos; }, 120s))
      << replay.log();
  const int camwatch_port = metricsPortInLog(replay.log());
  ASSERT_NE(camwatch_port, 0) << replay.log();
  // On loopback, camwatch has nothing to warn about.
  EXPECT_EQ(replay.log().find("plain HTTP"), std::string::npos) << replay.log();

  // The TLS front: stunnel on a loopback port it binds itself, forwarding to camwatch.
  writeText(dir.path("stunnel.conf"),
            "foreground = yes\npid =\ndebug = notice\n[camwatch-metrics]\n"
            "accept = 127.0.0.1:0\nconnect = 127.0.0.1:" +
                std::to_string(camwatch_port) + "\ncert = " + dir.path("server.pem") +
                "\nkey = " + dir.path("server.key") + "\nsslVersionMin = TLSv1.2\n");
  Spawned stunnel(kStunnel, {dir.path("stunnel.conf")}, dir.path("stunnel.log"));
  ASSERT_EQ(stunnel.error(), "");
  int front_port = 0;
  ASSERT_TRUE(eventually(
      [&] {
        const std::vector<int> ports = testkit::listeningTcpPorts(stunnel.pid());
        front_port = ports.empty() ? 0 : ports.front();
        return front_port != 0;
      },
      20s))
      << stunnel.log();
  const std::string front = "127.0.0.1:" + std::to_string(front_port);

  // What curl gets, first without Prometheus.
  const std::string ca = " --cacert " + shellQuote(dir.path("ca.pem"));
  const std::string status = " -s -o /dev/null -w '%{http_code}'";
  const CommandResult direct =
      runCommand("curl -sS -u " + shellQuote(kUser + ":" + kPassword) +
                 " http://127.0.0.1:" + std::to_string(camwatch_port) + "/metrics");
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  const double packets = sumInExposition(direct.out, "camwatch_capture_received_packets_total");
  ASSERT_GT(packets, 0) << direct.out;
  const CommandResult through =
      runCommand("curl -sS" + ca + " -u " + shellQuote(kUser + ":" + kPassword) + " https://" +
                 front + "/metrics");
  ASSERT_EQ(through.exit_code, 0) << through.err << stunnel.log();
  EXPECT_EQ(sumInExposition(through.out, "camwatch_capture_received_packets_total"), packets);
  // Auth is camwatch's, behind the front and in front of it alike.
  EXPECT_EQ(runCommand("curl" + status + ca + " -u " + shellQuote(kUser + ":Tr0ub4dor&3") +
                       " https://" + front + "/metrics")
                .out,
            "401");
  EXPECT_EQ(runCommand("curl" + status + ca + " https://" + front + "/metrics").out, "401");
  EXPECT_EQ(runCommand("curl" + status + " http://127.0.0.1:" + std::to_string(camwatch_port) +
                       "/metrics")
                .out,
            "401");
  // curl's exit 60: the peer certificate cannot be verified (no CA given, or the wrong one).
  EXPECT_EQ(runCommand("curl -sS -o /dev/null -u " + shellQuote(kUser + ":" + kPassword) +
                       " https://" + front + "/metrics")
                .exit_code,
            60);
  EXPECT_EQ(
      runCommand("curl -sS -o /dev/null --cacert " + shellQuote(dir.path("other-ca.pem")) + " -u " +
                 shellQuote(kUser + ":" + kPassword) + " https://" + front + "/metrics")
          .exit_code,
      60);
  // Plain HTTP to the TLS port: no answer that is HTTP (stunnel drops the connection).
  const CommandResult plain = runCommand("curl -sS -u " + shellQuote(kUser + ":" + kPassword) +
                                         " http://" + front + "/metrics");
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_EQ(plain.out.find("camwatch_"), std::string::npos);

  // A real Prometheus: the job with the CA and the credentials is up and has the figures; the
  // wrong password, plain HTTP and an unknown CA each leave theirs down and empty.
  const std::string prom_dir = dir.path("prometheus");
  fs::create_directory(prom_dir);
  testkit::PrometheusProcess prometheus(prom_dir);
  const std::string jobs =
      scrapeJob("over_https", "https", dir.path("ca.pem"), dir.path("password"), front_port) +
      scrapeJob("wrong_password", "https", dir.path("ca.pem"), dir.path("wrong-password"),
                front_port) +
      scrapeJob("plain_http", "http", "", dir.path("password"), front_port) +
      scrapeJob("unknown_ca", "https", dir.path("other-ca.pem"), dir.path("password"), front_port);
  ASSERT_EQ(prometheus.start({}, jobs), "");
  ASSERT_TRUE(eventually(
      [&] { return valuesOf(prometheus, "up{job=\"over_https\"}") == std::vector<double>{1}; },
      30s))
      << prometheus.log() << stunnel.log();
  ASSERT_TRUE(eventually(
      [&] {
        return valuesOf(prometheus,
                        "sum(camwatch_capture_received_packets_total{job=\"over_https\"})") ==
               std::vector<double>{packets};
      },
      30s))
      << prometheus.query("camwatch_capture_received_packets_total").dump();
  for (const std::string& job :
       {std::string("wrong_password"), std::string("plain_http"), std::string("unknown_ca")}) {
    EXPECT_TRUE(eventually(
        [&] { return valuesOf(prometheus, "up{job=\"" + job + "\"}") == std::vector<double>{0}; },
        30s))
        << job << ": " << prometheus.query("up").dump();
    EXPECT_TRUE(valuesOf(prometheus, "{job=\"" + job + "\",__name__=~\"camwatch_.*\"}").empty())
        << job;
  }
}

// check-config reads what the service will: a missing or empty password file is an error naming
// it, and a listen address off loopback gets the warning the service logs.
TEST(MetricsTlsFront, CheckConfigNamesThePasswordFileAndWarnsOffLoopback) {
  TempDir dir;
  const std::string missing = dir.path("no-such.password");
  const CommandResult without =
      runCommand(kCamwatch + " check-config -c " +
                 shellQuote(configWith(
                     dir, "missing.yaml",
                     "metrics:\n  username: " + kUser + "\n  password_file: " + missing + "\n")));
  EXPECT_NE(without.exit_code, 0);
  EXPECT_NE(without.err.find(missing + ": cannot read the metrics password file"),
            std::string::npos)
      << without.err;

  writeText(dir.path("empty.password"), "\n");
  const CommandResult empty =
      runCommand(kCamwatch + " check-config -c " +
                 shellQuote(configWith(dir, "empty.yaml",
                                       "metrics:\n  username: " + kUser + "\n  password_file: " +
                                           dir.path("empty.password") + "\n")));
  EXPECT_NE(empty.exit_code, 0);
  EXPECT_NE(empty.err.find("the metrics password file is empty"), std::string::npos) << empty.err;

  writeText(dir.path("password"), kPassword + "\n");
  const CommandResult network =
      runCommand(kCamwatch + " check-config -c " +
                 shellQuote(configWith(dir, "network.yaml",
                                       "metrics:\n  listen: 0.0.0.0:9108\n  username: " + kUser +
                                           "\n  password_file: " + dir.path("password") + "\n")));
  EXPECT_EQ(network.exit_code, 0) << network.err;
  EXPECT_NE(network.err.find("warning: metrics on 0.0.0.0:9108 in plain HTTP"), std::string::npos)
      << network.err;
  // The password itself is never printed.
  EXPECT_EQ(network.out.find(kPassword), std::string::npos);
  EXPECT_EQ(network.err.find(kPassword), std::string::npos);
}

}  // namespace
}  // namespace camwatch::integration
