// unlocked_cycles.cc: read-modify-write cycles of lock-free writers, and
// the other writers' renames that land inside them (unlocked_cycles.h).

#include "unlocked_cycles.h"

#include <algorithm>
#include <map>

namespace lockharness::harness {
namespace {

constexpr size_t kMaxListed = 100;

bool IsRegistry(const TracedCall& call) { return call.event.path_class() == "registry"; }

bool IsRegistryRename(const TracedCall& call) {
  return call.family() == "rename" && IsRegistry(call) && Succeeded(call.event);
}

// A write that replaces or changes the registry's content.
bool IsRegistryWrite(const TracedCall& call) {
  return IsRegistryRename(call) ||
         (call.family() == "write" && IsRegistry(call) && Succeeded(call.event));
}

// An open that (may) read the registry: not write-only. One that failed
// because the file did not exist read "no registry" just as well.
bool IsRegistryRead(const TracedCall& call) {
  if (call.family() != "open" || !IsRegistry(call)) return false;
  const TraceEventRef e = call.event;
  if (e.open_flags().find("O_WRONLY") != std::string::npos) return false;
  return Succeeded(e) || (Performed(e) && e.error() == "ENOENT");
}

}  // namespace

UnlockedCycles JudgeUnlockedCycles(const TraceTimeline& timeline) {
  UnlockedCycles out;
  // Renames by the earliest moment they can have taken effect.
  std::vector<const TracedCall*> renames;
  for (const TracedCall& call : timeline.calls) {
    if (IsRegistryRename(call)) renames.push_back(&call);
  }
  std::stable_sort(renames.begin(), renames.end(), [](const TracedCall* a, const TracedCall* b) {
    return a->earliest < b->earliest;
  });
  // Another writer's rename certainly after `open` and certainly before
  // `write`, or null.
  auto rename_inside = [&](const TracedCall& open, const TracedCall& write) -> const TracedCall* {
    auto it = std::lower_bound(renames.begin(), renames.end(), open.latest(),
                               [](const TracedCall* r, int64_t t) { return r->earliest < t; });
    for (; it != renames.end() && (*it)->earliest < write.earliest; ++it) {
      const TracedCall& r = **it;
      if (r.writer != write.writer && r.latest() <= write.earliest) return &r;
    }
    return nullptr;
  };
  struct Reads {
    const TracedCall* first = nullptr;  // since the writer's last write
    const TracedCall* last = nullptr;
  };
  std::map<int, Reads> reads;  // per writer
  for (const TracedCall& call : timeline.calls) {
    if (IsRegistryRead(call)) {
      Reads& r = reads[call.writer];
      if (r.first == nullptr) r.first = &call;
      r.last = &call;
      continue;
    }
    if (!IsRegistryWrite(call)) continue;
    ++out.writes;
    Reads& r = reads[call.writer];
    if (r.last == nullptr) continue;  // a blind write: no cycle to judge
    ++out.judged;
    const TracedCall& open = *r.last;
    const TracedCall* inside = rename_inside(open, call);
    const TracedCall* first = r.first;
    r.first = nullptr;
    const TracedCall* earlier = nullptr;
    if (inside == nullptr && first != nullptr && first != &open) {
      // Read more than once since its last write: the document may come
      // from the first read, and a rename after it was then overwritten.
      earlier = rename_inside(*first, call);
    }
    if (earlier != nullptr) {
      ++out.possible;
      if (out.possible_first.empty()) {
        out.possible_first =
            "pid " + std::to_string(call.pid()) + " wrote the registry at " +
            FormatTraceTime(call.latest(), timeline.origin) + " after opening it at " +
            FormatTraceTime(first->latest(), timeline.origin) + " and again at " +
            FormatTraceTime(open.latest(), timeline.origin) + "; pid " +
            std::to_string(earlier->pid()) +
            " replaced it in between: the write overwrote that rename if it came from the " +
            "first read (reads are not traced)";
      }
      continue;
    }
    if (inside == nullptr) continue;
    ++out.overlaps;
    const std::string summary =
        "pid " + std::to_string(call.pid()) + " " +
        (call.family() == "rename" ? "renamed onto" : "wrote into") + " the registry at " +
        FormatTraceTime(call.latest(), timeline.origin) +
        " what it computed from the registry it opened at " +
        FormatTraceTime(open.latest(), timeline.origin) + ", which pid " +
        std::to_string(inside->pid()) +
        " had replaced in between (no lock: the read-modify-write cycles overlapped)";
    if (out.overlaps == 1) {
      out.first = summary;
      out.evidence = {"its read: " + DescribeCall(open, timeline.origin),
                      "the other writer's rename: " + DescribeCall(*inside, timeline.origin),
                      "its write: " + DescribeCall(call, timeline.origin)};
    }
    if (out.listed.size() < kMaxListed) out.listed.push_back({call.pid(), call.line, summary});
  }
  return out;
}

}  // namespace lockharness::harness
