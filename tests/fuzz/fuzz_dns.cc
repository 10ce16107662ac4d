// fuzz_dns: arbitrary bytes as a DNS response message (parseDnsResponse), every answer into a
// small DnsCache and looked up again.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <camwatch/dns.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace camwatch;
  DnsCacheConfig config;
  config.capacity = 64;
  DnsCache cache(config);
  const Timestamp now = 1'700'000'000 * kNanosPerSecond;
  std::vector<IpAddress> answered;
  const DnsParseResult result =
      parseDnsResponse(std::span<const std::uint8_t>(data, size), [&](const DnsAnswer& answer) {
        // The name must be text of at most kMaxDnsName characters, readable in full.
        if (answer.name.size() > kMaxDnsName) std::abort();
        volatile std::size_t sum = 0;
        for (char c : answer.name) sum = sum + static_cast<unsigned char>(c);
        cache.insert(answer.address, answer.name, answer.ttl, now);
        answered.push_back(answer.address);
      });
  (void)result;
  std::array<char, kMaxDnsName + 1> name{};
  for (const IpAddress& address : answered) {
    if (cache.lookup(address, now, name) && std::strlen(name.data()) > kMaxDnsName) std::abort();
  }
  return 0;
}
