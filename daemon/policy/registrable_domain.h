// Registrable domains by the Public Suffix List: "easy4ipcloud.com" of "p2p.easy4ipcloud.com",
// "example.co.uk" of "cam.example.co.uk", "bucket.s3.amazonaws.com" of itself (s3.amazonaws.com
// is a suffix anyone can register under). A rule or catalog entry that names a registrable
// domain covers every name under it, and no more: it cannot reach across an owner boundary the
// way "*.amazonaws.com" would. The list is Debian's publicsuffix package read through libpsl.
#pragma once

#include <string>
#include <string_view>

struct psl_ctx_st;

namespace camwatch {

class PublicSuffixList {
 public:
  /// The system's list: the newer of libpsl's built-in copy and the publicsuffix package's file.
  /// Loaded on first use, then shared; safe on any thread (libpsl's lookups are read-only).
  static const PublicSuffixList& system();

  /// `name`: lower case, no trailing dot, and NUL-terminated (name.data()[name.size()] == '\0':
  /// policy::normalizeName writes it so). Returns the registrable domain as a view into `name`,
  /// or empty when `name` has none (it is a public suffix itself, or empty). No allocation for
  /// ASCII names.
  std::string_view registrableDomain(std::string_view name) const;

  /// Whether `name` (as above) is a public suffix ("com", "co.uk", "s3.amazonaws.com").
  bool isPublicSuffix(std::string_view name) const;

  /// Where the list came from, for reports and `camwatch version`: libpsl's version and the
  /// data file's name (or "built-in") with its date.
  const std::string& source() const { return source_; }

 private:
  PublicSuffixList();
  ~PublicSuffixList();

  psl_ctx_st* context_ = nullptr;
  std::string source_;
};

/// Why `text` cannot be a registrable-domain pattern, or empty when it can: it must be a
/// lower-case-able DNS name that is its own registrable domain ("p2p.easy4ipcloud.com" is not:
/// the message names "easy4ipcloud.com"; "co.uk" is not: a public suffix).
std::string checkRegistrableDomain(std::string_view text);

}  // namespace camwatch
