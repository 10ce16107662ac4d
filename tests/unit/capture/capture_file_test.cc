// CaptureFile: gzip-compressed captures (zlib decompresses them on the fly, detected by their
// magic bytes, and damage in the gzip stream ends the file with an error naming it while the
// packets before it still count) and BPF filters compiled per file.
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <camwatch/capture.h>

#include "support/packet_builder.h"
#include "support/pcap_writer.h"

namespace camwatch {
namespace {

using testkit::Frame;
using testkit::parseMac;

struct ReadBack {
  std::vector<Timestamp> ts;
  std::vector<std::uint32_t> wire_len;
  std::vector<std::vector<std::uint8_t>> data;
  ReadStatus last = ReadStatus::kEnd;
  std::string error;
};

ReadBack readAll(CaptureFile& file) {
  ReadBack out;
  RawPacket packet;
  while ((out.last = file.next(packet)) == ReadStatus::kPacket) {
    out.ts.push_back(packet.ts);
    out.wire_len.push_back(packet.wire_len);
    out.data.emplace_back(packet.data.begin(), packet.data.end());
  }
  out.error = file.error();
  return out;
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void gzipFile(const std::string& from, const std::string& to) {
  const std::string bytes = readBytes(from);
  gzFile out = gzopen(to.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(out), Z_OK);
}

class CaptureFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/camwatch-capture-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `count` UDP packets a second apart, payloads of varying length so the stream is not trivial.
  std::string writeCapture(const std::string& name, int count) {
    const std::string path = dir_ + "/" + name;
    testkit::PcapWriter writer(path);
    for (int i = 0; i < count; ++i) {
      writer.write(1'700'000'000 * kNanosPerSecond + i * kNanosPerSecond,
                   Frame()
                       .eth(parseMac("00:11:22:33:44:55"), parseMac("66:77:88:99:aa:bb"))
                       .ipv4("192.168.10.21", "203.0.113.7")
                       .udp(static_cast<std::uint16_t>(40000 + i), 9000)
                       .payload(static_cast<std::size_t>(100 + (i * 37) % 900))
                       .build());
    }
    writer.close();
    return path;
  }

  std::string dir_;
};

TEST_F(CaptureFileTest, GzipCaptureGivesTheSamePacketsAsThePlainOne) {
  const std::string plain = writeCapture("plain.pcap", 300);
  // No .gz in the name: the magic bytes decide.
  const std::string packed = dir_ + "/packed.pcap";
  gzipFile(plain, packed);

  auto a = CaptureFile::open(plain);
  ASSERT_TRUE(a) << a.error().message;
  auto b = CaptureFile::open(packed);
  ASSERT_TRUE(b) << b.error().message;
  const ReadBack expected = readAll(**a);
  const ReadBack got = readAll(**b);
  EXPECT_EQ(got.last, ReadStatus::kEnd) << got.error;
  ASSERT_EQ(expected.ts.size(), 300U);
  EXPECT_EQ(got.ts, expected.ts);
  EXPECT_EQ(got.wire_len, expected.wire_len);
  EXPECT_EQ(got.data, expected.data);
  EXPECT_EQ((*b)->wireBytesRead(), (*a)->wireBytesRead());
}

TEST_F(CaptureFileTest, TruncatedGzipNamesTheFileAndThePacketsBeforeCount) {
  const std::string plain = writeCapture("plain.pcap", 300);
  const std::string packed = dir_ + "/cut.pcap.gz";
  gzipFile(plain, packed);
  const std::string bytes = readBytes(packed);
  {
    std::ofstream out(packed, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }

  auto file = CaptureFile::open(packed);
  ASSERT_TRUE(file) << file.error().message;
  const ReadBack got = readAll(**file);
  EXPECT_EQ(got.last, ReadStatus::kError);
  EXPECT_NE(got.error.find(packed + ": corrupt gzip data after "), std::string::npos) << got.error;
  EXPECT_NE(got.error.find("unexpected end of file"), std::string::npos) << got.error;
  EXPECT_EQ(got.error.find(packed, 1), std::string::npos) << "named once: " << got.error;
  EXPECT_GT(got.ts.size(), 50U) << got.error;
  EXPECT_LT(got.ts.size(), 300U);
  EXPECT_EQ((*file)->packetsRead(), got.ts.size());
}

TEST_F(CaptureFileTest, GzipOfSomethingElseFailsNamingTheFile) {
  const std::string text = dir_ + "/text.txt";
  { std::ofstream(text) << "this is not a capture\n"; }
  const std::string packed = dir_ + "/text.pcap.gz";
  gzipFile(text, packed);
  auto file = CaptureFile::open(packed);
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find(packed), std::string::npos) << file.error().message;
}

TEST_F(CaptureFileTest, BpfFilterHandsOutOnlyMatchingPacketsOfPlainAndGzipFiles) {
  const std::string plain = writeCapture("plain.pcap", 20);  // source ports 40000..40019
  const std::string packed = dir_ + "/packed.pcap.gz";
  gzipFile(plain, packed);
  for (const std::string& path : {plain, packed}) {
    auto file = CaptureFile::open(path, "udp src port 40003 or udp src port 40007");
    ASSERT_TRUE(file) << file.error().message;
    const ReadBack got = readAll(**file);
    EXPECT_EQ(got.last, ReadStatus::kEnd) << got.error;
    ASSERT_EQ(got.ts.size(), 2U) << path;
    EXPECT_EQ(got.ts[0], 1'700'000'003 * kNanosPerSecond);
    EXPECT_EQ(got.ts[1], 1'700'000'007 * kNanosPerSecond);
    EXPECT_EQ((*file)->packetsRead(), 2U);
  }
  auto bad = CaptureFile::open(plain, "udpp port 9000");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find(plain + ": bad BPF filter 'udpp port 9000': "),
            std::string::npos)
      << bad.error().message;
}

TEST_F(CaptureFileTest, InputBytesReadGoesFromTheStartToTheFileSize) {
  const std::string plain = writeCapture("plain.pcap", 3000);
  const std::string packed = dir_ + "/packed.pcap.gz";
  gzipFile(plain, packed);
  for (const std::string& path : {plain, packed}) {
    auto file = CaptureFile::open(path);
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ((*file)->inputSize(), std::filesystem::file_size(path));
    RawPacket packet;
    for (int i = 0; i < 100; ++i) ASSERT_EQ((*file)->next(packet), ReadStatus::kPacket);
    const std::uint64_t early = (*file)->inputBytesRead();
    EXPECT_GT(early, 0U) << path;
    EXPECT_LT(early, (*file)->inputSize()) << path;
    while ((*file)->next(packet) == ReadStatus::kPacket) {
    }
    EXPECT_EQ((*file)->inputBytesRead(), (*file)->inputSize()) << path;
  }
}

// fuzz_capture found it: a pcapng timestamp is 64 bits in units the file picks, so libpcap can
// hand out more seconds than a nanosecond Timestamp holds (signed overflow). They are clamped to
// 2^32 - 1 seconds, the most a classic pcap can say.
TEST_F(CaptureFileTest, PcapngTimestampBeyondTheRangeIsClampedNotOverflowed) {
  // One Ethernet frame of 60 zero bytes, its timestamp all ones (microseconds: 1.8e13 seconds).
  auto block = [](std::uint32_t type, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> out;
    const auto length = static_cast<std::uint32_t>(12 + body.size());
    auto le32 = [&out](std::uint32_t v) {
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    le32(type);
    le32(length);
    out.insert(out.end(), body.begin(), body.end());
    le32(length);
    return out;
  };
  // The section length (the last 8 bytes) is -1: unknown.
  const std::vector<std::uint8_t> shb = {0x4d, 0x3c, 0x2b, 0x1a, 1,    0,    0,    0,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const std::vector<std::uint8_t> idb = {1, 0, 0, 0, 0xff, 0xff, 0, 0};
  // Interface 0, the largest timestamp, 60 bytes captured of 60, then the 60 bytes (zeros).
  const std::uint8_t epb_header[] = {0,    0,    0,  0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 60, 0, 0,    0,    60,   0,    0,    0};
  std::vector<std::uint8_t> epb(sizeof(epb_header) + 60, 0);
  std::memcpy(epb.data(), epb_header, sizeof(epb_header));
  const std::string path = dir_ + "/huge-ts.pcapng";
  {
    std::ofstream out(path, std::ios::binary);
    for (const auto& part : {block(0x0a0d0d0a, shb), block(1, idb), block(6, epb)}) {
      out.write(reinterpret_cast<const char*>(part.data()),
                static_cast<std::streamsize>(part.size()));
    }
  }
  auto file = CaptureFile::open(path);
  ASSERT_TRUE(file) << file.error().message;
  const ReadBack back = readAll(**file);
  ASSERT_EQ(back.ts.size(), 1U) << back.error;
  EXPECT_EQ(back.ts[0] / kNanosPerSecond, 0xffff'ffffLL);
}

}  // namespace
}  // namespace camwatch
