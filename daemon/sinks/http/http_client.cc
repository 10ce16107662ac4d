#include "sinks/http/http_client.h"

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include <curl/curl.h>
#include <fmt/format.h>

namespace camwatch {
namespace {

// curl_global_init is not thread-safe and must run before the first handle.
void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t appendBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  // The body only feeds error messages and tests: cap it so a hostile server cannot make us
  // buffer gigabytes.
  constexpr std::size_t kMaxBody = 1 << 20;
  const std::size_t bytes = size * count;
  if (body->size() < kMaxBody) body->append(data, std::min(bytes, kMaxBody - body->size()));
  return bytes;
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

Result<std::string> readBearerToken(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return makeError(path + ": cannot read the bearer token file");
  std::ostringstream text;
  text << file.rdbuf();
  std::string token = text.str();
  const auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return makeError(path + ": the bearer token file is empty");
  token = token.substr(first, token.find_last_not_of(" \t\r\n") - first + 1);
  if (token.find_first_of("\r\n") != std::string::npos) {
    return makeError(path + ": the bearer token file has more than one line");
  }
  return token;
}

std::string bodyExcerpt(const std::string& body, std::size_t limit) {
  std::string excerpt = body.substr(0, limit);
  for (char& c : excerpt) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return excerpt;
}

Result<HttpResponse> httpRequest(const std::string& method, const std::string& url,
                                 const std::vector<std::string>& headers, const std::string& body,
                                 const HttpTimeouts& timeouts) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return makeError(url + ": only http:// and https:// URLs are supported");
  }
  initCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) return makeError(url + ": curl_easy_init failed");
  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  std::vector<std::string> all_headers = headers;
  // libcurl sends "Expect: 100-continue" for bodies over 1 KiB and waits a second for the
  // interim answer many small receivers never send: an empty Expect header turns that off.
  all_headers.emplace_back("Expect:");
  for (const std::string& header : all_headers) {
    curl_slist* appended = curl_slist_append(header_list.get(), header.c_str());
    if (appended == nullptr) return makeError(url + ": out of memory for headers");
    (void)header_list.release();
    header_list.reset(appended);
  }
  HttpResponse response;
  char error_text[CURL_ERROR_SIZE] = {};
  CURL* curl = handle.get();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  // No signals: the delivery thread is not the main thread, and timeouts must not use SIGALRM.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    return makeError(fmt::format("{} {}: {}", method, url, detail));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace camwatch
