// registry_store.h: the registry file on disk, read and changed under the
// protocol (docs/protocol.md).
//
//   RegistryStore store(Env::Default(), "/x/sandboxes.json", options);
//   Status s = store.Mutate([&](Registry& r) { return r.Register("a", {}, IsoTimeNow()); });
//   StatusOr<Registry> r = store.Read();
//
// Mutate() takes the lock (P1, P2), sweeps what killed writers left (P6),
// loads the file, applies the change, checks the lock is still ours, writes
// the result atomically (P5) and releases the lock (P4). A corrupt file is
// never replaced (P8): Mutate backs its bytes up beside it and returns
// kCorrupt; Read returns kCorrupt without writing anything.

#ifndef LOCKHARNESS_PROTOCOL_REGISTRY_STORE_H_
#define LOCKHARNESS_PROTOCOL_REGISTRY_STORE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "lockharness/protocol/dir_lock.h"
#include "lockharness/protocol/env.h"
#include "lockharness/protocol/mutant.h"
#include "lockharness/protocol/registry.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

struct StoreOptions {
  LockOptions lock;
  Mutant mutant = Mutant::kNone;
  // Registry files larger than this are treated as corrupt, not loaded.
  size_t max_file_bytes = 64 << 20;
};

// When the lock was held, for the harness's mutual-exclusion checker.
struct LockSpan {
  int64_t acquired_ns = 0;  // CLOCK_MONOTONIC
  int64_t released_ns = 0;
};

class RegistryStore {
 public:
  RegistryStore(Env* env, std::string path, StoreOptions options);

  // Runs `change` on the current registry under the lock and saves the result.
  // If `change` returns non-OK, nothing is written and that Status is returned.
  // Errors: kLockTimeout, kIoError, kCorrupt (backup made), kLockLost
  // (before the write: nothing written; after it: the write happened).
  Status Mutate(const std::function<Status(Registry&)>& change, LockSpan* span = nullptr);

  // Loads the registry without the lock: the rename in every write makes
  // any snapshot consistent. A missing file is an empty registry.
  StatusOr<Registry> Read();

  const std::string& path() const { return path_; }
  std::string lock_path() const { return path_ + ".lock"; }

 private:
  StatusOr<Registry> Load(bool back_up_if_corrupt);
  Status MutateLocked(const std::function<Status(Registry&)>& change, DirLock* lock);

  Env* env_;
  std::string path_;
  StoreOptions options_;
};

// Copies corrupt registry bytes to "<path>.corrupt.<hash>" (once per
// distinct content) and returns the backup's path.
StatusOr<std::string> BackUpCorruptFile(Env* env, const std::string& path, const std::string& bytes);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_REGISTRY_STORE_H_
