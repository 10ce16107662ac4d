// Tests of util/durable_file.h: the atomic replace leaves the old or the new file and no temp
// file, reads say which call failed, and errors name the file and the call.
#include "util/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "unit/alert/alert_test_util.h"

namespace camwatch {
namespace {

using testing::ScratchDir;

TEST(DurableFileTest, WriteFileAtomicallyReplacesTheFileAndLeavesNoTemp) {
  ScratchDir dir;
  const std::string path = dir.path("state.json");
  ASSERT_TRUE(writeFileAtomically(path, "old\n"));
  ASSERT_TRUE(writeFileAtomically(path, "new\n"));
  auto text = readWholeFile(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "new\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST(DurableFileTest, WriteFileAtomicallyNamesTheTempFileWhenItCannotBeCreated) {
  ScratchDir dir;
  const std::string path = dir.path("missing/state.json");
  auto written = writeFileAtomically(path, "x");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, path + ".tmp: open: No such file or directory");
}

TEST(DurableFileTest, ReadWholeFileSaysWhichCallFailed) {
  ScratchDir dir;
  auto missing = readWholeFile(dir.path("never-written"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().call, "open");
  EXPECT_EQ(missing.error().error, ENOENT);

  auto folder = readWholeFile(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().call, "read");
  EXPECT_EQ(folder.error().error, EISDIR);
}

TEST(DurableFileTest, ReadWholeFileReadsMoreThanOneChunk) {
  ScratchDir dir;
  const std::string text(100'000, 'x');
  ASSERT_TRUE(writeFileAtomically(dir.path("big"), text));
  auto read = readWholeFile(dir.path("big"));
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, text);
}

TEST(DurableFileTest, WriteAllAndSyncDirectoryNameTheFileAndTheCall) {
  ScratchDir dir;
  const int fd = ::open(dir.path("out").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  auto written = writeAll(fd, "x", "alert sink file");
  ::close(fd);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().message, "alert sink file: write: Bad file descriptor");

  EXPECT_TRUE(syncDirectory(dir.path()));
  auto synced = syncDirectory(dir.path("gone"));
  ASSERT_FALSE(synced);
  EXPECT_EQ(synced.error().message, dir.path("gone") + ": open: No such file or directory");
  EXPECT_EQ(errnoText(ENOENT), "No such file or directory");
}

}  // namespace
}  // namespace camwatch
