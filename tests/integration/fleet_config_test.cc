// `camwatch check-config` on a directory of site configs (docs/configuration.md, "Many sites"):
// every *.yaml checked on its own, one line per file, exit 2 when any is bad. The sites share a
// policy through `include:` and take their names from the environment.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "integration/run_command.h"

namespace camwatch::integration {
namespace {

const std::string kCamwatch = CAMWATCH_BINARY;

void writeFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

TEST(FleetConfigTest, CheckConfigOnADirectoryChecksEverySiteAndSaysWhichAreBad) {
  TempDir dir;
  const std::string sites = dir.path("sites");
  writeFile(dir.path("sites/shared/policy.yaml"), R"(groups:
  cams: {networks: [10.20.0.0/16]}
policy:
  cams:
    rules:
      - {name: ntp, action: allow, ports: [udp/123]}
)");
  writeFile(sites + "/north.yaml",
            "include: [shared/policy.yaml]\nsensor: {name: '${CAMWATCH_T_NORTH:-north}'}\n");
  writeFile(sites + "/south.yaml", "include: [shared/*.yaml]\nsensor: {name: south}\n");
  writeFile(sites + "/east.yaml", "include: [shared/policy.yaml, shared/east-extra.yaml]\n");
  writeFile(sites + "/west.yaml",
            "include: [shared/policy.yaml]\nalerts:\n  sinks:\n    - type: webhook\n      name: "
            "w\n      url: 'http://127.0.0.1:9/${CAMWATCH_T_WEST_TOKEN}'\n");
  writeFile(sites + "/notes.txt", "not a config\n");

  const std::string env = "env -u CAMWATCH_T_WEST_TOKEN CAMWATCH_T_NORTH=n1 ";
  const CommandResult bad =
      runCommand(env + kCamwatch + " check-config --dir " + shellQuote(sites));
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
  const std::string expected =
      sites + "/east.yaml: ERROR: " + sites + "/east.yaml:1:31: include[1]: '" + sites +
      "/shared/east-extra.yaml': no such file (include chain: " + sites + "/east.yaml)\n" + sites +
      "/north.yaml: OK\n" + sites + "/south.yaml: OK\n" + sites + "/west.yaml: ERROR: " + sites +
      "/west.yaml:6:12: alerts.sinks[0].url: environment variable CAMWATCH_T_WEST_TOKEN is not "
      "set (write ${CAMWATCH_T_WEST_TOKEN:-default} for a default)\n" +
      "2 of 4 config files OK\n";
  EXPECT_EQ(bad.out, expected);

  // Fixed, and named with -c: all OK, exit 0. The token is set now, and never printed.
  writeFile(sites + "/east.yaml", "include: [shared/policy.yaml]\n");
  const CommandResult good = runCommand("CAMWATCH_T_WEST_TOKEN=abc123secret " + kCamwatch +
                                        " check-config -c " + shellQuote(sites));
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("4 of 4 config files OK"), std::string::npos) << good.out;

  // One file: its effective config, with the shared group and the site name from the
  // environment.
  const CommandResult north =
      runCommand(env + kCamwatch + " check-config -c " + shellQuote(sites + "/north.yaml"));
  EXPECT_EQ(north.exit_code, 0) << north.err;
  EXPECT_NE(north.out.find("sensor:\n  name: n1\n"), std::string::npos) << north.out;
  EXPECT_NE(north.out.find("#   including " + sites + "/shared/policy.yaml"), std::string::npos)
      << north.out;
  EXPECT_NE(north.out.find("  cams:\n    networks: [10.20.0.0/16]"), std::string::npos)
      << north.out;

  // Both -c and --dir, or neither: a usage error.
  EXPECT_EQ(runCommand(kCamwatch + " check-config").exit_code, 2);
  EXPECT_EQ(runCommand(kCamwatch + " check-config -c " + shellQuote(sites) + " --dir " +
                       shellQuote(sites))
                .exit_code,
            2);
}

}  // namespace
}  // namespace camwatch::integration
