// env.h: every operating-system access the protocol makes, behind one small
// interface (after LevelDB's Env).
//
// The protocol code never calls the OS directly; it calls an Env. The POSIX
// implementation (Env::Default()) is what lockreg uses. Tests wrap it with
// a forwarding Env that fails chosen calls or fakes process liveness.
//
// Every failing call returns Status::IoError(step, path, errno). Calls taking a
// `dirfd` act on an already opened directory, not on whatever a path names
// now: that is how the lock code operates on the exact lock it examined.

#ifndef LOCKHARNESS_PROTOCOL_ENV_H_
#define LOCKHARNESS_PROTOCOL_ENV_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lockharness/protocol/process_identity.h"
#include "lockharness/protocol/status.h"

namespace lockharness::protocol {

struct FileStat {
  dev_t dev = 0;
  ino_t ino = 0;
  mode_t mode = 0;  // includes the file type bits
  off_t size = 0;
  int64_t ctime_ns = 0;  // CLOCK_REALTIME
  int64_t mtime_ns = 0;
  bool IsDir() const;
  bool IsRegular() const;
  bool IsSymlink() const;
  bool SameFile(const FileStat& other) const { return dev == other.dev && ino == other.ino; }
};

enum class Liveness {
  kAlive,  // kill(pid, 0) succeeded or failed with EPERM
  kDead,   // kill(pid, 0) failed with ESRCH
};

// Waits for entries of one directory to be deleted or renamed away.
class DirWatcher {
 public:
  virtual ~DirWatcher() = default;
  // Returns when an entry named `name` may have been deleted from the watched
  // directory, or after `timeout`, whichever comes first. Renames away are
  // not reported (callers poll for those). Spurious returns are allowed;
  // callers re-check.
  virtual void Wait(std::chrono::nanoseconds timeout) = 0;
};

// A place in a kernel-ordered queue of lock waiters: an exclusive flock(2)
// requested on a side file. The kernel holds the queue, so a waiter that
// dies leaves it at once. flock has no timeout: the POSIX Env blocks in it on
// a thread of its own, which is how the caller's deadline still holds.
//
// Not fork-safe while queued: a child made then inherits the side file's
// open file description, and a turn granted to it stays until the child
// closes it too (the descriptor is close-on-exec).
class WaitQueue {
 public:
  // Leaves the queue: drops the flock, or withdraws the pending request (a
  // grant that arrives later is dropped at once).
  virtual ~WaitQueue() = default;
  // Waits up to `timeout` for this waiter's turn (it holds the flock). True
  // once it has it, and at once on every later call. Also true when the
  // queue failed (an error from flock): the caller then waits without it.
  virtual bool WaitForTurn(std::chrono::nanoseconds timeout) = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  // --- Files by path ------------------------------------------------------
  // Creates `path` with O_CREAT|O_EXCL|O_WRONLY|O_NOFOLLOW|O_CLOEXEC.
  virtual StatusOr<int> CreateExclusive(const std::string& path, mode_t mode) = 0;
  // Opens `path` for writing in place (O_WRONLY|O_CREAT|O_TRUNC). Only the
  // deliberately broken variants (mutants) use this.
  virtual StatusOr<int> OpenForOverwrite(const std::string& path, mode_t mode) = 0;
  // Writes all of `data`, retrying short writes and EINTR.
  virtual Status WriteAll(int fd, std::string_view data, const std::string& path) = 0;
  virtual Status SyncFile(int fd, const std::string& path) = 0;
  virtual Status CloseFile(int fd, const std::string& path) = 0;
  // Opens the directory and fsyncs it.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Reads a whole regular file without following a final symlink. Fails
  // with EFBIG if it is larger than `max_bytes`.
  virtual StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // rename() that fails with EEXIST instead of replacing `to` (renameat2
  // RENAME_NOREPLACE; EINVAL where the file system cannot do it).
  virtual Status RenameNoReplace(const std::string& from, const std::string& to) = 0;
  virtual Status Unlink(const std::string& path) = 0;
  virtual Status MakeDir(const std::string& path, mode_t mode) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;
  virtual StatusOr<FileStat> StatNoFollow(const std::string& path) = 0;
  virtual StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;

  // --- Files relative to an open directory ---------------------------------
  // Opens a directory with O_DIRECTORY|O_NOFOLLOW: fails on a symlink.
  virtual StatusOr<int> OpenDir(const std::string& path) = 0;
  virtual StatusOr<FileStat> StatFd(int fd, const std::string& path) = 0;
  virtual StatusOr<int> CreateExclusiveAt(int dirfd, const std::string& name, mode_t mode,
                                          const std::string& display_path) = 0;
  virtual StatusOr<std::string> ReadFileAt(int dirfd, const std::string& name, size_t max_bytes,
                                           const std::string& display_path) = 0;
  virtual Status RenameAt(int dirfd, const std::string& from, const std::string& to,
                          const std::string& display_path) = 0;
  // Removes a file, or an empty directory, inside `dirfd`.
  virtual Status UnlinkAt(int dirfd, const std::string& name, const std::string& display_path) = 0;
  virtual StatusOr<std::vector<std::string>> ListDirFd(int dirfd, const std::string& display_path) = 0;
  virtual Status CloseDir(int dirfd) = 0;

  // Watches `dir` for removal of the entry `name`. Returns nullptr where
  // watching is unavailable (the caller then polls).
  virtual std::unique_ptr<DirWatcher> WatchDir(const std::string& dir, const std::string& name) = 0;

  // Joins the wait queue kept by flock on `path` (a regular file, created
  // mode 0600 if missing and never deleted: deleting it would split the
  // queue between the old and the new file). nullptr where no such queue
  // can be kept (the caller waits without it).
  virtual StatusOr<std::unique_ptr<WaitQueue>> JoinWaitQueue(const std::string& path) = 0;

  // --- Processes ------------------------------------------------------------
  virtual Liveness ProbeProcess(pid_t pid) = 0;
  // The identity of a running process, or nullopt if it cannot be read (no
  // such process, no /proc).
  virtual std::optional<ProcessIdentity> IdentityOf(pid_t pid) = 0;
  virtual pid_t SelfPid() = 0;
  // Finds the process that PID namespace `pid_ns` calls `ns_pid`
  // (process_identity.h). The default scans /proc.
  virtual PidNamespaceLookup LookUpInPidNamespace(uint64_t pid_ns, pid_t ns_pid) {
    return protocol::LookUpInPidNamespace(pid_ns, ns_pid);
  }
  // Sets the times of the open file or directory `fd` to now (a holder
  // renewing its lease, P11).
  virtual Status TouchFd(int fd, const std::string& path) = 0;

  // --- Time and randomness ----------------------------------------------------
  virtual int64_t NowRealtimeNs() = 0;
  virtual int64_t NowMonotonicNs() = 0;
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
  virtual uint64_t Random64() = 0;
};

// Forwards every call to another Env; tests override the calls they fault.
class ForwardingEnv : public Env {
 public:
  explicit ForwardingEnv(Env* target) : target_(target) {}
  StatusOr<int> CreateExclusive(const std::string& p, mode_t m) override { return target_->CreateExclusive(p, m); }
  StatusOr<int> OpenForOverwrite(const std::string& p, mode_t m) override { return target_->OpenForOverwrite(p, m); }
  Status WriteAll(int fd, std::string_view d, const std::string& p) override { return target_->WriteAll(fd, d, p); }
  Status SyncFile(int fd, const std::string& p) override { return target_->SyncFile(fd, p); }
  Status CloseFile(int fd, const std::string& p) override { return target_->CloseFile(fd, p); }
  Status SyncDir(const std::string& d) override { return target_->SyncDir(d); }
  StatusOr<std::string> ReadFile(const std::string& p, size_t m) override { return target_->ReadFile(p, m); }
  Status Rename(const std::string& f, const std::string& t) override { return target_->Rename(f, t); }
  Status RenameNoReplace(const std::string& f, const std::string& t) override { return target_->RenameNoReplace(f, t); }
  Status Unlink(const std::string& p) override { return target_->Unlink(p); }
  Status MakeDir(const std::string& p, mode_t m) override { return target_->MakeDir(p, m); }
  Status RemoveDir(const std::string& p) override { return target_->RemoveDir(p); }
  StatusOr<FileStat> StatNoFollow(const std::string& p) override { return target_->StatNoFollow(p); }
  StatusOr<std::vector<std::string>> ListDir(const std::string& d) override { return target_->ListDir(d); }
  StatusOr<int> OpenDir(const std::string& p) override { return target_->OpenDir(p); }
  StatusOr<FileStat> StatFd(int fd, const std::string& p) override { return target_->StatFd(fd, p); }
  StatusOr<int> CreateExclusiveAt(int dfd, const std::string& n, mode_t m, const std::string& p) override {
    return target_->CreateExclusiveAt(dfd, n, m, p);
  }
  StatusOr<std::string> ReadFileAt(int dfd, const std::string& n, size_t m, const std::string& p) override {
    return target_->ReadFileAt(dfd, n, m, p);
  }
  Status RenameAt(int dfd, const std::string& f, const std::string& t, const std::string& p) override {
    return target_->RenameAt(dfd, f, t, p);
  }
  Status UnlinkAt(int dfd, const std::string& n, const std::string& p) override { return target_->UnlinkAt(dfd, n, p); }
  StatusOr<std::vector<std::string>> ListDirFd(int dfd, const std::string& p) override {
    return target_->ListDirFd(dfd, p);
  }
  Status CloseDir(int dfd) override { return target_->CloseDir(dfd); }
  std::unique_ptr<DirWatcher> WatchDir(const std::string& d, const std::string& n) override {
    return target_->WatchDir(d, n);
  }
  StatusOr<std::unique_ptr<WaitQueue>> JoinWaitQueue(const std::string& p) override {
    return target_->JoinWaitQueue(p);
  }
  Liveness ProbeProcess(pid_t pid) override { return target_->ProbeProcess(pid); }
  std::optional<ProcessIdentity> IdentityOf(pid_t pid) override { return target_->IdentityOf(pid); }
  pid_t SelfPid() override { return target_->SelfPid(); }
  PidNamespaceLookup LookUpInPidNamespace(uint64_t ns, pid_t pid) override {
    return target_->LookUpInPidNamespace(ns, pid);
  }
  Status TouchFd(int fd, const std::string& p) override { return target_->TouchFd(fd, p); }
  int64_t NowRealtimeNs() override { return target_->NowRealtimeNs(); }
  int64_t NowMonotonicNs() override { return target_->NowMonotonicNs(); }
  void SleepFor(std::chrono::nanoseconds d) override { target_->SleepFor(d); }
  uint64_t Random64() override { return target_->Random64(); }

 protected:
  Env* target() const { return target_; }

 private:
  Env* target_;
};

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_ENV_H_
