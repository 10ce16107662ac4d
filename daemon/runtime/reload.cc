#include "runtime/run_service.h"

namespace camwatch::run_service {

void LiveSensor::reload() {
  notifier_.reloading();
  logInfo({{"signal", "SIGHUP"}, {"config", options_.config_path}}, "SIGHUP: reloading {}",
          options_.config_path);
  reopenAlertLogFiles();
  auto config = loadConfig(options_.config_path);
  if (!config) {
    spdlog::error("reload failed, the running config stays: {}", config.error().message);
    notifier_.reloaded();
    return;
  }
  if (!sensor_name_.empty()) config->sensor_name = sensor_name_;
  auto loaded = loadJudgement(judgementConfig(*config));
  if (!loaded) {
    spdlog::error("reload failed, the running config stays: {}", loaded.error().message);
    notifier_.reloaded();
    return;
  }
  for (const std::string& warning : loaded->warnings) spdlog::warn("{}", warning);
  {
    const std::lock_guard lock(shared_.mutex);
    shared_.judgement = loaded->judgement;
  }
  shared_.generation.fetch_add(1, std::memory_order_release);
  oui_ = loaded->oui;
  spdlog::set_level(spdlog::level::from_str(config->logging.level));
  spdlog::info(
      "reloaded {}: policy, inventory, groups and GeoIP databases apply to new verdicts now "
      "(logging.level too); capture, flows, dpi, dns, learning, alerts, egress budgets, "
      "inventory.max_cameras, metrics and export changes apply at the next restart",
      options_.config_path);
  notifier_.reloaded();
}

}  // namespace camwatch::run_service
