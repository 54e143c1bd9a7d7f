// Inspecting and breaking a lock (docs/protocol.md P3): read and classify
// the owner record, and break a stale lock through a quarantine rename that
// re-verifies it moved the very lock it inspected.

#include <cerrno>
#include <cstdio>

#include "dir_lock_internal.h"
#include "lockharness/protocol/fault_points.h"
#include "lockharness/protocol/lease.h"
#include "path_util.h"

namespace lockharness::protocol {
namespace internal {
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

// The seed's way of breaking a lock (mutants only): delete whatever lock
// the path names now, which need not be the one that was inspected.
Status BreakByPath(Env* env, const std::string& path) {
  Status s = RemoveLockDirectory(env, path);
  if (!s.ok() && s.err() == ENOTEMPTY) return Status::Ok();  // a holder publishing into it: look again
  return s;
}

}  // namespace

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

}  // namespace internal

LockInspection::LockInspection(LockInspection&& o) noexcept
    : stat(o.stat), state(o.state), pid(o.pid), owner_bytes(std::move(o.owner_bytes)),
      identity_bytes(std::move(o.identity_bytes)), owner_problem(std::move(o.owner_problem)), age_ns(o.age_ns),
      breakable(o.breakable), expired(o.expired), lease_unchanged_ns(o.lease_unchanged_ns), env_(o.env_),
      dirfd_(o.dirfd_) {
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
  seen.owner_bytes =
      internal::ReadRecordFile(env, *dirfd, kOwnerFile, kMaxOwnerRecordBytes, lock_path, &seen.owner_problem);
  seen.identity_bytes = internal::ReadRecordFile(env, *dirfd, kIdentityFile, kMaxIdentityBytes, lock_path, nullptr);
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
