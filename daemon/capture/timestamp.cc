#include <cstdint>
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

// The general case (any year gmtime_r can name), `digits` already at most 9.
std::string formatTimestampSlowly(Timestamp seconds, Timestamp nanos, unsigned digits) {
  const auto time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", utc.tm_year + 1900,
                                 utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  if (digits > 0) {
    Timestamp fraction = nanos;
    for (unsigned i = digits; i < 9; ++i) fraction /= 10;
    text += fmt::format(".{:0{}}", fraction, digits);
  }
  text += 'Z';
  return text;
}

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`.
void putDigits(char* out, std::uint64_t value, unsigned width) {
  for (unsigned i = width; i > 0; --i) {
    out[i - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Made for every flow record, alert and camera a replay writes: the date is worked out from the
// day number (Howard Hinnant's civil_from_days) and the digits written by hand, instead of
// gmtime_r (which takes glibc's time zone lock) and fmt. Years outside 0..9999 take the slow
// path, which writes what it always wrote.
std::string formatTimestamp(Timestamp ts, unsigned fraction_digits) {
  Timestamp seconds = ts / kNanosPerSecond;
  Timestamp nanos = ts % kNanosPerSecond;
  if (nanos < 0) {  // before 1970: the fraction still counts forward from the second
    nanos += kNanosPerSecond;
    --seconds;
  }
  constexpr std::int64_t kSecondsPerDay = 86'400;
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  // civil_from_days: 400-year eras starting on 0000-03-01.
  const std::int64_t shifted = days + 719'468;
  const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146'096) / 146'097;
  const std::int64_t day_of_era = shifted - era * 146'097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;  // March is 0
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  const unsigned digits = fraction_digits > 9 ? 9 : fraction_digits;
  if (year < 0 || year > 9999) return formatTimestampSlowly(seconds, nanos, digits);
  // "YYYY-MM-DDTHH:MM:SS" + "." + fraction + "Z"
  char text[32] = "0000-00-00T00:00:00";
  putDigits(text, static_cast<std::uint64_t>(year), 4);
  putDigits(text + 5, static_cast<std::uint64_t>(month), 2);
  putDigits(text + 8, static_cast<std::uint64_t>(day), 2);
  putDigits(text + 11, static_cast<std::uint64_t>(second_of_day / 3600), 2);
  putDigits(text + 14, static_cast<std::uint64_t>(second_of_day / 60 % 60), 2);
  putDigits(text + 17, static_cast<std::uint64_t>(second_of_day % 60), 2);
  std::size_t length = 19;
  if (digits > 0) {
    Timestamp fraction = nanos;
    for (unsigned i = digits; i < 9; ++i) fraction /= 10;
    text[length++] = '.';
    putDigits(text + length, static_cast<std::uint64_t>(fraction), digits);
    length += digits;
  }
  text[length++] = 'Z';
  return std::string(text, length);
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
