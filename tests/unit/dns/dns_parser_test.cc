// parseDnsResponse: answers from hand-built messages (every byte spelled out) and from the test
// kit's DNS builders; name compression, CNAME chains, case folding; and hostile input: every
// prefix of a valid message, pointer loops, bad label types, over-long names, odd records.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/dns.h>

#include "support/app_payloads.h"

namespace camwatch {
namespace {

using testkit::Bytes;
using testkit::DnsRecord;
using testkit::kDnsTypeA;
using testkit::kDnsTypeAaaa;
using testkit::kDnsTypeCname;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// resize + copy rather than insert: GCC 12 at -O2 warns falsely on vector::insert.
void append(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  const std::size_t at = out.size();
  out.resize(at + bytes.size());
  std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
}

struct Answer {
  std::string name;
  IpAddress address;
  std::uint32_t ttl = 0;
};

struct Parsed {
  DnsParseResult result = DnsParseResult::kOk;
  std::vector<Answer> answers;
};

Parsed parse(std::span<const std::uint8_t> message) {
  Parsed parsed;
  parsed.result = parseDnsResponse(message, [&parsed](const DnsAnswer& answer) {
    // The name is only valid during the call: copy it.
    parsed.answers.push_back({std::string(answer.name), answer.address, answer.ttl});
  });
  return parsed;
}

// A response whose four answers use a CNAME chain, pointers to the question and to a middle
// label, and a mixed-case question. Offsets are decimal.
const std::vector<std::uint8_t> kChainResponse = {
    // 0: header: id 0x1234, flags 0x8180 (QR, RD, RA), 1 question, 4 answers, 0 NS, 0 AR
    0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
    // 12: question name "Cam.Example.COM": 3 "Cam" (12), 7 "Example" (16), 3 "COM" (24), 0 (28)
    0x03, 'C', 'a', 'm', 0x07, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'C', 'O', 'M', 0x00,
    // 29: qtype A, qclass IN
    0x00, 0x01, 0x00, 0x01,
    // 33: answer 1: owner -> 12 (the question); CNAME, IN, TTL 300, rdlength 6
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06,
    // 45: rdata: 3 "cdn", pointer -> 16 (the middle label "example.com"): "cdn.example.com"
    0x03, 'c', 'd', 'n', 0xc0, 0x10,
    // 51: answer 2: owner -> 45 ("cdn.example.com"); CNAME, IN, TTL 300, rdlength 7
    0xc0, 0x2d, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x07,
    // 63: rdata: 4 "edge", pointer -> 16: "edge.example.com"
    0x04, 'e', 'd', 'g', 'e', 0xc0, 0x10,
    // 70: answer 3: owner -> 63 ("edge.example.com"); A, IN, TTL 60, rdlength 4
    0xc0, 0x3f, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
    // 82: rdata 192.0.2.10
    0xc0, 0x00, 0x02, 0x0a,
    // 86: answer 4: owner -> 63; AAAA, IN, TTL 120, rdlength 16
    0xc0, 0x3f, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x10,
    // 98: rdata 2001:db8::10
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    // 114: end
};

TEST(DnsParserTest, ChainResponseReportsBothAddressesUnderTheLowerCaseQuestion) {
  ASSERT_EQ(kChainResponse.size(), 114U);
  const Parsed parsed = parse(kChainResponse);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 2U);
  EXPECT_EQ(parsed.answers[0].name, "cam.example.com");
  EXPECT_EQ(parsed.answers[0].address, ip("192.0.2.10"));
  EXPECT_EQ(parsed.answers[0].ttl, 60U);
  EXPECT_EQ(parsed.answers[1].name, "cam.example.com");
  EXPECT_EQ(parsed.answers[1].address, ip("2001:db8::10"));
  EXPECT_EQ(parsed.answers[1].ttl, 120U);
}

TEST(DnsParserTest, SingleAAnswerWithPointerToTheQuestion) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0001, flags 0x8180, 1 question, 1 answer
      0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "ntp.org" A IN
      0x03, 'n', 't', 'p', 0x03, 'o', 'r', 'g', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 25: answer: owner -> 12, A, IN, TTL 0x00015180 (86400), rdlength 4, 198.51.100.7
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x04, 198, 51, 100, 7};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "ntp.org");
  EXPECT_EQ(parsed.answers[0].address, ip("198.51.100.7"));
  EXPECT_TRUE(parsed.answers[0].address.isV4());
  EXPECT_EQ(parsed.answers[0].ttl, 86400U);
}

TEST(DnsParserTest, UncompressedAaaaAnswerWithMixedCaseOwner) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0002, flags 0x8180, 1 question, 1 answer
      0x00, 0x02, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "v6.Test" AAAA IN
      0x02, 'v', '6', 0x04, 'T', 'e', 's', 't', 0x00, 0x00, 0x1c, 0x00, 0x01,
      // 25: answer: owner "V6.TEST" written out, AAAA, IN, TTL 30, rdlength 16, 2001:db8::1:2
      0x02, 'V', '6', 0x04, 'T', 'E', 'S', 'T', 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00,
      0x1e, 0x00, 0x10, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x01, 0x00, 0x02};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "v6.test");
  EXPECT_EQ(parsed.answers[0].address, ip("2001:db8::1:2"));
  EXPECT_FALSE(parsed.answers[0].address.isV4());
  EXPECT_EQ(parsed.answers[0].ttl, 30U);
}

TEST(DnsParserTest, ARecordOutsideTheQuestionsChainKeepsItsOwnName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0003, flags 0x8180, 1 question, 2 answers
      0x00, 0x03, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: question "a.example" A IN: 1 "a" (12), 7 "example" (14), 0 (22)
      0x01, 'a', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 27: answer 1: owner 1 "B" + pointer -> 14 = "b.example" (not in the chain);
      //     A, IN, TTL 10, rdlength 4, 192.0.2.2
      0x01, 'B', 0xc0, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x04, 192, 0, 2,
      2,
      // 45: answer 2: owner -> 12 ("a.example"); A, IN, TTL 10, rdlength 4, 192.0.2.1
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x04, 192, 0, 2, 1};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 2U);
  EXPECT_EQ(parsed.answers[0].name, "b.example");
  EXPECT_EQ(parsed.answers[0].address, ip("192.0.2.2"));
  EXPECT_EQ(parsed.answers[1].name, "a.example");
  EXPECT_EQ(parsed.answers[1].address, ip("192.0.2.1"));
}

TEST(DnsParserTest, CnameOutsideTheChainDoesNotJoinIt) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0004, flags 0x8180, 1 question, 2 answers
      0x00, 0x04, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: question "q.test" A IN: 1 "q" (12), 4 "test" (14), 0 (19)
      0x01, 'q', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer 1: owner "x" + pointer -> 14 = "x.test"; CNAME, IN, TTL 5, rdlength 4,
      // 38: rdata "y" + pointer -> 14 = "y.test"
      0x01, 'x', 0xc0, 0x0e, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 0x01, 'y',
      0xc0, 0x0e,
      // 42: answer 2: owner -> 38 ("y.test"); A, IN, TTL 5, rdlength 4, 192.0.2.9
      0xc0, 0x26, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 192, 0, 2, 9};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "y.test") << "x.test is not the question: no chain";
}

TEST(DnsParserTest, AnswersWithoutAQuestionKeepTheirOwnNames) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x001b, flags 0x8180, 0 questions, 1 answer
      0x00, 0x1b, 0x81, 0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: answer: owner "z.test" written out; A, IN, TTL 7, rdlength 4, 192.0.2.26
      0x01, 'z', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,
      0x00, 0x04, 192, 0, 2, 26};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "z.test");
}

TEST(DnsParserTest, QueryIsNotAResponse) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0005, flags 0x0100 (QR clear, RD), 1 question, 1 "answer" (ignored)
      0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "ntp.org" A IN
      0x03, 'n', 't', 'p', 0x03, 'o', 'r', 'g', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 25: answer: owner -> 12, A, IN, TTL 1, rdlength 4, 192.0.2.1
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kNotAResponse);
  EXPECT_TRUE(parsed.answers.empty());
}

TEST(DnsParserTest, ResponseWithoutAnswersIsNoAnswers) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0006, flags 0x8183 (QR, RD, RA, NXDOMAIN), 1 question, 0 answers
      0x00, 0x06, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      // 12: question "nx.test" A IN
      0x02, 'n', 'x', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01};
  EXPECT_EQ(parse(message).result, DnsParseResult::kNoAnswers);
}

TEST(DnsParserTest, ShortHeaderIsTruncated) {
  // 11 bytes: one short of a header (id 0x0007, flags 0x8180, 1 question, 1 answer, NS 0, AR 0x0)
  const std::vector<std::uint8_t> message = {0x00, 0x07, 0x81, 0x80, 0x00, 0x01,
                                             0x00, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(parse(message).result, DnsParseResult::kTruncated);
  EXPECT_EQ(parse({}).result, DnsParseResult::kTruncated);
}

TEST(DnsParserTest, OnlyCnamesIsNoAnswers) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0008, flags 0x8180, 1 question, 1 answer
      0x00, 0x08, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "c.test" A IN: 1 "c" (12), 4 "test" (14), 0 (19)
      0x01, 'c', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer: owner -> 12; CNAME, IN, TTL 5, rdlength 4; rdata "d" + pointer -> 14
      0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 0x01, 'd', 0xc0,
      0x0e};
  EXPECT_EQ(parse(message).result, DnsParseResult::kNoAnswers);
}

// What the parser must say when `message` is cut to its first `length` bytes. The layout is the
// one commented in kChainResponse: a cut inside a name makes the name unreadable (kBadName); a
// cut in the header, in fixed fields or in rdata is kTruncated.
DnsParseResult expectedForChainPrefix(std::size_t length) {
  struct Region {
    std::size_t end;
    bool name;
  };
  constexpr Region kRegions[] = {
      {12, false},   // header
      {29, true},    // question name
      {33, false},   // qtype, qclass
      {35, true},    // answer 1 owner (pointer)
      {51, false},   // answer 1 fixed fields and CNAME rdata (length checked first)
      {53, true},    // answer 2 owner
      {70, false},   // answer 2 fixed fields and rdata
      {72, true},    // answer 3 owner
      {86, false},   // answer 3 fixed fields and rdata
      {88, true},    // answer 4 owner
      {114, false},  // answer 4 fixed fields and rdata
  };
  if (length >= 114) return DnsParseResult::kOk;
  // The header says 4 answers, so any cut of the header below 12 bytes is a short header.
  for (const Region& region : kRegions) {
    if (length < region.end) {
      return region.name ? DnsParseResult::kBadName : DnsParseResult::kTruncated;
    }
  }
  return DnsParseResult::kOk;
}

TEST(DnsParserTest, EveryPrefixOfAValidResponseIsRejectedPrecisely) {
  for (std::size_t length = 0; length <= kChainResponse.size(); ++length) {
    SCOPED_TRACE("prefix of " + std::to_string(length) + " bytes");
    // An exactly sized heap block: any read past `length` is caught by AddressSanitizer.
    std::vector<std::uint8_t> prefix(length);
    std::copy_n(kChainResponse.begin(), length, prefix.begin());
    const Parsed parsed = parse(prefix);
    EXPECT_EQ(parsed.result, expectedForChainPrefix(length));
    // Answers complete before the cut are still reported (the A record ends at 86).
    const std::size_t complete = length >= 114 ? 2U : length >= 86 ? 1U : 0U;
    EXPECT_EQ(parsed.answers.size(), complete);
  }
}

TEST(DnsParserTest, EveryPrefixOfABuiltResponseFailsWithoutOverRead) {
  const Bytes message = testkit::dnsResponse(
      0x4242, "Dev.Cam-Vendor.example", kDnsTypeA,
      testkit::dnsCnameChain("Dev.Cam-Vendor.example", {"edge.cdn.example", "lb7.edge.cdn.example"},
                             {"192.0.2.50", "192.0.2.51"}));
  const Parsed whole = parse(message);
  ASSERT_EQ(whole.result, DnsParseResult::kOk);
  ASSERT_EQ(whole.answers.size(), 2U);
  for (std::size_t length = 0; length < message.size(); ++length) {
    SCOPED_TRACE("prefix of " + std::to_string(length) + " bytes");
    // An exactly sized heap block, as above.
    std::vector<std::uint8_t> prefix(length);
    std::copy_n(message.begin(), length, prefix.begin());
    const Parsed parsed = parse(prefix);
    EXPECT_TRUE(parsed.result == DnsParseResult::kTruncated ||
                parsed.result == DnsParseResult::kBadName)
        << static_cast<int>(parsed.result);
    EXPECT_LT(parsed.answers.size(), 2U);
  }
}

TEST(DnsParserTest, BuilderAAnswer) {
  const Bytes message = testkit::dnsResponse(9, "cam.example.net", kDnsTypeA,
                                             {{"cam.example.net", kDnsTypeA, "192.0.2.7", 120}});
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "cam.example.net");
  EXPECT_EQ(parsed.answers[0].address, ip("192.0.2.7"));
  EXPECT_EQ(parsed.answers[0].ttl, 120U);
}

// Label bytes are whatever the sender put there. What is not printable ASCII (and '\\') is
// escaped as RFC 1035 \DDD, so a name can go into JSON, CSV, HTML and logs as it is; a name
// that no longer fits in 253 characters escaped is refused like an over-long one.
TEST(DnsParserTest, BytesThatAreNotPrintableAsciiAreEscaped) {
  const std::string name = std::string("A\xff\x01 b\\c\xc3\xa9") + ".example.net";
  const Bytes message =
      testkit::dnsResponse(11, name, kDnsTypeA, {{name, kDnsTypeA, "192.0.2.8", 120}});
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "a\\255\\001\\032b\\092c\\195\\169.example.net");

  const std::string binary(60, '\xff');  // 240 characters escaped, per label
  const std::string too_long = binary + "." + binary + ".example.net";
  const Parsed refused = parse(
      testkit::dnsResponse(12, too_long, kDnsTypeA, {{too_long, kDnsTypeA, "192.0.2.9", 120}}));
  EXPECT_EQ(refused.result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, BuilderAaaaAnswers) {
  const Bytes message = testkit::dnsResponse(10, "v6.example.net", kDnsTypeAaaa,
                                             {{"v6.example.net", kDnsTypeAaaa, "2001:db8::a", 60},
                                              {"v6.example.net", kDnsTypeAaaa, "2001:db8::b", 61}});
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 2U);
  EXPECT_EQ(parsed.answers[0].address, ip("2001:db8::a"));
  EXPECT_EQ(parsed.answers[1].address, ip("2001:db8::b"));
  EXPECT_EQ(parsed.answers[1].ttl, 61U);
  EXPECT_EQ(parsed.answers[1].name, "v6.example.net");
}

TEST(DnsParserTest, BuilderCnameChainNamesAnswersAfterTheQuestion) {
  const Bytes message = testkit::dnsResponse(
      11, "LiteDev.Hik-Connect.com", kDnsTypeA,
      testkit::dnsCnameChain("LiteDev.Hik-Connect.com",
                             {"alias1.cdn.example.net", "alias2.edge.example.net"},
                             {"203.0.113.10", "203.0.113.11"}, 45));
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 2U);
  for (const Answer& answer : parsed.answers) {
    EXPECT_EQ(answer.name, "litedev.hik-connect.com");
    EXPECT_EQ(answer.ttl, 45U);
  }
  EXPECT_EQ(parsed.answers[0].address, ip("203.0.113.10"));
  EXPECT_EQ(parsed.answers[1].address, ip("203.0.113.11"));
}

TEST(DnsParserTest, BuilderQueryAndEmptyResponse) {
  EXPECT_EQ(parse(testkit::dnsQuery(12, "cam.example.net")).result, DnsParseResult::kNotAResponse);
  EXPECT_EQ(parse(testkit::dnsResponse(12, "cam.example.net", kDnsTypeA, {}, 3)).result,
            DnsParseResult::kNoAnswers);
}

TEST(DnsParserTest, SelfPointerIsABadName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0010, flags 0x8180, 1 question, 1 answer
      0x00, 0x10, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question name: pointer -> 12 (itself); qtype A, qclass IN
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01};
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, SelfPointerAfterALabelIsABadName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0011, flags 0x8180, 1 question, 1 answer
      0x00, 0x11, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question name: 1 "a", then pointer -> 12 (back to its own start: a loop)
      0x01, 'a', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01};
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, TwoPointersAtEachOtherAreABadName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0012, flags 0x8180, 1 question, 2 answers
      0x00, 0x12, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: question "p.test" A IN
      0x01, 'p', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer 1: owner -> 12; type TXT (16), IN, TTL 1, rdlength 2;
      // 36: rdata: pointer -> 38 (answer 2's owner), never read as a name for TXT
      0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0xc0, 0x26,
      // 38: answer 2: owner: pointer -> 36, which points back to 38; A, IN, TTL 1, rdlength 4
      0xc0, 0x24, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1};
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, ForwardPointerIsABadName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0013, flags 0x8180, 1 question, 1 answer
      0x00, 0x13, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question name: pointer -> 18 (forward, to the valid name "f" below)
      0xc0, 0x12, 0x00, 0x01, 0x00, 0x01,
      // 18: 1 "f", 0 (a well-formed name nobody may point forward to)
      0x01, 'f', 0x00};
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, CnameTargetPointerLoopIsABadName) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0014, flags 0x8180, 1 question, 1 answer
      0x00, 0x14, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "l.test" A IN
      0x01, 'l', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer: owner -> 12; CNAME, IN, TTL 1, rdlength 2; 36: rdata: pointer -> 36 (itself)
      0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0xc0, 0x24};
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, ReservedLabelTypesAreBadNames) {
  // 0x40..0xbf: label types 01 and 10 (extended and reserved), or "labels" of 64..191 bytes.
  for (const std::uint8_t label : {std::uint8_t{0x40}, std::uint8_t{0x41}, std::uint8_t{0x7f},
                                   std::uint8_t{0x80}, std::uint8_t{0xbf}}) {
    SCOPED_TRACE(static_cast<int>(label));
    std::vector<std::uint8_t> message = {
        // header: id 0x0015, flags 0x8180, 1 question, 1 answer
        0x00, 0x15, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        // 12: question name: `label`, then (were it a length) enough 'x' bytes for any of them
        label};
    message.resize(message.size() + 0xc0, 'x');
    // then a root byte, qtype A and qclass IN
    const std::uint8_t tail[] = {0x00, 0x00, 0x01, 0x00, 0x01};
    append(message, tail);
    EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
  }
}

// A response to "<labels>" (written out in the question) with one A answer pointing at it.
std::vector<std::uint8_t> responseForLabels(const std::vector<std::size_t>& label_lengths) {
  std::vector<std::uint8_t> message = {
      // header: id 0x0016, flags 0x8180, 1 question, 1 answer
      0x00, 0x16, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
  // 12: question name: each label is `length` times 'a'..'z' (by label), then the root
  char letter = 'a';
  for (const std::size_t length : label_lengths) {
    message.push_back(static_cast<std::uint8_t>(length));
    message.resize(message.size() + length, static_cast<std::uint8_t>(letter++));
  }
  const std::uint8_t tail[] = {
      0x00, 0x00, 0x01, 0x00, 0x01,  // root, qtype A, qclass IN
                                     // answer: owner -> 12, A, IN, TTL 1, rdlength 4, 192.0.2.1
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1};
  append(message, tail);
  return message;
}

TEST(DnsParserTest, NamesUpTo253CharactersAreRead) {
  // 63 + 63 + 63 + 61 letters and 3 dots: 253 characters, 255 octets on the wire.
  const Parsed parsed = parse(responseForLabels({63, 63, 63, 61}));
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name.size(), 253U);
  EXPECT_EQ(parsed.answers[0].name.substr(0, 3), "aaa");
  EXPECT_EQ(parsed.answers[0].name.back(), 'd');
}

TEST(DnsParserTest, NameOver253CharactersIsABadName) {
  // 63 + 63 + 63 + 62 letters and 3 dots: 254 characters.
  EXPECT_EQ(parse(responseForLabels({63, 63, 63, 62})).result, DnsParseResult::kBadName);
  // Many short labels: 130 x "a." is 259 characters.
  EXPECT_EQ(parse(responseForLabels(std::vector<std::size_t>(130, 1))).result,
            DnsParseResult::kBadName);
}

TEST(DnsParserTest, NameOver253CharactersThroughPointersIsABadName) {
  // The question is 63 + 63 + 63 = 191 characters; the owner adds 62 + 1 + 62 in front of it
  // (191 + 126 = 317 characters) and points at the question for the rest.
  std::vector<std::uint8_t> message = responseForLabels({63, 63, 63});
  // Replace the answer (16 bytes at the end) by one whose owner is two labels + pointer -> 12.
  ASSERT_GE(message.size(), 16U);
  message.erase(message.end() - 16, message.end());
  message.push_back(62);
  message.resize(message.size() + 62, 'x');
  message.push_back(62);
  message.resize(message.size() + 62, 'y');
  const std::uint8_t rest[] = {
      // pointer -> 12; A, IN, TTL 1, rdlength 4, 192.0.2.1
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 1};
  append(message, rest);
  EXPECT_EQ(parse(message).result, DnsParseResult::kBadName);
}

TEST(DnsParserTest, AddressRecordWithWrongLengthIsSkipped) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0017, flags 0x8180, 1 question, 3 answers
      0x00, 0x17, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
      // 12: question "r.test" A IN
      0x01, 'r', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer 1: owner -> 12; A, IN, TTL 1, rdlength 5 (wrong): 192.0.2.66 + one extra byte
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 192, 0, 2, 66, 0x00,
      // 41: answer 2: owner -> 12; AAAA, IN, TTL 1, rdlength 4 (wrong): 192.0.2.67
      0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 67,
      // 57: answer 3: owner -> 12; A, IN, TTL 1, rdlength 4, 192.0.2.3
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 3};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].address, ip("192.0.2.3"));
}

TEST(DnsParserTest, OnlyAWrongLengthRecordIsNoAnswers) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0018, flags 0x8180, 1 question, 1 answer
      0x00, 0x18, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
      // 12: question "r.test" A IN
      0x01, 'r', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer: owner -> 12; A, IN, TTL 1, rdlength 5: 192.0.2.66 0x00
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 192, 0, 2, 66, 0x00};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kNoAnswers);
  EXPECT_TRUE(parsed.answers.empty());
}

TEST(DnsParserTest, RecordsOfOtherClassesAreSkipped) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x0019, flags 0x8180, 1 question, 2 answers
      0x00, 0x19, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: question "k.test" A IN
      0x01, 'k', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer 1: owner -> 12; A, class CH (3), TTL 1, rdlength 4, 192.0.2.77
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 77,
      // 40: answer 2: owner -> 12; A, IN, TTL 1, rdlength 4, 192.0.2.4
      0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 4};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].address, ip("192.0.2.4"));
}

TEST(DnsParserTest, CnameInAnotherClassDoesNotExtendTheChain) {
  const std::vector<std::uint8_t> message = {
      // header: id 0x001a, flags 0x8180, 1 question, 2 answers
      0x00, 0x1a, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
      // 12: question "k.test" A IN: 1 "k" (12), 4 "test" (14), 0 (19)
      0x01, 'k', 0x04, 't', 'e', 's', 't', 0x00, 0x00, 0x01, 0x00, 0x01,
      // 24: answer 1: owner -> 12; CNAME, class CH (3), TTL 1, rdlength 4;
      // 36: rdata "m" + pointer -> 14 = "m.test"
      0xc0, 0x0c, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 0x01, 'm', 0xc0, 0x0e,
      // 40: answer 2: owner -> 36 ("m.test"); A, IN, TTL 1, rdlength 4, 192.0.2.5
      0xc0, 0x24, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04, 192, 0, 2, 5};
  const Parsed parsed = parse(message);
  EXPECT_EQ(parsed.result, DnsParseResult::kOk);
  ASSERT_EQ(parsed.answers.size(), 1U);
  EXPECT_EQ(parsed.answers[0].name, "m.test");
}

}  // namespace
}  // namespace camwatch
