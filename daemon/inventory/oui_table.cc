#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <camwatch/inventory.h>

#include "util/csv_file.h"

namespace camwatch {
namespace {

constexpr unsigned kMacBits = 48;
constexpr std::string_view kHeader = "oui,vendor,source";

std::uint64_t prefixMask(unsigned bits) {
  return bits == 0
             ? 0
             : ((~std::uint64_t{0}) << (kMacBits - bits)) & ((std::uint64_t{1} << kMacBits) - 1);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct ParsedPrefix {
  std::uint64_t value = 0;
  unsigned bits = 0;
};

// Parses "44:19:B6", "44-19-B6" or "58:E8:76:00:00:00/28".
bool parsePrefix(std::string_view text, ParsedPrefix& out, std::string& error) {
  std::string_view octets_text = text;
  std::optional<unsigned> explicit_bits;
  if (std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    octets_text = text.substr(0, slash);
    std::string_view bits_text = text.substr(slash + 1);
    if (bits_text.empty() || bits_text.size() > 2 ||
        !std::all_of(bits_text.begin(), bits_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      error = fmt::format("bad prefix length \"{}\"", bits_text);
      return false;
    }
    unsigned bits = 0;
    for (char c : bits_text) bits = bits * 10 + static_cast<unsigned>(c - '0');
    explicit_bits = bits;
  }
  std::uint64_t value = 0;
  unsigned octets = 0;
  std::size_t i = 0;
  char separator = 0;
  while (true) {
    if (octets == 6 || i + 2 > octets_text.size()) {
      error = "expected 3 to 6 two-digit hex octets";
      return false;
    }
    int high = hexValue(octets_text[i]);
    int low = hexValue(octets_text[i + 1]);
    if (high < 0 || low < 0) {
      error = fmt::format("\"{}\" is not a hex octet", octets_text.substr(i, 2));
      return false;
    }
    value = (value << 8) | static_cast<std::uint64_t>(high * 16 + low);
    ++octets;
    i += 2;
    if (i == octets_text.size()) break;
    char c = octets_text[i];
    // One separator style per prefix, so "44:19-B6" is flagged as the typo it probably is.
    if ((c != ':' && c != '-') || (separator != 0 && c != separator)) {
      error = fmt::format("unexpected '{}' between octets", c);
      return false;
    }
    separator = c;
    ++i;
  }
  if (octets < 3) {
    error = "expected 3 to 6 two-digit hex octets";
    return false;
  }
  unsigned given_bits = octets * 8;
  unsigned bits = explicit_bits.value_or(given_bits);
  if (bits < 8 || bits > kMacBits || bits % 4 != 0 || bits > given_bits) {
    error = fmt::format("prefix length {} must be a multiple of 4 from 8 to {} (the octets given)",
                        bits, given_bits);
    return false;
  }
  value <<= kMacBits - given_bits;
  if ((value & ~prefixMask(bits)) != 0) {
    error = fmt::format("bits past the /{} prefix are not zero", bits);
    return false;
  }
  out.value = value;
  out.bits = bits;
  return true;
}

}  // namespace

Result<OuiTable> OuiTable::load(const std::string& csv_path) {
  auto file = CsvFile::open(csv_path, kHeader);
  if (!file) return tl::unexpected(file.error());

  struct Row {
    unsigned bits;
    std::uint64_t value;
    std::uint32_t vendor;
    std::size_t line;
  };
  std::vector<Row> rows;
  OuiTable table;
  std::unordered_map<std::string, std::uint32_t> vendor_ids;
  std::vector<std::string> fields;
  std::string error;
  while (true) {
    Result<bool> more = file->next(fields);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    ParsedPrefix prefix;
    if (!parsePrefix(fields[0], prefix, error)) {
      return tl::unexpected(file->error(fmt::format("bad OUI \"{}\": {}", fields[0], error)));
    }
    if (fields[1].empty()) return tl::unexpected(file->error("empty vendor"));
    auto [it, inserted] =
        vendor_ids.try_emplace(fields[1], static_cast<std::uint32_t>(table.vendors_.size()));
    if (inserted) table.vendors_.push_back(fields[1]);
    rows.push_back(Row{prefix.bits, prefix.value, it->second, file->line()});
  }

  // Longest prefixes first, so the first hit in vendorOf() is the longest match.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(b.bits, a.value, a.line) < std::tie(a.bits, b.value, b.line);
  });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    if (i > 0 && rows[i - 1].bits == row.bits && rows[i - 1].value == row.value) {
      return makeError(fmt::format("{}:{}: prefix listed again (first on line {})", csv_path,
                                   row.line, rows[i - 1].line));
    }
    if (table.groups_.empty() || table.groups_.back().bits != row.bits) {
      table.groups_.push_back(PrefixGroup{row.bits, {}, {}});
    }
    table.groups_.back().prefixes.push_back(row.value);
    table.groups_.back().vendor_index.push_back(row.vendor);
  }
  return table;
}

std::optional<std::string_view> OuiTable::vendorOf(const std::uint8_t* mac6) const {
  // I/G bit: group (multicast, broadcast); U/L bit: locally administered. Neither is registered.
  if ((mac6[0] & 0x03) != 0) return std::nullopt;
  std::uint64_t mac = 0;
  for (int i = 0; i < 6; ++i) mac = (mac << 8) | mac6[i];
  for (const PrefixGroup& group : groups_) {
    std::uint64_t key = mac & prefixMask(group.bits);
    auto it = std::lower_bound(group.prefixes.begin(), group.prefixes.end(), key);
    if (it != group.prefixes.end() && *it == key) {
      auto index = static_cast<std::size_t>(it - group.prefixes.begin());
      return std::string_view(vendors_[group.vendor_index[index]]);
    }
  }
  return std::nullopt;
}

std::size_t OuiTable::size() const {
  std::size_t total = 0;
  for (const PrefixGroup& group : groups_) total += group.prefixes.size();
  return total;
}

const std::vector<std::string>& OuiTable::vendors() const { return vendors_; }

}  // namespace camwatch
