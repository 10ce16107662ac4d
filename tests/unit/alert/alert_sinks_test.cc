#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <camwatch/alert_json.h>

#include "sinks/jsonl/jsonl_alert_sink.h"
#include "sinks/stdout/stdout_alert_sink.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/webhook/webhook_alert_sink.h"
#include "support/http_test_server.h"
#include "support/listening_ports.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using namespace std::chrono_literals;
using testing::HttpTestServer;
using testing::readLines;
using testing::sampleAlert;
using testing::ScratchDir;

TEST(AlertJsonlSinkTest, WritesOneAlertPerLine) {
  ScratchDir dir;
  JsonlSinkOptions options;
  options.path = dir.path("alerts.jsonl");
  options.fsync = true;
  auto sink = JsonlAlertSink::open(options);
  ASSERT_TRUE(sink) << sink.error().message;
  const std::vector<Alert> alerts = {sampleAlert(1), sampleAlert(2)};
  ASSERT_TRUE((*sink)->deliver(alerts));
  const auto lines = readLines(options.path);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(*alertFromJson(nlohmann::json::parse(lines[1])), sampleAlert(2));
}

TEST(AlertJsonlSinkTest, ReopensAfterLogrotateRenamedTheFile) {
  ScratchDir dir;
  JsonlSinkOptions options;
  options.path = dir.path("alerts.jsonl");
  auto sink = std::move(*JsonlAlertSink::open(options));
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{sampleAlert(1)}));
  ASSERT_EQ(std::rename(options.path.c_str(), dir.path("alerts.jsonl.1").c_str()), 0);
  // Before the SIGHUP, writes still go to the renamed file (the open descriptor).
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{sampleAlert(2)}));
  sink->requestReopen();
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{sampleAlert(3)}));
  EXPECT_EQ(readLines(dir.path("alerts.jsonl.1")).size(), 2U);
  const auto lines = readLines(options.path);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(*alertFromJson(nlohmann::json::parse(lines[0])), sampleAlert(3));
}

TEST(AlertJsonlSinkTest, OpenFailsNamingTheFile) {
  JsonlSinkOptions options;
  options.path = "/nonexistent-dir/alerts.jsonl";
  auto sink = JsonlAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_NE(sink.error().message.find("/nonexistent-dir/alerts.jsonl"), std::string::npos);
}

TEST(AlertStdoutSinkTest, WritesJsonLinesToItsDescriptor) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  StdoutAlertSink sink("stdout", fds[1]);
  ASSERT_TRUE(sink.deliver(std::vector<Alert>{sampleAlert(1)}));
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof(buffer))) > 0;) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(*alertFromJson(nlohmann::json::parse(text)), sampleAlert(1));
}

TEST(AlertSyslogSinkTest, RejectsUnknownFacility) {
  SyslogSinkOptions options;
  options.facility = "kern";
  auto sink = SyslogAlertSink::open(options);
  ASSERT_FALSE(sink);
  EXPECT_NE(sink.error().message.find("kern"), std::string::npos);
}

TEST(AlertWebhookSinkTest, PostsAJsonArrayWithHeadersAndBearerToken) {
  ScratchDir dir;
  {
    std::ofstream token(dir.path("token"));
    token << "  s3cret-token\n";
  }
  HttpTestServer server;
  WebhookSinkOptions options;
  options.url = server.url("/hook");
  options.headers = {"X-Camwatch-Site: hq"};
  options.bearer_token_file = dir.path("token");
  auto sink = WebhookAlertSink::open(options);
  ASSERT_TRUE(sink) << sink.error().message;
  const std::vector<Alert> alerts = {sampleAlert(1), sampleAlert(2)};
  auto delivered = (*sink)->deliver(alerts);
  ASSERT_TRUE(delivered) << delivered.error().message;

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/hook");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer s3cret-token");
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("x-camwatch-site"), "hq");
  const auto body = nlohmann::json::parse(requests[0].body);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2U);
  EXPECT_EQ(*alertFromJson(body[1]), sampleAlert(2));
}

TEST(AlertWebhookSinkTest, OnePerRequestSendsSingleObjects) {
  HttpTestServer server;
  WebhookSinkOptions options;
  options.url = server.url("/one");
  options.one_per_request = true;
  auto sink = std::move(*WebhookAlertSink::open(options));
  ASSERT_TRUE(sink->deliver(std::vector<Alert>{sampleAlert(1), sampleAlert(2)}));
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(*alertFromJson(nlohmann::json::parse(requests[0].body)), sampleAlert(1));
  EXPECT_EQ(requests[0].headers.count("authorization"), 0U);
}

TEST(AlertWebhookSinkTest, ServerErrorNamesUrlStatusAndBody) {
  HttpTestServer server;
  server.setStatus(500, "database\nis down " + std::string(300, 'x'));
  WebhookSinkOptions options;
  options.url = server.url("/hook");
  auto sink = std::move(*WebhookAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(delivered);
  const std::string& message = delivered.error().message;
  EXPECT_NE(message.find("POST " + server.url("/hook") + ": HTTP 500: database is down xxx"),
            std::string::npos)
      << message;
  EXPECT_LT(message.size(), 320U) << "the body excerpt is capped at 200 bytes";
}

TEST(AlertWebhookSinkTest, HangingServerTimesOut) {
  HttpTestServer server;
  server.setHang(true);
  WebhookSinkOptions options;
  options.url = server.url("/slow");
  options.timeouts.connect = 500ms;
  options.timeouts.total = 300ms;
  auto sink = std::move(*WebhookAlertSink::open(options));
  const auto start = std::chrono::steady_clock::now();
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  const auto took = std::chrono::steady_clock::now() - start;
  server.setHang(false);
  ASSERT_FALSE(delivered);
  EXPECT_NE(delivered.error().message.find(options.url), std::string::npos)
      << delivered.error().message;
  EXPECT_NE(delivered.error().message.find("timed out"), std::string::npos)
      << delivered.error().message;
  EXPECT_LT(took, 3s);
}

TEST(AlertWebhookSinkTest, RefusedConnectionIsAnError) {
  const testkit::RefusingLoopbackPort down;  // held while the test runs: no one listens there
  WebhookSinkOptions options;
  options.url = down.url() + "/hook";
  auto sink = std::move(*WebhookAlertSink::open(options));
  auto delivered = sink->deliver(std::vector<Alert>{sampleAlert(1)});
  ASSERT_FALSE(delivered);
  EXPECT_NE(delivered.error().message.find(options.url), std::string::npos);
}

TEST(AlertWebhookSinkTest, MissingOrEmptyTokenFileFailsAtOpen) {
  ScratchDir dir;
  WebhookSinkOptions options;
  options.url = "http://127.0.0.1:1/hook";
  options.bearer_token_file = dir.path("missing");
  auto missing = WebhookAlertSink::open(options);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(dir.path("missing")), std::string::npos);
  {
    std::ofstream empty(dir.path("empty"));
    empty << "\n";
  }
  options.bearer_token_file = dir.path("empty");
  EXPECT_FALSE(WebhookAlertSink::open(options));
  options.bearer_token_file.clear();
  options.url = "ftp://example/";
  EXPECT_FALSE(WebhookAlertSink::open(options));
}

}  // namespace
}  // namespace camwatch
