// Taking and giving back the lock (docs/protocol.md P2, P4, P7): mkdir,
// publish, verify; the waiting loop; the ownership-checked release. The
// owner record is written by owner_publication.cc, stale locks are inspected
// and broken by lock_breaking.cc.

#include "lockharness/protocol/dir_lock.h"

#include <cerrno>

#include "dir_lock_internal.h"
#include "lockharness/protocol/fault_points.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace {

// Whether two looks at `F.lock` saw the same lock, not merely the same inode:
// ext4 gives a lock made right after a release the inode number of the one
// just removed, so by inode alone a waiter took every new lock for the old
// one and inspected each (P7). A new directory has a new ctime (and a lock's
// ctime changes when its owner record is published; a stale lock's does not).
// Equal ctimes of two different locks (same coarse clock tick) only cost one
// needless inspection.
bool SameLockInstance(const FileStat& a, const FileStat& b) { return a.SameFile(b) && a.ctime_ns == b.ctime_ns; }

// Best-effort removal of our half-made lock after a failed acquisition: only
// if the path still names the directory we created.
void AbandonLock(Env* env, const std::string& path, int dirfd, const FileStat& ours) {
  (void)env->UnlinkAt(dirfd, kOwnerFile, path);
  (void)env->UnlinkAt(dirfd, kIdentityFile, path);
  auto now = env->StatNoFollow(path);
  if (now.ok() && now->SameFile(ours)) (void)RemoveLockDirectory(env, path);
  (void)env->CloseDir(dirfd);
}

// One attempt: mkdir + publish + verify. EEXIST means someone holds it;
// EAGAIN means we made a lock but it was taken from us before we could use
// it (only possible while it had no owner record): try again.
StatusOr<std::unique_ptr<DirLock>> TryCreate(Env* env, const std::string& path, Mutant mutant,
                                             std::unique_ptr<DirLock> (*make)(Env*, const std::string&, int, FileStat,
                                                                              uint64_t)) {
  Status s = env->MakeDir(path, 0700);
  if (!s.ok()) return s;
  auto dirfd = env->OpenDir(path);
  if (!dirfd.ok()) {
    (void)env->RemoveDir(path);
    return dirfd.status();
  }
  auto st = env->StatFd(*dirfd, path);
  if (!st.ok()) {
    (void)env->RemoveDir(path);
    (void)env->CloseDir(*dirfd);
    return st.status();
  }
  s = FaultPoint(fault_point::kAfterMkdir, path);
  StatusOr<uint64_t> token = s.ok() ? internal::Publish(env, *dirfd, path, mutant) : StatusOr<uint64_t>(s);
  if (token.ok()) {
    s = FaultPoint(fault_point::kAfterOwnerPublish, path);
    if (!s.ok()) token = s;
  }
  if (!token.ok()) {
    AbandonLock(env, path, *dirfd, *st);
    return token.status();
  }
  if (HolderRechecksLock(mutant)) {  // P2.3
    auto now = env->StatNoFollow(path);
    if (!now.ok() || !now->SameFile(*st)) {
      (void)env->CloseDir(*dirfd);
      return Status::IoError("lock/verify-after-publish", path, EAGAIN);
    }
  }
  return make(env, path, *dirfd, *st, *token);
}

std::string TimeoutMessage(const std::string& path, const LockOptions& options, const LockInspection* seen) {
  std::string msg = "lock " + path + " not acquired within " + std::to_string(options.timeout.count()) + " ms";
  if (seen != nullptr) {
    msg += ": " + seen->Describe() + ". ";
    if (seen->pid > 0) {
      msg += "If PID " + std::to_string(seen->pid) +
             " is not a registry writer that is still working, stop it; a lock whose owner is dead is broken "
             "automatically. ";
    }
  } else {
    msg += ". ";
  }
  msg += "To clear it by hand when no writer runs: rm -r '" + path + "'";
  return msg;
}

}  // namespace

StatusOr<std::unique_ptr<DirLock>> DirLock::Acquire(Env* env, const std::string& lock_path,
                                                    const LockOptions& options) {
  const int64_t start = env->NowMonotonicNs();
  const int64_t deadline = start + std::chrono::duration_cast<std::chrono::nanoseconds>(options.timeout).count();
  const int64_t max_poll = std::chrono::duration_cast<std::chrono::nanoseconds>(options.max_poll_interval).count();
  auto make = [](Env* e, const std::string& p, int fd, FileStat st, uint64_t token) {
    return std::unique_ptr<DirLock>(new DirLock(e, p, fd, st, token));
  };
  std::unique_ptr<DirWatcher> watcher;
  bool tried_watch = false;
  std::unique_ptr<WaitQueue> queue;  // LockOptions::wait_queue
  bool tried_queue = false;
  bool queue_turn = false;    // at the head of the queue: poll the lock
  int64_t poll_ns = 1000000;  // 1 ms, doubling up to max_poll
  std::optional<LockInspection> last_seen;
  std::optional<FileStat> last_lock;  // the lock our previous attempt found
  for (;;) {
    auto made = TryCreate(env, lock_path, options.mutant, make);
    if (made.ok()) {
      queue.reset();  // let the next waiter take its turn at once
      (*made)->mutant_ = options.mutant;
      return made;
    }
    const Status& err = made.status();
    if (err.err() != EEXIST && err.err() != EAGAIN) return err;

    if (err.err() == EEXIST) {
      // Under contention the lock changes hands between our attempts, and
      // such a lock has a live owner: inspecting it (a dozen system calls,
      // on the CPU its holder needs) would be wasted. Inspect only a lock
      // that our previous attempt already found: only those can be stale.
      auto current = env->StatNoFollow(lock_path);
      if (!current.ok()) {
        if (!current.status().IsNotFound()) return current.status();
        continue;  // released between our mkdir and our look: try again now
      }
      const bool unchanged = last_lock && SameLockInstance(*last_lock, *current);
      last_lock = *current;
      if (unchanged) {
        auto seen = InspectLock(env, lock_path, options);
        if (!seen.ok()) {
          if (!seen.status().IsNotFound()) return seen.status();
          continue;
        }
        if (seen->breakable) {
          Status s = internal::BreakLock(env, lock_path, *seen, options.mutant);
          if (!s.ok()) return s;
          continue;
        }
        last_seen.reset();
        last_seen.emplace(std::move(seen).value());
      }
    }

    int64_t now = env->NowMonotonicNs();
    if (now >= deadline) {
      if (!last_seen || !last_lock || !SameLockInstance(last_seen->stat, *last_lock)) {
        // Describe the lock that is there now, not an earlier one.
        auto seen = InspectLock(env, lock_path, options);
        last_seen.reset();
        if (seen.ok()) last_seen.emplace(std::move(seen).value());
      }
      return Status::LockTimeout(lock_path, TimeoutMessage(lock_path, options, last_seen ? &*last_seen : nullptr));
    }
    if (options.wait_queue && !tried_queue) {
      tried_queue = true;
      auto joined = env->JoinWaitQueue(lock_path + kWaitQueueSuffix);
      if (joined.ok()) queue = std::move(joined).value();  // else wait without it
    }
    if (queue && !queue_turn) {
      // Asleep in the kernel's queue; each slice ends with one more look at
      // the lock, so a stopped head holds nobody past a slice.
      const int64_t slice = std::chrono::duration_cast<std::chrono::nanoseconds>(kQueueRecheckInterval).count();
      queue_turn = queue->WaitForTurn(std::chrono::nanoseconds(std::min(slice, deadline - now)));
      continue;
    }
    if (!tried_watch) {
      // Arm the watch, then look once more before sleeping: a release
      // between our last mkdir and the watch would otherwise go unseen.
      tried_watch = true;
      watcher = env->WatchDir(DirName(lock_path), BaseName(lock_path));
      continue;
    }
    int64_t wait = std::min(poll_ns, deadline - now);
    if (watcher) {
      watcher->Wait(std::chrono::nanoseconds(wait));
    } else {
      env->SleepFor(std::chrono::nanoseconds(wait));
    }
    poll_ns = std::min(poll_ns * 2, max_poll);
  }
}

DirLock::~DirLock() {
  if (held_) (void)Release();
}

Status DirLock::VerifyHeld() {
  auto now = env_->StatNoFollow(path_);
  if (!now.ok() || !now->SameFile(stat_)) {
    return Status::LockLost(path_, "the lock directory was removed or replaced while we held it");
  }
  auto owner = env_->ReadFileAt(dirfd_, kOwnerFile, kMaxOwnerRecordBytes, path_);
  if (!owner.ok() || ParseOwnerPid(*owner) != env_->SelfPid()) {
    return Status::LockLost(path_, "our owner record in the lock directory was removed or replaced");
  }
  return Status::Ok();
}

Status DirLock::Release() {
  held_ = false;
  Status s = FaultPoint(fault_point::kBeforeRelease, path_);
  // The seed's release (mutants only) removes whatever lock is there now.
  if (s.ok()) s = ReleaseChecksOwnership(mutant_) ? RemoveIfOurs() : RemoveLockDirectory(env_, path_);
  (void)env_->CloseDir(dirfd_);
  dirfd_ = -1;
  return s;
}

Status DirLock::RemoveIfOurs() {
  Status s = VerifyHeld();
  if (!s.ok()) return s;
  (void)env_->UnlinkAt(dirfd_, kOwnerFile, path_);
  (void)env_->UnlinkAt(dirfd_, kIdentityFile, path_);
  return env_->RemoveDir(path_);
}

}  // namespace lockharness::protocol
