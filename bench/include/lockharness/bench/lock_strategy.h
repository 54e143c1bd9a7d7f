// lock_strategy.h: the inter-process locks the benchmarks compare, behind one
// interface.
//
//   auto lock = MakeLockStrategy(LockKind::kFlock, "/dev/shm/x/registry.json");
//   Status s = lock->Acquire();   // blocks until held (or the strategy gives up)
//   ... read-modify-write the registry ...
//   s = lock->Release();
//
// Strategies (each guards `<file>` through a sibling path it derives):
//   kOurs   the reference mkdir lock (protocol/dir_lock.h) on `<file>.lock`:
//           owner record, reaping of dead holders, inotify wake-up.
//   kOursQueue  the same lock with LockOptions::wait_queue: waiters that find
//           it taken queue in flock on `<file>.lock.queue` and only the head
//           of that queue polls the lock (issue 15's experiment). Not in
//           AllLockKinds(): selected by name only.
//   kSeed   the recipe of the pull request the project started from, done as
//           its Node code does: mkdir `<file>.lock`, write the PID into
//           `<file>.lock/owner`; when busy, reap the lock if its mtime is older
//           than 10 s, else sleep 100 ms; give up after 50 attempts. Release:
//           unlink the owner file, rmdir.
//   kFlock  flock(LOCK_EX) on `<file>.flock`, opened for each acquisition;
//           closing the descriptor releases.
//   kOfd    fcntl(F_OFD_SETLKW) open-file-description write lock on
//           `<file>.ofd`, opened for each acquisition.
//   kExcl   a lock file `<file>.excl` created with O_CREAT|O_EXCL holding the
//           PID; unlinked to release; retried after a 1 ms sleep when busy.
//   kNone   no lock at all. Not a contender (AllLockKinds() leaves it out):
//           the negative control that shows the lost-update check works.
//
// A strategy object belongs to one process and is not thread-safe. Create it
// after fork(): kOurs and kSeed record the creating process's PID.

#ifndef LOCKHARNESS_BENCH_LOCK_STRATEGY_H_
#define LOCKHARNESS_BENCH_LOCK_STRATEGY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/protocol/status.h"

namespace lockharness::bench {

using protocol::Status;

enum class LockKind { kOurs, kOursQueue, kSeed, kFlock, kOfd, kExcl, kNone };

// The locks a full benchmark run compares (all but kOursQueue and kNone), in
// the order reports list them.
const std::vector<LockKind>& AllLockKinds();

// "ours", "ours-queue", "seed", "flock", "ofd", "excl", "none".
const char* LockKindName(LockKind kind);

// The kind named `name`, or nullopt.
std::optional<LockKind> ParseLockKind(std::string_view name);

class LockStrategy {
 public:
  virtual ~LockStrategy() = default;

  // Blocks until this process holds the lock. On failure (kLockTimeout for
  // the seed recipe's 50 attempts, kIoError for a failed system call) the
  // lock is not held.
  virtual Status Acquire() = 0;

  // Gives the lock up. REQUIRES: a successful Acquire() not yet released.
  virtual Status Release() = 0;
};

// A strategy guarding `file`. REQUIRES: the directory of `file` exists.
std::unique_ptr<LockStrategy> MakeLockStrategy(LockKind kind, const std::string& file);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_LOCK_STRATEGY_H_
