// Durable file helpers: what the alert spool, the learned baseline and the line-oriented alert
// sinks need to get bytes onto disk and back. Plain POSIX calls, no buffering of their own.
//
// "Durable" here means: once a function returns success, the bytes (or the directory entry)
// survive a crash or power loss, as far as the file system keeps its fsync() promise. write()
// alone only hands bytes to the page cache; a crash can lose them, or leave a file that has its
// new name but not its contents.
//
// Error messages name the file and the call that failed ("<path>: fsync: <strerror>"); callers
// pass them on as they are, and tests pin several of them.
//
// Threads: every function is safe on any thread; none keeps state.
#pragma once

#include <string>
#include <string_view>

#include <camwatch/result.h>

namespace camwatch {

/// std::strerror(`error`) as a string, for error messages ("No such file or directory").
std::string errnoText(int error);

/// Writes all of `data` to `fd`, retrying short writes and EINTR. Does not sync: the caller
/// decides whether the bytes need fsync()/fdatasync() (a log line may not; a spool record must).
/// @param what names the file in the error: "<what>: write: <strerror>".
/// @return nothing, or the error of the first write() that failed (bytes before it are written).
Result<void> writeAll(int fd, std::string_view data, std::string_view what);

/// fsync()s the directory `directory`. A new file or a rename() is durable only once the
/// directory entry is: without this a crash can leave the old name, or no name, however well the
/// file's own contents were synced.
/// @return nothing, or "<directory>: open: <strerror>" / "<directory>: fsync: <strerror>".
Result<void> syncDirectory(const std::string& directory);

/// Why readWholeFile() failed: the system call and its errno. Callers word the message, since
/// some treat a missing file (open, ENOENT) as "nothing saved yet" rather than as an error.
struct ReadFileError {
  std::string_view call;  ///< "open" or "read"
  int error = 0;          ///< errno of that call
};

/// The whole contents of the file at `path` (open, read to the end, close).
tl::expected<std::string, ReadFileError> readWholeFile(const std::string& path);

/// Replaces the file at `path` with `text` so that a crash leaves either the old file or the new
/// one, never a mix or an empty file:
///   1. write `path`.tmp and fsync() it: the new contents are on disk before any name points at
///      them (otherwise the rename can reach the disk first and a crash leaves an empty file);
///   2. close() it and check the result: NFS and some FUSE file systems report a failed
///      write-back only there;
///   3. rename() it over `path`: atomic, readers see the old or the new file;
///   4. fsync() the directory holding `path` (syncDirectory()): the rename itself is durable.
/// On failure the temporary file is removed and `path` is left as it was.
/// @return nothing, or an error naming the file and the failed call ("<path>.tmp: fsync: ...",
///   "<path>: rename from <path>.tmp: ...", "<directory>: fsync: ...").
Result<void> writeFileAtomically(const std::string& path, std::string_view text);

}  // namespace camwatch
