#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <camwatch/geo.h>
#include <camwatch/operators.h>

#include "util/csv_file.h"
#include "util/text.h"

namespace camwatch {
namespace {

constexpr std::string_view kHeader = "asn,prefix,operator,holder,parent,parent_country,source";

bool parseAsn(std::string_view text, std::uint32_t& asn) {
  if (text.size() > 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's')) {
    text.remove_prefix(2);
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), asn);
  return error == std::errc() && end == text.data() + text.size() && asn != 0;
}

}  // namespace

Result<OperatorTable> OperatorTable::load(const std::string& csv_path) {
  auto file = CsvFile::open(csv_path, kHeader);
  if (!file) return tl::unexpected(file.error());
  OperatorTable table;
  std::vector<std::size_t> asn_lines;
  std::vector<std::string> fields;
  while (true) {
    Result<bool> more = file->next(fields);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    std::uint32_t asn = 0;
    if (!parseAsn(fields[0], asn)) {
      return tl::unexpected(
          file->error(fmt::format("asn '{}': expected an AS number such as 45102", fields[0])));
    }
    NetworkOperator row{fields[2], fields[3], fields[4], fields[5]};
    if (row.name.empty()) return tl::unexpected(file->error("empty operator"));
    if (row.country.size() != 2 || !isAsciiLetter(row.country[0]) ||
        !isAsciiLetter(row.country[1])) {
      return tl::unexpected(file->error(fmt::format(
          "parent_country '{}': expected two letters (ISO 3166-1 alpha-2)", row.country)));
    }
    row.country = upperAsciiCopy(row.country);
    if (fields[6].empty()) return tl::unexpected(file->error("empty source: say where it is from"));
    for (const NetworkOperator& seen : table.rows_) {
      if (equalsIgnoreCase(seen.name, row.name) && seen.country != row.country) {
        return tl::unexpected(file->error(
            fmt::format("operator '{}' has parent_country {} here and {} on an earlier line",
                        row.name, row.country, seen.country)));
      }
    }
    const auto index = static_cast<std::uint32_t>(table.rows_.size());
    if (fields[1].empty()) {
      for (std::size_t i = 0; i < table.by_asn_.size(); ++i) {
        if (table.by_asn_[i].first == asn) {
          return tl::unexpected(
              file->error(fmt::format("AS{} listed again (first on line {})", asn, asn_lines[i])));
        }
      }
      table.by_asn_.emplace_back(asn, index);
      asn_lines.push_back(file->line());
    } else {
      Result<IpPrefix> prefix = IpPrefix::parse(fields[1]);
      if (!prefix) {
        return tl::unexpected(
            file->error(fmt::format("prefix '{}': {}", fields[1], prefix.error().message)));
      }
      for (const PrefixRow& seen : table.prefixes_) {
        if (seen.prefix == *prefix) {
          return tl::unexpected(file->error(fmt::format("prefix {} listed again", fields[1])));
        }
      }
      table.prefixes_.push_back(PrefixRow{*prefix, index});
    }
    table.rows_.push_back(std::move(row));
  }
  std::sort(table.by_asn_.begin(), table.by_asn_.end());
  std::stable_sort(
      table.prefixes_.begin(), table.prefixes_.end(),
      [](const PrefixRow& a, const PrefixRow& b) { return a.prefix.bits > b.prefix.bits; });
  table.description_ =
      fmt::format("{}, {} AS, {} prefixes", csv_path, table.by_asn_.size(), table.prefixes_.size());
  return table;
}

const NetworkOperator* OperatorTable::find(std::uint32_t asn, const IpAddress& ip) const {
  if (addressScope(ip) != AddressScope::kPublic) return nullptr;
  // Few prefix rows (only ASes shared by several operators need them): a scan, longest first.
  for (const PrefixRow& row : prefixes_) {
    if (row.prefix.contains(ip)) return &rows_[row.row];
  }
  if (asn == 0) return nullptr;
  auto it = std::lower_bound(by_asn_.begin(), by_asn_.end(), std::make_pair(asn, std::uint32_t{0}));
  return it != by_asn_.end() && it->first == asn ? &rows_[it->second] : nullptr;
}

std::string_view OperatorTable::operatorName(std::string_view name) const {
  for (const NetworkOperator& row : rows_) {
    if (equalsIgnoreCase(row.name, name)) return row.name;
  }
  return {};
}

}  // namespace camwatch
