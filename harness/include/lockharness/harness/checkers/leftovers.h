// leftovers.h: the leftovers checker ("leftovers").
//
// After a run the registry directory must hold only the registry file.
// Anything else (temp files `<base>.tmp*`, the lock directory `<base>.lock`,
// quarantine directories `<base>.lock.*`, anything at all) is a leftover.
// A leftover is explained, and listed separately, when a process the harness
// killed (a `fault` event's pid, or the pid of an `info` completion) can
// have left it:
//   <base>.tmp.<pid> and <base>.tmp.<pid>.*  when <pid> was killed;
//   <base>.lock    when a process was killed and no ok mutating operation
//                  was invoked after that kill (one would have taken the
//                  lock over and released it);
//   <base>.lock.*  when any process was killed (an interrupted takeover).
// A file on the lock path that the trace shows holding a granted flock,
// fcntl or lockf lock is explained whatever happened: the lock file of a
// kernel lock normally stays (deleting it would break the lock). So is the
// file at the lock path when run.json declares a kernel lock convention
// (flock, posix, ofd: the adapter catalog's or --lock-convention), seen or
// not.
// For an explained leftover that a later ok mutating operation of another
// process could have swept, the evidence carries a "not swept by later
// writers" warning line; that alone does not make the run invalid.
//
// Verdicts: invalid if any leftover is unexplained (naming it); else valid.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_LEFTOVERS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_LEFTOVERS_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

// REQUIRES: `index` was built from run.history.
CheckerReport CheckLeftovers(const RunArtifacts& run, const OperationIndex& index);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_LEFTOVERS_H_
