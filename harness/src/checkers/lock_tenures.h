// lock_tenures.h (private): the locks of the trace-mutual-exclusion checker
// (trace_mutual_exclusion.h), rebuilt from the trace timeline: every lock
// object (a lock at the lock path, or a kernel lock on a file) with its
// tenures, as LockTracker and KernelLockTracker (kernel_locks.h) find them. lock_tenures.cc
// turns them into ObservedLockSpans(); trace_mutual_exclusion.cc judges the
// registry renames against them.

#ifndef LOCKHARNESS_HARNESS_SRC_CHECKERS_LOCK_TENURES_H_
#define LOCKHARNESS_HARNESS_SRC_CHECKERS_LOCK_TENURES_H_

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kernel_locks.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

constexpr size_t kNone = static_cast<size_t>(-1);

// The lock convention an acquisition belongs to, by how it was made:
// mkdir, o-excl, link, rename, lock-file (write after open), flock, posix,
// ofd.
std::string ConventionOf(const std::string& how_acquired);

// True for the removal families: rmdir and unlink.
bool IsRemovalFamily(std::string_view family);

// Removes the lock at the lock path: rmdir/unlink of it, or a rename away.
bool RemovesLock(const TracedCall& call);

// The opens of the lock path whose descriptor the process then writes to
// (a lock file receiving the holder's pid), by index into timeline.calls.
std::set<size_t> LockFileCreations(const TraceTimeline& timeline);

// Rebuilds the locks from the calls on the lock path.
class LockTracker {
 public:
  explicit LockTracker(const TraceTimeline& timeline)
      : timeline_(timeline), lock_files_(LockFileCreations(timeline)) {}

  void Run() {
    const std::vector<TracedCall>& calls = timeline_.calls;
    consumed_.assign(calls.size(), false);
    for (size_t i = 0; i < calls.size(); ++i) {
      if (RemovesLock(calls[i])) removals_.push_back(i);
    }
    for (size_t i = 0; i < calls.size(); ++i) {
      if (consumed_[i]) continue;
      const TracedCall& call = calls[i];
      const TraceEventRef e = call.event;
      if (std::string how = Acquisition(i); !how.empty()) {
        if (auto it = at_.find(e.path()); it != at_.end()) FreeFor(i, it->second);
        Arrive(call, how);
      } else if (RemovesLock(call)) {
        if (ReleasesVanished(call)) continue;
        if (auto it = at_.find(LockSide(e)); it != at_.end()) {
          Remove(call, it->second);
        }
      } else if (Succeeded(e) && call.family() == "rename" && !e.from().empty()) {
        // A lock moving between places off the lock path (quarantine).
        if (auto it = at_.find(e.from()); it != at_.end()) {
          size_t object = it->second;
          at_.erase(it);
          at_[e.path()] = object;
        }
      } else if (Succeeded(e) && IsRemovalFamily(call.family())) {
        at_.erase(e.path());
      }
    }
  }

  const std::vector<LockObject>& objects() const { return objects_; }
  size_t tenures() const {
    size_t n = 0;
    for (const LockObject& o : objects_) n += o.tenures.size();
    return n;
  }

 private:
  static const std::string& LockSide(TraceEventRef e) {
    return e.from_class() == "lock" ? e.from() : e.path();
  }

  // How call i puts a lock at the lock path, or "" if it does not.
  std::string Acquisition(size_t i) const {
    const TracedCall& call = timeline_.calls[i];
    const TraceEventRef e = call.event;
    if (!Succeeded(e) || e.path_class() != "lock") return "";
    if (call.family() == "mkdir") return "mkdir";
    if (call.family() == "link") return "link";
    if (call.family() == "rename") {
      return at_.count(e.from()) != 0 ? "moved back" : "rename onto the lock";
    }
    if (call.family() == "open" && lock_files_.count(i) != 0) {
      return e.ExclusiveCreate() ? "lock file created (open O_CREAT|O_EXCL)"
                                 : "lock file created (open, then write)";
    }
    return "";
  }

  // Call i acquired the lock path while we believe `object` is there, so
  // that lock had left when call i ran: by a removal stamped later but
  // possibly done earlier (its owner's first, then anyone's), or by a call
  // we cannot see.
  void FreeFor(size_t i, size_t object) {
    const TracedCall& acquire = timeline_.calls[i];
    const std::string& path = acquire.event.path();
    size_t j = NextRemoval(i, path, objects_[object].holder);
    if (j == kNone) j = NextRemoval(i, path, 0);
    if (j != kNone) {
      Remove(timeline_.calls[j], object);
      consumed_[j] = true;
      return;
    }
    End(object, &acquire, "vanished from the lock path (its removal was not traced)", 0);
    at_.erase(path);
    vanished_[objects_[object].holder] = object;
  }

  // The first unconsumed removal of `path` after call i, by `pid` (0: by
  // anyone), that may have happened before call i; kNone if none among the
  // next few removals.
  size_t NextRemoval(size_t i, const std::string& path, int pid) const {
    constexpr int kLookahead = 64;  // reorderings span a few calls
    const TracedCall& acquire = timeline_.calls[i];
    auto it = std::upper_bound(removals_.begin(), removals_.end(), i);
    for (int n = 0; it != removals_.end() && n < kLookahead; ++it, ++n) {
      const TracedCall& c = timeline_.calls[*it];
      if (consumed_[*it] || LockSide(c.event) != path) continue;
      if (pid != 0 && c.pid() != pid) continue;
      if (c.earliest < acquire.latest()) return *it;
    }
    return kNone;
  }

  // A removal by the owner of a lock that we declared vanished, which may
  // have run before the acquisition that proved it gone: it was that
  // lock's release (stamped late), not a removal of the current lock.
  bool ReleasesVanished(const TracedCall& call) {
    auto it = vanished_.find(call.pid());
    if (it == vanished_.end()) return false;
    const size_t object = it->second;
    vanished_.erase(it);
    const Tenure& last = objects_[object].tenures.back();
    if (last.end == nullptr || last.ended_by != 0) return false;  // moved on
    if (call.earliest >= last.end->latest()) return false;        // certainly later
    End(object, &call, "released by its owner (" + call.event.call() + ")", call.writer);
    return true;
  }

  void Arrive(const TracedCall& call, const std::string& how) {
    const TraceEventRef e = call.event;
    size_t object;
    if (how == "moved back") {
      object = at_.at(e.from());
      at_.erase(e.from());
    } else {
      object = objects_.size();
      objects_.push_back({call.writer, how, {}, e.pid()});
    }
    objects_[object].tenures.push_back({&call, nullptr, "", 0, {}});
    at_[e.path()] = object;
    vanished_.erase(e.pid());  // its next removal is of this lock
  }

  // `call` takes lock `object` off the lock path.
  void Remove(const TracedCall& call, size_t object) {
    const TraceEventRef e = call.event;
    const bool owner = call.writer == objects_[object].owner;
    std::string how = owner ? "released by its owner" : "broken by pid " + std::to_string(e.pid());
    how.append(" (").append(e.call());
    if (call.family() == "rename") how.append(" to ").append(e.path());
    how.append(")");
    End(object, &call, how, call.writer);
    at_.erase(LockSide(e));
    if (call.family() == "rename") at_[e.path()] = object;
  }

  void End(size_t object, const TracedCall* call, std::string how, int by) {
    Tenure& t = objects_[object].tenures.back();
    t.end = call;
    t.how_ended = std::move(how);
    t.ended_by = by;
  }

  const TraceTimeline& timeline_;
  const std::set<size_t> lock_files_;
  std::vector<LockObject> objects_;
  std::map<std::string, size_t> at_;  // path -> lock now there
  std::vector<size_t> removals_;      // indexes of RemovesLock() calls
  std::vector<bool> consumed_;        // removals already applied early
  std::map<int, size_t> vanished_;    // owner pid -> its vanished lock
};

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_SRC_CHECKERS_LOCK_TENURES_H_
