#include "util/csv_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace camwatch {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

bool splitCsv(std::string_view line, std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) {
          error = "unterminated quoted field (quoted line breaks are not supported)";
          return false;
        }
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') {
        error =
            fmt::format("unexpected text after the closing quote of field {}", fields.size() + 1);
        return false;
      }
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') {
          error = fmt::format("quote inside unquoted field {}", fields.size() + 1);
          return false;
        }
        field += line[i++];
      }
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

CsvFile::CsvFile(std::string path, std::string_view header)
    : path_(std::move(path)),
      header_(header),
      columns_(static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1),
      in_(path_, std::ios::binary) {}

Result<CsvFile> CsvFile::open(const std::string& path, std::string_view header) {
  CsvFile file(path, header);
  if (!file.in_) return makeError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  while (std::getline(file.in_, file.line_)) {
    ++file.line_number_;
    std::string_view text = file.line_;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (file.line_number_ == 1 && text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
    if (text.empty()) continue;
    if (text != header) {
      return tl::unexpected(file.error(fmt::format("expected the header \"{}\"", header)));
    }
    return file;
  }
  if (file.in_.bad())
    return makeError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
  return makeError(fmt::format("{}: empty file (no header)", path));
}

Result<bool> CsvFile::next(std::vector<std::string>& fields) {
  while (std::getline(in_, line_)) {
    ++line_number_;
    std::string_view text = line_;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty()) continue;
    std::string why;
    if (!splitCsv(text, fields, why)) return tl::unexpected(error(why));
    if (fields.size() != columns_) {
      return tl::unexpected(error(
          fmt::format("expected {} fields ({}), found {}", columns_, header_, fields.size())));
    }
    return true;
  }
  if (in_.bad()) return makeError(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
  return false;
}

Error CsvFile::error(std::string_view what) const {
  return Error{fmt::format("{}:{}: {}", path_, line_number_, what)};
}

}  // namespace camwatch
