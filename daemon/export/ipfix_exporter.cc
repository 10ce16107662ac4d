#include "export/ipfix_exporter.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace camwatch {
namespace {

constexpr std::chrono::seconds kMaxBackoff{30};
constexpr std::chrono::seconds kTroubleLogPeriod{60};
// The thread looks at the clock at least this often (UDP template refresh, TCP reconnect).
constexpr std::chrono::seconds kWakeUp{1};

IpfixEncoderOptions encoderOptions(const IpfixExportOptions& options) {
  IpfixEncoderOptions encoder;
  encoder.enterprise_number = options.enterprise_number;
  encoder.observation_domain = options.observation_domain;
  // A UDP message is one datagram; a TCP stream takes the largest message IPFIX allows.
  encoder.max_message_bytes = options.collector.transport == IpfixTransport::kUdp ? 1400 : 65535;
  return encoder;
}

}  // namespace

Result<std::unique_ptr<IpfixExporter>> IpfixExporter::start(const IpfixExportOptions& options,
                                                            IpfixLog log) {
  auto encoder = IpfixEncoder::create(encoderOptions(options));
  if (!encoder) return tl::unexpected(encoder.error());
  std::unique_ptr<IpfixExporter> exporter(
      new IpfixExporter(options, std::move(log), std::move(*encoder)));
  exporter->thread_ = std::thread([raw = exporter.get()] { raw->run(); });
  return exporter;
}

IpfixExporter::IpfixExporter(const IpfixExportOptions& options, IpfixLog log,
                             std::unique_ptr<IpfixEncoder> encoder)
    : options_(options),
      log_(std::move(log)),
      encoder_(std::move(encoder)),
      connection_(options.collector, options.timeout) {}

IpfixExporter::~IpfixExporter() { stop(); }

void IpfixExporter::add(const FlowRecord& flow, const NamingSnapshot& naming,
                        const ProtocolNames& names) {
  IpfixFlow named = nameIpfixFlow(flow, naming, names);
  bool was_empty = false;
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued) {
      counts_.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    was_empty = queue_.empty();
    queue_.push_back(std::move(named));
  }
  if (was_empty) wake_.notify_one();
}

void IpfixExporter::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void IpfixExporter::run() {
  std::vector<IpfixFlow> batch;
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, kWakeUp, [this] { return stopping_ || !queue_.empty(); });
    batch.swap(queue_);
    const bool stopping = stopping_;
    lock.unlock();
    const Clock::time_point now = Clock::now();
    // The last records get one more try whatever the backoff: nothing comes after them.
    if (stopping) next_connect_ = Clock::time_point{};
    if (!batch.empty()) exportBatch(batch);
    batch.clear();
    refreshTemplates(now);
    lock.lock();
    if (stopping && queue_.empty()) break;
  }
  lock.unlock();
  connection_.close();
}

bool IpfixExporter::ensureConnected(Clock::time_point now) {
  if (connection_.peerClosed()) {
    // Found before a message is lost to it: connect again now.
    connection_.close();
    counts_.errors.fetch_add(1, std::memory_order_relaxed);
    trouble(
        fmt::format("IPFIX collector {}: the collector closed the connection", connection_.name()));
    next_connect_ = now;
  }
  if (connection_.isOpen()) return true;
  if (now < next_connect_) return false;
  if (auto opened = connection_.open(); !opened) {
    counts_.errors.fetch_add(1, std::memory_order_relaxed);
    next_connect_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    trouble(opened.error().message);
    return false;
  }
  backoff_ = std::chrono::seconds(1);
  // Over TCP a connection says the collector is back; a UDP socket says nothing of it.
  if (in_trouble_ && options_.collector.transport == IpfixTransport::kTcp && log_) {
    log_(fmt::format("IPFIX collector {}: connected again", connection_.name()));
  }
  in_trouble_ = false;
  // A TCP connection is a new transport session: a new encoder (sequence numbers from 0), and
  // the templates before any record. UDP keeps one session; its first open sends them too.
  if (options_.collector.transport == IpfixTransport::kTcp ||
      next_template_refresh_ == Clock::time_point{}) {
    if (options_.collector.transport == IpfixTransport::kTcp) {
      auto encoder = IpfixEncoder::create(encoderOptions(options_));
      if (!encoder) {
        trouble(encoder.error().message);
        connection_.close();
        return false;
      }
      encoder_ = std::move(*encoder);
    }
    if (auto templates = encoder_->exportTemplates(); !templates) {
      trouble(templates.error().message);
      return false;
    }
    next_template_refresh_ = now + options_.template_refresh;
    if (!sendMessages()) return false;
  }
  return true;
}

void IpfixExporter::exportBatch(const std::vector<IpfixFlow>& batch) {
  if (!ensureConnected(Clock::now())) {
    counts_.dropped.fetch_add(batch.size(), std::memory_order_relaxed);
    return;
  }
  std::size_t appended = 0;
  for (const IpfixFlow& flow : batch) {
    if (auto added = encoder_->append(flow); !added) {
      // libfixbuf refused the record itself: count it, go on with the next.
      counts_.dropped.fetch_add(1, std::memory_order_relaxed);
      trouble(added.error().message);
      continue;
    }
    ++appended;
    if (!sendMessages() && !connection_.isOpen()) {
      // TCP lost the connection: what this batch still holds waits for no one.
      counts_.dropped.fetch_add(batch.size() - appended, std::memory_order_relaxed);
      if (encoder_->flush()) {
        for (const IpfixMessage& unsent : encoder_->takeMessages()) {
          counts_.dropped.fetch_add(unsent.records, std::memory_order_relaxed);
        }
      }
      return;
    }
  }
  if (auto flushed = encoder_->flush(); !flushed) trouble(flushed.error().message);
  sendMessages();
}

bool IpfixExporter::sendMessages() {
  bool ok = true;
  for (const IpfixMessage& message : encoder_->takeMessages()) {
    if (!ok || !connection_.isOpen()) {
      counts_.dropped.fetch_add(message.records, std::memory_order_relaxed);
      continue;
    }
    if (auto sent = connection_.send(message.bytes); !sent) {
      counts_.errors.fetch_add(1, std::memory_order_relaxed);
      counts_.dropped.fetch_add(message.records, std::memory_order_relaxed);
      trouble(sent.error().message);
      if (!connection_.isOpen()) {
        next_connect_ = Clock::now() + backoff_;
        ok = false;
      }
      continue;
    }
    counts_.messages.fetch_add(1, std::memory_order_relaxed);
    counts_.exported.fetch_add(message.records, std::memory_order_relaxed);
  }
  return ok;
}

void IpfixExporter::refreshTemplates(Clock::time_point now) {
  if (options_.collector.transport != IpfixTransport::kUdp) return;
  if (!connection_.isOpen()) {
    ensureConnected(now);
    return;
  }
  if (now < next_template_refresh_) return;
  next_template_refresh_ = now + options_.template_refresh;
  if (auto templates = encoder_->exportTemplates(); !templates) {
    trouble(templates.error().message);
    return;
  }
  sendMessages();
}

// At most one line a minute, saying how many errors it stands for.
void IpfixExporter::trouble(const std::string& message) {
  in_trouble_ = true;
  const Clock::time_point now = Clock::now();
  if (now < next_trouble_log_) return;
  next_trouble_log_ = now + kTroubleLogPeriod;
  const std::uint64_t errors = counts_.errors.load(std::memory_order_relaxed);
  const std::uint64_t since = errors - errors_logged_;
  errors_logged_ = errors;
  if (!log_) return;
  log_(
      fmt::format("{}; records are dropped until it works ({} error(s) since the last report, "
                  "{} record(s) dropped in all; said at most once a minute)",
                  message, since, counts_.dropped.load(std::memory_order_relaxed)));
}

}  // namespace camwatch
