#include "alert/alert_delivery.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

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

  ASSERT_FALSE(delivery.enqueue(sampleAlert(1)).write_error);
  ASSERT_FALSE(delivery.enqueue(sampleAlert(2)).write_error);
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
  ASSERT_FALSE(delivery.enqueue(sampleAlert(3)).write_error);
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
  for (int i = 1; i <= 25; ++i) ASSERT_FALSE(delivery->enqueue(sampleAlert(i)).write_error);
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
    for (int i = 1; i <= 3; ++i) ASSERT_FALSE(delivery->enqueue(sampleAlert(i)).write_error);
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
  ASSERT_FALSE(delivery->enqueue(sampleAlert(1)).write_error);
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
  ASSERT_FALSE(delivery->enqueue(sampleAlert(1)).write_error);
  // Work is already flagged: returns at once instead of waiting an hour.
  EXPECT_TRUE(delivery->waitForWork(DeliveryClock::now() + std::chrono::hours(1)));
  EXPECT_TRUE(delivery->waitForWork(DeliveryClock::now() + 10ms));  // times out
  delivery->stop();
  EXPECT_FALSE(delivery->waitForWork(DeliveryClock::time_point::max()));
}

// Disk full (ENOSPC) under the spool: a real tmpfs of 256 KiB, mounted in a private mount
// namespace of a forked child (root only; the mount goes away with the child). Nothing spooled
// before is lost, the alerts that do not fit are held in memory (at most max_held, oldest dropped
// first, counted), the error is reported and counted, and once there is room again the held
// alerts are spooled and delivered in order.
TEST(AlertDeliveryTest, DiskFullHoldsAlertsInMemoryAndLosesNothingSpooled) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs in a mount namespace";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    std::string failures;
    const auto check = [&failures](bool ok, const std::string& what) {
      if (!ok) failures += what + "\n";
    };
    char root[] = "/tmp/camwatch-enospc.XXXXXX";
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) ||
        mkdtemp(root) == nullptr || mount("tmpfs", root, "tmpfs", 0, "size=256k") != 0) {
      failures = std::string("cannot mount a tmpfs: ") + std::strerror(errno);
    } else {
      std::vector<Alert> accepted;
      int calls = 0;
      std::vector<AlertSinkPtr> sinks;
      sinks.push_back(std::make_unique<FlakySink>("am", 0, &accepted, &calls));
      DeliveryOptions options = testOptions();
      options.batch_size = 100;
      options.max_held = 15;
      AlertSpoolOptions spool_options;
      spool_options.max_bytes = 64 << 20;  // the disk fills long before the cap
      spool_options.segment_bytes = 16 << 10;
      auto created = AlertDelivery::create(std::string(root) + "/spool", spool_options,
                                           std::move(sinks), options);
      check(created.has_value(), "create failed");
      if (created) {
        AlertDelivery& delivery = **created;
        for (int i = 1; i <= 5; ++i) {
          check(!delivery.enqueue(sampleAlert(i)).write_error, "alert " + std::to_string(i));
        }
        // Fill the rest of the file system.
        const std::string filler = std::string(root) + "/filler";
        const int fd = open(filler.c_str(), O_WRONLY | O_CREAT, 0600);
        const std::string block(4096, 'x');
        while (write(fd, block.data(), block.size()) > 0) {
        }
        check(errno == ENOSPC, std::string("filler stopped by ") + std::strerror(errno));
        close(fd);

        std::vector<Alert> more;
        for (int i = 6; i <= 25; ++i) more.push_back(sampleAlert(i));
        const EnqueueResult full = delivery.enqueueAll(more);
        check(full.write_error.has_value(), "no write error on a full disk");
        check(full.write_error.value_or("").find("No space left on device") != std::string::npos,
              "error: " + full.write_error.value_or(""));
        check(
            full.held == 15 && full.held_dropped == 5,
            "held " + std::to_string(full.held) + ", dropped " + std::to_string(full.held_dropped));
        check(delivery.heldCount() == 15, "heldCount");
        check(delivery.spoolWrites().write_errors == 1, "write_errors");
        check(delivery.spoolWrites().held_dropped == 5, "held_dropped");
        check(delivery.spool().pendingCount(0) == 5, "the 5 spooled alerts are still pending");
        check(delivery.retryHeld().write_error.has_value(), "retry on a full disk succeeded");
        check(delivery.spoolWrites().write_errors == 2, "write_errors after retry");

        unlink(filler.c_str());  // room again
        const EnqueueResult back = delivery.retryHeld();
        check(!back.write_error, "retry failed: " + back.write_error.value_or(""));
        check(back.from_held == 15 && back.held == 0,
              "from_held " + std::to_string(back.from_held));
        check(delivery.heldCount() == 0, "heldCount after");
        delivery.runOnce(DeliveryClock::now());
        std::string got;
        for (const Alert& alert : accepted) got += alert.camera.name + " ";
        // 1-5 spooled before the disk filled; 6-10 were the oldest held, dropped at max_held.
        std::string want;
        for (int i : {1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25})
          want += "lobby-" + std::to_string(i) + " ";
        check(got == want, "delivered: " + got);
      }
    }
    umount(root);
    rmdir(root);
    if (!failures.empty() && write(fds[1], failures.data(), failures.size()) < 0) _exit(3);
    _exit(failures.empty() ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buffer[512];
  for (ssize_t got; (got = read(fds[0], buffer, sizeof buffer)) > 0;)
    report.append(buffer, static_cast<std::size_t>(got));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << report;
}

}  // namespace
}  // namespace camwatch
