// check_all.h: every checker over one run (docs/checkers.md describes each
// checker's rules).

#ifndef LOCKHARNESS_HARNESS_CHECKERS_CHECK_ALL_H_
#define LOCKHARNESS_HARNESS_CHECKERS_CHECK_ALL_H_

#include <vector>

#include "lockharness/harness/checkers/checker_report.h"
#include "lockharness/harness/checkers/run_artifacts.h"

namespace lockharness::harness {

// Runs every checker that applies, in the order listed in
// CheckerReport::checker; the two trace checkers only when run.trace is set.
std::vector<CheckerReport> CheckAll(const RunArtifacts& run);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_CHECK_ALL_H_
