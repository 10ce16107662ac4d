#include "cli/time_bounds.h"

#include <charconv>
#include <ctime>
#include <limits>
#include <string_view>

#include <fmt/format.h>

namespace camwatch::cli {
namespace {

// Parses `digits` (only 0-9, at least one) into `out`; false on anything else or overflow.
bool parseDigits(std::string_view digits, std::int64_t& out) {
  if (digits.empty()) return false;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size() && out >= 0;
}

// Nanoseconds of a fraction's digits after the '.' ("5" is 500 ms); more than 9 digits are cut.
bool parseFraction(std::string_view digits, Timestamp& nanos) {
  nanos = 0;
  if (digits.empty()) return false;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] < '0' || digits[i] > '9') return false;
  }
  std::string padded(digits.substr(0, 9));
  padded.resize(9, '0');
  return parseDigits(padded, nanos);
}

// "1768467780" or "1768467780.5" (only digits and dots): false when it is not a number of
// seconds, or one too large for a Timestamp.
bool parseEpochSeconds(std::string_view value, Timestamp& out) {
  const std::size_t dot = value.find('.');
  std::int64_t seconds = 0;
  Timestamp nanos = 0;
  if (!parseDigits(value.substr(0, dot), seconds) ||
      (dot != std::string_view::npos && !parseFraction(value.substr(dot + 1), nanos)) ||
      seconds > std::numeric_limits<Timestamp>::max() / kNanosPerSecond - 1) {
    return false;
  }
  out = seconds * kNanosPerSecond + nanos;
  return true;
}

// The fields of an RFC 3339 time as written, not yet checked for range.
struct CivilTime {
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  Timestamp nanos = 0;
  std::int64_t offset_seconds = 0;  // east of UTC
};

// YYYY-MM-DDTHH:MM:SS (a 't' or a space may stand for the 'T'); false when `value` does not
// start so.
bool parseDateTime(std::string_view value, CivilTime& time) {
  if (value.size() < 20 || value[4] != '-' || value[7] != '-' ||
      (value[10] != 'T' && value[10] != 't' && value[10] != ' ') || value[13] != ':' ||
      value[16] != ':') {
    return false;
  }
  return parseDigits(value.substr(0, 4), time.year) &&
         parseDigits(value.substr(5, 2), time.month) && parseDigits(value.substr(8, 2), time.day) &&
         parseDigits(value.substr(11, 2), time.hour) &&
         parseDigits(value.substr(14, 2), time.minute) &&
         parseDigits(value.substr(17, 2), time.second);
}

// What follows the seconds: an optional fraction, then Z or +HH:MM / -HH:MM. @return why it is
// bad, or empty.
std::string_view parseFractionAndZone(std::string_view rest, CivilTime& time) {
  if (!rest.empty() && rest.front() == '.') {
    const std::size_t end = rest.find_first_not_of("0123456789", 1);
    if (end == std::string_view::npos || !parseFraction(rest.substr(1, end - 1), time.nanos)) {
      return "bad fraction of a second";
    }
    rest = rest.substr(end);
  }
  if (rest == "Z" || rest == "z") {
    time.offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    std::int64_t offset_hours = 0, offset_minutes = 0;
    if (!parseDigits(rest.substr(1, 2), offset_hours) ||
        !parseDigits(rest.substr(4, 2), offset_minutes) || offset_hours > 23 ||
        offset_minutes > 59) {
      return "bad UTC offset";
    }
    time.offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return "needs a time zone (Z or +HH:MM)";
  }
  return {};
}

bool inRange(const CivilTime& time) {
  return time.month >= 1 && time.month <= 12 && time.day >= 1 && time.day <= 31 &&
         time.hour <= 23 && time.minute <= 59 && time.second <= 60;
}

// `time` in nanoseconds since the epoch; false for a day the month does not have.
bool toTimestamp(const CivilTime& time, Timestamp& out) {
  std::tm utc{};
  utc.tm_year = static_cast<int>(time.year - 1900);
  utc.tm_mon = static_cast<int>(time.month - 1);
  utc.tm_mday = static_cast<int>(time.day);
  utc.tm_hour = static_cast<int>(time.hour);
  utc.tm_min = static_cast<int>(time.minute);
  utc.tm_sec = static_cast<int>(time.second);
  const std::time_t seconds = timegm(&utc);
  if (utc.tm_mday != time.day) return false;  // timegm rolled 2026-02-30 over
  out = (static_cast<Timestamp>(seconds) - time.offset_seconds) * kNanosPerSecond + time.nanos;
  return true;
}

}  // namespace

// --from/--to: RFC 3339 ("2026-01-15T09:03:00Z", "2026-01-15T10:03:00.25+01:00") or seconds since
// the epoch ("1768467780", "1768467780.5"). Errors name the option and the value.
Result<Timestamp> parseTimeBound(const std::string& option, const std::string& text) {
  const auto bad = [&](std::string_view why) {
    return makeError(
        fmt::format("{} '{}': {}; give RFC 3339 (2026-01-15T09:03:00Z) or seconds since the epoch",
                    option, text, why));
  };
  const std::string_view value(text);
  Timestamp at = 0;
  if (value.find_first_not_of("0123456789.") == std::string_view::npos) {
    if (!parseEpochSeconds(value, at)) return bad("not a number of seconds");
    return at;
  }
  // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then Z or +HH:MM / -HH:MM.
  CivilTime time;
  if (!parseDateTime(value, time)) return bad("not a time");
  if (const std::string_view why = parseFractionAndZone(value.substr(19), time); !why.empty()) {
    return bad(why);
  }
  if (!inRange(time)) return bad("out of range");
  if (!toTimestamp(time, at)) return bad("no such day");
  return at;
}

}  // namespace camwatch::cli
