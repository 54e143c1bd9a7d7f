// names.h: the name of every checker, as it appears in CheckerReport::checker,
// results.json, junit.xml and docs/checkers.md. Code that looks for one
// checker's report uses these constants, never the spelled-out text.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_
#define LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_

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

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_NAMES_H_
