#include "config/component_options.h"

namespace camwatch {

AlertEngineOptions alertEngineOptions(const Config& config) {
  AlertEngineOptions options;
  options.sensor_name = config.sensor_name;
  options.learning = config.learning.mode;
  options.learning_period = config.learning.period;
  options.lifecycle = AlertLifecycleOptions{
      config.alerts.suppression_window, config.alerts.renotify_interval,
      config.alerts.resolve_after, config.alerts.max_active_per_camera, config.alerts.max_active};
  options.max_cameras = config.max_cameras;
  options.alert_unknown_devices = config.alert_unknown_devices;
  options.unknown_device_severity = config.unknown_device_severity;
  for (const CameraGroupConfig& group : config.groups) {
    options.group_budgets.push_back(GroupEgressBudget{group.membership.name, group.egress_budget});
  }
  options.default_egress_budget = config.default_egress_budget;
  return options;
}

AlertSideConfig alertSideConfig(const Config& config) {
  return AlertSideConfig{alertEngineOptions(config), config.alerts, config.learning};
}

JudgementConfig judgementConfig(const Config& config) {
  JudgementConfig judgement;
  judgement.source = config.source;
  judgement.sensor_name = config.sensor_name;
  judgement.report_default_allows = config.learning.mode != LearningMode::kOff;
  judgement.geoip = config.geoip;
  judgement.geo_cache_size = config.geo_cache_size;
  judgement.policy_groups = config.policy_groups;
  judgement.cloud_names_file = config.dpi.cloud_names_file;
  judgement.doh_resolvers_file = config.dpi.doh_resolvers_file;
  judgement.operators_file = config.operators_file;
  judgement.oui_file = config.oui_file;
  judgement.inventory = config.inventory;
  return judgement;
}

}  // namespace camwatch
