// kernel_locks.h (private): kernel locks (flock(2), fcntl record and OFD
// locks, lockf) rebuilt from the trace timeline, for lock_tenures.h.
//
// Who owns the lock decides when it ends:
//  - flock and OFD locks belong to the open file description: every
//    descriptor that shares it, in any process (dup, inheritance across
//    fork and exec), holds the same lock. It ends at an unlock (or
//    downgrade to shared) through any of those descriptors, or when the
//    last of them goes: closed, replaced by dup2, closed at exec
//    (close-on-exec), or its process exited. `exec 9>>LOCK; flock 9` in a
//    shell: flock(1) takes the lock and exits, the shell's descriptor 9
//    keeps it until `flock -u 9`, the shell's exit or its close of 9.
//  - POSIX record locks (fcntl F_SETLK(W), lockf) belong to the process and
//    the file: they end at the process's unlock, at its close of any
//    descriptor of the file, or at its exit; exec keeps them.
// Descriptors are followed through open, dup, inherited, exec, close and
// exit lines. A descriptor inherited from a traced parent shares the
// parent's open file description when the parent's trace shows exactly one
// descriptor of that number and file made before the child appeared; when
// it cannot be settled (none, or several), the child's descriptor counts as
// an open file description of its own, as does a descriptor that appears
// out of nowhere (locked without a traced open). A lock whose last
// descriptor vanished without a trace line (its number reused) ends at its
// last traced use. Every doubt thus shortens a span, which can hide an
// overlap but never invent one: the spans never outlast the real locks,
// as far as the trace shows every descriptor's creation and closing
// (docs/interposer.md lists what it cannot see).
// A lock never seen to end is held at least until the last line of a
// process that still had a descriptor of it (Tenure::kept_by): a killed
// process writes no exit line.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_KERNEL_LOCKS_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_KERNEL_LOCKS_H_

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

// One stay of a lock.
struct Tenure {
  const TracedCall* start = nullptr;
  const TracedCall* end = nullptr;  // null: until the owner's last line
  std::string how_ended;            // "released by its owner (rmdir)", ...
  int ended_by = 0;                 // pid whose call ended it; 0 if none
  // Unended kernel locks: the processes that still had a descriptor of the
  // lock at the trace's end (it lasted at least until the last line of one
  // of them). Empty: the holder.
  std::vector<int> kept_by;
};

// One lock: a directory (or file) created by `owner` at the lock path, or
// a kernel lock (flock, fcntl, lockf) taken by `owner` on a file.
struct LockObject {
  int owner = 0;             // the writer (TracedCall::writer)
  std::string how_acquired;  // "mkdir", "link", ...
  std::vector<Tenure> tenures;
  int holder = 0;  // the process that took it
};

// The tenure lasted at least until this (its end call's lower bound, or
// the last line of a process that kept it).
int64_t EndsNotBefore(const TraceTimeline& timeline, const LockObject& o, const Tenure& t);

// The stamp of the last line of the process(es) that kept an unended
// tenure: the latest moment it was certainly still held.
int64_t HeldUntilAtLeast(const TraceTimeline& timeline, const LockObject& o, const Tenure& t);

class KernelLockTracker {
 public:
  explicit KernelLockTracker(const TraceTimeline& timeline) : timeline_(timeline) {}

  void Run();

  std::vector<LockObject>& objects() { return objects_; }

 private:
  using Fd = std::pair<int, int>;  // (pid, descriptor)
  static constexpr size_t kNoLock = static_cast<size_t>(-1);

  // An open file description: the descriptors that share it now.
  struct Description {
    std::string path_class;
    std::string path;
    std::set<Fd> fds;
    size_t lock = kNoLock;  // the exclusive lock held through it, if any
    const TracedCall* last_use = nullptr;
  };
  // One descriptor number of a process bound to a description.
  struct Binding {
    size_t description;
    const TracedCall* made;
  };

  void OnLock(const TracedCall& call);
  void OnPosixLock(const TracedCall& call);
  void OnOpen(const TracedCall& call);
  void OnDup(const TracedCall& call);
  void OnInherited(const TracedCall& call);
  void OnClose(const TracedCall& call);
  void OnExit(const TracedCall& call);
  void OnExec(const TracedCall& call);
  void SettleExec(int pid);

  // The description (pid, fd) names; binds a new one (path) if none.
  size_t DescriptionOf(const TracedCall& call, int pid, int fd, const std::string& path);
  // The description a descriptor the process did not make in its traced
  // life came from: its parent's, if the parent's trace settles it.
  size_t InheritedFromParent(int pid, int fd, const std::string& path_class,
                             const std::string& path) const;
  size_t NewDescription(const std::string& path_class, const std::string& path);
  void Bind(const TracedCall& call, Fd fd, size_t description);
  // Removes a binding; the description's lock ends at `end` (null: at its
  // last traced use, the descriptor having vanished untraced) if it was
  // the last descriptor.
  void Unbind(Fd fd, const TracedCall* end, const std::string& how);
  void EndFlock(size_t description, const TracedCall& call, std::string how, int by);
  void EndPosix(std::map<std::pair<int, std::string>, size_t>::iterator it, const TracedCall& call,
                std::string how);

  const TraceTimeline& timeline_;
  std::vector<LockObject> objects_;
  std::vector<Description> descriptions_;
  std::map<Fd, size_t> bound_;                  // (pid, fd) -> description
  std::map<Fd, std::vector<Binding>> history_;  // every binding ever made
  std::map<int, std::pair<const TracedCall*, std::map<int, size_t>>> exec_pending_;
  std::map<std::pair<int, std::string>, size_t> posix_;  // (pid, file) -> object
};

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_KERNEL_LOCKS_H_
