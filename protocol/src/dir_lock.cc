#include "lockharness/protocol/dir_lock.h"

#include <cerrno>
#include <cstdio>

#include "lockharness/protocol/fault_points.h"
#include "lockharness/protocol/lease.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace {

constexpr char kQuarantineInfix[] = ".quarantine";

// Reads one owner file for inspection; nullopt with a reason if it is no
// usable record.
std::optional<std::string> ReadRecordFile(Env* env, int dirfd, const std::string& name, size_t max,
                                          const std::string& dir, std::string* problem) {
  auto bytes = env->ReadFileAt(dirfd, name, max, dir);
  if (bytes.ok()) return std::move(bytes).value();
  if (problem != nullptr && problem->empty()) {
    switch (bytes.status().err()) {
      case ENOENT: *problem = "no " + name + " file"; break;
      case EFBIG: *problem = "oversized " + name + " file"; break;
      case ELOOP: *problem = name + " is a symlink"; break;
      case EINVAL: *problem = name + " is not a regular file"; break;
      default: *problem = name + " unreadable: " + bytes.status().message(); break;
    }
  }
  return std::nullopt;
}

// Writes `data` into a new file `name` inside `dirfd`, exclusively.
Status WriteNewFileAt(Env* env, int dirfd, const std::string& name, const std::string& data,
                      const std::string& dir) {
  auto fd = env->CreateExclusiveAt(dirfd, name, 0644, dir);
  if (!fd.ok()) return fd.status();
  Status s = env->WriteAll(*fd, data, dir + "/" + name);
  Status c = env->CloseFile(*fd, dir + "/" + name);
  return s.ok() ? c : s;
}

// Our identity record, with a fresh token.
OwnerIdentity MakeIdentity(Env* env) {
  pid_t pid = env->SelfPid();
  OwnerIdentity id;
  id.token = env->Random64();
  if (auto self = env->IdentityOf(pid)) {
    id.process = *self;
  } else {
    id.process.pid = pid;
  }
  return id;
}

// Publishes identity then owner (P2). Returns the token.
StatusOr<uint64_t> PublishOwner(Env* env, int dirfd, const std::string& dir) {
  pid_t pid = env->SelfPid();
  OwnerIdentity id = MakeIdentity(env);
  if (!id.process.boot_id.empty()) {
    Status s = WriteNewFileAt(env, dirfd, kIdentityFile, FormatIdentity(id), dir);
    if (!s.ok()) return s;
  }
  std::string tmp = UniqueName(env, std::string(kOwnerFile) + ".tmp");
  Status s = WriteNewFileAt(env, dirfd, tmp, FormatOwnerPid(pid), dir);
  if (s.ok()) s = env->RenameAt(dirfd, tmp, kOwnerFile, dir);
  if (!s.ok()) {
    (void)env->UnlinkAt(dirfd, tmp, dir);
    return s;
  }
  return id.token;
}

// The owner-nonatomic mutant's publication, the seed's: open `owner` by path
// with O_TRUNC and write the PID into it, so between the open and the write
// a waiter reads an empty record. The identity follows, best effort (a
// writer that bolted it on later would not fail its lock over it).
StatusOr<uint64_t> PublishOwnerInPlace(Env* env, int dirfd, const std::string& dir) {
  const std::string owner = dir + "/" + kOwnerFile;
  auto fd = env->OpenForOverwrite(owner, 0644);
  if (!fd.ok()) return fd.status();
  Status s = env->WriteAll(*fd, FormatOwnerPid(env->SelfPid()), owner);
  Status c = env->CloseFile(*fd, owner);
  if (!s.ok()) return s;
  if (!c.ok()) return c;
  OwnerIdentity id = MakeIdentity(env);
  if (!id.process.boot_id.empty()) (void)WriteNewFileAt(env, dirfd, kIdentityFile, FormatIdentity(id), dir);
  return id.token;
}

StatusOr<uint64_t> Publish(Env* env, int dirfd, const std::string& dir, Mutant mutant) {
  return PublishesOwnerAtomically(mutant) ? PublishOwner(env, dirfd, dir) : PublishOwnerInPlace(env, dirfd, dir);
}

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
                                             std::unique_ptr<DirLock> (*make)(Env*, const std::string&, int,
                                                                              FileStat, uint64_t)) {
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
  StatusOr<uint64_t> token = s.ok() ? Publish(env, *dirfd, path, mutant) : StatusOr<uint64_t>(s);
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

// The seed's way of breaking a lock (mutants only): delete whatever lock
// the path names now, which need not be the one that was inspected.
Status BreakByPath(Env* env, const std::string& path) {
  Status s = RemoveLockDirectory(env, path);
  if (!s.ok() && s.err() == ENOTEMPTY) return Status::Ok();  // a holder publishing into it: look again
  return s;
}

// Breaks an inspected lock (P3). OK means "look again": the lock was removed,
// or someone else changed it first.
Status BreakLock(Env* env, const std::string& path, const LockInspection& seen, Mutant mutant) {
  Status s = FaultPoint(fault_point::kBeforeBreak, path);
  if (!s.ok()) return s;
  if (seen.expired || !BreaksThroughQuarantine(mutant)) return BreakByPath(env, path);
  auto now = env->StatNoFollow(path);
  if (!now.ok()) return now.status().IsNotFound() ? Status::Ok() : now.status();
  if (!now->SameFile(seen.stat)) return Status::Ok();

  std::string quarantine = UniqueName(env, path + kQuarantineInfix);
  s = env->RenameNoReplace(path, quarantine);
  if (!s.ok() && s.err() == EINVAL) s = env->Rename(path, quarantine);  // fs without RENAME_NOREPLACE
  if (!s.ok()) return s.IsNotFound() ? Status::Ok() : s;

  // Did we move the lock we inspected? Its inode is pinned by seen.dirfd().
  bool same = false;
  auto moved = env->OpenDir(quarantine);
  if (moved.ok()) {
    auto moved_stat = env->StatFd(*moved, quarantine);
    if (moved_stat.ok() && moved_stat->SameFile(seen.stat)) {
      std::string ignored;
      auto owner = ReadRecordFile(env, *moved, kOwnerFile, kMaxOwnerRecordBytes, quarantine, &ignored);
      auto identity = ReadRecordFile(env, *moved, kIdentityFile, kMaxIdentityBytes, quarantine, &ignored);
      same = owner == seen.owner_bytes && identity == seen.identity_bytes;
    }
    (void)env->CloseDir(*moved);
  }
  if (same) {
    // The lock is out of the way whether or not its remains can be deleted
    // (a forged lock may hold a subdirectory); the sweep retries those.
    (void)RemoveLockDirectory(env, quarantine);
    return Status::Ok();
  }

  // We moved a lock we did not judge: put it back unless the path is taken
  // again. If it is, the holder of the moved lock finds out when it verifies
  // its lock before writing (kLockLost) and the quarantine is swept later.
  s = env->RenameNoReplace(quarantine, path);
  if (!s.ok() && s.err() == EINVAL) s = env->Rename(quarantine, path);
  return Status::Ok();
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

LockInspection::LockInspection(LockInspection&& o) noexcept
    : stat(o.stat), state(o.state), pid(o.pid), owner_bytes(std::move(o.owner_bytes)),
      identity_bytes(std::move(o.identity_bytes)), owner_problem(std::move(o.owner_problem)),
      age_ns(o.age_ns), breakable(o.breakable), expired(o.expired), lease_unchanged_ns(o.lease_unchanged_ns),
      env_(o.env_), dirfd_(o.dirfd_) {
  o.dirfd_ = -1;
}

LockInspection::~LockInspection() {
  if (dirfd_ >= 0) (void)env_->CloseDir(dirfd_);
}

std::string LockInspection::Describe() const {
  char age[32];
  std::snprintf(age, sizeof age, "%.1f s", static_cast<double>(age_ns) / 1e9);
  if (state == OwnerState::kNoRecord) {
    return std::string("no valid owner record (") + owner_problem + "), unchanged for " + age;
  }
  std::string held = "held by PID " + std::to_string(pid) + " (" + OwnerStateName(state);
  if (NeedsLease(state)) {
    std::snprintf(age, sizeof age, "%.1f s", static_cast<double>(lease_unchanged_ns) / 1e9);
    held += std::string("; its lease seen unrenewed for ") + age;
  }
  return held + ")";
}

StatusOr<LockInspection> InspectLock(Env* env, const std::string& lock_path, const LockOptions& options) {
  auto dirfd = env->OpenDir(lock_path);
  if (!dirfd.ok()) return dirfd.status();
  LockInspection seen(env, *dirfd);
  auto st = env->StatFd(*dirfd, lock_path);
  if (!st.ok()) return st.status();
  seen.stat = *st;
  seen.owner_bytes = ReadRecordFile(env, *dirfd, kOwnerFile, kMaxOwnerRecordBytes, lock_path, &seen.owner_problem);
  seen.identity_bytes = ReadRecordFile(env, *dirfd, kIdentityFile, kMaxIdentityBytes, lock_path, nullptr);
  // The pid-only mutant judges by kill(pid, 0) alone, as if no identity
  // were there; the bytes are still kept for the break's re-verification.
  seen.state = ClassifyOwner(env, seen.owner_bytes,
                             ChecksOwnerIdentity(options.mutant) ? seen.identity_bytes : std::nullopt, &seen.pid,
                             /*pids_are_global=*/!ChecksOwnerNamespace(options.mutant));
  if (seen.state == OwnerState::kNoRecord && seen.owner_problem.empty()) {
    seen.owner_problem = seen.owner_bytes && seen.owner_bytes->empty() ? "empty owner file" : "garbled owner file";
  }
  seen.age_ns = env->NowRealtimeNs() - seen.stat.ctime_ns;
  int64_t grace_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options.ownerless_grace).count();
  const bool grace_over = seen.age_ns >= grace_ns || !WaitsGraceForOwnerlessLock(options.mutant);
  seen.breakable = seen.state == OwnerState::kDead || seen.state == OwnerState::kRecycled ||
                   (seen.state == OwnerState::kNoRecord && grace_over);
  if (NeedsLease(seen.state)) {  // P11: the grace is also the lease expiry
    seen.lease_unchanged_ns = ObservedUnchangedNs(env, seen.stat);
    seen.breakable = seen.lease_unchanged_ns >= grace_ns;
  }
  if (BreaksByAge(options.mutant)) {
    int64_t stale_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(options.stale_age).count();
    seen.expired = env->NowRealtimeNs() - seen.stat.mtime_ns > stale_ns;
    seen.breakable = seen.breakable || seen.expired;
  }
  return seen;
}

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
  int64_t poll_ns = 1000000;  // 1 ms, doubling up to max_poll
  std::optional<LockInspection> last_seen;
  std::optional<FileStat> last_lock;  // the lock our previous attempt found
  for (;;) {
    auto made = TryCreate(env, lock_path, options.mutant, make);
    if (made.ok()) {
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
      const bool unchanged = last_lock && last_lock->SameFile(*current);
      last_lock = *current;
      if (unchanged) {
        auto seen = InspectLock(env, lock_path, options);
        if (!seen.ok()) {
          if (!seen.status().IsNotFound()) return seen.status();
          continue;
        }
        if (seen->breakable) {
          Status s = BreakLock(env, lock_path, *seen, options.mutant);
          if (!s.ok()) return s;
          continue;
        }
        last_seen.reset();
        last_seen.emplace(std::move(seen).value());
      }
    }

    int64_t now = env->NowMonotonicNs();
    if (now >= deadline) {
      if (!last_seen || !last_lock || !last_seen->stat.SameFile(*last_lock)) {
        // Describe the lock that is there now, not an earlier one.
        auto seen = InspectLock(env, lock_path, options);
        last_seen.reset();
        if (seen.ok()) last_seen.emplace(std::move(seen).value());
      }
      return Status::LockTimeout(lock_path, TimeoutMessage(lock_path, options, last_seen ? &*last_seen : nullptr));
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

Status RemoveLockDirectory(Env* env, const std::string& path) {
  auto dirfd = env->OpenDir(path);
  if (!dirfd.ok()) return dirfd.status().IsNotFound() ? Status::Ok() : dirfd.status();
  auto names = env->ListDirFd(*dirfd, path);
  if (names.ok()) {
    for (const auto& name : *names) {
      (void)env->UnlinkAt(*dirfd, name, path);  // fails harmlessly on a subdirectory
    }
  }
  (void)env->CloseDir(*dirfd);
  Status s = env->RemoveDir(path);
  return s.IsNotFound() ? Status::Ok() : s;
}

}  // namespace lockharness::protocol
