// trace_mutual_exclusion.cc: registry renames must happen inside the
// renamer's own lock span and nobody else's. The locks and their spans are
// rebuilt from the trace in lock_tenures.{h,cc}; this file judges them.

#include "lockharness/harness/checkers/trace_mutual_exclusion.h"

#include <algorithm>
#include <set>

#include "lockharness/harness/checkers/names.h"

#include "lock_tenures.h"
#include "unlocked_cycles.h"

namespace lockharness::harness {
namespace {

struct HeldSpan {
  const LockObject* object;
  const Tenure* tenure;
};

// A span with the bounds the judge searches by.
struct IndexedSpan {
  HeldSpan span;
  int64_t starts_by;        // start->latest()
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
        IndexedSpan s{{&o, &t}, t.start->latest(), EndsNotBefore(timeline, o, t)};
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
  bool Check(const TracedCall& r, std::string* summary, std::vector<std::string>* evidence,
             std::string* kind) const {
    const int p = r.writer;
    const std::string when = FormatTraceTime(r.latest(), timeline_.origin);
    if (const IndexedSpan* other = HeldByAnother(r)) {
      *kind = "rename-while-another-holds";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " + when +
                 " while pid " + std::to_string(other->span.object->owner) + " held the lock";
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
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " + when +
                 " without ever holding the lock (P1)";
    } else if (last.tenure->ended_by == p) {
      *kind = "rename-after-release";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " + when +
                 " after releasing its lock (P1)";
    } else {
      *kind = "rename-after-lock-broken";
      *summary = "pid " + std::to_string(p) + " renamed onto the registry at " + when +
                 " after its lock was " + last.tenure->how_ended +
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
    auto after = std::upper_bound(by_start_.begin(), by_start_.end(), r.earliest,
                                  [](int64_t t, const IndexedSpan& s) { return t < s.starts_by; });
    for (size_t j = static_cast<size_t>(after - by_start_.begin()); j-- > 0;) {
      if (furthest_end_[j] < r.latest()) break;
      const IndexedSpan& s = by_start_[j];
      if (s.span.object->owner != r.writer && s.ends_not_before >= r.latest()) return &s;
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
    auto after = std::upper_bound(spans.begin(), spans.end(), r.latest(),
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
      if (best.tenure == nullptr || best.tenure->end->latest() < t.end->latest()) best = s->span;
    }
    return best;
  }

  void AddSpan(const std::string& label, const HeldSpan& span,
               std::vector<std::string>* evidence) const {
    const LockObject& o = *span.object;
    const Tenure& t = *span.tenure;
    std::string line =
        label + "pid " + std::to_string(o.owner) + " took the lock by " + o.how_acquired + ", ";
    if (t.end != nullptr) {
      line += t.how_ended;
    } else {
      line += "held until its last traced call at " +
              FormatTraceTime(HeldUntilAtLeast(timeline_, o, t), timeline_.origin);
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
    const int64_t from = span.tenure->start->latest();
    const int64_t to = span.tenure->end != nullptr
                           ? span.tenure->end->latest()
                           : HeldUntilAtLeast(timeline_, *span.object, *span.tenure);
    int shown = 0;
    for (const TracedCall* own : it->second) {
      if (own->latest() < from || own->latest() > to) continue;
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
  std::vector<IndexedSpan> by_start_;                 // all spans by start
  std::vector<int64_t> furthest_end_;                 // prefix max of ends_not_before
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

// No lock recognised (none taken, or one this checker does not know): the
// read-modify-write cycles are judged instead (unlocked_cycles.h).
CheckerReport JudgeWithoutLock(const TraceTimeline& timeline, nlohmann::json details) {
  const UnlockedCycles cycles = JudgeUnlockedCycles(timeline);
  details["no_lock"] = true;
  details["registry_writes"] = cycles.writes;
  details["judged_cycles"] = cycles.judged;
  details["violations"] = cycles.overlaps;
  details["possible_overlaps"] = cycles.possible;
  const std::string no_lock =
      "no lock acquisition this checker recognises (mkdir, link, rename onto or lock-file "
      "creation of the lock path; an exclusive flock, fcntl or lockf lock on a protocol file)";
  if (cycles.judged == 0) {
    return Unknown(std::to_string(cycles.writes) + " registry writes but " + no_lock +
                       ", and no open of the registry before them: no read-modify-write cycle "
                       "to judge",
                   std::move(details));
  }
  CheckerReport report;
  report.checker = kTraceMutualExclusionChecker;
  if (cycles.overlaps > 0) {
    nlohmann::json listed = nlohmann::json::array();
    for (const UnlockedCycles::Overlap& o : cycles.listed) {
      listed.push_back({{"kind", "overlapping-unlocked-cycles"},
                        {"pid", o.pid},
                        {"trace_line", o.trace_line},
                        {"summary", o.summary}});
    }
    details["violation_list"] = listed;
    report.verdict = Verdict::kInvalid;
    report.summary = cycles.first;
    if (cycles.overlaps > 1) {
      report.summary += "; " + std::to_string(cycles.overlaps) + " of " +
                        std::to_string(cycles.judged) + " read-modify-write cycles overlapped";
    }
    report.evidence = cycles.evidence;
  } else if (cycles.possible > 0) {
    report.verdict = Verdict::kUnknown;
    report.summary = "no lock recognised; " + std::to_string(cycles.possible) + " of " +
                     std::to_string(cycles.judged) +
                     " read-modify-write cycles may have overlapped another writer's rename, "
                     "first: " +
                     cycles.possible_first;
  } else {
    report.verdict = Verdict::kValid;
    report.summary = "no lock recognised; " + std::to_string(cycles.judged) +
                     " read-modify-write cycles (registry open to write), none with another " +
                     "writer's rename inside";
    if (cycles.judged < cycles.writes) {
      report.summary += "; " + std::to_string(cycles.writes - cycles.judged) +
                        " writes without an open of the registry before them not judged";
    }
  }
  report.details = std::move(details);
  return report;
}

}  // namespace

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
    if (call.family() == "rename" && call.event.path_class() == "registry" &&
        Succeeded(call.event)) {
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
    return Unknown("no protocol calls in the trace (" + std::to_string(timeline.hello_lines) +
                       " processes loaded the interposer)",
                   details);
  }
  if (renames.empty()) {
    return Unknown(
        "no successful rename onto the registry in the trace: no "
        "critical section to judge",
        details);
  }
  if (objects.empty()) return JudgeWithoutLock(timeline, std::move(details));
  bool any_holder_renames = false;
  for (int pid : renamers) any_holder_renames |= holders.count(pid) != 0;
  if (!any_holder_renames) {
    return Unknown(
        "no process that took the lock renamed onto the registry "
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
      violations.push_back(
          {{"kind", kind}, {"pid", r->pid()}, {"trace_line", r->line}, {"summary", summary}});
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
