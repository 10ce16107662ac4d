#include "cli/cli.h"

#include <string>

#include <CLI/CLI.hpp>

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (replay_cmd->parsed()) return cli::replayCommand(replay);
  if (check_cmd->parsed()) return cli::checkConfigCommand(check_config);
  if (version_cmd->parsed()) return cli::versionCommand();
  if (run_cmd->parsed()) return runLiveSensor(live);
  return kExitUsage;
}

}  // namespace camwatch
