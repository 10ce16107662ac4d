// The sink type list (sinks/sink_registry.h): what the config reader, check-config and
// makeAlertSinks go through, so each type read from YAML opens as that type under its name.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/config.h"
#include "sinks/sink_registry.h"
#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::ScratchDir;

TEST(SinkTypesTest, TheListNamesEachTypeOnceInTheDocumentedOrder) {
  std::vector<std::string> names;
  for (const SinkType* type : sinkTypes()) names.emplace_back(type->type);
  EXPECT_EQ(names,
            (std::vector<std::string>{"jsonl", "stdout", "syslog", "webhook", "alertmanager"}));
  EXPECT_EQ(sinkTypeNames(), "jsonl, stdout, syslog, webhook or alertmanager");
  ASSERT_NE(findSinkType("syslog"), nullptr);
  EXPECT_EQ(findSinkType("syslog")->type, "syslog");
  EXPECT_EQ(findSinkType("pagerduty"), nullptr);
  EXPECT_EQ(findSinkType("Syslog"), nullptr) << "types are case-sensitive, like every key";
}

// jsonl is left out: opening one registers it for SIGHUP for the rest of the process, which
// AlertOutputTest.SighupReopensTheJsonlFileAfterLogrotate needs to be first to do.
TEST(SinkTypesTest, EachTypeReadFromTheConfigOpensUnderItsName) {
  ScratchDir dir;
  const std::string path = dir.path("camwatch.yaml");
  std::ofstream(path) << R"(
alerts:
  sinks:
    - {type: stdout, name: out}
    - {type: syslog, name: local-log, facility: local2}
    - {type: webhook, name: soc, url: "http://127.0.0.1:9/hook"}
    - {type: alertmanager, name: am, urls: ["http://127.0.0.1:9"], labels: {site: x}}
)";
  auto config = loadConfig(path);
  ASSERT_TRUE(config) << config.error().message;
  const std::string describe = describeConfig(*config);
  EXPECT_NE(describe.find("    - type: syslog\n      name: local-log\n      ident: camwatch\n"
                          "      facility: local2\n      socket: '/dev/log'\n"),
            std::string::npos)
      << describe;
  EXPECT_NE(describe.find("      url: [http://127.0.0.1:9/hook]\n      connect_timeout: 3s\n"
                          "      timeout: 10s\n"),
            std::string::npos)
      << describe;
  EXPECT_NE(describe.find("      urls: [http://127.0.0.1:9]\n      label: site=x\n"),
            std::string::npos)
      << describe;

  auto sinks = makeAlertSinks(config->alert_sinks);
  ASSERT_TRUE(sinks) << sinks.error().message;
  std::vector<std::string> names;
  for (const AlertSinkPtr& sink : *sinks) names.emplace_back(sink->name());
  EXPECT_EQ(names, (std::vector<std::string>{"out", "local-log", "soc", "am"}));
}

TEST(SinkTypesTest, AnEntryOfAnUnknownTypeIsNamedWhenOpened) {
  auto sinks = makeAlertSinks({SinkSpec{"pagerduty", "pd", nullptr}});
  ASSERT_FALSE(sinks);
  EXPECT_EQ(sinks.error().message, "alert sink 'pd' (pagerduty): unknown sink type");
}

}  // namespace
}  // namespace camwatch
