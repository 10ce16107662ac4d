#include <ctime>
#include <string>

#include <fmt/format.h>

#include <camwatch/packet.h>

namespace camwatch {

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

}  // namespace camwatch
