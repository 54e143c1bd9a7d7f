// atomic_write.h: replace a file's contents so that readers see the old
// bytes or the new bytes, never a mixture (P5; after LevelDB's SetCurrentFile).
//
//   Status s = WriteFileAtomically(env, "/x/sandboxes.json", json);
//
// Writes `data` to a new temp file `<path>.tmp.<pid>.<random>` in the same
// directory (O_EXCL, mode 0600), retrying short writes and EINTR, fsyncs it,
// renames it over `path`, then fsyncs the directory.
// On success: `path` holds `data`; no temp file remains.
// On failure before the rename: the temp file is removed and `path` is
// untouched. On failure after the rename (directory fsync): `path` already
// holds `data` but its durability is unknown; the Status says which step.

#ifndef LOCKHARNESS_PROTOCOL_ATOMIC_WRITE_H_
#define LOCKHARNESS_PROTOCOL_ATOMIC_WRITE_H_

#include <functional>
#include <string>
#include <string_view>

#include "lockharness/protocol/env.h"
#include "lockharness/protocol/mutant.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

// `before_rename`, if set, runs after the temp file is written and synced
// and immediately before the rename; if it fails, the write is abandoned
// (temp removed, `path` untouched) with its Status. The registry passes the
// lock ownership check (P1) here: checking before writing the temp file
// would leave the whole write and fsync, milliseconds, between the check
// and the rename, in which a broken lock goes unnoticed.
// REQUIRES: the caller holds the lock for `path` (the write itself is atomic
// without it, but a read-modify-write is not).
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data, Mutant mutant = Mutant::kNone,
                           const std::function<Status()>& before_rename = nullptr);

// True if `name` (a directory entry next to `file_base`) is one of our temp
// files, "<file_base>.tmp.<pid>[.<anything>]"; sets *pid.
bool ParseTempName(const std::string& file_base, const std::string& name, pid_t* pid);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_ATOMIC_WRITE_H_
