#include "util/sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace camwatch {

// libcrypto fails here only when it cannot allocate a context or has no SHA-256 at all, which
// leaves nothing to report a digest with: like a failed `new`, camwatch stops.
namespace {
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "camwatch: libcrypto SHA-256: %s failed\n", what);
  std::abort();
}
}  // namespace

struct Sha256::Context {
  Context() : md(EVP_MD_CTX_new()) {
    require(md != nullptr, "EVP_MD_CTX_new");
    start();
  }
  ~Context() { EVP_MD_CTX_free(md); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  void start() { require(EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1, "EVP_DigestInit_ex"); }

  EVP_MD_CTX* md;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {}
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
  if (size == 0) return;
  require(EVP_DigestUpdate(context_->md, data, size) == 1, "EVP_DigestUpdate");
}

Sha256::Digest Sha256::finish() {
  Digest digest{};
  unsigned int length = 0;
  require(EVP_DigestFinal_ex(context_->md, digest.data(), &length) == 1 && length == digest.size(),
          "EVP_DigestFinal_ex");
  context_->start();
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
