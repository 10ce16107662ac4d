// runtime/: the `run` service: start, control loop, reload, health reports, systemd, privileges,
// logs, the metrics sources, and the exit codes of every command.
//
// runLiveSensor: `camwatch run`, the sensor on a mirror port (docs/pipeline.md, "Live"); the
// service itself is runtime/run_service.h.
//
// Threads:
//  - one worker per (interface, fanout slot), driven by pipeline/live_worker.h: its own libpcap
//    handle in the interface's PACKET_FANOUT group (hash, defrag: a flow stays on one worker),
//    the packet stage (learning DNS answers into the shared cache), its WorkerShell, and about
//    ten times a second a handover to its Mailbox (one short mutex hold) with the packet time up
//    to which it is complete; reopens its handle with backoff when the interface goes away;
//  - the control thread (the caller): signals, the EventMerger (handovers in packet-time order up
//    to the slowest worker's time, the watermark) into the AlertEngine, the alert delivery, the
//    metrics (once a second), the systemd watchdog and status, saves the learned baseline;
//  - the alert delivery thread and the metrics server's threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace camwatch {

struct LiveSensorOptions {
  std::string config_path;
  std::vector<std::string> interfaces;  ///< non-empty: replaces capture.interfaces
  std::string metrics_listen;           ///< non-empty: replaces metrics.listen (and enables it)
  std::optional<unsigned> workers;      ///< replaces capture.workers
};

/// Runs the sensor until SIGTERM or SIGINT. Control thread (main). Blocks SIGTERM, SIGINT and
/// SIGHUP in every thread it starts. @return the process exit code: 0 after a clean stop, 2 for
/// a config that cannot work (systemd does not restart it), 1 for other failures to start.
int runLiveSensor(const LiveSensorOptions& options);

}  // namespace camwatch
