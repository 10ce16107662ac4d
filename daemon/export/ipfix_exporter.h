// export/: flow records to flow collectors: IPFIX (RFC 7011) encoded by libfixbuf, sent over UDP
// or TCP from a thread of its own, off the workers.
//
// IpfixExporter: `replay --ipfix` and `run`'s `export.ipfix`. The control side (replay's reader
// thread as it hands the records on, run's control loop as it takes the workers' handovers)
// names each ended flow (nameIpfixFlow: camera, group, operator, rule) and queues it; the
// exporter's thread encodes the queue into IPFIX messages (export/ipfix_encoder.h) and sends
// them (export/collector_connection.h). Nothing here runs per packet.
//
// A collector that is down costs records, never the sensor: a failed connect or send is counted
// (IpfixExportCounts, camwatch_ipfix_export_errors_total) and logged at most once a minute, the
// records it held are counted as dropped, and TCP connects again with backoff (1 s doubling to
// 30 s), starting a new session with the templates. Over UDP the templates go again every
// `template_refresh`, so a collector started later learns them. A full queue drops records too
// (counted): the control side never waits for the network.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <camwatch/classifier.h>
#include <camwatch/flow.h>
#include <camwatch/result.h>

#include "alert/camera_event.h"
#include "export/collector_connection.h"
#include "export/ipfix_encoder.h"
#include "export/ipfix_flow.h"

namespace camwatch {

/// `export.ipfix` (docs/ipfix.md), or `replay --ipfix` with the defaults.
struct IpfixExportOptions {
  IpfixCollector collector;
  /// UDP: how often the templates are sent again (RFC 7011 section 8.4). TCP sends them once per
  /// connection.
  std::chrono::seconds template_refresh{60};
  std::uint32_t enterprise_number = 32473;  ///< RFC 5612's documentation PEN by default
  std::uint32_t observation_domain = 0;
  std::size_t max_queued = 65536;           ///< records waiting for the exporter's thread
  std::chrono::milliseconds timeout{5000};  ///< one connect or one send at most
};

/// What the export did; counters only go up. Any thread reads them.
struct IpfixExportCounts {
  std::atomic<std::uint64_t> exported{0};  ///< records in messages the socket took
  std::atomic<std::uint64_t> dropped{0};   ///< records lost: collector down, queue full
  std::atomic<std::uint64_t> errors{0};    ///< failed connects and sends
  std::atomic<std::uint64_t> messages{0};  ///< IPFIX messages sent
};

/// Where the exporter says what went wrong (a line, no trailing newline). Exporter thread.
using IpfixLog = std::function<void(const std::string&)>;

class IpfixExporter {
 public:
  /// Builds the encoder (fails on an options mistake libfixbuf refuses) and starts the thread;
  /// the collector need not be up yet. Control thread.
  static Result<std::unique_ptr<IpfixExporter>> start(const IpfixExportOptions& options,
                                                      IpfixLog log);
  /// stop().
  ~IpfixExporter();
  IpfixExporter(const IpfixExporter&) = delete;
  IpfixExporter& operator=(const IpfixExporter&) = delete;

  /// Names `flow` with `naming` and `names` and queues it. Control thread; never waits for the
  /// network.
  void add(const FlowRecord& flow, const NamingSnapshot& naming, const ProtocolNames& names);
  /// Sends what is queued and ends the thread. Waits for the network: each connect and send at
  /// most the timeout. Control thread; harmless twice.
  void stop();

  const IpfixExportCounts& counts() const { return counts_; }
  /// "127.0.0.1:4739/udp".
  const std::string& collectorName() const { return connection_.name(); }

 private:
  using Clock = std::chrono::steady_clock;

  IpfixExporter(const IpfixExportOptions& options, IpfixLog log,
                std::unique_ptr<IpfixEncoder> encoder);
  void run();
  void exportBatch(const std::vector<IpfixFlow>& batch);
  bool ensureConnected(Clock::time_point now);
  // Sends the encoder's closed messages; counts records exported or dropped. @return false when
  // a send failed (TCP: the connection is closed).
  bool sendMessages();
  void refreshTemplates(Clock::time_point now);
  void trouble(const std::string& message);

  const IpfixExportOptions options_;
  const IpfixLog log_;
  std::unique_ptr<IpfixEncoder> encoder_;  // exporter thread; a new one per TCP connection
  CollectorConnection connection_;         // exporter thread
  IpfixExportCounts counts_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<IpfixFlow> queue_;  // guarded by mutex_
  bool stopping_ = false;         // guarded by mutex_

  // Exporter thread only.
  Clock::time_point next_connect_{};
  std::chrono::seconds backoff_{1};
  Clock::time_point next_template_refresh_{};
  Clock::time_point next_trouble_log_{};
  std::uint64_t errors_logged_ = 0;  // counts_.errors at the last log line
  bool in_trouble_ = false;
  std::thread thread_;
};

}  // namespace camwatch
