#include "alert/alert_output.h"

#include <csignal>

#include <fmt/format.h>

#include "sinks/alertmanager/alertmanager_alert_sink.h"
#include "sinks/jsonl/jsonl_alert_sink.h"
#include "sinks/stdout/stdout_alert_sink.h"
#include "sinks/syslog/syslog_alert_sink.h"
#include "sinks/webhook/webhook_alert_sink.h"

namespace camwatch {
namespace {

// The jsonl sinks a SIGHUP reopens. Written before the handler is installed, read only by it.
constexpr std::size_t kMaxReopenSinks = 16;
JsonlAlertSink* g_reopen_sinks[kMaxReopenSinks] = {};
std::atomic<std::size_t> g_reopen_count{0};

extern "C" void onSighup(int /*signal*/) {
  const std::size_t count = g_reopen_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < count; ++i) g_reopen_sinks[i]->requestReopen();
}

}  // namespace

void reopenAlertLogFiles() { onSighup(SIGHUP); }

namespace {

HttpTimeouts timeoutsOf(const AlertSinkConfig& sink) {
  HttpTimeouts timeouts;
  timeouts.connect = sink.connect_timeout;
  timeouts.total = sink.timeout;
  return timeouts;
}

}  // namespace

Result<std::vector<AlertSinkPtr>> makeAlertSinks(const AlertsConfig& config) {
  std::vector<AlertSinkPtr> sinks;
  std::vector<JsonlAlertSink*> reopenable;
  for (const AlertSinkConfig& sink : config.sinks) {
    auto failed = [&](const std::string& message) {
      return makeError(fmt::format("alert sink '{}' ({}): {}", sink.name, sink.type, message));
    };
    if (sink.type == "jsonl") {
      JsonlSinkOptions options;
      options.name = sink.name;
      options.path = sink.path;
      options.fsync = sink.fsync;
      auto opened = JsonlAlertSink::open(options);
      if (!opened) return failed(opened.error().message);
      reopenable.push_back(opened->get());
      sinks.push_back(std::move(*opened));
    } else if (sink.type == "stdout") {
      sinks.push_back(std::make_unique<StdoutAlertSink>(sink.name));
    } else if (sink.type == "syslog") {
      SyslogSinkOptions options;
      options.name = sink.name;
      options.ident = sink.ident;
      options.facility = sink.facility;
      options.socket = sink.socket;
      auto opened = SyslogAlertSink::open(options);
      if (!opened) return failed(opened.error().message);
      sinks.push_back(std::move(*opened));
    } else if (sink.type == "webhook") {
      WebhookSinkOptions options;
      options.name = sink.name;
      options.url = sink.urls.front();
      options.headers = sink.headers;
      options.bearer_token_file = sink.bearer_token_file;
      options.one_per_request = sink.one_per_request;
      options.timeouts = timeoutsOf(sink);
      auto opened = WebhookAlertSink::open(options);
      if (!opened) return failed(opened.error().message);
      sinks.push_back(std::move(*opened));
    } else if (sink.type == "alertmanager") {
      AlertmanagerSinkOptions options;
      options.name = sink.name;
      options.urls = sink.urls;
      options.alertname = sink.alertname;
      options.generator_url = sink.generator_url;
      options.extra_labels = sink.labels;
      options.headers = sink.headers;
      options.bearer_token_file = sink.bearer_token_file;
      options.timeouts = timeoutsOf(sink);
      auto opened = AlertmanagerAlertSink::open(options);
      if (!opened) return failed(opened.error().message);
      sinks.push_back(std::move(*opened));
    } else {
      return failed("unknown sink type");
    }
  }
  // Register for SIGHUP only now that every sink opened; the handler never sees a half list.
  if (!reopenable.empty() && g_reopen_count.load() == 0) {
    const std::size_t count = std::min(reopenable.size(), kMaxReopenSinks);
    for (std::size_t i = 0; i < count; ++i) g_reopen_sinks[i] = reopenable[i];
    g_reopen_count.store(count, std::memory_order_release);
    struct sigaction action = {};
    action.sa_handler = onSighup;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &action, nullptr);
  }
  return sinks;
}

Result<std::unique_ptr<DeliveryThread>> DeliveryThread::start(const AlertsConfig& config,
                                                              std::vector<AlertSinkPtr> sinks,
                                                              DeliveryLog log) {
  AlertSpoolOptions spool;
  spool.max_bytes = config.spool_max_bytes;
  spool.segment_bytes = config.spool_segment_bytes;
  DeliveryOptions options;
  options.batch_size = config.batch_size;
  options.retry.base = config.retry_base;
  options.retry.cap = config.retry_max;
  auto delivery = AlertDelivery::create(config.spool_dir, spool, std::move(sinks), options);
  if (!delivery) return tl::unexpected(delivery.error());
  for (const std::string& line : (*delivery)->spool().recoveryWarnings()) {
    log("alert spool: " + line);
  }
  std::unique_ptr<DeliveryThread> thread(new DeliveryThread(std::move(*delivery), std::move(log)));
  thread->thread_ = std::thread([raw = thread.get()] { raw->loop(); });
  return thread;
}

DeliveryThread::~DeliveryThread() { stop(); }

void DeliveryThread::loop() {
  while (true) {
    const DeliveryStep step = delivery_->runOnce(DeliveryClock::now());
    for (const std::string& line : step.log_lines) log_(line);
    if (!delivery_->waitForWork(step.next_due)) return;
  }
}

std::uint64_t DeliveryThread::pending() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < delivery_->sinkCount(); ++i) {
    total += delivery_->counters(i).pending.load(std::memory_order_relaxed);
  }
  return total;
}

bool DeliveryThread::drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pending() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void DeliveryThread::stop() {
  if (!thread_.joinable()) return;
  delivery_->stop();
  thread_.join();
}

}  // namespace camwatch
