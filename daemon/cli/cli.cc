#include "cli/cli.h"

#include <string>

#include <CLI/CLI.hpp>

#include "cli/baseline_command.h"
#include "cli/info_commands.h"
#include "cli/replay_command.h"
#include "runtime/live_sensor.h"

namespace camwatch {
namespace {

// --report-pdf and how it prints: the browser and its deadline.
void addReplayPdf(CLI::App& replay_cmd, cli::ReplayArgs& replay) {
  replay_cmd.add_option("--report-pdf", replay.report_pdf_path,
                        "Print the HTML report to FILE.pdf with headless Chromium (Debian "
                        "package chromium; no network, a temporary profile), for print and "
                        "evidence: the findings with the SHA-256 of captures, config and data "
                        "sources (docs/report.md)");
  replay_cmd
      .add_option("--chromium", replay.chromium,
                  "The browser --report-pdf runs: a path, or a name looked up in PATH")
      ->capture_default_str();
  replay_cmd
      .add_option("--pdf-timeout", replay.pdf_timeout_seconds,
                  "Seconds --report-pdf waits for the browser before killing it")
      ->capture_default_str()
      ->check(CLI::Range(1U, 86400U));
}

// `replay`'s files to write: --flows, --alerts, --summary, --report (--report-pdf),
// --destinations, --metrics.
void addReplayOutputs(CLI::App& replay_cmd, cli::ReplayArgs& replay) {
  replay_cmd.add_option("--flows", replay.flows_path,
                        "Write every flow as a JSON line to FILE ('-' for stdout)");
  replay_cmd.add_option("--ipfix", replay.ipfix_collector,
                        "Export every flow over IPFIX to the collector at HOST:PORT[/udp|/tcp] "
                        "(UDP by default; docs/ipfix.md)");
  replay_cmd.add_option("--alerts", replay.alerts_path, "Write alerts as JSON lines to FILE");
  replay_cmd.add_option("--summary", replay.summary_path, "Write the summary as JSON to FILE");
  replay_cmd.add_option("--report", replay.report_path,
                        "Write a self-contained HTML report to FILE (cameras and their "
                        "destinations, alerts, charts, capture files with SHA-256, the config, the "
                        "provenance of every data source; opens offline; docs/report.md)");
  replay_cmd.add_option("--destinations", replay.destinations_path,
                        "Write every camera's destinations as CSV to FILE (docs/report.md)");
  addReplayPdf(replay_cmd, replay);
  replay_cmd.add_option(
      "--metrics", replay.metrics_path,
      "FILE: write the run's counters as Prometheus text at the end; ADDR:PORT (a ':' and a port "
      "number after the last one): serve them on /metrics while the replay runs "
      "(docs/metrics.md)");
  replay_cmd
      .add_option("--linger", replay.linger_seconds,
                  "With --metrics ADDR:PORT: keep serving the final figures for SECONDS after "
                  "the capture ends (SIGTERM/SIGINT end it early)")
      ->check(CLI::Range(0.0, 86400.0));
}

// `replay`'s choice of packets and how fast they go: --pace, --from, --to, --bpf, CAPTURE.
void addReplayInputs(CLI::App& replay_cmd, cli::ReplayArgs& replay) {
  replay_cmd
      .add_option("--pace", replay.pace,
                  "Follow packet time: X seconds of capture per second (0 = as fast as possible)")
      ->check(CLI::Range(0.0, 1e9));
  replay_cmd.add_option("--from", replay.from,
                        "Keep packets at or after TIME (RFC 3339, e.g. 2026-01-15T09:03:00Z, or "
                        "seconds since the epoch)");
  replay_cmd.add_option("--to", replay.to, "Keep packets before TIME (as --from)");
  replay_cmd.add_option("--bpf", replay.bpf,
                        "Read only the packets this libpcap filter matches (e.g. 'host "
                        "192.168.10.21 and not port 554'), compiled for each file");
  replay_cmd
      .add_option("CAPTURE", replay.captures,
                  "Capture files or glob patterns ('dir/*.pcap', sorted, each file read once); "
                  "several are merged in timestamp order")
      ->required();
}

CLI::App* addReplayCommand(CLI::App& app, cli::ReplayArgs& replay) {
  CLI::App* replay_cmd = app.add_subcommand(
      "replay", "Replay capture files (pcap, pcapng) through the pipeline and print a summary");
  replay_cmd->add_option("-c,--config", replay.config_path, "Config file (YAML)")
      ->check(CLI::ExistingFile);
  replay_cmd
      ->add_option("--workers", replay.workers,
                   "Worker threads (default: from the config, else one per core)")
      ->check(CLI::Range(1, 256));
  addReplayOutputs(*replay_cmd, replay);
  addReplayInputs(*replay_cmd, replay);
  return replay_cmd;
}

CLI::App* addRunCommand(CLI::App& app, LiveSensorOptions& live) {
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Run the live sensor on network interfaces until SIGTERM/SIGINT (SIGHUP reloads the "
      "config); logs go to standard error");
  run_cmd->add_option("-c,--config", live.config_path, "Config file (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  run_cmd->add_option("-i,--interface", live.interfaces,
                      "Capture on IFACE (repeat for several); replaces capture.interfaces");
  run_cmd->add_option("--metrics", live.metrics_listen,
                      "Serve Prometheus metrics on ADDR:PORT (e.g. 127.0.0.1:9108); replaces "
                      "metrics.listen and turns metrics on");
  run_cmd
      ->add_option("--workers", live.workers,
                   "Capture workers per interface; replaces capture.workers (0 = one per core)")
      ->check(CLI::Range(0, 256));
  return run_cmd;
}

CLI::App* addCheckConfigCommand(CLI::App& app, std::string& check_config) {
  CLI::App* check_cmd = app.add_subcommand(
      "check-config",
      "Validate a config file and print the effective config, or validate every *.yaml of a "
      "directory of site configs (one line per file)");
  CLI::Option* file =
      check_cmd->add_option("-c,--config", check_config, "Config file (YAML), or a directory");
  CLI::Option* dir = check_cmd->add_option("--dir", check_config,
                                           "Directory of site configs: checks every *.yaml in it");
  dir->check(CLI::ExistingDirectory);
  file->excludes(dir);
  dir->excludes(file);
  check_cmd->require_option(1);
  return check_cmd;
}

// `baseline show|remove|learn|export` (docs/enforcement.md).
struct BaselineCommands {
  CLI::App* show = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* learn = nullptr;
  CLI::App* exporter = nullptr;
};

BaselineCommands addBaselineCommands(CLI::App& app, cli::BaselineArgs& args) {
  CLI::App* baseline =
      app.add_subcommand("baseline",
                         "Review, edit, learn and export what the learned baseline holds "
                         "(learning.state_file; docs/enforcement.md)");
  baseline->require_subcommand(1);
  BaselineCommands commands;
  auto with_config = [&args](CLI::App* command) {
    command->add_option("-c,--config", args.config_path, "Config file (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
  };
  commands.show = baseline->add_subcommand(
      "show",
      "Print per group what was learnt: destination, AS/operator, country, protocol, "
      "ports, cameras, bytes, first and last seen");
  with_config(commands.show);
  commands.show->add_option("--group", args.group, "Only this group");
  commands.show->add_flag("--json", args.json, "JSON instead of a table");

  commands.remove =
      baseline->add_subcommand("remove", "Drop a learnt destination (a hostname or an address)");
  with_config(commands.remove);
  commands.remove->add_option("--group", args.group, "The group to drop it from")->required();
  commands.remove->add_option("ENTRY", args.entry, "Hostname or address")->required();

  commands.learn = baseline->add_subcommand(
      "learn",
      "Learn from capture files into the state file (as `replay` in learn mode, for "
      "the whole capture, no alert sinks)");
  with_config(commands.learn);
  commands.learn->add_option("--bpf", args.bpf, "Read only the packets this filter matches");
  commands.learn->add_option("CAPTURE", args.captures, "Capture files or glob patterns")
      ->required();

  commands.exporter = baseline->add_subcommand(
      "export", "Write the baseline as a MUD profile (RFC 8520; one group) or an nftables ruleset");
  with_config(commands.exporter);
  commands.exporter->add_option("--format", args.format, "mud or nftables")
      ->required()
      ->check(CLI::IsMember({"mud", "nftables"}));
  commands.exporter->add_option("--group", args.group,
                                "The group (required for mud; nftables: only this one)");
  commands.exporter->add_option("--output", args.output, "Write to FILE instead of stdout");
  commands.exporter->add_option("--mud-url", args.mud_url,
                                "mud: the https URL the file will be published at (its mud-url; "
                                "default https://camwatch.invalid/mud/<group>.json)");
  return commands;
}

}  // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"camwatch: watches the egress of camera VLANs and says when a camera phones home"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");

  cli::ReplayArgs replay;
  CLI::App* replay_cmd = addReplayCommand(app, replay);
  LiveSensorOptions live;
  CLI::App* run_cmd = addRunCommand(app, live);
  std::string check_config;
  CLI::App* check_cmd = addCheckConfigCommand(app, check_config);
  CLI::App* version_cmd =
      app.add_subcommand("version", "Print versions of camwatch and its libraries");
  cli::BaselineArgs baseline;
  const BaselineCommands baseline_cmds = addBaselineCommands(app, baseline);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (replay_cmd->parsed()) return cli::replayCommand(replay);
  if (check_cmd->parsed()) return cli::checkConfigCommand(check_config);
  if (version_cmd->parsed()) return cli::versionCommand();
  if (baseline_cmds.show->parsed()) return cli::baselineShowCommand(baseline);
  if (baseline_cmds.remove->parsed()) return cli::baselineRemoveCommand(baseline);
  if (baseline_cmds.learn->parsed()) return cli::baselineLearnCommand(baseline);
  if (baseline_cmds.exporter->parsed()) return cli::baselineExportCommand(baseline);
  if (run_cmd->parsed()) return runLiveSensor(live);
  return kExitUsage;
}

}  // namespace camwatch
