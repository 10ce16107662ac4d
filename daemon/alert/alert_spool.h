// AlertSpool: the durable on-disk queue between raising an alert and delivering it ("nothing
// lost"). Inputs: alerts from the alert engine; acknowledgements from the delivery loop. Outputs:
// per sink, the alerts it has not acknowledged yet, across restarts and crashes.
//
// Layout of the directory (docs/alerts.md):
//   segment-<first seq, 20 digits>.jsonl  one line per alert: {"seq":N,"alert":{alert JSON}}
//   state-<sink>.json                     {"delivered_up_to":N}: the sink acknowledged seq <= N
// Appends are write() + fdatasync() before append() returns; state files are replaced
// atomically (temp file, fsync, rename, fsync of the directory). A segment every registered sink
// acknowledged is deleted (except the newest, which keeps the sequence high-water mark). Past
// `max_bytes` the oldest segments are dropped whole, acknowledged or not, and the drop is reported.
//
// Threads: every method takes an internal mutex, so the alert thread may append while the
// delivery thread reads and acknowledges.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <camwatch/alert.h>
#include <camwatch/result.h>

namespace camwatch {

struct AlertSpoolOptions {
  /// Cap on the bytes of all segment files. Past it the oldest segments are dropped.
  std::uint64_t max_bytes = 64ULL << 20;
  /// A new segment starts when the current one would pass this size. The effective size is at
  /// most max_bytes / 4, so that a drop at the cap loses about a quarter of the spool, not all.
  std::uint64_t segment_bytes = 1ULL << 20;
};

/// One spooled alert and its sequence number (1, 2, 3, ... over the spool's lifetime).
struct SpooledAlert {
  std::uint64_t seq = 0;
  Alert alert;
};

/// What append() had to drop to stay under the cap: the caller logs it and counts it.
struct SpoolDrop {
  std::uint64_t alerts = 0;  ///< alerts at least one sink had not acknowledged
  std::uint64_t bytes = 0;   ///< bytes of the dropped segments
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;
  std::vector<std::uint64_t> per_sink;  ///< per sink index: alerts it lost
};

struct SpoolAppend {
  std::uint64_t seq = 0;  ///< the sequence number of the last alert appended
  std::uint64_t appended = 0;
  SpoolDrop drop;
  /// Set when a write failed (ENOSPC, EIO): the first `appended` alerts are durable, the rest
  /// were not spooled (the caller keeps them and tries again later).
  std::optional<std::string> write_error;
};

class AlertSpool {
 public:
  /// Opens (creating it when missing) the spool in `directory` for the sinks `sink_names` (in
  /// this order: the index of a name is its sink index below). Recovers after a crash: a torn
  /// last line (a write cut short) is cut off, a line that does not parse is skipped and named in
  /// recoveryWarnings(). A sink without a state file starts at the current end (it does not get
  /// the backlog of alerts spooled before it was configured). Control thread.
  /// @return the spool, or an error naming the directory or file that could not be used.
  static Result<std::unique_ptr<AlertSpool>> open(const std::string& directory,
                                                  std::vector<std::string> sink_names,
                                                  const AlertSpoolOptions& options);
  ~AlertSpool();
  AlertSpool(const AlertSpool&) = delete;
  AlertSpool& operator=(const AlertSpool&) = delete;

  /// Appends `alert` and makes it durable (fdatasync) before returning. On failure (ENOSPC,
  /// EIO) the segment is cut back to its previous length, so nothing spooled before is lost
  /// and no torn line is left. Any thread.
  /// @return the alert's sequence number and what was dropped to make room.
  Result<SpoolAppend> append(const Alert& alert);
  /// Appends `alerts` in order, as append() does, with one write and one fdatasync per segment
  /// they go to (not per alert). When a write fails the alerts already synced stay appended
  /// (`appended` of them), `write_error` says what failed, and the rest are not spooled; nothing
  /// spooled before is touched. Any thread.
  SpoolAppend appendAll(std::span<const Alert> alerts);

  /// Up to `max_count` alerts that sink `sink` has not acknowledged, oldest first. Any thread.
  /// @return the alerts (copies), or an error naming a segment that could not be read.
  Result<std::vector<SpooledAlert>> pending(std::size_t sink, std::size_t max_count);

  /// Records that sink `sink` has every alert with seq <= `up_to_seq` and deletes segments all
  /// sinks have. Durable (atomic state-file replace) before it returns. Any thread.
  Result<void> markDelivered(std::size_t sink, std::uint64_t up_to_seq);

  /// The last acknowledged sequence number of `sink`. Any thread.
  std::uint64_t deliveredUpTo(std::size_t sink) const;
  /// Alerts sink `sink` has not acknowledged (spooled, not dropped). Any thread.
  std::uint64_t pendingCount(std::size_t sink) const;
  /// The sequence number of the newest alert ever appended (0 for none). Any thread.
  std::uint64_t lastSeq() const;
  /// Bytes of all segment files. Any thread.
  std::uint64_t bytes() const;
  /// Number of segment files. Any thread.
  std::size_t segmentCount() const;
  /// What open() repaired or skipped, one line each, for the start-up log.
  const std::vector<std::string>& recoveryWarnings() const { return warnings_; }

 private:
  struct Segment {
    std::string path;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;  // first_seq - 1 while empty
    std::uint64_t bytes = 0;
  };

  AlertSpool(std::string directory, std::vector<std::string> sink_names,
             const AlertSpoolOptions& options);
  Result<void> recover();
  Result<void> recoverSegment(Segment& segment);
  Result<void> writeState(std::size_t sink, std::uint64_t up_to_seq);
  Result<void> startSegment(std::uint64_t first_seq);
  void closeActive();
  void dropOldest(SpoolDrop& drop);
  void collectGarbage();
  std::uint64_t undeliveredIn(const Segment& segment, std::uint64_t acked) const;

  const std::string directory_;
  const std::vector<std::string> sink_names_;
  const std::uint64_t max_bytes_;
  const std::uint64_t segment_bytes_;
  mutable std::mutex mutex_;
  std::vector<Segment> segments_;     // oldest first
  std::vector<std::uint64_t> acked_;  // per sink
  std::uint64_t last_seq_ = 0;
  std::uint64_t total_bytes_ = 0;
  int active_fd_ = -1;  // the newest segment, when this process opened it
  std::vector<std::string> warnings_;
};

}  // namespace camwatch
