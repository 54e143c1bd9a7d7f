// observed_exclusion.h: mutual exclusion from observation, and the
// cross-check of the spans an implementation reports against what the
// trace shows it held.
//
// Observation is the default (docs/checkers.md): an implementation need
// not report its lock spans. When it reports none, the "mutual-exclusion"
// verdict is the trace's ("trace-mutual-exclusion": a registry rename
// inside another writer's observed lock span is a violation, with both
// spans as evidence). When it reports spans and the trace shows spans
// too, "claimed-lock-spans" checks every reported span against the
// reporting process's observed spans: a span claimed while the trace shows
// that writer holding no lock at any moment of it is a finding of its own
// (the implementation's report is wrong, or it locks something the harness
// does not watch).
//
//   CheckerReport me = CheckMutualExclusion(index, history);
//   AdoptObservedExclusion(trace_report, &me);
//   CheckerReport claims = CheckClaimedSpans(index, ObservedLockSpans(timeline),
//                                            timeline.origin);

#ifndef LOCKHARNESS_HARNESS_CHECKERS_OBSERVED_EXCLUSION_H_
#define LOCKHARNESS_HARNESS_CHECKERS_OBSERVED_EXCLUSION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"

namespace lockharness::harness {

// Number of operations that report a lock span (lock_acquired and
// lock_released on an ok or fail completion).
size_t ReportedSpanCount(const OperationIndex& index);

// When `*reported` (the mutual-exclusion checker's report) is unknown
// because no spans were reported, and `observed` (trace-mutual-exclusion)
// reached a verdict, takes that verdict, summary and evidence, saying that
// they come from observation (details.source = "observed"). Otherwise
// leaves *reported alone and returns false.
bool AdoptObservedExclusion(const CheckerReport& observed, CheckerReport* reported);

// The cross-check described above ("claimed-lock-spans"). `origin` is the
// CLOCK_MONOTONIC reading of history time 0. Verdicts: invalid naming the
// first span claimed without an observed lock (counting all); valid when
// every claimed span meets an observed one of its writer; unknown when no
// span was claimed, none observed, or none claimed by a process the trace
// shows. `traced` (the timeline's last_seen) names the processes the trace
// shows: a claim of a process absent from it (not interposed, or its trace
// lost) cannot be cross-checked and is counted apart, never called unheld.
// nullptr: every process is taken as traced.
CheckerReport CheckClaimedSpans(const OperationIndex& index,
                                const std::vector<ObservedSpan>& observed,
                                std::optional<int64_t> origin,
                                const std::map<int, int64_t>* traced = nullptr);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_OBSERVED_EXCLUSION_H_
