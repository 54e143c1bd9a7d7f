// dir_lock.h: the inter-process lock `<file>.lock`, a directory created with
// mkdir (atomic on every POSIX file system, no flock needed).
//
//   auto lock = DirLock::Acquire(env, "/x/sandboxes.json.lock", options);
//   if (!lock.ok()) return lock.status();   // kLockTimeout, kIoError
//   ... read, modify, write ...
//   Status s = (*lock)->Release();          // kLockLost if it was broken
//
// Acquire: mkdir the directory (0700), publish the owner record inside it
// (owner_record.h), then check the path still names the directory we made.
// A waiter inspects the existing lock and breaks it only when its owner is
// dead or recycled, or when it has no valid owner record and has not changed
// for `ownerless_grace`, or when its owner cannot be verified (another PID
// namespace or host) and its lease went unrenewed for `ownerless_grace`. A live owner's lock is never broken, however
// old. Breaking renames the directory to a unique quarantine name, checks that it moved the very lock it inspected
// (same inode, which stays pinned because the inspection holds it open, and same owner bytes) and only then deletes it;
// if it moved another lock, it renames it back. Waiting uses inotify on the parent directory so a release is seen at
// once, with a short capped poll as fallback, until `timeout`. Full rules: docs/protocol.md, P2-P4, P7.

#ifndef LOCKHARNESS_PROTOCOL_DIR_LOCK_H_
#define LOCKHARNESS_PROTOCOL_DIR_LOCK_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lockharness/protocol/env.h"
#include "lockharness/protocol/mutant.h"
#include "lockharness/protocol/owner_record.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

struct LockOptions {
  std::chrono::milliseconds timeout{10000};
  // How long a lock without a valid owner record must stay unchanged (by
  // ctime, which cannot be forged with utime) before it may be broken.
  std::chrono::milliseconds ownerless_grace{5000};
  // The longest a waiter sleeps between checks when no inotify event comes.
  std::chrono::milliseconds max_poll_interval{20};
  // Experimental, off by default (docs/performance.md, issue 15): a waiter
  // that finds the lock taken queues in flock(2) on the side file
  // `<lock path>.queue` and retries the mkdir lock while at the head of that
  // queue (or every kQueueRecheckInterval while behind), leaving the queue
  // as soon as it holds the lock. The mkdir lock stays the protocol's lock:
  // writers that never touch the side file take it as before.
  bool wait_queue = false;
  // Testing aid (mutant.h): the deliberately broken variant to run.
  Mutant mutant = Mutant::kNone;
  // The age-reap mutant breaks any lock whose directory mtime is older than
  // this (the seed's 10 s rule). The reference never breaks a lock by age.
  std::chrono::milliseconds stale_age{10000};
};

// What a waiter saw when it looked at an existing lock. Holds the lock
// directory open, so its inode cannot be reused while the inspection lives.
class LockInspection {
 public:
  LockInspection(Env* env, int dirfd) : env_(env), dirfd_(dirfd) {}
  LockInspection(LockInspection&& other) noexcept;
  LockInspection& operator=(LockInspection&&) = delete;
  ~LockInspection();

  FileStat stat;
  OwnerState state = OwnerState::kNoRecord;
  pid_t pid = 0;
  std::optional<std::string> owner_bytes;
  std::optional<std::string> identity_bytes;
  std::string owner_problem;  // why there is no valid record ("empty", "symlink"...)
  int64_t age_ns = 0;         // now - ctime of the lock directory
  bool breakable = false;
  bool expired = false;  // older than stale_age by mtime (age-reap mutant only)
  // For a holder we cannot verify (NeedsLease(state)): how long this process
  // has seen the lock unchanged, i.e. without a lease renewal (P11).
  int64_t lease_unchanged_ns = 0;

  // "held by PID 4242 (alive)", "no valid owner record (empty owner file), unchanged for 3.2 s"
  std::string Describe() const;
  int dirfd() const { return dirfd_; }

 private:
  Env* env_;
  int dirfd_;
};

// Looks at the lock at `lock_path`. Errors: ENOENT when there is no lock;
// ENOTDIR/ELOOP when the path is not a plain directory (never broken: a
// human must look).
StatusOr<LockInspection> InspectLock(Env* env, const std::string& lock_path, const LockOptions& options);

// The side file of LockOptions::wait_queue, beside the lock directory.
inline constexpr char kWaitQueueSuffix[] = ".queue";
// How often a queued waiter that is not at the head re-checks the lock: a
// head that was stopped (not killed, which frees its place at once) delays
// the others by at most this per attempt, and the deadline still holds.
inline constexpr std::chrono::milliseconds kQueueRecheckInterval{50};

class DirLock {
 public:
  // Blocks until the lock is held or options.timeout passes.
  // On success the caller holds the lock until Release() or destruction.
  // Errors: kLockTimeout (message names the holder and how to clear it),
  // kIoError (a system call failed; nothing of ours is left behind).
  static StatusOr<std::unique_ptr<DirLock>> Acquire(Env* env, const std::string& lock_path, const LockOptions& options);

  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  // Releases the lock if still held, ignoring errors.
  ~DirLock();

  // OK if `lock_path` still names our directory with our owner record.
  // kLockLost otherwise.
  Status VerifyHeld();

  // Removes the lock if it is still ours (P4). kLockLost if it was broken or
  // replaced: then nothing at the path is touched. REQUIRES: held.
  Status Release();

  const std::string& path() const { return path_; }
  uint64_t token() const { return token_; }
  // The lock directory, open since mkdir (lease renewal touches it, P11).
  int dirfd() const { return dirfd_; }

 private:
  DirLock(Env* env, std::string path, int dirfd, FileStat stat, uint64_t token)
      : env_(env), path_(std::move(path)), dirfd_(dirfd), stat_(stat), token_(token) {}
  // P4: VerifyHeld, then unlink our owner files and remove the directory.
  Status RemoveIfOurs();

  Env* env_;
  std::string path_;
  int dirfd_;
  FileStat stat_;
  uint64_t token_;
  Mutant mutant_ = Mutant::kNone;
  bool held_ = true;
};

// Deletes a lock directory that is no longer anyone's (a quarantined lock):
// unlinks the entries directly inside it (files, symlinks, empty
// directories), then removes it. Never follows symlinks or recurses.
Status RemoveLockDirectory(Env* env, const std::string& path);

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_DIR_LOCK_H_
