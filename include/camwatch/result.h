// Result<T>: how setup code that can fail (opening a capture, loading a config) reports errors.
// The packet path never uses it: a bad packet is data, counted as a named anomaly.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace camwatch {

/// A human-readable error that names the input (file, packet number, key) and what was wrong.
struct Error {
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;

/// Shorthand for `return makeError("file.pcap: packet 12: ...")`.
inline tl::unexpected<Error> makeError(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace camwatch
