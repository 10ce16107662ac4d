// inventory: what camwatch knows about the devices on the watched VLANs. For now only the MAC
// vendor table: OuiTable maps a MAC address to the vendor that registered its prefix (IEEE
// MA-L 24-bit OUIs and the longer MA-M 28-bit / MA-S 36-bit blocks), from config/camera-oui.csv.
// Inputs: the CSV, once at start-up or reload. Outputs: a vendor name per MAC, or nothing.
// Thread: load() on the control thread; a loaded table is immutable, so any number of workers may
// call vendorOf() at once (share it as std::shared_ptr<const OuiTable>).
//
// A MAC prefix is a weak signal: consumer cameras often carry their Wi-Fi module's OUI or a
// random, locally administered address (docs/camera-clouds.md, "MAC vendor table").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/result.h>

namespace camwatch {

class OuiTable {
 public:
  /// Reads a CSV with the header `oui,vendor,source` (RFC 4180 quoting; the source column is
  /// kept for people, not used here). `oui` is 3 to 6 hex octets separated by ':' or '-', with an
  /// optional `/bits` (a multiple of 4 from 8 to 48; default 8 per octet given), e.g. `44:19:B6`
  /// or `58:E8:76:00:00:00/28`. Fails on the first bad line with "PATH:LINE: what is wrong", and
  /// on a prefix listed twice or one whose bits past the prefix length are not zero.
  /// Control thread only.
  static Result<OuiTable> load(const std::string& csv_path);

  /// The vendor of the longest prefix in the table that covers `mac6` (6 bytes, wire order), or
  /// nullopt when none does or when the address is multicast/broadcast or locally administered
  /// (such addresses are not registered to anyone). Allocation-free; any thread.
  /// @return a view into this table, valid while the table lives.
  std::optional<std::string_view> vendorOf(const std::uint8_t* mac6) const;

  /// Number of prefixes loaded.
  std::size_t size() const;

 private:
  // All prefixes of one length, sorted by value for binary search.
  struct PrefixGroup {
    unsigned bits = 0;
    std::vector<std::uint64_t> prefixes;      // 48-bit values, bits past `bits` zero
    std::vector<std::uint32_t> vendor_index;  // parallel to prefixes
  };

  std::vector<PrefixGroup> groups_;  // longest prefix length first
  std::vector<std::string> vendors_;
};

}  // namespace camwatch
