#include "alert/alert_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include <camwatch/alert_json.h>

#include "util/durable_file.h"

namespace camwatch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSegmentPrefix = "segment-";
constexpr std::string_view kSegmentSuffix = ".jsonl";
constexpr std::string_view kStatePrefix = "state-";
constexpr std::string_view kStateSuffix = ".json";
// Small enough segments that tests with a tiny cap still get several; large enough that a
// production spool is not thousands of files.
constexpr std::uint64_t kMinSegmentBytes = 1024;

// The spool's own wording for a file it cannot read.
Result<std::string> readSpoolFile(const std::string& path) {
  auto text = readWholeFile(path);
  if (text) return std::move(*text);
  if (text.error().call == "open") {
    return makeError(fmt::format("{}: cannot open: {}", path, errnoText(text.error().error)));
  }
  return makeError(path + ": read error");
}

bool validSinkName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::optional<std::uint64_t> parseDecimal(std::string_view digits) {
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Parses one segment line's envelope; the alert itself is decoded only when it is handed out.
std::optional<std::uint64_t> lineSeq(const nlohmann::json& line) {
  if (!line.is_object()) return std::nullopt;
  auto seq = line.find("seq");
  if (seq == line.end() || !seq->is_number_unsigned() || !line.contains("alert")) {
    return std::nullopt;
  }
  return seq->get<std::uint64_t>();
}

// The seq of a record as appendAll() writes it, read without parsing the line: nlohmann's object
// keeps its keys sorted, so a record ends in `,"seq":N}` ("alert" < "seq"). Nothing when the line
// does not end that way (pending() then parses it). Only used to skip what a sink has had.
std::optional<std::uint64_t> trailingSeq(std::string_view line) {
  constexpr std::string_view kKey = ",\"seq\":";
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t digits = line.size() - 1;
  while (digits > 0 && line[digits - 1] >= '0' && line[digits - 1] <= '9') --digits;
  const std::size_t count = line.size() - 1 - digits;
  if (count == 0 || count > 19 || digits < kKey.size() ||
      line.substr(digits - kKey.size(), kKey.size()) != kKey) {
    return std::nullopt;
  }
  std::uint64_t seq = 0;
  for (std::size_t i = digits; i < line.size() - 1; ++i) {
    seq = seq * 10 + static_cast<std::uint64_t>(line[i] - '0');
  }
  return seq;
}

}  // namespace

AlertSpool::AlertSpool(std::string directory, std::vector<std::string> sink_names,
                       const AlertSpoolOptions& options)
    : directory_(std::move(directory)),
      sink_names_(std::move(sink_names)),
      max_bytes_(std::max<std::uint64_t>(options.max_bytes, kMinSegmentBytes)),
      segment_bytes_(
          std::max(kMinSegmentBytes, std::min(options.segment_bytes, options.max_bytes / 4))),
      acked_(sink_names_.size(), 0) {}

AlertSpool::~AlertSpool() { closeActive(); }

Result<std::unique_ptr<AlertSpool>> AlertSpool::open(const std::string& directory,
                                                     std::vector<std::string> sink_names,
                                                     const AlertSpoolOptions& options) {
  for (std::size_t i = 0; i < sink_names.size(); ++i) {
    if (!validSinkName(sink_names[i])) {
      return makeError(
          fmt::format("alert spool: sink name '{}' may only use A-Z a-z 0-9 _ . -", sink_names[i]));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (sink_names[i] == sink_names[j]) {
        return makeError("alert spool: two sinks are named " + sink_names[i]);
      }
    }
  }
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return makeError(fmt::format("{}: cannot create: {}", directory, error.message()));
  std::unique_ptr<AlertSpool> spool(new AlertSpool(directory, std::move(sink_names), options));
  if (auto recovered = spool->recover(); !recovered) return tl::unexpected(recovered.error());
  return spool;
}

Result<void> AlertSpool::recover() {
  std::error_code error;
  std::uint64_t state_high = 0;
  std::vector<bool> has_state(sink_names_.size(), false);
  for (const auto& entry : fs::directory_iterator(directory_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(kSegmentPrefix) && name.ends_with(kSegmentSuffix)) {
      const std::string_view digits = std::string_view(name).substr(
          kSegmentPrefix.size(), name.size() - kSegmentPrefix.size() - kSegmentSuffix.size());
      auto first = parseDecimal(digits);
      if (!first || *first == 0) {
        warnings_.push_back(entry.path().string() + ": not a segment name, ignored");
        continue;
      }
      segments_.push_back(Segment{entry.path().string(), *first, *first - 1, 0});
    } else if (name.starts_with(kStatePrefix) && name.ends_with(kStateSuffix)) {
      auto text = readSpoolFile(entry.path().string());
      if (!text) return tl::unexpected(text.error());
      auto json = nlohmann::json::parse(*text, nullptr, false);
      auto found = json.is_object() ? json.find("delivered_up_to") : json.end();
      if (json.is_discarded() || found == json.end() || !found->is_number_unsigned()) {
        return makeError(entry.path().string() + ": not a spool state file");
      }
      const auto up_to = found->get<std::uint64_t>();
      // Every state file, also of sinks no longer configured, keeps the sequence from going
      // backwards when all segments were collected.
      state_high = std::max(state_high, up_to);
      const std::string sink =
          name.substr(kStatePrefix.size(), name.size() - kStatePrefix.size() - kStateSuffix.size());
      for (std::size_t i = 0; i < sink_names_.size(); ++i) {
        if (sink_names_[i] == sink) {
          acked_[i] = up_to;
          has_state[i] = true;
        }
      }
    }
  }
  if (error) return makeError(fmt::format("{}: cannot list: {}", directory_, error.message()));
  std::sort(segments_.begin(), segments_.end(),
            [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    if (auto ok = recoverSegment(segments_[i]); !ok) return ok;
  }
  // Segments that hold nothing (a crash right after creating one) are only clutter.
  std::erase_if(segments_, [](const Segment& segment) {
    if (segment.bytes != 0) return false;
    fs::remove(segment.path);
    return true;
  });
  last_seq_ = state_high;
  total_bytes_ = 0;
  for (const Segment& segment : segments_) {
    last_seq_ = std::max(last_seq_, segment.last_seq);
    total_bytes_ += segment.bytes;
  }
  for (std::size_t i = 0; i < sink_names_.size(); ++i) {
    if (has_state[i]) continue;
    acked_[i] = last_seq_;
    if (auto written = writeState(i, last_seq_); !written) return written;
  }
  collectGarbage();
  return {};
}

Result<void> AlertSpool::recoverSegment(Segment& segment) {
  auto text = readSpoolFile(segment.path);
  if (!text) return tl::unexpected(text.error());
  std::size_t keep = text->size();
  const std::size_t last_newline = text->rfind('\n');
  const std::size_t complete = last_newline == std::string::npos ? 0 : last_newline + 1;
  if (complete != text->size()) {
    // A line without its newline is a write the crash cut short: it was never acknowledged to
    // the caller (append() returns after fdatasync), so cutting it off loses nothing promised.
    warnings_.push_back(fmt::format("{}: cut off a torn last line of {} bytes", segment.path,
                                    text->size() - complete));
    keep = complete;
    if (::truncate(segment.path.c_str(), static_cast<off_t>(keep)) != 0) {
      return makeError(fmt::format("{}: truncate: {}", segment.path, errnoText(errno)));
    }
  }
  std::size_t start = 0;
  std::uint64_t line_number = 0;
  while (start < keep) {
    const std::size_t end = text->find('\n', start);
    const std::string_view line(text->data() + start, end - start);
    ++line_number;
    auto json = nlohmann::json::parse(line, nullptr, false);
    auto seq = json.is_discarded() ? std::nullopt : lineSeq(json);
    if (!seq) {
      warnings_.push_back(
          fmt::format("{}: line {}: not a spool record, skipped", segment.path, line_number));
    } else if (auto alert = alertFromJson(json["alert"]); !alert) {
      // pending() skips it too; said once here rather than on every read.
      warnings_.push_back(fmt::format("{}: line {}: {}, skipped", segment.path, line_number,
                                      alert.error().message));
      segment.last_seq = std::max(segment.last_seq, *seq);
    } else {
      segment.last_seq = std::max(segment.last_seq, *seq);
    }
    start = end + 1;
  }
  segment.bytes = keep;
  return {};
}

Result<void> AlertSpool::writeState(std::size_t sink, std::uint64_t up_to_seq) {
  const std::string path =
      fmt::format("{}/{}{}{}", directory_, kStatePrefix, sink_names_[sink], kStateSuffix);
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return makeError(fmt::format("{}: open: {}", temp, errnoText(errno)));
  auto written = writeAll(fd, fmt::format("{{\"delivered_up_to\":{}}}\n", up_to_seq), temp);
  if (written && ::fsync(fd) != 0) {
    written = makeError(fmt::format("{}: fsync: {}", temp, errnoText(errno)));
  }
  ::close(fd);
  if (!written) return written;
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return makeError(fmt::format("{}: rename: {}", path, errnoText(errno)));
  }
  return syncDirectory(directory_);
}

Result<void> AlertSpool::startSegment(std::uint64_t first_seq) {
  const std::string path =
      fmt::format("{}/{}{:020}{}", directory_, kSegmentPrefix, first_seq, kSegmentSuffix);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return makeError(fmt::format("{}: open: {}", path, errnoText(errno)));
  if (auto synced = syncDirectory(directory_); !synced) {
    ::close(fd);
    return synced;
  }
  active_fd_ = fd;
  segments_.push_back(Segment{path, first_seq, first_seq - 1, 0});
  return {};
}

void AlertSpool::closeActive() {
  if (active_fd_ >= 0) ::close(active_fd_);
  active_fd_ = -1;
}

std::uint64_t AlertSpool::undeliveredIn(const Segment& segment, std::uint64_t acked) const {
  // Sequence numbers within a segment are consecutive (appends are serialised), so a count is
  // a subtraction; a record skipped at recovery makes it one too high, which is harmless.
  if (segment.last_seq <= acked || segment.last_seq < segment.first_seq) return 0;
  return segment.last_seq - std::max(acked, segment.first_seq - 1);
}

void AlertSpool::dropOldest(SpoolDrop& drop) {
  const Segment segment = segments_.front();
  if (segments_.size() == 1) closeActive();
  segments_.erase(segments_.begin());
  fs::remove(segment.path);
  total_bytes_ -= segment.bytes;
  std::uint64_t min_acked = last_seq_;
  for (std::size_t i = 0; i < acked_.size(); ++i) {
    drop.per_sink[i] += undeliveredIn(segment, acked_[i]);
    min_acked = std::min(min_acked, acked_[i]);
    // The records are gone: the sink can never get them, so its cursor moves past them (in
    // memory; the file follows with its next acknowledgement).
    acked_[i] = std::max(acked_[i], segment.last_seq);
  }
  const std::uint64_t lost = undeliveredIn(segment, min_acked);
  if (lost > 0) {
    if (drop.alerts == 0) drop.first_seq = std::max(segment.first_seq, min_acked + 1);
    drop.last_seq = segment.last_seq;
  }
  drop.alerts += lost;
  drop.bytes += segment.bytes;
}

void AlertSpool::collectGarbage() {
  std::uint64_t min_acked = last_seq_;
  for (std::uint64_t acked : acked_) min_acked = std::min(min_acked, acked);
  // The newest segment stays: its name and records keep the sequence high-water mark on disk.
  while (segments_.size() > 1 && segments_.front().last_seq <= min_acked) {
    fs::remove(segments_.front().path);
    total_bytes_ -= segments_.front().bytes;
    segments_.erase(segments_.begin());
  }
}

Result<SpoolAppend> AlertSpool::append(const Alert& alert) {
  SpoolAppend appended = appendAll(std::span<const Alert>(&alert, 1));
  if (appended.write_error) return makeError(*appended.write_error);
  return appended;
}

SpoolAppend AlertSpool::appendAll(std::span<const Alert> alerts) {
  std::lock_guard lock(mutex_);
  SpoolAppend result;
  result.drop.per_sink.assign(sink_names_.size(), 0);
  std::size_t next = 0;
  while (next < alerts.size()) {
    // One chunk: as many records as fit in the active segment (at least one), one write and
    // one fdatasync, so an alert storm costs a sync per segment, not per alert.
    const std::uint64_t first_seq = last_seq_ + 1;
    std::uint64_t seq = first_seq;
    const std::uint64_t used = active_fd_ >= 0 ? segments_.back().bytes : 0;
    const std::uint64_t room = segment_bytes_ > used ? segment_bytes_ - used : 0;
    std::string chunk;
    while (next < alerts.size()) {
      nlohmann::json record;
      record["seq"] = seq;
      record["alert"] = alertToJson(alerts[next]);
      const std::string line =
          record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      if (!chunk.empty() && chunk.size() + line.size() > room) break;
      chunk += line;
      ++seq;
      ++next;
    }
    const std::uint64_t size = chunk.size();

    if (active_fd_ >= 0 && segments_.back().bytes + size > segment_bytes_) closeActive();
    while (!segments_.empty() && total_bytes_ + size > max_bytes_) dropOldest(result.drop);
    if (active_fd_ < 0) {
      if (auto started = startSegment(first_seq); !started) {
        result.write_error = started.error().message;
        return result;
      }
    }
    Segment& segment = segments_.back();
    auto written = writeAll(active_fd_, chunk, segment.path);
    if (written && ::fdatasync(active_fd_) != 0) {
      written = makeError(fmt::format("{}: fdatasync: {}", segment.path, errnoText(errno)));
    }
    if (!written) {
      // Cut the chunk off so the file holds only whole, acknowledged records; the caller decides
      // whether to retry (result.appended of them made it). Records before it are untouched.
      if (::ftruncate(active_fd_, static_cast<off_t>(segment.bytes)) != 0) {
        closeActive();  // the next append starts a fresh segment rather than extend a torn one
      }
      result.write_error = written.error().message;
      return result;
    }
    segment.bytes += size;
    segment.last_seq = seq - 1;
    total_bytes_ += size;
    last_seq_ = seq - 1;
    result.seq = seq - 1;
    result.appended += seq - first_seq;
  }
  return result;
}

Result<std::vector<SpooledAlert>> AlertSpool::pending(std::size_t sink, std::size_t max_count) {
  std::lock_guard lock(mutex_);
  std::vector<SpooledAlert> out;
  const std::uint64_t acked = acked_.at(sink);
  for (const Segment& segment : segments_) {
    if (out.size() >= max_count) break;
    if (segment.last_seq <= acked || segment.bytes == 0) continue;
    auto text = readSpoolFile(segment.path);
    if (!text) return tl::unexpected(text.error());
    // Only what was appended and synced counts: bytes past segment.bytes cannot exist, but a
    // concurrent reader must not trust the file size over the index.
    text->resize(std::min<std::size_t>(text->size(), segment.bytes));
    std::size_t start = 0;
    while (start < text->size() && out.size() < max_count) {
      std::size_t end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      const std::string_view line(text->data() + start, end - start);
      start = end + 1;
      // Lines the sink has had are skipped without parsing them: a segment is read again for
      // every batch, and parsing all of it each time made delivery quadratic in its length.
      if (auto seq = trailingSeq(line); seq && *seq <= acked) continue;
      auto json = nlohmann::json::parse(line, nullptr, false);
      auto seq = json.is_discarded() ? std::nullopt : lineSeq(json);
      if (!seq || *seq <= acked) continue;  // skipped (and warned about) at recovery
      auto alert = alertFromJson(json["alert"]);
      if (!alert) continue;  // named in recoveryWarnings()
      out.push_back(SpooledAlert{*seq, std::move(*alert)});
    }
  }
  return out;
}

Result<void> AlertSpool::markDelivered(std::size_t sink, std::uint64_t up_to_seq) {
  std::lock_guard lock(mutex_);
  if (up_to_seq <= acked_.at(sink)) return {};
  if (auto written = writeState(sink, up_to_seq); !written) return written;
  acked_[sink] = up_to_seq;
  collectGarbage();
  return {};
}

std::uint64_t AlertSpool::deliveredUpTo(std::size_t sink) const {
  std::lock_guard lock(mutex_);
  return acked_.at(sink);
}

std::uint64_t AlertSpool::pendingCount(std::size_t sink) const {
  std::lock_guard lock(mutex_);
  std::uint64_t count = 0;
  for (const Segment& segment : segments_) count += undeliveredIn(segment, acked_.at(sink));
  return count;
}

std::uint64_t AlertSpool::lastSeq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

std::uint64_t AlertSpool::bytes() const {
  std::lock_guard lock(mutex_);
  return total_bytes_;
}

std::size_t AlertSpool::segmentCount() const {
  std::lock_guard lock(mutex_);
  return segments_.size();
}

}  // namespace camwatch
