// json_validity.h: the JSON validity checker ("json-validity").
//
// Every reader sample (a `read` event) must have been judged valid by the
// runner (which calls ValidateRegistryDocument() on each sample), and the
// final registry file must pass ValidateRegistryDocument(); a missing final
// file is an empty registry and valid.
//
// Verdicts: invalid naming the first bad sample (its event) or the final
// file's problem; valid otherwise. Samples without a `valid` field are
// counted in details but do not change the verdict.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_JSON_VALIDITY_H_
#define LOCKHARNESS_HARNESS_CHECKERS_JSON_VALIDITY_H_

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/final_registry.h"

namespace lockharness::harness {

CheckerReport CheckJsonValidity(const RunArtifacts& run);

// As above, with the final file already parsed (CheckAll shares it).
// REQUIRES: `final` was parsed from run.final_registry.
CheckerReport CheckJsonValidity(const RunArtifacts& run, const FinalRegistry& final);

// For a run whose final file is the corrupt registry forged before it
// (FinalIsForgedCorruptRegistry(), fault_checks.h): the reader samples are
// judged as above, the final file is not (the corrupt-registry checker
// judges it), and the summary says so.
CheckerReport CheckJsonValidityBesideForgedFinal(const RunArtifacts& run);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_JSON_VALIDITY_H_
