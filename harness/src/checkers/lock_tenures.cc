// lock_tenures.cc: the locks and their tenures rebuilt from the trace
// timeline (lock_tenures.h), and ObservedLockSpans(), every tenure of every
// lock as an observed span.

#include "lock_tenures.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lockharness/harness/checkers/trace_mutual_exclusion.h"

namespace lockharness::harness {

// The lock convention an acquisition belongs to, by how it was made:
// mkdir, o-excl, link, rename, lock-file (write after open), flock, posix,
// ofd.
std::string ConventionOf(const std::string& how_acquired) {
  if (how_acquired == "mkdir" || how_acquired == "link") return how_acquired;
  if (how_acquired.find("O_EXCL") != std::string::npos) return "o-excl";
  if (how_acquired.rfind("lock file", 0) == 0) return "lock-file";
  if (how_acquired.find("rename") != std::string::npos || how_acquired == "moved back") {
    return "rename";
  }
  return how_acquired.substr(0, how_acquired.find(' '));  // flock, posix, ofd
}

bool IsRemovalFamily(std::string_view family) { return family == "rmdir" || family == "unlink"; }

// Removes the lock at the lock path: rmdir/unlink of it, or a rename away.
bool RemovesLock(const TracedCall& call) {
  const TraceEventRef e = call.event;
  if (!Succeeded(e)) return false;
  if (IsRemovalFamily(call.family())) return e.path_class() == "lock";
  return call.family() == "rename" && e.from_class() == "lock";
}

// The opens of the lock path whose descriptor the process then writes to
// (a lock file receiving the holder's pid), by index into timeline.calls.
std::set<size_t> LockFileCreations(const TraceTimeline& timeline) {
  std::set<size_t> creations;
  std::map<std::pair<int, int>, size_t> open_lock_fds;  // (pid, fd) -> open
  for (size_t i = 0; i < timeline.calls.size(); ++i) {
    const TracedCall& call = timeline.calls[i];
    const TraceEventRef e = call.event;
    const std::pair<int, int> key{e.pid(), e.fd()};
    if (call.family() == "open" && Succeeded(e) && e.fd() >= 0) {
      if (e.path_class() == "lock" && e.ExclusiveCreate()) {
        creations.insert(i);  // the flags say it: no need to wait for a write
        open_lock_fds.erase(key);
      } else if (e.path_class() == "lock" && e.open_flags().empty()) {
        // Traces without open flags: a lock file is one its opener writes.
        open_lock_fds[key] = i;
      } else {
        open_lock_fds.erase(key);
      }
    } else if (call.family() == "close") {
      open_lock_fds.erase(key);
    } else if (call.family() == "write" && Succeeded(e) && e.result() > 0 &&
               e.path_class() == "lock") {
      if (auto it = open_lock_fds.find(key); it != open_lock_fds.end()) {
        creations.insert(it->second);
      }
    }
  }
  return creations;
}

std::vector<ObservedSpan> ObservedLockSpans(const TraceTimeline& timeline) {
  LockTracker tracker(timeline);
  tracker.Run();
  KernelLockTracker kernel(timeline);
  kernel.Run();
  std::vector<ObservedSpan> spans;
  auto add = [&](const LockObject& o) {
    for (const Tenure& t : o.tenures) {
      ObservedSpan s;
      s.writer = o.owner;
      s.holder = o.holder;
      s.how_acquired = o.how_acquired;
      s.convention = ConventionOf(o.how_acquired);
      s.start_earliest = t.start->earliest;
      s.start_latest = t.start->latest();
      s.ended = t.end != nullptr;
      s.end_earliest = s.ended ? t.end->earliest : HeldUntilAtLeast(timeline, o, t);
      s.end_latest = s.ended ? t.end->latest() : HeldUntilAtLeast(timeline, o, t);
      s.start_line = t.start->line;
      spans.push_back(std::move(s));
    }
  };
  for (const LockObject& o : tracker.objects()) add(o);
  for (const LockObject& o : kernel.objects()) add(o);
  return spans;
}

}  // namespace lockharness::harness
