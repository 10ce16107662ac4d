// makeAlertSinks (sinks/sink_registry.h) and DeliveryThread: sinks built from the config
// deliver through the spool, and a real SIGHUP makes the jsonl sinks reopen their file
// (logrotate).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/alert_json.h>

#include "alert/delivery_thread.h"
#include "sinks/jsonl/jsonl_alert_sink.h"
#include "sinks/sink_registry.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::readLines;
using testing::sampleAlert;
using testing::ScratchDir;

TEST(AlertOutputTest, SighupReopensTheJsonlFileAfterLogrotate) {
  ScratchDir dir;
  AlertsConfig config;
  config.spool_dir = dir.path("spool");
  JsonlSinkOptions jsonl;
  jsonl.path = dir.path("alerts.jsonl");
  auto sinks = makeAlertSinks({makeSinkSpec("jsonl", "file", jsonl)});
  ASSERT_TRUE(sinks) << sinks.error().message;
  auto thread = DeliveryThread::start(config, std::move(*sinks), [](const std::string&) {});
  ASSERT_TRUE(thread) << thread.error().message;

  ASSERT_FALSE((*thread)->delivery().enqueue(sampleAlert(1)).write_error);
  ASSERT_TRUE((*thread)->drain(std::chrono::seconds(10)));
  ASSERT_EQ(std::rename(jsonl.path.c_str(), dir.path("alerts.jsonl.1").c_str()), 0);
  ASSERT_EQ(::raise(SIGHUP), 0);  // the process survives: the handler only asks for a reopen
  ASSERT_FALSE((*thread)->delivery().enqueue(sampleAlert(2)).write_error);
  ASSERT_TRUE((*thread)->drain(std::chrono::seconds(10)));
  (*thread)->stop();

  EXPECT_EQ(readLines(dir.path("alerts.jsonl.1")).size(), 1U);
  const auto lines = readLines(jsonl.path);
  ASSERT_EQ(lines.size(), 1U) << "the alert after SIGHUP must go to a new file at the old path";
  EXPECT_EQ(*alertFromJson(nlohmann::json::parse(lines[0])), sampleAlert(2));
  EXPECT_EQ((*thread)->delivery().counters(0).sent.load(), 2U);
}

TEST(AlertOutputTest, ASinkThatCannotOpenIsNamed) {
  JsonlSinkOptions jsonl;
  jsonl.path = "/nonexistent-dir/alerts.jsonl";
  auto sinks = makeAlertSinks({makeSinkSpec("jsonl", "audit", jsonl)});
  ASSERT_FALSE(sinks);
  EXPECT_NE(sinks.error().message.find("alert sink 'audit' (jsonl): "), std::string::npos)
      << sinks.error().message;
  EXPECT_NE(sinks.error().message.find("/nonexistent-dir/alerts.jsonl"), std::string::npos);
}

TEST(AlertOutputTest, SpoolThatCannotBeCreatedIsNamed) {
  AlertsConfig config;
  config.spool_dir = "/proc/camwatch-spool";
  auto sinks = makeAlertSinks({SinkSpec{"stdout", "stdout", nullptr}});
  ASSERT_TRUE(sinks);
  auto thread = DeliveryThread::start(config, std::move(*sinks), [](const std::string&) {});
  ASSERT_FALSE(thread);
  EXPECT_NE(thread.error().message.find("/proc/camwatch-spool"), std::string::npos)
      << thread.error().message;
}

}  // namespace
}  // namespace camwatch
