#include "alert/alert_delivery.h"

#include <gtest/gtest.h>

#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using namespace std::chrono_literals;
using testing::sampleAlert;
using testing::ScratchDir;

/// Fails the first `failures` deliver() calls, then accepts; records what it accepted.
class FlakySink final : public AlertSink {
 public:
  FlakySink(std::string name, int failures, std::vector<Alert>* accepted, int* calls)
      : name_(std::move(name)), failures_(failures), accepted_(accepted), calls_(calls) {}
  Result<void> deliver(std::span<const Alert> alerts) override {
    ++*calls_;
    if (failures_ > 0) {
      --failures_;
      return makeError("flaky: down");
    }
    accepted_->insert(accepted_->end(), alerts.begin(), alerts.end());
    return {};
  }
  std::string_view name() const override { return name_; }

 private:
  std::string name_;
  int failures_;
  std::vector<Alert>* accepted_;
  int* calls_;
};

DeliveryOptions testOptions() {
  DeliveryOptions options;
  options.retry.base = 100ms;
  options.retry.cap = 400ms;
  options.retry.jitter = false;
  options.batch_size = 10;
  return options;
}

TEST(AlertDeliveryTest, BackoffDoublesUpToTheCap) {
  RetryPolicy policy;
  policy.base = 100ms;
  policy.cap = 400ms;
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 0), 0ms);
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 1), 100ms);
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 2), 200ms);
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 3), 400ms);
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 4), 400ms);
  EXPECT_EQ(AlertDelivery::backoffDelay(policy, 1000), 400ms);
}

TEST(AlertDeliveryTest, FailingSinkIsRetriedOnScheduleWhileOthersDeliver) {
  ScratchDir dir;
  std::vector<Alert> flaky_got;
  std::vector<Alert> good_got;
  int flaky_calls = 0;
  int good_calls = 0;
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::make_unique<FlakySink>("flaky", 4, &flaky_got, &flaky_calls));
  sinks.push_back(std::make_unique<FlakySink>("good", 0, &good_got, &good_calls));
  auto created = AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), testOptions());
  ASSERT_TRUE(created) << created.error().message;
  AlertDelivery& delivery = **created;

  ASSERT_TRUE(delivery.enqueue(sampleAlert(1)));
  ASSERT_TRUE(delivery.enqueue(sampleAlert(2)));
  EXPECT_EQ(delivery.counters(0).queued, 2U);
  EXPECT_EQ(delivery.counters(0).pending, 2U);

  const DeliveryClock::time_point t0{std::chrono::seconds(1000)};
  DeliveryStep step = delivery.runOnce(t0);
  EXPECT_EQ(good_got.size(), 2U);
  EXPECT_EQ(delivery.counters(1).sent, 2U);
  EXPECT_EQ(flaky_calls, 1);
  EXPECT_EQ(step.next_due, t0 + 100ms);
  ASSERT_EQ(step.log_lines.size(), 1U);
  EXPECT_NE(step.log_lines[0].find("alert sink flaky: delivery of 2 alert(s) failed (attempt 1), "
                                   "retrying in 100 ms: flaky: down"),
            std::string::npos)
      << step.log_lines[0];

  // Not due yet: the sink is not called.
  step = delivery.runOnce(t0 + 99ms);
  EXPECT_EQ(flaky_calls, 1);
  EXPECT_EQ(step.next_due, t0 + 100ms);

  // Failures 2, 3, 4 at +100, +300, +700; delays 200, 400, 400 (capped).
  const std::vector<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> schedule = {
      {100ms, 300ms}, {300ms, 700ms}, {700ms, 1100ms}};
  for (const auto& [at, next] : schedule) {
    step = delivery.runOnce(t0 + at);
    EXPECT_EQ(step.next_due, t0 + next) << "attempt at +" << at.count() << " ms";
  }
  EXPECT_EQ(flaky_calls, 4);
  EXPECT_TRUE(flaky_got.empty());
  EXPECT_EQ(delivery.counters(0).failed, 4U);
  EXPECT_EQ(delivery.counters(0).retried, 3U);

  step = delivery.runOnce(t0 + 1100ms);
  EXPECT_EQ(flaky_calls, 5);
  ASSERT_EQ(flaky_got.size(), 2U);
  EXPECT_EQ(flaky_got[0], sampleAlert(1));
  EXPECT_EQ(flaky_got[1], sampleAlert(2));
  EXPECT_EQ(delivery.counters(0).sent, 2U);
  EXPECT_EQ(delivery.counters(0).retried, 4U);
  EXPECT_EQ(delivery.counters(0).pending, 0U);
  EXPECT_EQ(step.next_due, DeliveryClock::time_point::max());

  // Back to normal: the next alert goes out at once.
  ASSERT_TRUE(delivery.enqueue(sampleAlert(3)));
  delivery.runOnce(t0 + 1101ms);
  EXPECT_EQ(flaky_got.size(), 3U);
  EXPECT_EQ(good_got.size(), 3U);
  EXPECT_EQ(good_calls, 2);
}

TEST(AlertDeliveryTest, LargeBacklogGoesOutInBatches) {
  ScratchDir dir;
  std::vector<Alert> got;
  int calls = 0;
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::make_unique<FlakySink>("s", 0, &got, &calls));
  auto delivery =
      std::move(*AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), testOptions()));
  for (int i = 1; i <= 25; ++i) ASSERT_TRUE(delivery->enqueue(sampleAlert(i)));
  const DeliveryClock::time_point now{std::chrono::seconds(5)};
  EXPECT_EQ(delivery->runOnce(now).next_due, now);  // more waiting: call again at once
  EXPECT_EQ(delivery->runOnce(now).next_due, now);
  EXPECT_EQ(delivery->runOnce(now).next_due, DeliveryClock::time_point::max());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(got.size(), 25U);
}

TEST(AlertDeliveryTest, RestartDeliversWhatWasNotAcknowledged) {
  ScratchDir dir;
  std::vector<Alert> got;
  int calls = 0;
  {
    std::vector<AlertSinkPtr> sinks;
    sinks.push_back(std::make_unique<FlakySink>("am", 100, &got, &calls));
    auto delivery =
        std::move(*AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), testOptions()));
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(delivery->enqueue(sampleAlert(i)));
    delivery->runOnce(DeliveryClock::time_point{});
    EXPECT_EQ(delivery->counters(0).failed, 1U);
  }
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::make_unique<FlakySink>("am", 0, &got, &calls));
  auto delivery =
      std::move(*AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), testOptions()));
  EXPECT_EQ(delivery->counters(0).pending, 3U);
  delivery->runOnce(DeliveryClock::time_point{});
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[2], sampleAlert(3));
}

TEST(AlertDeliveryTest, JitterStaysBetweenHalfAndFullDelay) {
  ScratchDir dir;
  std::vector<Alert> got;
  int calls = 0;
  std::vector<AlertSinkPtr> sinks;
  sinks.push_back(std::make_unique<FlakySink>("s", 1000, &got, &calls));
  DeliveryOptions options = testOptions();
  options.retry.jitter = true;
  auto delivery =
      std::move(*AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), options));
  ASSERT_TRUE(delivery->enqueue(sampleAlert(1)));
  DeliveryClock::time_point now{};
  bool any_below_full = false;
  for (std::uint32_t failure = 1; failure <= 8; ++failure) {
    const DeliveryStep step = delivery->runOnce(now);
    const auto full = AlertDelivery::backoffDelay(options.retry, failure);
    const auto delay = step.next_due - now;
    EXPECT_GE(delay, full / 2) << "failure " << failure;
    EXPECT_LE(delay, full) << "failure " << failure;
    any_below_full = any_below_full || delay < full;
    now = step.next_due;
  }
  EXPECT_TRUE(any_below_full);
  EXPECT_EQ(calls, 8);
}

TEST(AlertDeliveryTest, WaitForWorkWakesOnEnqueueAndStop) {
  ScratchDir dir;
  std::vector<AlertSinkPtr> sinks;
  auto delivery =
      std::move(*AlertDelivery::create(dir.path("spool"), {}, std::move(sinks), testOptions()));
  ASSERT_TRUE(delivery->enqueue(sampleAlert(1)));
  // Work is already flagged: returns at once instead of waiting an hour.
  EXPECT_TRUE(delivery->waitForWork(DeliveryClock::now() + std::chrono::hours(1)));
  EXPECT_TRUE(delivery->waitForWork(DeliveryClock::now() + 10ms));  // times out
  delivery->stop();
  EXPECT_FALSE(delivery->waitForWork(DeliveryClock::time_point::max()));
}

}  // namespace
}  // namespace camwatch
