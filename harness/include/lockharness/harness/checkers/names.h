// names.h: the name of every checker, as it appears in CheckerReport::checker,
// results.json, junit.xml and docs/checkers.md. Code that looks for one
// checker's report uses these constants, never the spelled-out text.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_
#define LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_

#include <array>
#include <string_view>

namespace lockharness::harness {

inline constexpr char kLostUpdateChecker[] = "lost-update";
inline constexpr char kJsonValidityChecker[] = "json-validity";
inline constexpr char kLeftoversChecker[] = "leftovers";
inline constexpr char kMutualExclusionChecker[] = "mutual-exclusion";
inline constexpr char kProgressChecker[] = "progress";
inline constexpr char kCorruptRegistryChecker[] = "corrupt-registry";
inline constexpr char kFaultCoverageChecker[] = "fault-coverage";
inline constexpr char kTraceMutualExclusionChecker[] = "trace-mutual-exclusion";
inline constexpr char kProtocolLintChecker[] = "protocol-lint";
inline constexpr char kClaimedLockSpansChecker[] = "claimed-lock-spans";
inline constexpr char kLockConventionChecker[] = "lock-convention";
// Not a checker of its own: the report that says the run was meant to be
// observed and its trace is missing, so nothing observed can be trusted.
inline constexpr char kObservationReport[] = "observation";

// Every checker of a run, for input that names one (a scenario's
// `expect_checker`).
inline constexpr std::array<std::string_view, 10> kRunCheckers = {
    kLostUpdateChecker,    kJsonValidityChecker,
    kLeftoversChecker,     kMutualExclusionChecker,
    kProgressChecker,      kCorruptRegistryChecker,
    kFaultCoverageChecker, kTraceMutualExclusionChecker,
    kProtocolLintChecker,  kClaimedLockSpansChecker};

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_
