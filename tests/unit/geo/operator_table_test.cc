// OperatorTable: the shipped config/operators.csv answers who operates the big clouds and
// carriers (expectations from the list, not from the file), prefixes win over their AS,
// and every kind of bad line is named by file and line.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <camwatch/operators.h>

namespace camwatch {
namespace {

const std::string kShipped = std::string(CAMWATCH_SOURCE_DIR) + "/config/operators.csv";
constexpr std::string_view kHeader = "asn,prefix,operator,holder,parent,parent_country,source\n";

class TempCsv {
 public:
  explicit TempCsv(std::string_view rows) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("operators_" + std::to_string(::getpid()) + "_" + info->name() + ".csv");
    std::ofstream(path_, std::ios::binary) << kHeader << rows;
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

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

TEST(OperatorTableTest, ShippedFileNamesTheLargeCloudsAndCarriers) {
  auto table = OperatorTable::load(kShipped);
  ASSERT_TRUE(table) << table.error().message;
  struct Expected {
    std::uint32_t asn;
    const char* name;
    const char* country;
  };
  const Expected expected[] = {
      {45102, "Alibaba", "CN"},      {37963, "Alibaba", "CN"},      {132203, "Tencent", "CN"},
      {45090, "Tencent", "CN"},      {55990, "Huawei", "CN"},       {136907, "Huawei", "CN"},
      {4134, "China Telecom", "CN"}, {4837, "China Unicom", "CN"},  {9808, "China Mobile", "CN"},
      {396986, "ByteDance", "CN"},   {16509, "AWS", "US"},          {8075, "Microsoft", "US"},
      {15169, "Google", "US"},       {20940, "Akamai", "US"},       {13335, "Cloudflare", "US"},
      {31898, "Oracle", "US"},       {14061, "DigitalOcean", "US"}, {16276, "OVH", "FR"},
      {24940, "Hetzner", "DE"},
  };
  for (const Expected& row : expected) {
    const NetworkOperator* op = table->find(row.asn, ip("47.254.33.45"));
    ASSERT_NE(op, nullptr) << "AS" << row.asn;
    EXPECT_EQ(op->name, row.name) << "AS" << row.asn;
    EXPECT_EQ(op->country, row.country) << "AS" << row.asn;
    EXPECT_FALSE(op->parent.empty()) << "AS" << row.asn;
  }
  EXPECT_EQ(table->find(64500, ip("47.254.33.45")), nullptr);  // documentation AS: not listed
  EXPECT_EQ(table->find(0, ip("47.254.33.45")), nullptr);
  // Only public addresses have an operator, whatever AS the caller passes.
  EXPECT_EQ(table->find(45102, ip("192.168.1.10")), nullptr);
  EXPECT_EQ(table->find(45102, ip("203.0.113.1")), nullptr);  // documentation range
  EXPECT_EQ(table->operatorName("alibaba"), "Alibaba");
  EXPECT_EQ(table->operatorName("Alibabaa"), "");
  EXPECT_GE(table->asCount(), 60U);
}

TEST(OperatorTableTest, APrefixRowWinsOverItsAs) {
  TempCsv csv(
      "64500,,BigCloud,Big Cloud Inc.,Big Cloud Inc.,US,test\n"
      "64500,47.254.33.0/24,Reseller,Reseller GmbH,Reseller Holding AG,de,test\n"
      "64500,47.254.33.128/25,Tenant,Tenant Ltd,Tenant Group,GB,test\n");
  auto table = OperatorTable::load(csv.path());
  ASSERT_TRUE(table) << table.error().message;
  EXPECT_EQ(table->find(64500, ip("52.94.0.1"))->name, "BigCloud");
  EXPECT_EQ(table->find(64500, ip("47.254.33.45"))->name, "Reseller");
  EXPECT_EQ(table->find(64500, ip("47.254.33.45"))->country, "DE");    // upper-cased
  EXPECT_EQ(table->find(64500, ip("47.254.33.200"))->name, "Tenant");  // longest prefix
  EXPECT_EQ(table->find(0, ip("47.254.33.200"))->name, "Tenant");      // no AS needed
  EXPECT_EQ(table->prefixCount(), 2U);
}

std::string loadError(std::string_view rows) {
  TempCsv csv(rows);
  auto table = OperatorTable::load(csv.path());
  if (table) return "(loaded)";
  const std::string& message = table.error().message;
  return message.substr(message.find(".csv:") + 5);
}

TEST(OperatorTableTest, BadLinesAreNamed) {
  EXPECT_EQ(loadError("AS45102,,Alibaba,h,p,CN,s\n"), "(loaded)");
  EXPECT_EQ(loadError("45102x,,Alibaba,h,p,CN,s\n"),
            "2: asn '45102x': expected an AS number such as 45102");
  EXPECT_EQ(loadError("0,,Alibaba,h,p,CN,s\n"), "2: asn '0': expected an AS number such as 45102");
  EXPECT_EQ(loadError("45102,,,h,p,CN,s\n"), "2: empty operator");
  EXPECT_EQ(loadError("45102,,Alibaba,h,p,CHN,s\n"),
            "2: parent_country 'CHN': expected two letters (ISO 3166-1 alpha-2)");
  EXPECT_EQ(loadError("45102,,Alibaba,h,p,CN,\n"), "2: empty source: say where it is from");
  EXPECT_EQ(loadError("45102,,Alibaba,h,p,CN,s\n\n45102,,Alibaba,h,p,CN,s\n"),
            "4: AS45102 listed again (first on line 2)");
  EXPECT_EQ(loadError("45102,,Alibaba,h,p,CN,s\n37963,,alibaba,h,p,US,s\n"),
            "3: operator 'alibaba' has parent_country US here and CN on an earlier line");
  EXPECT_EQ(loadError("45102,10.0.0.1/8,Alibaba,h,p,CN,s\n"),
            "2: prefix '10.0.0.1/8': host bits set (did you mean 10.0.0.0/8?)");
  EXPECT_EQ(loadError("45102,,Alibaba,h,p,CN\n"),
            "2: expected 7 fields (asn,prefix,operator,holder,parent,parent_country,source), found "
            "6");
}

}  // namespace
}  // namespace camwatch
