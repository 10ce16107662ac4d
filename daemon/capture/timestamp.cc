#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <camwatch/packet.h>

namespace camwatch {
namespace {

bool allDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int toInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

std::string formatTimestamp(Timestamp ts, unsigned fraction_digits) {
  Timestamp seconds = ts / kNanosPerSecond;
  Timestamp nanos = ts % kNanosPerSecond;
  if (nanos < 0) {  // before 1970: the fraction still counts forward from the second
    nanos += kNanosPerSecond;
    --seconds;
  }
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", utc.tm_year + 1900,
                                 utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  if (fraction_digits > 0) {
    const unsigned digits = fraction_digits > 9 ? 9 : fraction_digits;
    Timestamp fraction = nanos;
    for (unsigned i = digits; i < 9; ++i) fraction /= 10;
    text += fmt::format(".{:0{}}", fraction, digits);
  }
  text += 'Z';
  return text;
}

std::optional<Timestamp> parseTimestamp(std::string_view text) {
  // 2026-01-15T09:00:00[.fff]Z
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const std::string_view year = text.substr(0, 4);
  const std::string_view month = text.substr(5, 2);
  const std::string_view day = text.substr(8, 2);
  const std::string_view hour = text.substr(11, 2);
  const std::string_view minute = text.substr(14, 2);
  const std::string_view second = text.substr(17, 2);
  for (std::string_view part : {year, month, day, hour, minute, second}) {
    if (!allDigits(part)) return std::nullopt;
  }
  Timestamp nanos = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    const std::string_view fraction = rest.substr(1);
    if (rest[0] != '.' || fraction.size() > 9 || !allDigits(fraction)) return std::nullopt;
    nanos = toInt(fraction);
    for (std::size_t i = fraction.size(); i < 9; ++i) nanos *= 10;
  }
  std::tm utc{};
  utc.tm_year = toInt(year) - 1900;
  utc.tm_mon = toInt(month) - 1;
  utc.tm_mday = toInt(day);
  utc.tm_hour = toInt(hour);
  utc.tm_min = toInt(minute);
  utc.tm_sec = toInt(second);
  if (utc.tm_mon > 11 || utc.tm_mday < 1 || utc.tm_mday > 31 || utc.tm_hour > 23 ||
      utc.tm_min > 59 || utc.tm_sec > 60) {
    return std::nullopt;
  }
  const std::time_t seconds = timegm(&utc);
  return static_cast<Timestamp>(seconds) * kNanosPerSecond + nanos;
}

}  // namespace camwatch
