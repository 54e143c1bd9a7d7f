// mutual_exclusion.h: the mutual exclusion checker ("mutual-exclusion").
//
// Where an implementation reports when it held the lock (`lock_acquired`
// and `lock_released` on ok or fail completions, worker mode), no two such
// spans may overlap. Spans are half-open: a release and an acquire at the
// same nanosecond do not overlap.
//
// Verdicts: invalid naming the two operations of the first overlap (or a
// span that ends before it starts, or the operations whose completion
// carries a malformed lock span, completion_errors.h); unknown with summary "no lock spans
// reported (...)" when no operation reported a span although some
// took effect (or may have); valid when none did; else valid.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_
#define LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

// REQUIRES: `index` was built from the history being checked.
CheckerReport CheckMutualExclusion(const OperationIndex& index);

// As above; `history`'s `steal-lock` fault events (the harness renamed the
// lock away from a live holder) exclude the victim's span: after the theft
// its span is no claim of exclusive ownership. What the victim then wrote
// is judged by the lost-update checker.
CheckerReport CheckMutualExclusion(const OperationIndex& index, const std::vector<Event>& history);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_MUTUAL_EXCLUSION_H_
