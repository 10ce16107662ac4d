// Who operates the network a destination is in, and under which state's law: open GeoIP data
// gives the AS holder and where the building is (47.254.33.45: AS45102, US), not that the holder
// belongs to Alibaba Group, headquartered in China. OperatorTable reads camwatch's curated file
// (config/operators.csv: AS numbers, and prefixes where an AS is shared, to the operating
// company, its parent and the parent's home country, each row with its source; docs/operators.md)
// and answers per destination.
//
// Threads: loaded on the control thread, then shared read-only (OperatorTablePtr) by the policy
// on every worker and by the writers that name destinations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/ip_address.h>
#include <camwatch/result.h>

namespace camwatch {

/// One row of the operators file.
struct NetworkOperator {
  std::string name;     ///< short, stable brand the policy matches: "Alibaba", "AWS"
  std::string holder;   ///< the AS's registered holder: "Alibaba US Technology Co., Ltd."
  std::string parent;   ///< the ultimate parent: "Alibaba Group Holding Limited"
  std::string country;  ///< the parent's home jurisdiction, ISO 3166-1 alpha-2: "CN"
};

class OperatorTable {
 public:
  /// Reads `csv_path`: the header "asn,prefix,operator,holder,parent,parent_country,source",
  /// then one AS (prefix empty) or one prefix inside an AS per line. Errors name file and line:
  /// a bad AS number or prefix, an empty operator or source, a country that is not two letters,
  /// an AS or prefix listed twice, one operator name with two home countries.
  static Result<OperatorTable> load(const std::string& csv_path);

  /// The operator of a destination: the longest listed prefix holding `ip`, else its AS; null
  /// when neither is listed, and for an address that is not public (a private or reserved
  /// address has no operator, whatever AS a caller passes). No allocation. Any thread.
  const NetworkOperator* find(std::uint32_t asn, const IpAddress& ip) const;

  /// Whether `name` is an operator of the table (case-insensitive); its spelling in the file.
  std::string_view operatorName(std::string_view name) const;

  std::size_t asCount() const { return by_asn_.size(); }
  std::size_t prefixCount() const { return prefixes_.size(); }
  /// "operators.csv, 105 AS, 0 prefixes": for reports and logs.
  const std::string& description() const { return description_; }

 private:
  struct PrefixRow {
    IpPrefix prefix;
    std::uint32_t row;
  };
  std::vector<NetworkOperator> rows_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> by_asn_;  // sorted (asn, row)
  std::vector<PrefixRow> prefixes_;                              // longest first
  std::string description_;
};
using OperatorTablePtr = std::shared_ptr<const OperatorTable>;

}  // namespace camwatch
