#include "util/text.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace camwatch {

// By hand, not fmt: made for every flow record and alert a replay writes.
std::string macToString(const std::array<std::uint8_t, 6>& mac) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(17, ':');
  for (std::size_t i = 0; i < mac.size(); ++i) {
    text[3 * i] = kHex[mac[i] >> 4U];
    text[3 * i + 1] = kHex[mac[i] & 0x0fU];
  }
  return text;
}

std::string lowerAsciiCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lowerAscii(c);
  return out;
}

std::string upperAsciiCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = upperAscii(c);
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerAscii(x) == lowerAscii(y);
         });
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return lowerAscii(x) == lowerAscii(y); }) !=
         haystack.end();
}

std::size_t editDistance(std::string_view a, std::string_view b, LetterCase letter_case) {
  const auto same = [letter_case](char x, char y) {
    return letter_case == LetterCase::kIgnore ? lowerAscii(x) == lowerAscii(y) : x == y;
  };
  // One row of the distance matrix at a time: row[j] is the distance between a[0, i) and b[0, j).
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (same(a[i - 1], b[j - 1]) ? 0U : 1U);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string didYouMean(std::string_view candidate) {
  return fmt::format(" (did you mean '{}'?)", candidate);
}

}  // namespace camwatch
