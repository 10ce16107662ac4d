// The shipped data files (MAC prefixes, vendor-cloud names, operators) are CSV: one header
// line, then RFC 4180 records (quoted fields, doubled quotes; no line break inside a field).
// CsvFile reads one such file record by record and names the file and line in every error.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <camwatch/result.h>

namespace camwatch {

class CsvFile {
 public:
  /// Opens `path` and checks that its first line is exactly `header` (a UTF-8 byte order mark
  /// and CRLF line ends are accepted).
  static Result<CsvFile> open(const std::string& path, std::string_view header);

  /// The next record's fields, exactly as many as the header has: true, or false at the end of
  /// the file. Blank lines are skipped. An error names path and line.
  Result<bool> next(std::vector<std::string>& fields);

  /// "path:line: what", for a problem the caller finds in the current record's fields.
  Error error(std::string_view what) const;
  std::size_t line() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  CsvFile(std::string path, std::string_view header);

  std::string path_;
  std::string header_;
  std::size_t columns_;
  std::ifstream in_;
  std::string line_;
  std::size_t line_number_ = 0;
};

/// Splits one CSV record (RFC 4180, without line breaks inside quotes) into `fields`. On failure
/// returns false with `error` saying why.
bool splitCsv(std::string_view line, std::vector<std::string>& fields, std::string& error);

}  // namespace camwatch
