// replay_command: `camwatch replay`, capture files through the pipeline as a sensor would judge
// them, with the summary, the alerts and the other outputs its options ask for.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace camwatch::cli {

struct ReplayArgs {
  std::string config_path;
  std::optional<unsigned> workers;
  std::string flows_path;
  std::string ipfix_collector;  ///< --ipfix HOST:PORT[/udp|/tcp]; "" = no export
  std::string alerts_path;
  std::string summary_path;
  std::string metrics_path;       // a file, or ADDR:PORT to serve (isListenAddress)
  std::string report_path;        // --report FILE.html
  std::string destinations_path;  // --destinations FILE.csv

  std::string report_pdf_path;  // --report-pdf FILE.pdf
  // --chromium PATH: the browser --report-pdf prints with (a name is looked up in PATH)
  std::string chromium = "chromium";
  unsigned pdf_timeout_seconds = 120;  // --pdf-timeout SECONDS

  double linger_seconds = 0;
  double pace = 0;
  std::string from;  // --from TIME, as given
  std::string to;    // --to TIME
  std::string bpf;   // --bpf EXPR
  std::vector<std::string> captures;
  /// `camwatch baseline learn`: learn mode whatever the config says, for the whole capture, no
  /// alert sinks; says what was learnt instead of the summary.
  bool learn_only = false;
};

/// Runs the replay `args` describe. @return the exit code (cli/cli.h).
int replayCommand(const ReplayArgs& args);

}  // namespace camwatch::cli
