// mutual_exclusion.h: the mutual exclusion checker ("mutual-exclusion").
//
// Where an implementation reports when it held the lock (`lock_acquired`
// and `lock_released` on ok or fail completions, worker mode), no two such
// spans may overlap. Spans are half-open: a release and an acquire at the
// same nanosecond do not overlap.
//
// Verdicts: invalid naming the two operations of the first overlap (or a
// span that ends before it starts); unknown with summary "no lock spans
// reported (per-op mode)" when no operation reported a span; else valid.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_
#define LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

// REQUIRES: `index` was built from the history being checked.
CheckerReport CheckMutualExclusion(const OperationIndex& index);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_
