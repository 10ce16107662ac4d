// DNS messages come from devices we do not trust: every offset is checked against the message,
// compression pointers may only point backwards (which also rules out loops), and names are
// decoded into fixed buffers.
#include <algorithm>
#include <cstring>

#include <camwatch/dns.h>

#include "util/byte_order.h"
#include "util/text.h"

namespace camwatch {
namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kClassIn = 1;
constexpr std::size_t kMaxCnames = 16;

struct Name {
  std::array<char, kMaxDnsName + 1> text{};
  std::size_t length = 0;
  std::string_view view() const { return {text.data(), length}; }
};

// Decodes the name at `offset`, lower-cased, into `name`; sets `next` to the offset after the
// name as it is written at `offset` (a pointer ends it). Returns false on any malformed input.
bool readName(std::span<const std::uint8_t> message, std::size_t offset, Name& name,
              std::size_t& next) {
  name.length = 0;
  bool jumped = false;
  std::size_t cursor = offset;
  std::size_t lowest_target = offset;  // pointers must go strictly backwards from here
  while (true) {
    if (cursor >= message.size()) return false;
    const std::uint8_t label = message[cursor];
    if ((label & 0xc0U) == 0xc0U) {
      if (cursor + 1 >= message.size()) return false;
      const std::size_t target = ((label & 0x3fU) << 8U) | message[cursor + 1];
      if (target >= lowest_target) return false;
      if (!jumped) next = cursor + 2;
      jumped = true;
      lowest_target = target;
      cursor = target;
      continue;
    }
    if ((label & 0xc0U) != 0) return false;  // 0x40/0x80: obsolete or reserved label types
    if (label == 0) {
      if (!jumped) next = cursor + 1;
      if (name.length == 0) {
        name.text[0] = '.';  // the root
        name.length = 1;
      }
      name.text[name.length] = '\0';
      return true;
    }
    if (cursor + 1 + label > message.size()) return false;
    const std::size_t needed = name.length + (name.length > 0 ? 1U : 0U) + label;
    if (needed > kMaxDnsName - 1) return false;
    if (name.length > 0) name.text[name.length++] = '.';
    // Bytes that are not printable ASCII become "\DDD" (escapeNameByte); a name that no longer
    // fits then is malformed, as one too long on the wire is.
    for (std::size_t i = 0; i < label; ++i) {
      const auto byte =
          static_cast<unsigned char>(lowerAscii(static_cast<char>(message[cursor + 1 + i])));
      const std::size_t written =
          escapeNameByte(byte, name.text.data() + name.length, kMaxDnsName - 1 - name.length);
      if (written == 0) return false;
      name.length += written;
    }
    cursor += 1U + label;
  }
}

}  // namespace

DnsParseResult parseDnsResponse(std::span<const std::uint8_t> message,
                                FunctionRef<void(const DnsAnswer&)> on_answer) {
  if (message.size() < 12) return DnsParseResult::kTruncated;
  const std::uint16_t flags = be16(message.data() + 2);
  if ((flags & 0x8000U) == 0) return DnsParseResult::kNotAResponse;
  const std::uint16_t questions = be16(message.data() + 4);
  const std::uint16_t answers = be16(message.data() + 6);
  if (answers == 0) return DnsParseResult::kNoAnswers;

  std::size_t cursor = 12;
  Name question;
  bool have_question = false;
  for (std::uint16_t i = 0; i < questions; ++i) {
    Name name;
    std::size_t next = 0;
    if (!readName(message, cursor, name, next)) return DnsParseResult::kBadName;
    if (next + 4 > message.size()) return DnsParseResult::kTruncated;
    if (!have_question) {
      question = name;
      have_question = true;
    }
    cursor = next + 4;
  }

  // CNAME chain from the question: the names that stand for it.
  std::array<Name, kMaxCnames> aliases;
  std::size_t alias_count = 0;
  bool emitted = false;
  for (std::uint16_t i = 0; i < answers; ++i) {
    Name owner;
    std::size_t next = 0;
    if (!readName(message, cursor, owner, next)) return DnsParseResult::kBadName;
    if (next + 10 > message.size()) return DnsParseResult::kTruncated;
    const std::uint16_t type = be16(message.data() + next);
    const std::uint16_t klass = be16(message.data() + next + 2);
    const std::uint32_t ttl = be32(message.data() + next + 4);
    const std::uint16_t rdlength = be16(message.data() + next + 8);
    const std::size_t rdata = next + 10;
    if (rdata + rdlength > message.size()) return DnsParseResult::kTruncated;
    cursor = rdata + rdlength;
    if (klass != kClassIn) continue;

    // Does this record belong to the question's chain? Then it is reported under the question.
    bool in_chain = have_question && owner.view() == question.view();
    for (std::size_t a = 0; a < alias_count && !in_chain; ++a)
      in_chain = owner.view() == aliases[a].view();
    if (type == kTypeCname) {
      Name target;
      std::size_t ignored = 0;
      if (!readName(message, rdata, target, ignored)) return DnsParseResult::kBadName;
      if (in_chain && alias_count < kMaxCnames) aliases[alias_count++] = target;
      continue;
    }
    if ((type == kTypeA && rdlength == 4) || (type == kTypeAaaa && rdlength == 16)) {
      DnsAnswer answer;
      answer.name = in_chain ? question.view() : owner.view();
      answer.address = type == kTypeA ? IpAddress::fromV4(message.data() + rdata)
                                      : IpAddress::fromV6(message.data() + rdata);
      answer.ttl = ttl;
      on_answer(answer);
      emitted = true;
    }
  }
  return emitted ? DnsParseResult::kOk : DnsParseResult::kNoAnswers;
}

DnsCache::DnsCache(const DnsCacheConfig& config) : config_(config) {
  // Round the number of sets up to a power of two, at least one set per shard.
  std::uint32_t sets = kShards;
  while (std::uint64_t{sets} * kWays < config.capacity) sets <<= 1U;
  sets_ = sets;
  entries_ = std::make_unique<Entry[]>(std::size_t{sets_} * kWays);
  shards_ = std::make_unique<Shard[]>(kShards);
}

std::uint32_t DnsCache::setOf(const IpAddress& address) const {
  // IPv4 addresses are stored mapped: half of the bytes are constant, so every bit of the
  // address has to reach the bits that pick the set.
  std::uint64_t words[2];
  std::memcpy(words, address.bytes.data(), 16);
  std::uint64_t hash = words[0] * 0x9e3779b97f4a7c15ULL;
  hash ^= words[1] + (hash >> 32U);
  hash *= 0xbf58476d1ce4e5b9ULL;
  hash ^= hash >> 31U;
  hash *= 0x94d049bb133111ebULL;
  hash ^= hash >> 29U;
  return static_cast<std::uint32_t>(hash >> 32U) & (sets_ - 1);
}

void DnsCache::insert(const IpAddress& address, std::string_view name, std::uint32_t ttl_seconds,
                      Timestamp now) {
  const Timestamp ttl = std::clamp(static_cast<Timestamp>(ttl_seconds) * kNanosPerSecond,
                                   config_.min_ttl, config_.max_ttl);
  const std::uint32_t set = setOf(address);
  std::lock_guard lock(shards_[set % kShards].mutex);
  Entry* ways = entries_.get() + std::size_t{set} * kWays;
  Entry* victim = &ways[0];
  for (std::uint32_t w = 0; w < kWays; ++w) {
    if (ways[w].expires != 0 && ways[w].address == address) {
      victim = &ways[w];
      break;
    }
    if (ways[w].expires < victim->expires) victim = &ways[w];  // empty (0) or soonest to expire
  }
  const std::size_t length = std::min(name.size(), kMaxDnsName);
  const bool same_answer = victim->expires != 0 && victim->address == address &&
                           std::strlen(victim->name.data()) == length &&
                           std::memcmp(victim->name.data(), name.data(), length) == 0;
  if (same_answer) {
    // The same answer again (a camera re-resolving every few minutes): keep when it was first
    // learnt, so flows that started in between stay named, and extend its life.
    victim->expires = std::max(victim->expires, now + ttl);
    victim->ttl_seconds = ttl_seconds;
    return;
  }
  if (victim->expires > now && !(victim->address == address)) {
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  victim->address = address;
  victim->learnt = now;
  victim->expires = now + ttl;
  victim->ttl_seconds = ttl_seconds;
  std::memcpy(victim->name.data(), name.data(), length);
  victim->name[length] = '\0';
}

bool DnsCache::lookup(const IpAddress& address, Timestamp now, std::span<char> out,
                      std::uint32_t* ttl_seconds) const {
  if (out.empty()) return false;
  const std::uint32_t set = setOf(address);
  std::lock_guard lock(shards_[set % kShards].mutex);
  const Entry* ways = entries_.get() + std::size_t{set} * kWays;
  for (std::uint32_t w = 0; w < kWays; ++w) {
    const Entry& entry = ways[w];
    if (entry.expires != 0 && entry.address == address && entry.learnt <= now &&
        now < entry.expires) {
      const std::size_t length = std::min(std::strlen(entry.name.data()), out.size() - 1);
      std::memcpy(out.data(), entry.name.data(), length);
      out[length] = '\0';
      if (ttl_seconds != nullptr) *ttl_seconds = entry.ttl_seconds;
      return true;
    }
  }
  return false;
}

std::uint64_t DnsCache::size() const {
  std::uint64_t count = 0;
  for (std::uint32_t set = 0; set < sets_; ++set) {
    std::lock_guard lock(shards_[set % kShards].mutex);
    for (std::uint32_t w = 0; w < kWays; ++w)
      count += entries_[std::size_t{set} * kWays + w].expires != 0 ? 1U : 0U;
  }
  return count;
}

}  // namespace camwatch
