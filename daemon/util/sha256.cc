#include "util/sha256.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define CAMWATCH_SHA_NI 1
#endif

namespace camwatch {
namespace {

// FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64
// primes.
constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 5.3.3: the first 32 bits of the fractional parts of the square roots of the first
// 8 primes.
constexpr std::array<std::uint32_t, 8> kInitialState = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr std::uint32_t rotr(std::uint32_t x, unsigned n) { return (x >> n) | (x << (32U - n)); }

// The functions of FIPS 180-4 4.1.2.
constexpr std::uint32_t ch(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (~x & z);
}
constexpr std::uint32_t maj(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return (x & y) ^ (x & z) ^ (y & z);
}
constexpr std::uint32_t bigSigma0(std::uint32_t x) {
  return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}
constexpr std::uint32_t bigSigma1(std::uint32_t x) {
  return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}
constexpr std::uint32_t smallSigma0(std::uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
constexpr std::uint32_t smallSigma1(std::uint32_t x) {
  return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}

#ifdef CAMWATCH_SHA_NI
// CPUID leaf 7 EBX bit 29: SHA; leaf 1 ECX bits 9 and 19: SSSE3, SSE4.1 (the shuffles and blends
// below).
bool cpuHasShaExtensions() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  const bool sse = (c & (1U << 9U)) != 0 && (c & (1U << 19U)) != 0;
  if (!sse || __get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return (b & (1U << 29U)) != 0;
}

// FIPS 180-4 6.2.2 with the SHA extensions: sha256rnds2 does two rounds on the state held as
// ABEF and CDGH, sha256msg1/msg2 the message schedule, four words at a time. Group i (rounds
// 4i..4i+3) uses message vector i % 4 and prepares the ones later groups need.
__attribute__((target("sha,sse4.1,ssse3"))) void compressWithShaExtensions(
    std::array<std::uint32_t, 8>& state, const std::uint8_t* blocks, std::size_t count) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  const __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  const __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (std::size_t block = 0; block < count; ++block, blocks += 64) {
    const __m128i abef_before = abef;
    const __m128i cdgh_before = cdgh;
    __m128i message[4] = {};  // NOLINT(*-avoid-c-arrays): std::array drops the vector attribute
    for (std::size_t i = 0; i < 16; ++i) {
      if (i < 4) {
        message[i] = _mm_shuffle_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * i)), byte_swap);
      }
      __m128i words =
          _mm_add_epi32(message[i % 4],
                        _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * i])));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, words);
      if (i >= 3 && i <= 14) {
        __m128i& next = message[(i + 1) % 4];
        next = _mm_add_epi32(next, _mm_alignr_epi8(message[i % 4], message[(i + 3) % 4], 4));
        next = _mm_sha256msg2_epu32(next, message[i % 4]);
      }
      words = _mm_shuffle_epi32(words, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, words);
      if (i >= 1 && i <= 12) {
        message[(i + 3) % 4] = _mm_sha256msg1_epu32(message[(i + 3) % 4], message[i % 4]);
      }
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), _mm_alignr_epi8(dchg, feba, 8));
}

const bool kHasShaExtensions = cpuHasShaExtensions();
#endif

}  // namespace

Sha256::Sha256() : state_(kInitialState) {}

void Sha256::compress(const std::uint8_t* blocks, std::size_t count) {
#ifdef CAMWATCH_SHA_NI
  if (kHasShaExtensions) {
    compressWithShaExtensions(state_, blocks, count);
    return;
  }
#endif
  for (std::size_t i = 0; i < count; ++i) compressPortably(blocks + 64 * i);
}

void Sha256::compressPortably(const std::uint8_t* block) {
  // 6.2.2 step 1: the message schedule, words read big-endian.
  std::array<std::uint32_t, 64> w{};
  for (std::size_t t = 0; t < 16; ++t) {
    w[t] = (std::uint32_t{block[4 * t]} << 24U) | (std::uint32_t{block[4 * t + 1]} << 16U) |
           (std::uint32_t{block[4 * t + 2]} << 8U) | std::uint32_t{block[4 * t + 3]};
  }
  for (std::size_t t = 16; t < 64; ++t) {
    w[t] = smallSigma1(w[t - 2]) + w[t - 7] + smallSigma0(w[t - 15]) + w[t - 16];
  }
  // Steps 2 to 4: 64 rounds on the working variables a..h, then added into the state.
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
  for (std::size_t t = 0; t < 64; ++t) {
    const std::uint32_t t1 = h + bigSigma1(e) + ch(e, f, g) + kRoundConstants[t] + w[t];
    const std::uint32_t t2 = bigSigma0(a) + maj(a, b, c);
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

void Sha256::update(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  total_bytes_ += size;
  // Top up a partly filled block first, then whole blocks straight from the input.
  if (buffered_ > 0) {
    const std::size_t take = std::min(size, buffer_.size() - buffered_);
    std::memcpy(buffer_.data() + buffered_, bytes, take);
    buffered_ += take;
    bytes += take;
    size -= take;
    if (buffered_ < buffer_.size()) return;
    compress(buffer_.data(), 1);
    buffered_ = 0;
  }
  const std::size_t blocks = size / buffer_.size();
  compress(bytes, blocks);
  bytes += blocks * buffer_.size();
  size -= blocks * buffer_.size();
  if (size > 0) {
    std::memcpy(buffer_.data(), bytes, size);
    buffered_ = size;
  }
}

Sha256::Digest Sha256::finish() {
  // 5.1.1: a 1 bit, zeros up to 56 bytes into the last block, the length in bits big-endian.
  const std::uint64_t bit_length = total_bytes_ * 8U;
  std::array<std::uint8_t, 72> tail{};  // at most one block minus a byte, plus the 8-byte length
  tail[0] = 0x80;
  const std::size_t used = buffered_ + 1;
  const std::size_t zeros = (used <= 56 ? 56 - used : 120 - used);
  const std::size_t length_at = 1 + zeros;
  for (std::size_t i = 0; i < 8; ++i) {
    tail[length_at + i] = static_cast<std::uint8_t>(bit_length >> (56U - 8U * i));
  }
  update(tail.data(), length_at + 8);
  Digest digest{};
  for (std::size_t i = 0; i < 8; ++i) {
    digest[4 * i] = static_cast<std::uint8_t>(state_[i] >> 24U);
    digest[4 * i + 1] = static_cast<std::uint8_t>(state_[i] >> 16U);
    digest[4 * i + 2] = static_cast<std::uint8_t>(state_[i] >> 8U);
    digest[4 * i + 3] = static_cast<std::uint8_t>(state_[i]);
  }
  *this = Sha256();
  return digest;
}

std::string Sha256::toHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4U];
    out[2 * i + 1] = kHex[digest[i] & 0x0fU];
  }
  return out;
}

std::string sha256Hex(std::string_view text) {
  Sha256 hash;
  hash.update(text);
  return Sha256::toHex(hash.finish());
}

Result<std::string> sha256File(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return makeError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  Sha256 hash;
  std::array<char, 1U << 16U> chunk{};
  std::size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0) {
    hash.update(chunk.data(), got);
  }
  if (std::ferror(file.get()) != 0) {
    return makeError(fmt::format("{}: read error: {}", path, std::strerror(errno)));
  }
  return Sha256::toHex(hash.finish());
}

}  // namespace camwatch
