// Tests of OuiTable: the shipped config/camera-oui.csv (known Hikvision, Dahua and Axis
// prefixes, the MA-M/MA-S blocks it carries), longest-prefix match across 24/28/36-bit
// prefixes, addresses that are never vendor-registered, and an error naming file and line for
// each way a CSV line can be wrong.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/inventory.h>

#include "support/packet_builder.h"

namespace camwatch {
namespace {

using testkit::Mac;
using testkit::parseMac;

const std::string kShippedCsv = std::string(CAMWATCH_SOURCE_DIR) + "/config/camera-oui.csv";
constexpr std::string_view kHeader = "oui,vendor,source\n";

std::optional<std::string> vendorOf(const OuiTable& table, std::string_view mac_text) {
  Mac mac = parseMac(mac_text);
  std::optional<std::string_view> vendor = table.vendorOf(mac.data());
  if (!vendor) return std::nullopt;
  return std::string(*vendor);
}

// A CSV file in the test's temporary directory, removed again at the end of the test.
class TempCsv {
 public:
  explicit TempCsv(std::string_view content) {
    // Unique per process and test: other build trees may run this suite at the same time.
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("oui_") + std::to_string(::getpid()) + "_" +
                       info->test_suite_name() + "_" + info->name() + ".csv";
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = std::filesystem::path(testing::TempDir()) / name;
    std::ofstream out(path_, std::ios::binary);
    out << content;
  }
  ~TempCsv() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempCsv(const TempCsv&) = delete;
  TempCsv& operator=(const TempCsv&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The error message of loading `csv` (empty when it loaded).
std::string loadError(const TempCsv& csv) {
  Result<OuiTable> table = OuiTable::load(csv.path());
  return table ? std::string() : table.error().message;
}

TEST(OuiTableTest, LoadsTheShippedTable) {
  Result<OuiTable> table = OuiTable::load(kShippedCsv);
  ASSERT_TRUE(table) << table.error().message;
  // 186 MA-L prefixes, four MA-M (/28) and one MA-S (/36), as in the research catalogue.
  EXPECT_EQ(table->size(), 191U);
}

TEST(OuiTableTest, KnowsHikvisionDahuaAndAxisPrefixes) {
  Result<OuiTable> table = OuiTable::load(kShippedCsv);
  ASSERT_TRUE(table) << table.error().message;
  const std::string hikvision = "Hikvision (Hangzhou Hikvision Digital Technology Co.,Ltd.)";
  const std::string dahua = "Dahua (Zhejiang Dahua Technology Co., Ltd.)";
  const std::string axis = "Axis (Axis Communications AB)";
  // The demo capture's cameras and NVR (demo/README.md).
  EXPECT_EQ(vendorOf(*table, "44:19:b6:3a:51:21"), hikvision);
  EXPECT_EQ(vendorOf(*table, "bc:ad:28:7e:10:22"), hikvision);
  EXPECT_EQ(vendorOf(*table, "c0:56:e3:20:01:c8"), hikvision);
  EXPECT_EQ(vendorOf(*table, "3c:ef:8c:12:5a:23"), dahua);
  EXPECT_EQ(vendorOf(*table, "e0:50:8b:4d:90:24"), dahua);
  // All four Axis MA-L blocks.
  for (std::string_view mac :
       {"00:40:8c:01:02:03", "ac:cc:8e:01:02:03", "b8:a4:4f:01:02:03", "e8:27:25:01:02:03"}) {
    EXPECT_EQ(vendorOf(*table, mac), axis) << mac;
  }
  EXPECT_EQ(vendorOf(*table, "ec:71:db:00:00:01"), "Reolink (Reolink Innovation Limited)");
  // A router vendor the table leaves out on purpose (TP-Link 50:c7:bf).
  EXPECT_EQ(vendorOf(*table, "50:c7:bf:00:00:01"), std::nullopt);
}

TEST(OuiTableTest, ShippedMaMAndMaSBlocksCoverOnlyTheirRange) {
  Result<OuiTable> table = OuiTable::load(kShippedCsv);
  ASSERT_TRUE(table) << table.error().message;
  const std::string raysharp = "Raysharp (Zhuhai Raysharp Technology; DVR/NVR OEM)";
  // 58:E8:76:00:00:00/28 is 58:e8:76:0x:xx:xx; the rest of 58:e8:76 belongs to others.
  EXPECT_EQ(vendorOf(*table, "58:e8:76:00:00:00"), raysharp);
  EXPECT_EQ(vendorOf(*table, "58:e8:76:0f:ff:ff"), raysharp);
  EXPECT_EQ(vendorOf(*table, "58:e8:76:10:00:00"), std::nullopt);
  // 00:50:C2:B0:40:00/36 is 00:50:c2:b0:40:00 to 00:50:c2:b0:4f:ff.
  const std::string ubiquiti =
      "Ubiquiti (generic network vendor; includes but is not limited to UniFi Protect cameras)";
  EXPECT_EQ(vendorOf(*table, "00:50:c2:b0:4f:ff"), ubiquiti);
  EXPECT_EQ(vendorOf(*table, "00:50:c2:b0:50:00"), std::nullopt);
}

TEST(OuiTableTest, LongestPrefixWins) {
  TempCsv csv(std::string(kHeader) +
              "00:11:22,Vendor24,test\n"
              "00:11:22:30:00:00/28,Vendor28,test\n"
              "00-11-22-33-40-00/36,Vendor36,test\n");
  Result<OuiTable> table = OuiTable::load(csv.path());
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->size(), 3U);
  EXPECT_EQ(vendorOf(*table, "00:11:22:00:00:01"), "Vendor24");
  EXPECT_EQ(vendorOf(*table, "00:11:22:2f:ff:ff"), "Vendor24");
  EXPECT_EQ(vendorOf(*table, "00:11:22:30:00:00"), "Vendor28");
  EXPECT_EQ(vendorOf(*table, "00:11:22:33:3f:ff"), "Vendor28");
  EXPECT_EQ(vendorOf(*table, "00:11:22:33:40:00"), "Vendor36");
  EXPECT_EQ(vendorOf(*table, "00:11:22:33:4f:ff"), "Vendor36");
  EXPECT_EQ(vendorOf(*table, "00:11:22:33:50:00"), "Vendor28");
  EXPECT_EQ(vendorOf(*table, "00:11:22:40:00:00"), "Vendor24");
  EXPECT_EQ(vendorOf(*table, "00:11:23:00:00:00"), std::nullopt);
}

TEST(OuiTableTest, MulticastAndLocallyAdministeredAddressesHaveNoVendor) {
  // Even when a prefix with those bits set is listed: no registry hands such prefixes out.
  TempCsv csv(std::string(kHeader) +
              "02:11:22,LocalVendor,test\n"
              "01:00:5E,MulticastVendor,test\n"
              "FF:FF:FF,BroadcastVendor,test\n");
  Result<OuiTable> table = OuiTable::load(csv.path());
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(vendorOf(*table, "02:11:22:00:00:01"), std::nullopt);
  EXPECT_EQ(vendorOf(*table, "01:00:5e:00:00:fb"), std::nullopt);
  EXPECT_EQ(vendorOf(*table, "ff:ff:ff:ff:ff:ff"), std::nullopt);

  Result<OuiTable> shipped = OuiTable::load(kShippedCsv);
  ASSERT_TRUE(shipped) << shipped.error().message;
  // The demo's laptop (random MAC) and gateway (02:...) are locally administered.
  EXPECT_EQ(vendorOf(*shipped, "16:7a:2e:91:c4:03"), std::nullopt);
  EXPECT_EQ(vendorOf(*shipped, "02:00:0a:0a:00:01"), std::nullopt);
  // The Hikvision OUI with the U/L bit flipped is no longer Hikvision's.
  EXPECT_EQ(vendorOf(*shipped, "46:19:b6:3a:51:21"), std::nullopt);
}

TEST(OuiTableTest, ParsesQuotingCrlfAndBlankLines) {
  TempCsv csv(
      "\xEF\xBB\xBFoui,vendor,source\r\n"
      "a4:14:37,\"Quoted, with \"\"comma\"\"\",\"source, with comma\"\r\n"
      "\r\n"
      "B8-A4-4F,Plain,\r\n");
  Result<OuiTable> table = OuiTable::load(csv.path());
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(vendorOf(*table, "a4:14:37:00:00:00"), "Quoted, with \"comma\"");
  EXPECT_EQ(vendorOf(*table, "b8:a4:4f:00:00:00"), "Plain");
}

TEST(OuiTableTest, MissingFileNamesIt) {
  Result<OuiTable> table = OuiTable::load("/nonexistent/camera-oui.csv");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.error().message.rfind("/nonexistent/camera-oui.csv: cannot open", 0), 0U)
      << table.error().message;
}

struct BadLine {
  const char* name;
  std::string_view line;    // written as line 3, after the header and one good line
  std::string_view reason;  // expected after "PATH:3: "
};

// gtest prints the parameter of a failing case; its name says which case it was.
std::ostream& operator<<(std::ostream& out, const BadLine& bad_line) {
  return out << bad_line.name;
}

class OuiTableBadLineTest : public testing::TestWithParam<BadLine> {};

TEST_P(OuiTableBadLineTest, ErrorNamesFileAndLine) {
  TempCsv csv(std::string(kHeader) + "44:19:B6,Good,test\n" + std::string(GetParam().line) +
              "\n00:40:8C,AfterTheBadLine,test\n");
  std::string error = loadError(csv);
  EXPECT_EQ(error, csv.path() + ":3: " + std::string(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OuiTableBadLineTest,
    testing::Values(
        BadLine{"NotHex", "4G:19:B6,X,s", "bad OUI \"4G:19:B6\": \"4G\" is not a hex octet"},
        BadLine{"TwoOctets", "44:19,X,s",
                "bad OUI \"44:19\": expected 3 to 6 two-digit hex octets"},
        BadLine{"SevenOctets", "44:19:B6:00:00:00:00,X,s",
                "bad OUI \"44:19:B6:00:00:00:00\": expected 3 to 6 two-digit hex octets"},
        BadLine{"OneDigitOctet", "44:9:B6,X,s", "bad OUI \"44:9:B6\": \"9:\" is not a hex octet"},
        BadLine{"MixedSeparators", "44:19-B6,X,s",
                "bad OUI \"44:19-B6\": unexpected '-' between octets"},
        BadLine{"LengthNotMultipleOf4", "58:E8:76:00:00:00/30,X,s",
                "bad OUI \"58:E8:76:00:00:00/30\": prefix length 30 must be a multiple of 4 from "
                "8 to 48 (the octets given)"},
        BadLine{"LengthLongerThanOctets", "58:E8:76/28,X,s",
                "bad OUI \"58:E8:76/28\": prefix length 28 must be a multiple of 4 from 8 to 24 "
                "(the octets given)"},
        BadLine{"LengthNotANumber", "58:E8:76:00:00:00/x,X,s",
                "bad OUI \"58:E8:76:00:00:00/x\": bad prefix length \"x\""},
        BadLine{"HostBitsSet", "58:E8:76:01:00:00/28,X,s",
                "bad OUI \"58:E8:76:01:00:00/28\": bits past the /28 prefix are not zero"},
        BadLine{"TwoFields", "00:40:8C,Axis", "expected 3 fields (oui,vendor,source), found 2"},
        BadLine{"FourFields", "00:40:8C,Axis,s,extra",
                "expected 3 fields (oui,vendor,source), found 4"},
        BadLine{"EmptyVendor", "00:40:8C,,s", "empty vendor"},
        BadLine{"UnterminatedQuote", "00:40:8C,\"Axis,s",
                "unterminated quoted field (quoted line breaks are not supported)"},
        BadLine{"TextAfterQuote", "00:40:8C,\"Axis\" AB,s",
                "unexpected text after the closing quote of field 2"},
        BadLine{"QuoteInsideField", "00:40:8C,Ax\"is,s", "quote inside unquoted field 2"},
        BadLine{"Duplicate", "44:19:b6,Again,test", "prefix listed again (first on line 2)"}),
    [](const testing::TestParamInfo<BadLine>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(OuiTableTest, WrongHeaderIsLineOne) {
  TempCsv csv("mac,vendor\n44:19:B6,X\n");
  EXPECT_EQ(loadError(csv), csv.path() + ":1: expected the header \"oui,vendor,source\"");
}

TEST(OuiTableTest, EmptyFileIsAnError) {
  TempCsv csv("");
  EXPECT_EQ(loadError(csv), csv.path() + ": empty file (no header)");
}

}  // namespace
}  // namespace camwatch
