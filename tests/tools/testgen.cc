// camwatch-testgen: writes the deterministic test and demo captures (see tests/pcaps/README.md).
//
//   camwatch-testgen SCENARIO OUTPUT [--expect FILE] [--link L] [--format pcap|pcapng]
//                    [--snaplen N] [--packets N] [--flows N] [--cameras N] [--seed N] [--usec]
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "support/scenarios.h"

namespace {

std::string scenarioHelp() {
  std::string text = "Scenarios:\n";
  for (const camwatch::testkit::ScenarioInfo& info : camwatch::testkit::scenarios()) {
    text += "  " + info.name + std::string(11 - info.name.size(), ' ') + info.description +
            (info.has_expect ? " [--expect]" : "") + "\n";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  using camwatch::testkit::ExpectedCapture;
  using camwatch::testkit::ScenarioOptions;

  CLI::App app{"camwatch-testgen: writes deterministic capture files for camwatch tests"};
  app.footer(scenarioHelp());
  std::string scenario;
  std::string output;
  std::string expect_path;
  std::string link = "ethernet";
  std::string format = "pcap";
  bool usec = false;
  ScenarioOptions options;
  app.add_option("scenario", scenario, "what to generate")->required();
  app.add_option("output", output, "capture file to write")->required();
  app.add_option("--expect", expect_path,
                 "write the expected facts as JSON to FILE ('-' = stdout); without it they go "
                 "to stdout for scenarios that have them");
  app.add_option("--link", link, "linktypes: ethernet|sll|sll2|raw|ipv4|ipv6|null")
      ->capture_default_str();
  app.add_option("--format", format, "pcap|pcapng")->capture_default_str();
  app.add_option("--snaplen", options.snaplen, "bytes kept per packet")->capture_default_str();
  app.add_option("--packets", options.packets, "bench: packets to write")->capture_default_str();
  app.add_option(
         "--flows", options.flows,
         "bench: at least this many flows; flood, concurrent: exactly this many; fleet: camera "
         "flows; spoof: camera sources")
      ->capture_default_str();
  app.add_option("--cameras", options.cameras, "fleet: cameras on the VLAN")->capture_default_str();
  app.add_option("--seed", options.seed, "bench, fleet: random seed")->capture_default_str();
  app.add_flag("--usec", usec, "microsecond timestamps instead of nanoseconds");
  CLI11_PARSE(app, argc, argv);

  if (!camwatch::testkit::parseLinkChoice(link, options.link)) {
    std::cerr << "camwatch-testgen: unknown --link '" << link << "'\n";
    return 2;
  }
  if (format != "pcap" && format != "pcapng") {
    std::cerr << "camwatch-testgen: unknown --format '" << format << "'\n";
    return 2;
  }
  options.pcapng = format == "pcapng";
  options.resolution =
      usec ? camwatch::testkit::TsResolution::kMicro : camwatch::testkit::TsResolution::kNano;

  bool has_expect = false;
  bool known = false;
  for (const camwatch::testkit::ScenarioInfo& info : camwatch::testkit::scenarios()) {
    if (info.name == scenario) {
      known = true;
      has_expect = info.has_expect;
    }
  }
  if (!known) {
    std::cerr << "camwatch-testgen: unknown scenario '" << scenario << "'\n" << scenarioHelp();
    return 2;
  }
  if (!expect_path.empty() && !has_expect) {
    std::cerr << "camwatch-testgen: scenario '" << scenario << "' has no expected facts\n";
    return 2;
  }

  try {
    ExpectedCapture expected;
    std::uint64_t packets = camwatch::testkit::runScenario(scenario, output, options, &expected);
    if (has_expect) {
      std::string json = expected.toJson().dump(2) + "\n";
      if (expect_path.empty() || expect_path == "-") {
        std::cout << json;
      } else {
        std::ofstream out(expect_path);
        out << json;
        if (!out) {
          std::cerr << "camwatch-testgen: " << expect_path << ": cannot write\n";
          return 1;
        }
      }
    }
    std::cerr << "camwatch-testgen: " << scenario << ": " << packets << " packets -> " << output
              << "\n";
  } catch (const std::exception& error) {
    std::cerr << "camwatch-testgen: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
