// fault_checks.h: checkers that exist only for runs with fault injection.
//
// "corrupt-registry" (listed when the harness forged a corrupt registry
// before the run): the corrupt bytes must survive somewhere in the registry
// directory (the file itself, untouched, or a backup copy): an
// implementation that silently resets a corrupt file to an empty registry
// destroys data. While the registry file is still the corrupt one, no
// mutating operation may claim success.
//
// "fault-coverage" (listed when the run was configured with nemeses or
// setup steps): every configured nemesis and setup kind must have acted at
// least once, as recorded by a `fault` event whose target starts with its
// kind ("kill-holder: ..."). A nemesis that never found a target (say, an
// implementation that publishes no owner record, so no holder could be
// identified) makes the verdict unknown: the run did not test what it was
// meant to test, and a clean pass would be a lie.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_FAULT_CHECKS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_FAULT_CHECKS_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"

namespace lockharness::harness {

// REQUIRES: run.forged_corrupt_registry is set.
CheckerReport CheckCorruptRegistry(const RunArtifacts& run, const OperationIndex& index);

// REQUIRES: run.configured_faults is not empty.
CheckerReport CheckFaultCoverage(const RunArtifacts& run);

// True when the registry file at the end is the forged corrupt file, byte
// for byte: lost-update and json-validity then have no document to judge.
bool FinalIsForgedCorruptRegistry(const RunArtifacts& run);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_FAULT_CHECKS_H_
