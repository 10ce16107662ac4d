// loadVendorCloudNames: the vendor-cloud names file (config/camera-cloud-names.csv), checked
// entry by entry so that a typo names its line instead of silently matching nothing.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <camwatch/policy.h>

#include "policy/matchers.h"
#include "policy/registrable_domain.h"
#include "util/csv_file.h"
#include "util/text.h"

namespace camwatch {

Result<std::vector<VendorCloudName>> loadVendorCloudNames(const std::string& csv_path,
                                                          const std::vector<std::string>& catalog) {
  auto file = CsvFile::open(csv_path, "cloud,name,scope,source");
  if (!file) return tl::unexpected(file.error());
  std::vector<VendorCloudName> names;
  std::vector<std::size_t> lines;
  std::vector<std::string> fields;
  while (true) {
    Result<bool> more = file->next(fields);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    const std::string& cloud = fields[0];
    auto known = std::find_if(catalog.begin(), catalog.end(), [&](const std::string& entry) {
      return equalsIgnoreCase(entry, cloud);
    });
    if (known == catalog.end()) {
      std::string list;
      for (const std::string& name : catalog) list.append(list.empty() ? "" : ", ").append(name);
      return tl::unexpected(file->error(fmt::format(
          "cloud '{}' is not a vendor-cloud protocol of the catalog ({})", cloud, list)));
    }
    VendorCloudName entry;
    entry.cloud = *known;
    const std::string& scope = fields[2];
    if (scope != "domain" && scope != "host") {
      return tl::unexpected(file->error(fmt::format("scope '{}': expected domain or host", scope)));
    }
    entry.whole_domain = scope == "domain";
    policy::DomainSet check;
    std::string error = entry.whole_domain ? policy::addRegistrableDomain(fields[1], check)
                                           : policy::addDomain(fields[1], check);
    if (error.empty() && !entry.whole_domain && fields[1].starts_with("*.")) {
      error = "a host is one name: list the registrable domain with scope domain instead";
    }
    if (!error.empty()) {
      return tl::unexpected(file->error(fmt::format("name '{}': {}", fields[1], error)));
    }
    entry.name = entry.whole_domain ? check.registrable.front() : check.exact.front();
    if (fields[3].empty()) return tl::unexpected(file->error("empty source: say where it is from"));
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].name == entry.name) {
        return tl::unexpected(file->error(
            fmt::format("name '{}' listed again (first on line {})", entry.name, lines[i])));
      }
    }
    names.push_back(std::move(entry));
    lines.push_back(file->line());
  }
  return names;
}

}  // namespace camwatch
