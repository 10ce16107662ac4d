// Shared by the learned-baseline tests (learned_baseline_test.cc, baseline_destinations_test.cc):
// the sample baseline whose state file and description they work out by hand, the facts it is
// learnt from, and reading a state file back.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <camwatch/baseline.h>

namespace camwatch::testing {

inline constexpr Timestamp kJan15 = 1'768'467'600LL * kNanosPerSecond;  // 2026-01-15T09:00:00Z

/// Views into string literals and a parsed address: the facts stay valid for the whole test.
inline BaselineFacts facts(std::string_view group, std::string_view hostname, std::uint32_t asn,
                           std::string_view country, std::string_view protocol,
                           std::string_view ip = "203.0.113.10") {
  BaselineFacts out;
  out.group = group;
  out.hostname = hostname;
  out.asn = asn;
  out.country = country;
  out.protocol = protocol;
  out.ip = *IpAddress::parse(ip);
  return out;
}

/// Two groups, names with and without places, nameless addresses of both families.
inline LearnedBaseline sampleBaseline() {
  LearnedBaseline baseline;
  baseline.setLearningStarted(kJan15 + 123'456'789);
  baseline.learn(facts("lobby", "b.example.com", 64500, "DE", "TLS.HikConnect"));
  baseline.learn(facts("lobby", "a.example.com", 13335, "US", "TLS"));
  baseline.learn(facts("lobby", "", 0, "CN", "Unknown", "2001:db8::5"));
  baseline.learn(facts("lobby", "", 0, "CN", "STUN", "198.51.100.7"));
  baseline.learn(facts("garage", "ntp.example.org", 0, "", "NTP"));
  return baseline;
}

inline std::string readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace camwatch::testing
