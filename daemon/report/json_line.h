// JsonLine: writes one JSON object straight into a string, byte for byte as nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes the same values, without building a
// json value first (a node, a key string and an allocation per field). For the outputs written
// per flow or per alert, where building the value cost more than the rest of the replay's
// reading thread.
//
// Keys are written as given (they are the format's own ASCII names); values are escaped as
// nlohmann escapes them. A string with bytes over 0x7f (a vendor or an organisation name) goes
// through nlohmann itself, so invalid UTF-8 is replaced exactly as it was.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace camwatch {

class JsonLine {
 public:
  /// Appends to `out`, starting with '{'.
  explicit JsonLine(std::string& out) : out_(out) { out_ += '{'; }
  /// Closes the object ('}').
  void close() { out_ += '}'; }

  // One method per JSON type (no overloads: a uint16_t must not pick the bool or the double).
  void text(std::string_view key, std::string_view value) {
    writeKey(key);
    string(value);
  }
  void unsignedNumber(std::string_view key, std::uint64_t value);
  void signedNumber(std::string_view key, std::int64_t value);
  void floatNumber(std::string_view key, double value);
  void boolean(std::string_view key, bool value) {
    writeKey(key);
    out_ += value ? "true" : "false";
  }
  void texts(std::string_view key, const std::vector<std::string>& values);

 private:
  void writeKey(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;
    out_ += "\":";
  }
  void string(std::string_view value);

  std::string& out_;
  bool first_ = true;
};

}  // namespace camwatch
