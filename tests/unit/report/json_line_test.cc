// JsonLine must write what nlohmann's dump(-1, ' ', false, replace) writes for the same values:
// the --flows lines were made that way and stay byte-identical.
#include "report/json_line.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace camwatch {
namespace {

std::string nlohmannText(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonLineTest, StringsAreEscapedAsNlohmannEscapesThem) {
  std::vector<std::string> texts = {"",
                                    "plain.example.com",
                                    "quote\" backslash\\ slash/",
                                    std::string("nul\0inside", 10),
                                    "\x7f del",
                                    "caf\xc3\xa9 \xe2\x82\xac",  // valid UTF-8
                                    "bad \xc3 utf8 \xff\xfe end",
                                    "cut \xe2\x82"};
  for (int byte = 0; byte < 0x20; ++byte) texts.push_back(std::string(1, static_cast<char>(byte)));
  for (const std::string& text : texts) {
    std::string line;
    JsonLine json(line);
    json.text("k", text);
    json.close();
    nlohmann::ordered_json expected;
    expected["k"] = text;
    EXPECT_EQ(line, nlohmannText(expected)) << text;
  }
}

TEST(JsonLineTest, NumbersBooleansAndListsAsNlohmannWritesThem) {
  const std::vector<double> doubles = {0.0,
                                       -0.0,
                                       1.0,
                                       0.5,
                                       1e-7,
                                       123456.789,
                                       1e15,
                                       1e16,
                                       1e17,
                                       3.1e-5,
                                       0.0001,
                                       2.5e300,
                                       1.0 / 3,
                                       445.131,
                                       std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity()};
  for (const double value : doubles) {
    std::string line;
    JsonLine json(line);
    json.floatNumber("d", value);
    json.close();
    nlohmann::ordered_json expected;
    expected["d"] = value;
    EXPECT_EQ(line, nlohmannText(expected)) << value;
  }
  std::string line;
  JsonLine json(line);
  json.unsignedNumber("u", std::numeric_limits<std::uint64_t>::max());
  json.signedNumber("s", -42);
  json.boolean("t", true);
  json.boolean("f", false);
  json.texts("none", {});
  json.texts("some", {"a", "b\"c"});
  json.close();
  nlohmann::ordered_json expected;
  expected["u"] = std::numeric_limits<std::uint64_t>::max();
  expected["s"] = -42;
  expected["t"] = true;
  expected["f"] = false;
  expected["none"] = std::vector<std::string>{};
  expected["some"] = std::vector<std::string>{"a", "b\"c"};
  EXPECT_EQ(line, nlohmannText(expected));
}

}  // namespace
}  // namespace camwatch
