// trace_mutual_exclusion.cc: lock spans rebuilt from the trace; registry
// renames must happen inside the renamer's own span and nobody else's.

#include "lockharness/harness/checkers/trace_mutual_exclusion.h"

#include <algorithm>
#include <set>

#include "lockharness/harness/checkers/names.h"

namespace lockharness::harness {
namespace {

// One stay of a lock at the lock path.
struct Tenure {
  const TracedCall* start = nullptr;
  const TracedCall* end = nullptr;  // null: until the owner's last line
  std::string how_ended;            // "released by its owner (rmdir)", ...
  int ended_by = 0;                 // pid whose call ended it; 0 if none
};

// One lock: a directory (or file) created by `owner` at the lock path, or
// a kernel lock (flock, fcntl, lockf) taken by `owner` on a file.
struct LockObject {
  int owner = 0;             // the writer (TracedCall::writer)
  std::string how_acquired;  // "mkdir", "link", ...
  std::vector<Tenure> tenures;
  int holder = 0;            // the process that took it
};

constexpr size_t kNone = static_cast<size_t>(-1);

// The lock convention an acquisition belongs to, by how it was made:
// mkdir, o-excl, link, rename, lock-file (write after open), flock, posix,
// ofd.
std::string ConventionOf(const std::string& how_acquired) {
  if (how_acquired == "mkdir" || how_acquired == "link") return how_acquired;
  if (how_acquired.find("O_EXCL") != std::string::npos) return "o-excl";
  if (how_acquired.rfind("lock file", 0) == 0) return "lock-file";
  if (how_acquired.find("rename") != std::string::npos ||
      how_acquired == "moved back") {
    return "rename";
  }
  return how_acquired.substr(0, how_acquired.find(' '));  // flock, posix, ofd
}

bool IsRemovalFamily(std::string_view family) {
  return family == "rmdir" || family == "unlink";
}

// Removes the lock at the lock path: rmdir/unlink of it, or a rename away.
bool RemovesLock(const TracedCall& call) {
  const TraceEvent& e = *call.event;
  if (!Succeeded(e)) return false;
  if (IsRemovalFamily(call.family)) return e.path_class == "lock";
  return call.family == "rename" && e.from_class == "lock";
}

// The opens of the lock path whose descriptor the process then writes to
// (a lock file receiving the holder's pid), by index into timeline.calls.
std::set<size_t> LockFileCreations(const TraceTimeline& timeline) {
  std::set<size_t> creations;
  std::map<std::pair<int, int>, size_t> open_lock_fds;  // (pid, fd) -> open
  for (size_t i = 0; i < timeline.calls.size(); ++i) {
    const TracedCall& call = timeline.calls[i];
    const TraceEvent& e = *call.event;
    const std::pair<int, int> key{e.pid, e.fd};
    if (call.family == "open" && Succeeded(e) && e.fd >= 0) {
      if (e.path_class == "lock" && e.ExclusiveCreate()) {
        creations.insert(i);  // the flags say it: no need to wait for a write
        open_lock_fds.erase(key);
      } else if (e.path_class == "lock" && e.open_flags.empty()) {
        // Traces without open flags: a lock file is one its opener writes.
        open_lock_fds[key] = i;
      } else {
        open_lock_fds.erase(key);
      }
    } else if (call.family == "close") {
      open_lock_fds.erase(key);
    } else if (call.family == "write" && Succeeded(e) && e.result > 0 &&
               e.path_class == "lock") {
      if (auto it = open_lock_fds.find(key); it != open_lock_fds.end()) {
        creations.insert(it->second);
      }
    }
  }
  return creations;
}

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
      const TraceEvent& e = *call.event;
      if (std::string how = Acquisition(i); !how.empty()) {
        if (auto it = at_.find(e.path); it != at_.end()) FreeFor(i, it->second);
        Arrive(call, how);
      } else if (RemovesLock(call)) {
        if (ReleasesVanished(call)) continue;
        if (auto it = at_.find(LockSide(e)); it != at_.end()) {
          Remove(call, it->second);
        }
      } else if (Succeeded(e) && call.family == "rename" && !e.from.empty()) {
        // A lock moving between places off the lock path (quarantine).
        if (auto it = at_.find(e.from); it != at_.end()) {
          size_t object = it->second;
          at_.erase(it);
          at_[e.path] = object;
        }
      } else if (Succeeded(e) && IsRemovalFamily(call.family)) {
        at_.erase(e.path);
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
  static const std::string& LockSide(const TraceEvent& e) {
    return e.from_class == "lock" ? e.from : e.path;
  }

  // How call i puts a lock at the lock path, or "" if it does not.
  std::string Acquisition(size_t i) const {
    const TracedCall& call = timeline_.calls[i];
    const TraceEvent& e = *call.event;
    if (!Succeeded(e) || e.path_class != "lock") return "";
    if (call.family == "mkdir") return "mkdir";
    if (call.family == "link") return "link";
    if (call.family == "rename") {
      return at_.count(e.from) != 0 ? "moved back" : "rename onto the lock";
    }
    if (call.family == "open" && lock_files_.count(i) != 0) {
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
    const std::string& path = acquire.event->path;
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
      if (consumed_[*it] || LockSide(*c.event) != path) continue;
      if (pid != 0 && c.pid() != pid) continue;
      if (c.earliest < acquire.latest) return *it;
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
    if (call.earliest >= last.end->latest) return false;  // certainly later
    End(object, &call, "released by its owner (" + call.event->call + ")",
        call.writer);
    return true;
  }

  void Arrive(const TracedCall& call, const std::string& how) {
    const TraceEvent& e = *call.event;
    size_t object;
    if (how == "moved back") {
      object = at_.at(e.from);
      at_.erase(e.from);
    } else {
      object = objects_.size();
      objects_.push_back({call.writer, how, {}, e.pid});
    }
    objects_[object].tenures.push_back({&call, nullptr, "", 0});
    at_[e.path] = object;
    vanished_.erase(e.pid);  // its next removal is of this lock
  }

  // `call` takes lock `object` off the lock path.
  void Remove(const TracedCall& call, size_t object) {
    const TraceEvent& e = *call.event;
    const bool owner = call.writer == objects_[object].owner;
    std::string how = owner ? "released by its owner" : "broken by pid " + std::to_string(e.pid);
    how.append(" (").append(e.call);
    if (call.family == "rename") how.append(" to ").append(e.path);
    how.append(")");
    End(object, &call, how, call.writer);
    at_.erase(LockSide(e));
    if (call.family == "rename") at_[e.path] = object;
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

// Kernel locks (flock, fcntl record locks, lockf) rebuilt from the lock
// calls. A successful exclusive request by a process starts a span on the
// file; it ends at that process's unlock of the file (or downgrade to
// shared), at its close of a descriptor of the file (POSIX record locks
// drop on the close of any descriptor; flock and OFD locks only on the
// close of the locking one: a lock kept through a dup is ended early,
// which can hide an overlap but never invent one), at its exit line, or
// not at all (killed: held until its last line at least).
class KernelLockTracker {
 public:
  explicit KernelLockTracker(const TraceTimeline& timeline) : timeline_(timeline) {}

  void Run() {
    for (const TracedCall& call : timeline_.calls) {
      const TraceEvent& e = *call.event;
      if (call.family == "lock" && Succeeded(e) && !e.lock_kind.empty()) {
        const Key key{e.pid, e.path};
        auto it = held_.find(key);
        if (e.lock_op == "exclusive") {
          if (it == held_.end()) Acquire(call);
        } else if (it != held_.end()) {
          End(it, call, e.lock_op == "unlock" ? "released by its owner (" + e.call + " unlock)"
                                              : "downgraded to shared (" + e.call + ")");
        }
      } else if (call.family == "close" && Performed(e)) {
        auto it = held_.find(Key{e.pid, e.path});
        if (it != held_.end() && (it->second.kind == "posix" || it->second.fd == e.fd)) {
          End(it, call, "released by close of fd " + std::to_string(e.fd));
        }
      } else if (call.family == "exit") {
        for (auto it = held_.lower_bound(Key{e.pid, ""});
             it != held_.end() && it->first.first == e.pid;) {
          End(it++, call, "released when its process exited");
        }
      }
    }
  }

  std::vector<LockObject>& objects() { return objects_; }

 private:
  using Key = std::pair<int, std::string>;  // (pid, locked file)
  struct Held {
    size_t object;
    std::string kind;
    int fd;
  };

  void Acquire(const TracedCall& call) {
    const TraceEvent& e = *call.event;
    std::string how = e.lock_kind + " lock (" + e.call;
    if (e.lock_kind != "flock") how += e.lock_wait ? " wait" : " no-wait";
    how += " exclusive on the " + e.path_class + " file)";
    held_[Key{e.pid, e.path}] = {objects_.size(), e.lock_kind, e.fd};
    objects_.push_back({call.writer, how, {{&call, nullptr, "", 0}}, e.pid});
  }

  void End(std::map<Key, Held>::iterator it, const TracedCall& call, std::string how) {
    Tenure& t = objects_[it->second.object].tenures.back();
    t.end = &call;
    t.how_ended = std::move(how);
    t.ended_by = call.writer;
    held_.erase(it);
  }

  const TraceTimeline& timeline_;
  std::map<Key, Held> held_;
  std::vector<LockObject> objects_;
};

struct HeldSpan {
  const LockObject* object;
  const Tenure* tenure;
};

// The tenure ends no earlier than this (its end call's lower bound, or the
// owner's last line when it was never removed).
int64_t EndsNotBefore(const TraceTimeline& timeline, const LockObject& o,
                      const Tenure& t) {
  if (t.end != nullptr) return t.end->earliest;
  return timeline.last_seen.at(o.holder);
}

// A span with the bounds the judge searches by.
struct IndexedSpan {
  HeldSpan span;
  int64_t starts_by;        // start->latest
  int64_t ends_not_before;  // EndsNotBefore()
};

class Judge {
 public:
  Judge(const TraceTimeline& timeline, const std::vector<LockObject>& objects,
        const std::vector<const TracedCall*>& renames)
      : timeline_(timeline) {
    for (const TracedCall* r : renames) renames_by_pid_[r->writer].push_back(r);
    for (const LockObject& o : objects) {
      for (const Tenure& t : o.tenures) {
        IndexedSpan s{{&o, &t}, t.start->latest, EndsNotBefore(timeline, o, t)};
        by_start_.push_back(s);
        by_owner_[o.owner].push_back(s);
      }
    }
    auto by_start = [](const IndexedSpan& a, const IndexedSpan& b) {
      return a.starts_by < b.starts_by;
    };
    std::stable_sort(by_start_.begin(), by_start_.end(), by_start);
    for (auto& [pid, spans] : by_owner_) {
      std::stable_sort(spans.begin(), spans.end(), by_start);
    }
    int64_t furthest = kUnboundedPast;
    for (const IndexedSpan& s : by_start_) {
      furthest = std::max(furthest, s.ends_not_before);
      furthest_end_.push_back(furthest);
    }
  }

  // Returns the violation found for rename `r`, if any, as a one-line
  // summary plus evidence lines.
  bool Check(const TracedCall& r, std::string* summary,
             std::vector<std::string>* evidence, std::string* kind) const {
    const int p = r.writer;
    const std::string when = FormatTraceTime(r.latest, timeline_.origin);
    if (const IndexedSpan* other = HeldByAnother(r)) {
      *kind = "rename-while-another-holds";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " +
                 when + " while pid " + std::to_string(other->span.object->owner) +
                 " held the lock";
      AddSpan("held by the other process: ", other->span, evidence);
      AddRenamesInside(other->span, evidence);
      AddRename(r, evidence);
      AddOwnState(r, evidence);
      return true;
    }
    if (PossiblyHolds(r)) return false;
    const HeldSpan last = LastSpanBefore(r);
    if (last.object == nullptr) {
      *kind = "rename-without-lock";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " +
                 when + " without ever holding the lock (P1)";
    } else if (last.tenure->ended_by == p) {
      *kind = "rename-after-release";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " +
                 when + " after releasing its lock (P1)";
    } else {
      *kind = "rename-after-lock-broken";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " +
                 when + " after its lock was " + last.tenure->how_ended +
                 " (holder overwrites after its lock was broken)";
    }
    AddRename(r, evidence);
    if (last.object != nullptr) AddSpan("its last lock: ", last, evidence);
    return true;
  }

 private:
  // A span of another process that certainly covers `r`: it started
  // certainly before and ends certainly after. Walks back from the last
  // span started before `r` while some earlier span still reaches past it.
  const IndexedSpan* HeldByAnother(const TracedCall& r) const {
    auto after = std::upper_bound(
        by_start_.begin(), by_start_.end(), r.earliest,
        [](int64_t t, const IndexedSpan& s) { return t < s.starts_by; });
    for (size_t j = static_cast<size_t>(after - by_start_.begin()); j-- > 0;) {
      if (furthest_end_[j] < r.latest) break;
      const IndexedSpan& s = by_start_[j];
      if (s.span.object->owner != r.writer && s.ends_not_before >= r.latest) return &s;
    }
    return nullptr;
  }

  // The renamer's spans near `r`: a process's own spans follow one another
  // (its next acquisition needs the lock path free), so only the last few
  // started before `r` and the next one can matter.
  std::vector<const IndexedSpan*> OwnSpansNear(const TracedCall& r) const {
    std::vector<const IndexedSpan*> near;
    auto it = by_owner_.find(r.writer);
    if (it == by_owner_.end()) return near;
    const std::vector<IndexedSpan>& spans = it->second;
    auto after = std::upper_bound(
        spans.begin(), spans.end(), r.latest,
        [](int64_t t, const IndexedSpan& s) { return t < s.starts_by; });
    const size_t end = std::min(spans.size(), static_cast<size_t>(after - spans.begin()) + 1);
    for (size_t j = end >= 4 ? end - 4 : 0; j < end; ++j) near.push_back(&spans[j]);
    return near;
  }

  bool PossiblyHolds(const TracedCall& r) const {
    for (const IndexedSpan* s : OwnSpansNear(r)) {
      const Tenure& t = *s->span.tenure;
      const bool starts_after = r.CertainlyBefore(*t.start);
      const bool ended_before = t.end != nullptr && t.end->CertainlyBefore(r);
      if (!starts_after && !ended_before) return true;
    }
    return false;
  }

  // The renamer's span that ended most recently, certainly before `r`.
  HeldSpan LastSpanBefore(const TracedCall& r) const {
    HeldSpan best{nullptr, nullptr};
    for (const IndexedSpan* s : OwnSpansNear(r)) {
      const Tenure& t = *s->span.tenure;
      if (t.end == nullptr || !t.end->CertainlyBefore(r)) continue;
      if (best.tenure == nullptr || best.tenure->end->latest < t.end->latest) best = s->span;
    }
    return best;
  }

  void AddSpan(const std::string& label, const HeldSpan& span,
               std::vector<std::string>* evidence) const {
    const LockObject& o = *span.object;
    const Tenure& t = *span.tenure;
    std::string line = label + "pid " + std::to_string(o.owner) + " took the lock by " +
                       o.how_acquired + ", ";
    if (t.end != nullptr) {
      line += t.how_ended;
    } else {
      line += "held until its last traced call at " +
              FormatTraceTime(timeline_.last_seen.at(o.holder), timeline_.origin);
    }
    evidence->push_back(line);
    evidence->push_back("  " + DescribeCall(*t.start, timeline_.origin));
    if (t.end != nullptr) evidence->push_back("  " + DescribeCall(*t.end, timeline_.origin));
  }

  // The span owner's own registry renames while it held the lock: the
  // other half of the overlap.
  void AddRenamesInside(const HeldSpan& span, std::vector<std::string>* evidence) const {
    auto it = renames_by_pid_.find(span.object->owner);
    if (it == renames_by_pid_.end()) return;
    const int64_t from = span.tenure->start->latest;
    const int64_t to = span.tenure->end != nullptr ? span.tenure->end->latest
                                                   : timeline_.last_seen.at(span.object->holder);
    int shown = 0;
    for (const TracedCall* own : it->second) {
      if (own->latest < from || own->latest > to) continue;
      if (shown++ == 0) evidence->push_back("its own renames onto the registry in that span:");
      if (shown > 3) break;
      evidence->push_back("  " + DescribeCall(*own, timeline_.origin));
    }
  }

  void AddRename(const TracedCall& r, std::vector<std::string>* evidence) const {
    evidence->push_back("the rename onto the registry:");
    evidence->push_back("  " + DescribeCall(r, timeline_.origin));
  }

  void AddOwnState(const TracedCall& r, std::vector<std::string>* evidence) const {
    const HeldSpan last = LastSpanBefore(r);
    if (last.object == nullptr) {
      if (!PossiblyHolds(r)) {
        evidence->push_back("the renaming process held no lock before it");
      }
      return;
    }
    AddSpan("the renaming process's last lock: ", last, evidence);
  }

  const TraceTimeline& timeline_;
  std::vector<IndexedSpan> by_start_;       // all spans by start
  std::vector<int64_t> furthest_end_;       // prefix max of ends_not_before
  std::map<int, std::vector<IndexedSpan>> by_owner_;  // each by start
  std::map<int, std::vector<const TracedCall*>> renames_by_pid_;
};

CheckerReport Unknown(std::string summary, nlohmann::json details) {
  CheckerReport report;
  report.checker = kTraceMutualExclusionChecker;
  report.verdict = Verdict::kUnknown;
  report.summary = std::move(summary);
  report.details = std::move(details);
  return report;
}

}  // namespace

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
      s.start_latest = t.start->latest;
      s.ended = t.end != nullptr;
      s.end_earliest = s.ended ? t.end->earliest : timeline.last_seen.at(o.holder);
      s.end_latest = s.ended ? t.end->latest : timeline.last_seen.at(o.holder);
      s.start_line = t.start->line;
      spans.push_back(std::move(s));
    }
  };
  for (const LockObject& o : tracker.objects()) add(o);
  for (const LockObject& o : kernel.objects()) add(o);
  return spans;
}

CheckerReport CheckTraceMutualExclusion(const TraceTimeline& timeline) {
  LockTracker tracker(timeline);
  tracker.Run();
  KernelLockTracker kernel(timeline);
  kernel.Run();
  // Every lock of every convention: spans are judged alike.
  std::vector<LockObject> objects = tracker.objects();
  size_t kernel_locks = kernel.objects().size();
  for (LockObject& o : kernel.objects()) objects.push_back(std::move(o));
  std::set<std::string> conventions;
  for (const LockObject& o : objects) conventions.insert(ConventionOf(o.how_acquired));

  std::vector<const TracedCall*> renames;
  std::set<int> renamers;
  for (const TracedCall& call : timeline.calls) {
    if (call.family == "rename" && call.event->path_class == "registry" &&
        Succeeded(*call.event)) {
      renames.push_back(&call);
      renamers.insert(call.writer);
    }
  }
  std::set<int> holders;
  size_t breaks = 0, vanished = 0;
  for (const LockObject& o : objects) {
    holders.insert(o.owner);
    for (const Tenure& t : o.tenures) {
      breaks += t.ended_by != 0 && t.ended_by != o.owner;
      vanished += t.end != nullptr && t.ended_by == 0;
    }
  }
  nlohmann::json details = {{"traced_calls", timeline.calls.size()},
                            {"registry_renames", renames.size()},
                            {"locks", objects.size()},
                            {"lock_spans", tracker.tenures() + kernel_locks},
                            {"kernel_locks", kernel_locks},
                            {"conventions", conventions},
                            {"breaks", breaks},
                            {"vanished", vanished}};
  if (timeline.calls.empty()) {
    return Unknown("no protocol calls in the trace (" +
                       std::to_string(timeline.hello_lines) +
                       " processes loaded the interposer)",
                   details);
  }
  if (renames.empty()) {
    return Unknown("no successful rename onto the registry in the trace: no "
                   "critical section to judge",
                   details);
  }
  if (objects.empty()) {
    return Unknown(std::to_string(renames.size()) +
                       " registry renames but no lock acquisition this checker "
                       "recognises (mkdir, link, rename onto or lock-file "
                       "creation of the lock path; an exclusive flock, fcntl or "
                       "lockf lock on a protocol file)",
                   details);
  }
  bool any_holder_renames = false;
  for (int pid : renamers) any_holder_renames |= holders.count(pid) != 0;
  if (!any_holder_renames) {
    return Unknown("no process that took the lock renamed onto the registry "
                   "itself (lock and rename in different processes?)",
                   details);
  }

  Judge judge(timeline, objects, renames);
  CheckerReport report;
  report.checker = kTraceMutualExclusionChecker;
  nlohmann::json violations = nlohmann::json::array();
  std::string first_summary;
  for (const TracedCall* r : renames) {
    std::string summary, kind;
    std::vector<std::string> evidence;
    if (!judge.Check(*r, &summary, &evidence, &kind)) continue;
    if (violations.empty()) {
      first_summary = summary;
      report.evidence = evidence;
    }
    if (violations.size() < 100) {
      violations.push_back({{"kind", kind},
                            {"pid", r->pid()},
                            {"trace_line", r->line},
                            {"summary", summary}});
    }
    details["violations"] = details.value("violations", 0) + 1;
  }
  if (!violations.empty()) {
    const int count = details["violations"].get<int>();
    report.verdict = Verdict::kInvalid;
    report.summary = first_summary;
    if (count > 1) {
      report.summary += "; " + std::to_string(count) + " violating renames in all";
    }
    details["violation_list"] = violations;
    report.details = details;
    return report;
  }
  details["violations"] = 0;
  report.verdict = Verdict::kValid;
  report.summary = std::to_string(renames.size()) + " registry renames, each inside its " +
                   "writer's own lock span (" + std::to_string(tracker.tenures() + kernel_locks) +
                   " spans, " + std::to_string(breaks) + " broken by another process, " +
                   std::to_string(vanished) + " removed by untraced calls)";
  report.details = details;
  return report;
}

}  // namespace lockharness::harness
