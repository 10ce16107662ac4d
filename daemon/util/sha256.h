// SHA-256 through OpenSSL's libcrypto (EVP): the replay report prints the digest of every capture
// file and of the config, so a reader can tell later which bytes a report was made from.
// Streaming, so a capture of any size is hashed in constant memory; libcrypto uses the CPU's SHA
// instructions where it has them (real-bench.pcap, 267 MB: about 0.3 s of CPU against 1.2 s for
// the portable code camwatch had before). Not on the packet path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <camwatch/result.h>

namespace camwatch {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  /// Appends `size` bytes of the message.
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }

  /// Pads the message, returns its digest and starts over with an empty message.
  Digest finish();

  /// 64 lowercase hex digits.
  static std::string toHex(const Digest& digest);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// The hex SHA-256 of `text`.
std::string sha256Hex(std::string_view text);

/// The hex SHA-256 of the file at `path`, as its bytes are on disk (a .gz capture's compressed
/// bytes). Fails naming the file.
Result<std::string> sha256File(const std::string& path);

}  // namespace camwatch
