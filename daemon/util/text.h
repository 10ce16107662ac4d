// util/: small private helpers any folder may use: text (case folding, name escaping, MAC text),
// SHA-256, durable file writes, byte order, per-thread gauges.
//
// Text helpers shared by the config reader, the camera inventory and the policy code: ASCII case
// folding (names, hostnames and country codes are compared without regard to ASCII case; bytes
// above 0x7f are left alone, never locale-dependent), the "did you mean" hints of config
// errors, and the MAC address text of alerts and flow records.
//
// Threads: every function is safe on any thread; none keeps state or allocates unless it returns
// a std::string.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace camwatch {

/// `c` in lower case if it is an ASCII capital letter, else `c` unchanged.
constexpr char lowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `c` in upper case if it is an ASCII small letter, else `c` unchanged.
constexpr char upperAscii(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

/// Whether `c` is an ASCII letter (A-Z, a-z).
constexpr bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// Writes one byte of a name read off the wire (a DNS name, TLS SNI, HTTP Host) to `out`: as
/// itself when it is printable ASCII other than '\\', else as an RFC 1035 "\\DDD" escape (what dig
/// prints). Every output then holds valid UTF-8 text without spaces or control characters, so a
/// hostile name can neither break a JSON encoder nor a log line, a CSV field or a space-separated
/// list. Returns the characters written (1 or 4), or 0 when `room` is too small for them.
constexpr std::size_t escapeNameByte(unsigned char byte, char* out, std::size_t room) {
  if (byte > 0x20 && byte < 0x7f && byte != '\\') {
    if (room < 1) return 0;
    out[0] = static_cast<char>(byte);
    return 1;
  }
  if (room < 4) return 0;
  out[0] = '\\';
  out[1] = static_cast<char>('0' + byte / 100);
  out[2] = static_cast<char>('0' + byte / 10 % 10);
  out[3] = static_cast<char>('0' + byte % 10);
  return 4;
}

/// A copy of `text` with lowerAscii() applied to every character.
std::string lowerAsciiCopy(std::string_view text);

/// A copy of `text` with upperAscii() applied to every character.
std::string upperAsciiCopy(std::string_view text);

/// Whether `a` and `b` are equal ignoring ASCII case.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// Whether `needle` occurs in `haystack` ignoring ASCII case (an empty needle always does).
bool containsIgnoreCase(std::string_view haystack, std::string_view needle);

/// "aa:bb:cc:dd:ee:ff": lower-case hex, as the alert JSON, the flow records and the camera list
/// write a MAC address.
std::string macToString(const std::array<std::uint8_t, 6>& mac);

/// How editDistance() compares characters.
enum class LetterCase {
  kExact,   ///< 'a' and 'A' differ (config keys: YAML keys are case-sensitive)
  kIgnore,  ///< 'a' and 'A' are the same (vendor and group names)
};

/// Levenshtein distance between `a` and `b`: the fewest single-character insertions, deletions
/// and substitutions that turn one into the other. O(a.size() * b.size()) time; meant for short
/// names in error messages, not for anything on the packet path.
std::size_t editDistance(std::string_view a, std::string_view b, LetterCase letter_case);

/// The hint config errors append after the bad word: " (did you mean '<candidate>'?)". The
/// caller chooses the candidate and leaves the hint out when there is none.
std::string didYouMean(std::string_view candidate);

}  // namespace camwatch
