#include "pipeline/judgement_loader.h"

#include <fmt/format.h>

#include <camwatch/geo.h>
#include <camwatch/policy.h>

namespace camwatch {

Result<LoadedJudgement> loadJudgement(const JudgementConfig& config) {
  LoadedJudgement out;
  FlowJudgement& judgement = out.judgement;
  judgement.geo_cache_size = config.geo_cache_size;
  judgement.sensor_name = config.sensor_name;
  judgement.report_default_allows = config.report_default_allows;
  if (!config.geoip.country_db.empty() || !config.geoip.asn_db.empty()) {
    // A configured database that is missing means no geo, said once; a broken one is an error.
    auto geo = MaxmindGeoLookup::open(config.geoip, GeoDatabaseMissing::kWarn);
    if (!geo) return tl::unexpected(geo.error());
    for (const std::string& warning : (*geo)->warnings()) out.warnings.push_back(warning);
    out.sources.geo_databases = (*geo)->databases();
    if ((*geo)->hasCountry() || (*geo)->hasAsn()) judgement.geo = std::move(*geo);
  }
  if (!config.operators_file.empty()) {
    auto table = OperatorTable::load(config.operators_file);
    if (!table) return tl::unexpected(table.error());
    judgement.operators = std::make_shared<const OperatorTable>(std::move(*table));
  }
  auto options = loadPolicyOptions(config.cloud_names_file, judgement.operators);
  if (!options) return tl::unexpected(options.error());
  if (!config.doh_resolvers_file.empty()) {
    auto doh = loadDohResolvers(config.doh_resolvers_file);
    if (!doh) return tl::unexpected(doh.error());
    options->doh_resolvers = std::move(*doh);
  }
  out.sources.vendor_cloud_names = options->vendor_cloud_names.size();
  auto policy = PolicyEngine::create(config.policy_groups, *options);
  if (!policy) {
    return makeError(fmt::format("{}: policy: {}", config.source, policy.error().message));
  }
  judgement.policy = std::make_shared<const PolicyEngine>(std::move(*policy));
  if (!config.oui_file.empty()) {
    auto table = OuiTable::load(config.oui_file);
    if (!table) return tl::unexpected(table.error());
    out.oui = std::make_shared<const OuiTable>(std::move(*table));
  }
  auto inventory = CameraInventory::create(config.inventory, out.oui);
  if (!inventory) {
    return makeError(fmt::format("{}: inventory: {}", config.source, inventory.error().message));
  }
  judgement.inventory = std::make_shared<const CameraInventory>(std::move(*inventory));
  return out;
}

}  // namespace camwatch
