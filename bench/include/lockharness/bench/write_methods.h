// write_methods.h: the ways of replacing a file's contents whose cost the
// atomic-write benchmark compares, from cheapest (and unsafe) to the full
// protocol.
//
//   Status s = WriteWithMethod(WriteMethod::kTempFsyncRename, path, bytes);
//
//   kInPlace               open(O_TRUNC) + write: a reader or a crash can see
//                          a truncated or half-written file.
//   kTempRename            write `<path>.tmp.<pid>.<n>` + rename: readers see
//                          old or new, but a crash may leave an empty file.
//   kTempFsyncRename       + fsync of the temp file before the rename.
//   kTempFsyncRenameDirSync + fsync of the directory after the rename: the
//                          rename itself is durable (what the protocol does).
//   kProtocol              the reference library's WriteFileAtomically (the
//                          same steps plus its O_EXCL/O_NOFOLLOW checks).
//
// On success `path` holds `data` and no temp file remains. On failure the
// Status names the failed step; a temp file may be left only if unlinking it
// failed too.

#ifndef LOCKHARNESS_BENCH_WRITE_METHODS_H_
#define LOCKHARNESS_BENCH_WRITE_METHODS_H_

#include <string>
#include <string_view>
#include <vector>

#include "lockharness/protocol/status.h"

namespace lockharness::bench {

using protocol::Status;

enum class WriteMethod {
  kInPlace,
  kTempRename,
  kTempFsyncRename,
  kTempFsyncRenameDirSync,
  kProtocol
};

const std::vector<WriteMethod>& AllWriteMethods();

// "in_place", "temp_rename", "temp_fsync_rename", "temp_fsync_rename_dirsync",
// "protocol".
const char* WriteMethodName(WriteMethod method);

// REQUIRES: the directory of `path` exists and is writable.
Status WriteWithMethod(WriteMethod method, const std::string& path, std::string_view data);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_WRITE_METHODS_H_
