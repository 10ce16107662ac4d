#include "runtime/run_service.h"

namespace camwatch::run_service {

// The spool's trouble, logged once when it starts, every 10 s while it lasts, and once when it
// ends; camwatch_alert_spool_write_errors_total and camwatch_alert_spool_held_alerts show it too.
void LiveSensor::logSpoolWrite(const EnqueueResult& queued, SteadyClock::time_point now) {
  if (queued.drop.alerts > 0) {
    spdlog::warn("alert spool full: dropped {} undelivered alert(s)", queued.drop.alerts);
  }
  if (queued.held_dropped > 0) {
    spdlog::error(
        "alert spool: dropped the {} oldest alert(s) held in memory (at most {} wait "
        "for the disk)",
        queued.held_dropped, delivery_->maxHeld());
  }
  if (queued.write_error) {
    if (!spool_failing_ || now >= next_spool_error_log_) {
      spdlog::error("alert spool {}: {}; {} alert(s) held in memory until it can be written",
                    spool_failing_ ? "still cannot be written" : "cannot be written",
                    *queued.write_error, queued.held);
      next_spool_error_log_ = now + std::chrono::seconds(10);
    }
    spool_failing_ = true;
  } else if (spool_failing_ && queued.held == 0) {
    spdlog::info("alert spool writable again: {} held alert(s) spooled", queued.from_held);
    spool_failing_ = false;
  }
}

// The 10 s report's warning about a bounded resource: only when `count` grew since the last one,
// with the growth and the total (`line` formats the message from them).
template <typename Line>
void warnIfGrew(std::uint64_t count, std::uint64_t& reported, const Line& line) {
  if (count <= reported) return;
  spdlog::warn("{}", line(count - reported, count));
  reported = count;
}

void LiveSensor::reportDrops() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const CaptureStatsSnapshot stats = workers_[i]->capture_stats.snapshot();
    const std::uint64_t dropped = stats.dropped + stats.interface_dropped;
    if (dropped > reported_drops_[i]) {
      logWarn({{"interface", workers_[i]->interface()},
               {"worker", i},
               {"dropped", dropped - reported_drops_[i]},
               {"dropped_total", dropped}},
              "{} (worker {}): {} packets dropped in the last {} s ({} in all): the worker fell "
              "behind; more capture.workers or a larger capture.buffer_size may help",
              workers_[i]->interface(), i, dropped - reported_drops_[i], kDropReportPeriod.count(),
              dropped);
      reported_drops_[i] = dropped;
    }
  }
  reportFullTables();
}

// Every bounded table and cache that had to make room since the last report, one line each.
void LiveSensor::reportFullTables() {
  // A full flow table is a bounded resource doing its job (the least recently seen flow is
  // ended early), but the operator should know: flows.max_flows may be too small for the site,
  // or something is opening flows by the million.
  std::uint64_t evicted = 0;
  for (const auto& worker : workers_) evicted += worker->counters().flows_evicted.load();
  warnIfGrew(evicted, reported_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "flow table full: {} flows ended early in the last {} s ({} in all) to make room "
        "(flows.max_flows = {}); camwatch_flows_evicted_total counts them",
        grew, kDropReportPeriod.count(), total, config_->flows.max_flows);
  });
  // Full caches are bounded too, and cost only lookups (a flow whose name was evicted goes
  // unnamed; a GeoIP entry is looked up again), but a cache too small for the site should be
  // raised.
  const std::uint64_t dns_evicted = dns_ ? dns_->evictions() : 0;
  warnIfGrew(dns_evicted, reported_dns_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "DNS answer cache full: {} unexpired names dropped in the last {} s ({} in all) to make "
        "room (dns.cache_size = {}); flows to those addresses may go unnamed; "
        "camwatch_dns_cache_evictions_total counts them",
        grew, kDropReportPeriod.count(), total, config_->dns.capacity);
  });
  std::uint64_t geo_evicted = 0;
  for (const auto& worker : workers_) geo_evicted += worker->counters().geo_evictions.load();
  warnIfGrew(geo_evicted, reported_geo_evictions_, [&](std::uint64_t grew, std::uint64_t total) {
    std::size_t geo_cache_size = 0;  // a reload may have changed it
    {
      const std::lock_guard lock(shared_.mutex);
      geo_cache_size = shared_.judgement.geo_cache_size;
    }
    return fmt::format(
        "GeoIP cache full: {} entries dropped in the last {} s ({} in all) to make room "
        "(geoip.cache_size = {} per worker); camwatch_geoip_cache_evictions_total counts them",
        grew, kDropReportPeriod.count(), total, geo_cache_size);
  });
  // Per-camera state is bounded by inventory.max_cameras (per worker and in the engine): a flood
  // of spoofed camera addresses still gets judged and alerted, but not listed or budgeted.
  std::uint64_t untracked = engine_ ? engine_->camerasUntracked() : 0;
  for (const auto& worker : workers_) untracked += worker->counters().cameras_untracked.load();
  warnIfGrew(untracked, reported_untracked_, [&](std::uint64_t grew, std::uint64_t total) {
    return fmt::format(
        "camera limit reached: {} new flows or sightings of cameras not tracked in the last {} s "
        "({} in all) (inventory.max_cameras = {}); they are still judged and alerted, but not "
        "listed, budgeted or reported as new; camwatch_cameras_untracked_total and "
        "camwatch_alert_cameras_untracked_total count them",
        grew, kDropReportPeriod.count(), total, config_->max_cameras);
  });
  const std::uint64_t total_overflow = engine_ ? engine_->overflowedTotal() : 0;
  warnIfGrew(total_overflow, reported_total_overflow_,
             [&](std::uint64_t grew, std::uint64_t total) {
               return fmt::format(
                   "alert limit reached: {} alert raise(s) folded into sensor-wide overflow "
                   "alerts in the last {} s ({} in all) (alerts.max_active = {}); "
                   "camwatch_alert_max_active_overflow_total counts them",
                   grew, kDropReportPeriod.count(), total, config_->alerts.max_active);
             });
}

std::string LiveSensor::statusLine() const {
  std::uint64_t packets = 0;
  std::uint64_t dropped = 0;
  std::uint64_t flows = 0;
  for (const auto& worker : workers_) {
    packets += worker->counters().packets.load();
    flows += worker->counters().flows_active.load();
    const CaptureStatsSnapshot stats = worker->capture_stats.snapshot();
    dropped += stats.dropped + stats.interface_dropped;
  }
  return fmt::format("{} packets, {} dropped, {} flows active, {} alert notifications", packets,
                     dropped, flows, alerts_out_);
}

void LiveSensor::everySecond(SteadyClock::time_point now) {
  if (registry_) {
    takeSnapshot(sources_, snapshot_);
    registry_->update(snapshot_);
  }
  // The watchdog is fed only while every worker's loop turns (each turns at least ten times a
  // second, idle or not); a stuck one lets systemd restart the sensor.
  bool healthy = true;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    const std::uint64_t beat = workers_[i]->heartbeat.load(std::memory_order_relaxed);
    if (beat != last_heartbeat_[i]) {
      last_heartbeat_[i] = beat;
      last_progress_[i] = now;
    } else if (now - last_progress_[i] > kWorkerStuckAfter) {
      if (healthy) {
        spdlog::error(
            "worker {} ({}) has not moved for {} s; no longer feeding the watchdog", i,
            workers_[i]->interface(),
            std::chrono::duration_cast<std::chrono::seconds>(now - last_progress_[i]).count());
      }
      healthy = false;
    }
  }
  if (healthy) notifier_.watchdog();
  if (alerts_not_logged_ > 0) {
    spdlog::info(
        "{} more alert notifications since the last report, not logged one by one (the alert "
        "sinks and camwatch_alerts_total have them all)",
        alerts_not_logged_);
    alerts_not_logged_ = 0;
  }
  alerts_logged_this_second_ = 0;
  if (engine_ && engine_->overflowed() > overflow_logged_ && now >= next_overflow_log_) {
    spdlog::warn(
        "{} alert raise(s) folded into per-camera overflow alerts: a camera has {} active alerts "
        "(alerts.max_active_per_camera); its further destinations are in one alert per kind",
        engine_->overflowed() - overflow_logged_, config_->alerts.max_active_per_camera);
    overflow_logged_ = engine_->overflowed();
    next_overflow_log_ = now + std::chrono::seconds(10);
  }
  if (delivery_ && delivery_->heldCount() > 0) {
    logSpoolWrite(delivery_->retryHeld(), now);
  }
  if (now >= next_drop_report_) {
    reportDrops();
    next_drop_report_ = now + kDropReportPeriod;
  }
  if (now >= next_status_) {
    notifier_.status(statusLine());
    next_status_ = now + kStatusPeriod;
  }
  if (now >= next_baseline_save_) {
    saveBaseline();
    next_baseline_save_ = now + kBaselineSavePeriod;
  }
}

}  // namespace camwatch::run_service
