// safe_files.h: how the harness writes into, and hands over, a run
// directory that implementation processes have been writing into too.
//
// An implementation may plant symlinks in the run directory (a temp file,
// the lock dir, results.json pointing outside it). The harness never writes,
// deletes or chmods through one: its files are opened with O_NOFOLLOW, a
// symlink in their place is removed (the link, not its target), and
// ownership is changed with lchown on the entries themselves.

#ifndef LOCKHARNESS_HARNESS_RUNNER_SAFE_FILES_H_
#define LOCKHARNESS_HARNESS_RUNNER_SAFE_FILES_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace lockharness::harness::runner {

// Replaces the file at `path` with `contents`. A symlink (or other
// non-regular entry) at `path` is unlinked first, never followed. On
// failure returns false and sets *error to "cannot write <path>: <strerror>"
// (e.g. "No space left on device"); a partial file may remain.
// REQUIRES: error != nullptr.
bool WriteFileNoFollow(const std::filesystem::path& path, std::string_view contents,
                       std::string* error);

// When the harness runs as root and `dir`'s owner (or, if `dir` is owned
// by root, the owner of its nearest ancestor not owned by root) is another
// user: gives `dir` and
// everything under it to that user and group, with lchown, without
// following symlinks or crossing into other file systems, so the user can
// delete what the run left. Does nothing otherwise. On failure returns
// false and sets *error to the first entry it could not change.
// REQUIRES: error != nullptr.
bool HandOverToDirectoryOwner(const std::filesystem::path& dir, std::string* error);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_SAFE_FILES_H_
