#include "cli/report_input.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <ndpi/ndpi_api.h>

#include <camwatch/build_info.h>
#include <camwatch/policy.h>

#include "policy/registrable_domain.h"
#include "util/durable_file.h"
#include "util/sha256.h"

namespace camwatch::cli {
namespace {

// `path`'s size and SHA-256 into `source`; a file that cannot be read is named on standard error.
void hashFile(const std::string& path, std::uint64_t& size, std::string& sha256) {
  std::error_code error;
  size = std::filesystem::file_size(path, error);
  if (error) size = 0;
  if (auto digest = sha256File(path)) {
    sha256 = *digest;
  } else {
    std::cerr << "camwatch: " << digest.error().message << '\n';
  }
}

// A source without a digest: a library, or a file that is not there.
DataSource described(std::string name, std::string path, std::string version) {
  DataSource source;
  source.name = std::move(name);
  source.path = std::move(path);
  source.version = std::move(version);
  return source;
}

DataSource fileSource(std::string name, const std::string& path, std::string version) {
  DataSource source = described(std::move(name), path, std::move(version));
  hashFile(path, source.size, source.sha256);
  return source;
}

DataSource noneConfigured(std::string name, std::string_view key, std::string_view without) {
  return described(std::move(name), "", fmt::format("none configured ({}): {}", key, without));
}

// The country and ASN databases as configured, one row per file (one file may serve both), with
// the type and build date their MMDB metadata give.
void addGeoSources(const Config& config, const JudgementSources& sources,
                   std::vector<DataSource>& out) {
  const GeoDatabasePaths& paths = config.geoip;
  if (paths.country_db.empty() && paths.asn_db.empty()) {
    out.push_back(
        noneConfigured("GeoIP", "geoip.country_db, geoip.asn_db", "no countries or AS numbers"));
    return;
  }
  std::vector<std::pair<std::string, std::string>> wanted;  // path, role when not opened
  if (!paths.country_db.empty()) wanted.emplace_back(paths.country_db, "country database");
  if (!paths.asn_db.empty() && paths.asn_db != paths.country_db) {
    wanted.emplace_back(paths.asn_db, "ASN database");
  }
  for (const auto& [path, role] : wanted) {
    const GeoDatabaseInfo* opened = nullptr;
    for (const GeoDatabaseInfo& info : sources.geo_databases) {
      if (info.path == path) opened = &info;
    }
    if (opened == nullptr) {
      // Missing at the start (said then): nothing of it went into this report.
      out.push_back(described("GeoIP " + role, path, "not found when the replay started"));
      continue;
    }
    out.push_back(fileSource("GeoIP " + opened->role, path,
                             fmt::format("{}, IPv{}, built {} ({})", opened->database_type,
                                         opened->ip_version, opened->built, opened->fields)));
  }
}

std::vector<DataSource> dataSources(const Config& config, const LoadedSources& loaded) {
  std::vector<DataSource> out;
  addGeoSources(config, *loaded.sources, out);
  if (loaded.operators == nullptr) {
    out.push_back(noneConfigured("network operators", "geoip.operators_file",
                                 "no operators or operator countries"));
  } else {
    out.push_back(fileSource("network operators", config.operators_file,
                             fmt::format("{} AS, {} prefixes", loaded.operators->asCount(),
                                         loaded.operators->prefixCount())));
  }
  if (config.dpi.protocols_file.empty()) {
    out.push_back(noneConfigured("vendor-cloud protocols", "dpi.protocols_file",
                                 "nDPI's built-in protocols only"));
  } else {
    auto names = loadProtocolNames(config.dpi.protocols_file);
    out.push_back(
        fileSource("vendor-cloud protocols", config.dpi.protocols_file,
                   names ? fmt::format("{} protocols{}", names->size(),
                                       config.dpi.enabled ? "" : "; not used: dpi.enabled is false")
                         : names.error().message));
  }
  if (config.dpi.cloud_names_file.empty()) {
    out.push_back(
        noneConfigured("vendor-cloud names", "dpi.cloud_names_file", "nDPI's host rules only"));
  } else {
    out.push_back(fileSource("vendor-cloud names", config.dpi.cloud_names_file,
                             fmt::format("{} names", loaded.sources->vendor_cloud_names)));
  }
  if (loaded.oui == nullptr) {
    out.push_back(noneConfigured("MAC vendors (OUI)", "inventory.oui_file", "no camera vendors"));
  } else {
    out.push_back(fileSource(
        "MAC vendors (OUI)", config.oui_file,
        fmt::format("{} prefixes, {} vendors", loaded.oui->size(), loaded.oui->vendors().size())));
  }
  out.push_back(described("Public Suffix List", "", PublicSuffixList::system().source()));
  out.push_back(described("nDPI", "", ndpi_revision()));
  return out;
}

}  // namespace

ReportInput reportInput(const ReplayArgs& args, const Config& config, const ReplayResult& result,
                        const LoadedSources& loaded) {
  ReportInput input;
  input.version = fmt::format("{} (git {})", CAMWATCH_VERSION, CAMWATCH_GIT_HASH);
  input.sensor_name = config.sensor_name;
  input.home_country = config.sensor_country;
  if (args.config_path.empty()) {
    input.config_path = config.source;
    input.config_text = describeConfig(config);
  } else {
    input.config_path = args.config_path;
    std::ifstream file(args.config_path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    if (!file) {
      std::cerr << "camwatch: " << args.config_path << ": cannot read again for the report\n";
    }
    input.config_text = text.str();
  }
  // The main file's digest is of the bytes shown in the report; the included files' of the files
  // on disk, named as the loader read them (no second expansion of their globs here).
  input.config_files.push_back(ReportConfigFile{
      input.config_path, input.config_text.size(), sha256Hex(input.config_text), {}});
  for (std::size_t i = 1; i < config.source_files.size(); ++i) {
    ReportConfigFile file;
    file.path = config.source_files[i];
    if (auto text = readWholeFile(file.path)) {
      file.text = std::move(*text);
      file.size = file.text.size();
      file.sha256 = sha256Hex(file.text);
    } else {
      std::cerr << "camwatch: " << file.path
                << ": cannot read again for the report: " << errnoText(text.error().error) << '\n';
    }
    input.config_files.push_back(std::move(file));
  }
  for (const CaptureFileStats& stats : result.files) {
    ReportCaptureFile file;
    hashFile(stats.path, file.size, file.sha256);
    input.files.push_back(std::move(file));
  }
  input.data_sources = dataSources(config, loaded);
  return input;
}

}  // namespace camwatch::cli
