#include <algorithm>

#include <camwatch/capture.h>

namespace camwatch {

Result<std::unique_ptr<MergedCaptureReader>> MergedCaptureReader::open(
    const std::vector<std::string>& paths, const std::string& bpf) {
  auto reader = std::unique_ptr<MergedCaptureReader>(new MergedCaptureReader());
  for (const std::string& path : paths) {
    auto file = CaptureFile::open(path, bpf);
    if (!file) return tl::unexpected(file.error());
    CaptureFileStats stats;
    stats.path = path;
    stats.link_type = dltName((*file)->dlt());
    reader->stats_.push_back(std::move(stats));
    reader->files_.push_back(std::move(*file));
  }
  reader->heads_.resize(reader->files_.size());
  return reader;
}

bool MergedCaptureReader::comesAfter(std::size_t a, std::size_t b) const {
  // std heaps are max-heaps: ordering by "comes after" puts the earliest packet on top.
  const Timestamp ta = heads_[a].packet.ts;
  const Timestamp tb = heads_[b].packet.ts;
  return ta != tb ? ta > tb : a > b;
}

void MergedCaptureReader::advance(std::size_t file) {
  Head& head = heads_[file];
  const ReadStatus status = files_[file]->next(head.packet);
  head.valid = status == ReadStatus::kPacket;
  if (status == ReadStatus::kError) stats_[file].error = files_[file]->error();
  if (!head.valid) return;
  CaptureFileStats& stats = stats_[file];
  if (stats.packets == 0) stats.first_ts = head.packet.ts;
  stats.last_ts = std::max(stats.last_ts, head.packet.ts);
  ++stats.packets;
  stats.wire_bytes += head.packet.wire_len;
  heap_.push_back(file);
  std::push_heap(heap_.begin(), heap_.end(), [this](auto a, auto b) { return comesAfter(a, b); });
}

bool MergedCaptureReader::next(RawPacket& packet) {
  if (!started_) {
    started_ = true;
    for (std::size_t file = 0; file < files_.size(); ++file) advance(file);
  } else {
    // The previous packet was a view into this file's buffer: only now may it be replaced.
    advance(last_file_);
  }
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), [this](auto a, auto b) { return comesAfter(a, b); });
  last_file_ = heap_.back();
  heap_.pop_back();
  packet = heads_[last_file_].packet;
  return true;
}

std::vector<std::string> MergedCaptureReader::errors() const {
  std::vector<std::string> errors;
  for (const CaptureFileStats& stats : stats_) {
    if (!stats.error.empty()) errors.push_back(stats.error);
  }
  return errors;
}

std::uint64_t MergedCaptureReader::inputSize() const {
  std::uint64_t total = 0;
  for (const auto& file : files_) total += file->inputSize();
  return total;
}

std::uint64_t MergedCaptureReader::inputBytesRead() const {
  std::uint64_t total = 0;
  for (const auto& file : files_) total += file->inputBytesRead();
  return total;
}

}  // namespace camwatch
