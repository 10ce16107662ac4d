#include "report/json_line.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

namespace camwatch {

void JsonLine::unsignedNumber(std::string_view key, std::uint64_t value) {
  writeKey(key);
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof(digits), value);
  out_.append(digits, written.ptr);
}

void JsonLine::signedNumber(std::string_view key, std::int64_t value) {
  writeKey(key);
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof(digits), value);
  out_.append(digits, written.ptr);
}

// nlohmann's own shortest round-trip digits (its serializer calls the same function).
void JsonLine::floatNumber(std::string_view key, double value) {
  writeKey(key);
  if (!std::isfinite(value)) {
    out_ += "null";
    return;
  }
  char digits[64];
  char* end = nlohmann::detail::to_chars(digits, digits + sizeof(digits), value);
  out_.append(digits, end);
}

void JsonLine::texts(std::string_view key, const std::vector<std::string>& values) {
  writeKey(key);
  out_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out_ += ',';
    string(values[i]);
  }
  out_ += ']';
}

void JsonLine::string(std::string_view value) {
  // Most strings need no escape at all: one look at each byte, then one append.
  bool plain = true;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      // UTF-8 (or not): nlohmann decides, replacing what is invalid.
      out_ += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
    if (byte < 0x20 || c == '"' || c == '\\') plain = false;
  }
  out_ += '"';
  if (plain) {
    out_ += value;
    out_ += '"';
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : value) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        break;
      case '\\':
        out_ += "\\\\";
        break;
      case '\b':
        out_ += "\\b";
        break;
      case '\f':
        out_ += "\\f";
        break;
      case '\n':
        out_ += "\\n";
        break;
      case '\r':
        out_ += "\\r";
        break;
      case '\t':
        out_ += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          const auto byte = static_cast<unsigned char>(c);
          out_ += "\\u00";
          out_ += kHex[byte >> 4U];
          out_ += kHex[byte & 0x0fU];
        } else {
          out_ += c;
        }
    }
  }
  out_ += '"';
}

}  // namespace camwatch
