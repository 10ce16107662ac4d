#include "policy/registrable_domain.h"

#include <libpsl.h>
#include <sys/stat.h>

#include <ctime>

#include <fmt/format.h>

#include "policy/matchers.h"

namespace camwatch {

PublicSuffixList::PublicSuffixList() {
  // psl_latest(NULL) compares the built-in list with the distribution's file
  // (/usr/share/publicsuffix/public_suffix_list.dafsa on Debian) and keeps the newer one.
  context_ = psl_latest(nullptr);
  const char* file = psl_dist_filename();
  std::string data = "built-in list";
  struct stat info {};
  if (file != nullptr && *file != '\0' && ::stat(file, &info) == 0 &&
      info.st_mtime >= psl_builtin_file_time()) {
    std::tm day{};
    gmtime_r(&info.st_mtime, &day);
    data = fmt::format("{} ({:04}-{:02}-{:02})", file, day.tm_year + 1900, day.tm_mon + 1,
                       day.tm_mday);
  }
  source_ = fmt::format("libpsl {}, {}", psl_get_version(), data);
}

PublicSuffixList::~PublicSuffixList() {
  if (context_ != nullptr && context_ != psl_builtin()) psl_free(context_);
}

const PublicSuffixList& PublicSuffixList::system() {
  static const PublicSuffixList list;
  return list;
}

std::string_view PublicSuffixList::registrableDomain(std::string_view name) const {
  if (name.empty() || context_ == nullptr) return {};
  const char* found = psl_registrable_domain(context_, name.data());
  if (found == nullptr) return {};
  const auto offset = static_cast<std::size_t>(found - name.data());
  return offset < name.size() ? name.substr(offset) : std::string_view{};
}

bool PublicSuffixList::isPublicSuffix(std::string_view name) const {
  return context_ != nullptr && !name.empty() &&
         psl_is_public_suffix2(context_, name.data(), PSL_TYPE_ANY) != 0;
}

std::string checkRegistrableDomain(std::string_view text) {
  policy::NameBuffer buffer;
  std::optional<std::string_view> name = policy::normalizeName(text, buffer);
  if (!name || name->empty()) return "empty or longer than 253 characters";
  if (name->front() == '.' || name->front() == '*') {
    return "a registrable domain is a plain name ('example.com'): it covers its subdomains "
           "already";
  }
  const PublicSuffixList& list = PublicSuffixList::system();
  if (list.isPublicSuffix(*name)) {
    return "is a public suffix (anyone can register names under it), not one owner's domain";
  }
  std::string_view registrable = list.registrableDomain(*name);
  if (registrable.empty()) return "has no registrable domain in the Public Suffix List";
  if (registrable != *name) {
    return fmt::format("is not a registrable domain: its registrable domain is '{}'", registrable);
  }
  return {};
}

}  // namespace camwatch
