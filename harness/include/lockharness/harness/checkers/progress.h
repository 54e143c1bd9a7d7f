// progress.h: the progress checker ("progress").
//
// Every operation must complete, and no later than invoke + op_timeout +
// timeout_slack (CheckLimits). After each kill of a lock holder (a `fault`
// event "sigkill" of kind kill-holder; a forged stale lock; or an
// interposer kill point that killed a process the trace shows holding the
// lock then), the lock must be taken over within
// takeover_bound: the earliest-completing ok mutating operation invoked
// after the kill must complete within takeover_bound_ns of it. Pairing
// problems in the history (a completion without an invoke, a reused id) are
// reported here too.
//
// Verdicts: invalid naming the operation that never completed or overran,
// or the kill that was not taken over in time; unknown if a kill was never
// followed by an ok mutating operation (takeover unmeasured); else valid.
// details: counts of ok/fail/info/pending and latency max/p50/p99 in ms.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_PROGRESS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_PROGRESS_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"
#include "lockharness/harness/checkers/trace_timeline.h"

namespace lockharness::harness {

// REQUIRES: `index` was built from run.history.
// `timeline`, if given, is run.trace's (BuildTraceTimeline): passed so that
// the takeover check of interposer kills does not build it a second time.
CheckerReport CheckProgress(const RunArtifacts& run, const OperationIndex& index,
                            const TraceTimeline* timeline = nullptr);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_PROGRESS_H_
