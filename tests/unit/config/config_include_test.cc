// A config made of several files (`include:`) and `${VAR}` expansion (yaml/config_document.h):
// the merge rule of docs/configuration.md "Many sites", written out by hand here for each case,
// and the errors that name the included file, its line, the include chain and the variable.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"

namespace camwatch {
namespace {

class ConfigIncludeTest : public ::testing::Test {
 protected:
  ConfigIncludeTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("camwatch-include-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "conf.d");
  }
  ~ConfigIncludeTest() override {
    std::filesystem::remove_all(dir_);
    for (const char* name :
         {"CAMWATCH_T_SITE", "CAMWATCH_T_UNSET", "CAMWATCH_T_HOOK_TOKEN", "CAMWATCH_T_EMPTY"}) {
      ::unsetenv(name);
    }
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(ConfigIncludeTest, MapsMergeKeyByKeyTheIncluderWinsListsAreReplacedDevicesJoined) {
  write("conf.d/shared.yaml", R"(sensor: {name: shared-name, country: gb}
flows: {max_flows: 1000, udp_idle_timeout: 2m}
inventory:
  camera_networks: [10.1.0.0/16, 10.2.0.0/16]
  devices:
    - {name: shared-nvr, ip: 10.1.0.5}
groups:
  yard: {networks: [10.1.0.0/24]}
policy:
  yard: {default_action: allow}
learning: {state_file: baseline.json}
)");
  const std::string main = write("site.yaml", R"(include: [conf.d/shared.yaml]
sensor: {name: north-gate}
flows: {max_flows: 2000}
inventory:
  camera_networks: [10.9.0.0/16]
  devices:
    - {name: gate-cam, ip: 10.9.0.7}
groups:
  gate: {networks: [10.9.0.0/24]}
policy:
  gate: {default_action: deny}
)");
  auto config = loadConfig(main);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sensor_name, "north-gate");  // the includer's scalar wins
  EXPECT_EQ(config->sensor_country, "GB");       // a key only the include has is kept
  EXPECT_EQ(config->flows.max_flows, 2000U);     // maps merge key by key ...
  EXPECT_EQ(config->flows.udp_idle_timeout, 120 * kNanosPerSecond);  // ... both sides kept
  ASSERT_EQ(config->inventory.camera_networks.size(), 1U);  // a list is replaced, not appended
  EXPECT_EQ(config->inventory.camera_networks[0].toString(), "10.9.0.0/16");
  ASSERT_EQ(config->inventory.devices.size(), 2U);  // devices are joined, the include's first
  EXPECT_EQ(config->inventory.devices[0].name, "shared-nvr");
  EXPECT_EQ(config->inventory.devices[1].name, "gate-cam");
  ASSERT_EQ(config->groups.size(), 2U);
  ASSERT_EQ(config->policy_groups.size(), 2U);
  // A relative path in an included file is relative to that file's folder.
  EXPECT_EQ(config->learning.state_file, path("conf.d/baseline.json"));
  ASSERT_EQ(config->source_files.size(), 2U);
  EXPECT_EQ(config->source_files[1], path("conf.d/shared.yaml"));
  EXPECT_NE(describeConfig(*config).find("#   including " + path("conf.d/shared.yaml")),
            std::string::npos);
}

TEST_F(ConfigIncludeTest, AGlobIsSortedByNameTheLaterFileWinsAndMayMatchNothing) {
  write("conf.d/20-b.yaml", "logging: {level: warn}\n");
  write("conf.d/10-a.yaml", "logging: {level: debug, format: json}\n");
  const std::string main = write("site.yaml", "include: [conf.d/*.yaml, none.d/*.yaml]\n");
  auto config = loadConfig(main);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "warn");   // 20-b after 10-a
  EXPECT_EQ(config->logging.format, "json");  // only 10-a sets it
  ASSERT_EQ(config->source_files.size(), 3U);
  EXPECT_EQ(config->source_files[1], path("conf.d/10-a.yaml"));
  EXPECT_EQ(config->source_files[2], path("conf.d/20-b.yaml"));
}

TEST_F(ConfigIncludeTest, AMistakeInAnIncludedFileNamesThatFileAndLine) {
  write("conf.d/flows.yaml", "# shared flow limits\nflows:\n  max_flows: lots\n");
  const std::string main = write("site.yaml", "sensor: {name: a}\ninclude: conf.d/flows.yaml\n");
  auto config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind(path("conf.d/flows.yaml") + ":3:14: flows.max_flows: ", 0),
            0U)
      << config.error().message;

  write("conf.d/flows.yaml", "flows: {max_flow: 3}\n");
  config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind(path("conf.d/flows.yaml") + ":1:9: flows.max_flow: ", 0),
            0U)
      << config.error().message;

  write("conf.d/flows.yaml", "flows: {max_flows: [\n");
  config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind(path("conf.d/flows.yaml") + ":", 0), 0U)
      << config.error().message;
  EXPECT_NE(config.error().message.find("invalid YAML"), std::string::npos);
}

TEST_F(ConfigIncludeTest, ACycleIsAnErrorNamingTheChain) {
  const std::string a = write("a.yaml", "include: [conf.d/b.yaml]\n");
  write("conf.d/b.yaml", "include: [../a.yaml]\n");
  auto config = loadConfig(a);
  ASSERT_FALSE(config);
  const std::string& message = config.error().message;
  EXPECT_NE(message.find("include cycle: " + a + " -> " + path("conf.d/b.yaml") + " -> " +
                         path("conf.d/../a.yaml")),
            std::string::npos)
      << message;

  const std::string self = write("self.yaml", "include: [self.yaml]\n");
  config = loadConfig(self);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("include cycle"), std::string::npos);
}

TEST_F(ConfigIncludeTest, AMissingIncludeNamesTheLineAndTheChain) {
  const std::string main = write("site.yaml", "include: [conf.d/mid.yaml]\n");
  write("conf.d/mid.yaml", "sensor: {name: x}\ninclude:\n  - gone.yaml\n");
  auto config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            path("conf.d/mid.yaml") + ":3:5: include[0]: '" + path("conf.d/gone.yaml") +
                "': no such file (include chain: " + main + " -> " + path("conf.d/mid.yaml") + ")");
}

TEST_F(ConfigIncludeTest, AGroupOrDeviceDefinedInTwoFilesIsAnErrorNamingBoth) {
  write("conf.d/policy.yaml", "groups:\n  yard: {}\npolicy:\n  yard: {default_action: allow}\n");
  const std::string main = write("site.yaml",
                                 "include: [conf.d/policy.yaml]\npolicy:\n  yard: "
                                 "{default_action: deny}\ngroups:\n  gate: {}\n");
  auto config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("group 'yard' is defined in both " + main + ":3 and " +
                                        path("conf.d/policy.yaml") + ":4"),
            std::string::npos)
      << config.error().message;

  write("conf.d/devices.yaml", "inventory:\n  devices:\n    - {name: cam-1, ip: 10.0.0.1}\n");
  const std::string devices = write("devices.yaml",
                                    "include: [conf.d/devices.yaml]\ninventory:\n  devices:\n    - "
                                    "{name: cam-1, ip: 10.0.0.2}\n");
  config = loadConfig(devices);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("device 'cam-1' is defined in both " +
                                        path("conf.d/devices.yaml") + ":3 and " + devices + ":4"),
            std::string::npos)
      << config.error().message;
}

TEST_F(ConfigIncludeTest, EnvironmentVariablesExpandWithDefaultsAndEscapes) {
  ::setenv("CAMWATCH_T_SITE", "north-gate", 1);
  ::setenv("CAMWATCH_T_EMPTY", "", 1);
  ::unsetenv("CAMWATCH_T_UNSET");
  write("conf.d/site.yaml", "learning: {state_file: '${CAMWATCH_T_UNSET:-state}/b.json'}\n");
  const std::string main = write("site.yaml", R"(include: ['${CAMWATCH_T_UNSET:-conf.d}/*.yaml']
sensor: {name: 'cam-${CAMWATCH_T_SITE}'}
capture:
  bpf: 'not host $${HOME} and ${CAMWATCH_T_EMPTY:-vlan} and $x'
  interfaces: ['${CAMWATCH_T_EMPTY}eth1']
)");
  auto config = loadConfig(main);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->sensor_name, "cam-north-gate");
  EXPECT_EQ(config->capture.bpf, "not host ${HOME} and vlan and $x");
  ASSERT_EQ(config->capture.interfaces.size(), 1U);
  EXPECT_EQ(config->capture.interfaces[0], "eth1");
  EXPECT_EQ(config->learning.state_file, path("conf.d/state/b.json"));
}

TEST_F(ConfigIncludeTest, AnUnsetVariableOrABadReferenceNamesKeyFileLineAndVariable) {
  ::unsetenv("CAMWATCH_T_UNSET");
  write("conf.d/site.yaml", "sensor:\n  name: ${CAMWATCH_T_UNSET}\n");
  const std::string main = write("site.yaml", "include: [conf.d/site.yaml]\n");
  auto config = loadConfig(main);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            path("conf.d/site.yaml") +
                ":2:9: sensor.name: environment variable CAMWATCH_T_UNSET is not set (write "
                "${CAMWATCH_T_UNSET:-default} for a default)");

  const std::string bad = write("bad.yaml", "capture:\n  interfaces: [eth0, '${1X}']\n");
  config = loadConfig(bad);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.rfind(bad + ":2:22: capture.interfaces[1]: '${1X}'", 0), 0U)
      << config.error().message;

  const std::string open = write("open.yaml", "sensor: {name: '${SITE'}\n");
  config = loadConfig(open);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("sensor.name: '${' without its '}'"), std::string::npos)
      << config.error().message;
}

TEST_F(ConfigIncludeTest, SecretsFromTheEnvironmentAreHiddenFromTheEffectiveConfig) {
  ::setenv("CAMWATCH_T_HOOK_TOKEN", "s3cr3t-t0ken", 1);
  ::setenv("CAMWATCH_T_SITE", "north-gate", 1);
  const std::string main = write("site.yaml", R"(sensor: {name: '${CAMWATCH_T_SITE}'}
alerts:
  sinks:
    - type: webhook
      name: hook
      url: 'http://127.0.0.1:9/hook?token=${CAMWATCH_T_HOOK_TOKEN}'
)");
  auto config = loadConfig(main);
  ASSERT_TRUE(config) << config.error().message;
  const std::string text = describeConfig(*config);
  EXPECT_EQ(text.find("s3cr3t-t0ken"), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1:9/hook?token=<hidden>"), std::string::npos) << text;
  EXPECT_NE(text.find("name: north-gate"), std::string::npos) << text;  // not a secret's name
}

}  // namespace
}  // namespace camwatch
