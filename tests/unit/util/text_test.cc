// Tests of util/text.h: ASCII-only case folding, the edit distance with and without case, and
// the MAC address text.
#include "util/text.h"

#include <gtest/gtest.h>

namespace camwatch {
namespace {

TEST(TextTest, CaseFoldingTouchesOnlyAsciiLetters) {
  EXPECT_EQ(lowerAsciiCopy("Cam-01.Example.COM"), "cam-01.example.com");
  EXPECT_EQ(upperAsciiCopy("de"), "DE");
  // UTF-8 bytes ("Ä" is C3 84) stay as they are, whatever the locale.
  EXPECT_EQ(lowerAsciiCopy("\xc3\x84X"), "\xc3\x84x");
  EXPECT_EQ(upperAsciiCopy("\xc3\xa4x"), "\xc3\xa4X");
  EXPECT_TRUE(isAsciiLetter('q'));
  EXPECT_FALSE(isAsciiLetter('-'));
  EXPECT_FALSE(isAsciiLetter('\xc3'));
}

TEST(TextTest, ComparesIgnoringCase) {
  EXPECT_TRUE(equalsIgnoreCase("Hikvision", "HIKVISION"));
  EXPECT_FALSE(equalsIgnoreCase("Hikvision", "Hikvision "));
  EXPECT_TRUE(containsIgnoreCase("Axis (Axis Communications AB)", "communications"));
  EXPECT_TRUE(containsIgnoreCase("Axis", ""));
  EXPECT_FALSE(containsIgnoreCase("Axis", "axis ab"));
}

TEST(TextTest, EditDistanceCountsCaseOnlyWhenAskedTo) {
  EXPECT_EQ(editDistance("kitten", "sitting", LetterCase::kExact), 3U);
  EXPECT_EQ(editDistance("", "flows", LetterCase::kExact), 5U);
  EXPECT_EQ(editDistance("Flows", "flows", LetterCase::kExact), 1U);
  EXPECT_EQ(editDistance("Flows", "flows", LetterCase::kIgnore), 0U);
  EXPECT_EQ(editDistance("HIKVISON", "hikvision", LetterCase::kIgnore), 1U);
}

TEST(TextTest, DidYouMeanIsTheHintConfigErrorsAppend) {
  EXPECT_EQ(didYouMean("flows"), " (did you mean 'flows'?)");
}

TEST(TextTest, MacIsSixLowerCaseHexPairsWithLeadingZeros) {
  EXPECT_EQ(macToString({0x00, 0x0A, 0xbc, 0xDE, 0x01, 0xff}), "00:0a:bc:de:01:ff");
  EXPECT_EQ(macToString({}), "00:00:00:00:00:00");
}

}  // namespace
}  // namespace camwatch
