// lost_update.h: the lost-update checker ("lost-update").
//
// Decides whether the final registry is a state reachable by applying every
// ok operation and any subset of the info (and never-completed) operations,
// in some order consistent with real time (A precedes B iff A completed
// before B was invoked), while fail operations have no effect. Relies on the
// workload's guarantees: each name is registered at most once and every
// update writes a value no other operation writes, so the check splits by
// sandbox name and runs in time linear in the history. The default pointer
// is checked as docs/checkers.md describes.
//
// Verdicts: invalid with the first operation whose effect is missing (or the
// entry/value no operation explains) and its events; unknown if the final
// file cannot be read as a registry or a name was registered twice; else
// valid.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_LOST_UPDATE_H_
#define LOCKHARNESS_HARNESS_CHECKERS_LOST_UPDATE_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/final_registry.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

// REQUIRES: `index` was built from run.history.
CheckerReport CheckLostUpdate(const RunArtifacts& run, const OperationIndex& index);

// As above, with the final file already parsed (CheckAll shares it).
// REQUIRES: `final` was parsed from run.final_registry.
CheckerReport CheckLostUpdate(const RunArtifacts& run, const OperationIndex& index,
                              const FinalRegistry& final);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_LOST_UPDATE_H_
