// SHA-256 against the FIPS 180-2 / NIST CAVS example vectors, fed whole and in odd-sized pieces
// (the streaming path must give the same digest however the message is split).
#include "util/sha256.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace camwatch {
namespace {

TEST(Sha256, NistShortMessageAbc) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, Nist448BitMessage) {
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, NistOneMillionA) {
  Sha256 hash;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) hash.update(thousand);
  EXPECT_EQ(Sha256::toHex(hash.finish()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EmptyMessage) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, AnySplitGivesTheSameDigest) {
  // Lengths around the 55/56/64-byte padding edges, split at every point.
  for (std::size_t length : {55U, 56U, 57U, 63U, 64U, 65U, 119U, 120U, 128U}) {
    std::string message(length, '\0');
    for (std::size_t i = 0; i < length; ++i) message[i] = static_cast<char>('a' + i % 26);
    const std::string whole = sha256Hex(message);
    for (std::size_t split = 0; split <= length; ++split) {
      Sha256 hash;
      hash.update(message.substr(0, split));
      hash.update(message.substr(split));
      ASSERT_EQ(Sha256::toHex(hash.finish()), whole) << length << " split at " << split;
    }
  }
}

TEST(Sha256, FinishStartsOver) {
  Sha256 hash;
  hash.update("abc");
  hash.finish();
  hash.update("abc");
  EXPECT_EQ(Sha256::toHex(hash.finish()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FileIsHashedAsItsBytes) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "camwatch-sha256-test.bin").string();
  std::ofstream(path, std::ios::binary) << "abc";
  auto digest = sha256File(path);
  std::remove(path.c_str());
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(*digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, MissingFileIsNamed) {
  auto digest = sha256File("/nonexistent/camwatch.pcap");
  ASSERT_FALSE(digest);
  EXPECT_NE(digest.error().message.find("/nonexistent/camwatch.pcap"), std::string::npos);
}

}  // namespace
}  // namespace camwatch
