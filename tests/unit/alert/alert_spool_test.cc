#include "alert/alert_spool.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::sampleAlert;
using testing::ScratchDir;

std::unique_ptr<AlertSpool> openSpool(const std::string& dir, std::vector<std::string> sinks,
                                      AlertSpoolOptions options = {}) {
  auto spool = AlertSpool::open(dir, std::move(sinks), options);
  if (!spool) ADD_FAILURE() << spool.error().message;
  return spool ? std::move(*spool) : nullptr;
}

std::vector<std::uint64_t> seqs(const std::vector<SpooledAlert>& alerts) {
  std::vector<std::uint64_t> out;
  for (const SpooledAlert& alert : alerts) out.push_back(alert.seq);
  return out;
}

std::vector<std::string> segmentFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("segment-")) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(AlertSpoolTest, AppendsPendsAndAcknowledgesPerSink) {
  ScratchDir dir;
  auto spool = openSpool(dir.path(), {"a", "b"});
  ASSERT_TRUE(spool);
  for (int i = 1; i <= 3; ++i) {
    auto appended = spool->append(sampleAlert(i));
    ASSERT_TRUE(appended) << appended.error().message;
    EXPECT_EQ(appended->seq, static_cast<std::uint64_t>(i));
    EXPECT_EQ(appended->drop.alerts, 0U);
  }
  auto pending = spool->pending(0, 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 3U);
  EXPECT_EQ((*pending)[1].alert, sampleAlert(2));
  EXPECT_EQ(seqs(*spool->pending(0, 2)), (std::vector<std::uint64_t>{1, 2}));

  ASSERT_TRUE(spool->markDelivered(0, 2));
  EXPECT_EQ(seqs(*spool->pending(0, 10)), (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(seqs(*spool->pending(1, 10)), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(spool->pendingCount(0), 1U);
  EXPECT_EQ(spool->pendingCount(1), 3U);
  EXPECT_EQ(spool->deliveredUpTo(0), 2U);
}

TEST(AlertSpoolTest, RecordsEndInTheirSeqSoDeliveredOnesAreSkippedUnparsed) {
  // pending() skips the lines a sink has had by their trailing `,"seq":N}` without parsing
  // them; a record written any other way would be parsed every time (slow, not wrong).
  ScratchDir dir;
  auto spool = openSpool(dir.path(), {"a"});
  ASSERT_TRUE(spool);
  for (int i = 1; i <= 12; ++i) ASSERT_TRUE(spool->append(sampleAlert(i)));
  const auto files = segmentFiles(dir.path());
  ASSERT_EQ(files.size(), 1U);
  std::ifstream in(files[0]);
  std::string line;
  std::uint64_t expected = 0;
  while (std::getline(in, line)) {
    ++expected;
    const std::string tail = ",\"seq\":" + std::to_string(expected) + "}";
    ASSERT_GE(line.size(), tail.size());
    EXPECT_EQ(line.substr(line.size() - tail.size()), tail) << line;
  }
  EXPECT_EQ(expected, 12U);
  ASSERT_TRUE(spool->markDelivered(0, 10));
  auto rest = spool->pending(0, 10);
  ASSERT_TRUE(rest);
  EXPECT_EQ(seqs(*rest), (std::vector<std::uint64_t>{11, 12}));
  EXPECT_EQ((*rest)[0].alert, sampleAlert(11));
}

TEST(AlertSpoolTest, CrashThenReopenRedeliversExactlyTheUnacknowledged) {
  ScratchDir dir;
  {
    auto spool = openSpool(dir.path(), {"am", "file"});
    ASSERT_TRUE(spool);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE(spool->append(sampleAlert(i)));
    ASSERT_TRUE(spool->markDelivered(0, 3));
    ASSERT_TRUE(spool->markDelivered(1, 1));
    // "Crash": the object goes without any flush or close beyond what append() already did;
    // a write the crash cut short is simulated by a torn line at the end of the segment.
  }
  const auto files = segmentFiles(dir.path());
  ASSERT_EQ(files.size(), 1U);
  {
    std::ofstream torn(files.back(), std::ios::app | std::ios::binary);
    torn << R"({"seq":5,"alert":{"version":1,"ti)";
  }
  auto spool = openSpool(dir.path(), {"am", "file"});
  ASSERT_TRUE(spool);
  ASSERT_EQ(spool->recoveryWarnings().size(), 1U);
  EXPECT_NE(spool->recoveryWarnings()[0].find("torn last line"), std::string::npos);
  EXPECT_EQ(seqs(*spool->pending(0, 10)), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(seqs(*spool->pending(1, 10)), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ((*spool->pending(0, 10))[0].alert, sampleAlert(4));
  // Numbering continues after the last durable record.
  auto appended = spool->append(sampleAlert(5));
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended->seq, 5U);
  EXPECT_EQ(seqs(*spool->pending(0, 10)), (std::vector<std::uint64_t>{4, 5}));
}

TEST(AlertSpoolTest, CorruptLineIsSkippedAndNamed) {
  ScratchDir dir;
  {
    auto spool = openSpool(dir.path(), {"a"});
    ASSERT_TRUE(spool->append(sampleAlert(1)));
  }
  {
    std::ofstream file(segmentFiles(dir.path()).back(), std::ios::app | std::ios::binary);
    file << "garbage\n";
  }
  auto spool = openSpool(dir.path(), {"a"});
  ASSERT_TRUE(spool);
  ASSERT_EQ(spool->recoveryWarnings().size(), 1U);
  EXPECT_NE(spool->recoveryWarnings()[0].find("line 2: not a spool record"), std::string::npos);
  // The sink's state file was written at its first open (at seq 0), so it still gets seq 1.
  EXPECT_EQ(seqs(*spool->pending(0, 10)), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(spool->append(sampleAlert(2))->seq, 2U);
}

TEST(AlertSpoolTest, NewSinkStartsAtTheEndAndOldStateKeepsSequence) {
  ScratchDir dir;
  {
    auto spool = openSpool(dir.path(), {"a"});
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(spool->append(sampleAlert(i)));
  }
  auto spool = openSpool(dir.path(), {"a", "newcomer"});
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->pendingCount(0), 3U);
  EXPECT_EQ(spool->pendingCount(1), 0U);
  EXPECT_EQ(spool->append(sampleAlert(4))->seq, 4U);
  EXPECT_EQ(seqs(*spool->pending(1, 10)), (std::vector<std::uint64_t>{4}));
}

TEST(AlertSpoolTest, FullyAcknowledgedSegmentsAreDeletedButTheNewestStays) {
  ScratchDir dir;
  AlertSpoolOptions options;
  options.max_bytes = 1 << 20;
  options.segment_bytes = 2048;  // about two alerts per segment
  auto spool = openSpool(dir.path(), {"a"}, options);
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(spool->append(sampleAlert(i)));
  EXPECT_GE(segmentFiles(dir.path()).size(), 4U);
  ASSERT_TRUE(spool->markDelivered(0, 10));
  EXPECT_EQ(segmentFiles(dir.path()).size(), 1U);
  EXPECT_EQ(spool->segmentCount(), 1U);
  spool.reset();
  spool = openSpool(dir.path(), {"a"}, options);
  EXPECT_EQ(spool->pendingCount(0), 0U);
  EXPECT_EQ(spool->append(sampleAlert(11))->seq, 11U);
}

TEST(AlertSpoolTest, AppendAllSpoolsABatchAcrossSegmentsInOrderAndItSurvivesAReopen) {
  ScratchDir dir;
  AlertSpoolOptions options;
  options.max_bytes = 1 << 20;
  options.segment_bytes = 2048;  // about two alerts per segment: the batch spans several
  auto spool = openSpool(dir.path(), {"a"}, options);
  ASSERT_EQ(spool->append(sampleAlert(1))->seq, 1U);
  std::vector<Alert> batch;
  for (int i = 2; i <= 9; ++i) batch.push_back(sampleAlert(i));
  const SpoolAppend appended = spool->appendAll(batch);
  ASSERT_FALSE(appended.write_error) << *appended.write_error;
  EXPECT_EQ(appended.seq, 9U);
  EXPECT_EQ(appended.appended, 8U);
  EXPECT_GE(segmentFiles(dir.path()).size(), 4U);
  EXPECT_FALSE(spool->appendAll({}).write_error);
  EXPECT_EQ(spool->lastSeq(), 9U);
  spool.reset();
  spool = openSpool(dir.path(), {"a"}, options);
  auto pending = spool->pending(0, 100);
  ASSERT_TRUE(pending);
  EXPECT_EQ(seqs(*pending), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
  for (std::size_t i = 0; i < pending->size(); ++i)
    EXPECT_EQ((*pending)[i].alert, sampleAlert(static_cast<int>(i) + 1));
}

TEST(AlertSpoolTest, CapDropsOldestUndeliveredAndCountsPerSink) {
  ScratchDir dir;
  AlertSpoolOptions options;
  options.max_bytes = 8192;
  options.segment_bytes = 2048;
  auto spool = openSpool(dir.path(), {"fast", "slow"}, options);
  std::uint64_t dropped_fast = 0;
  std::uint64_t dropped_slow = 0;
  std::uint64_t dropped_total = 0;
  std::uint64_t last_dropped_seq = 0;
  for (int i = 1; i <= 40; ++i) {
    auto appended = spool->append(sampleAlert(i));
    ASSERT_TRUE(appended) << appended.error().message;
    ASSERT_TRUE(spool->markDelivered(0, appended->seq));  // "fast" keeps up
    dropped_fast += appended->drop.per_sink[0];
    dropped_slow += appended->drop.per_sink[1];
    dropped_total += appended->drop.alerts;
    if (appended->drop.alerts > 0) {
      EXPECT_EQ(appended->drop.first_seq, last_dropped_seq + 1);
      last_dropped_seq = appended->drop.last_seq;
    }
    EXPECT_LE(spool->bytes(), options.max_bytes);
  }
  EXPECT_EQ(dropped_fast, 0U);
  EXPECT_GT(dropped_slow, 0U);
  EXPECT_EQ(dropped_total, dropped_slow);
  // What the slow sink still gets is exactly what was not dropped, oldest first, no gaps.
  auto pending = spool->pending(1, 100);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->size() + dropped_slow, 40U);
  EXPECT_EQ(pending->front().seq, last_dropped_seq + 1);
  EXPECT_EQ(pending->back().seq, 40U);
  EXPECT_EQ(spool->pendingCount(1), pending->size());
}

TEST(AlertSpoolTest, RejectsBadSinkNamesAndUnusableDirectory) {
  ScratchDir dir;
  EXPECT_FALSE(AlertSpool::open(dir.path(), {"a/b"}, {}));
  EXPECT_FALSE(AlertSpool::open(dir.path(), {"a", "a"}, {}));
  { std::ofstream file(dir.path("plain-file")); }
  auto spool = AlertSpool::open(dir.path("plain-file") + "/spool", {"a"}, {});
  ASSERT_FALSE(spool);
  EXPECT_NE(spool.error().message.find("plain-file"), std::string::npos);
}

}  // namespace
}  // namespace camwatch
