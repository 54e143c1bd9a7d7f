// crash_checks.h: judging one crash state (docs/crash-consistency.md).
//
//   atomicity       the registry is absent or a complete registry document
//                   that the run wrote whole; never empty, torn or a mix.
//   durability      every operation acknowledged ok before the crash point
//                   has its effect (the lost-update checker on the history
//                   cut at the crash point, the state's registry as final).
//   recovery        the implementation's own `register` then `list` on the
//                   state succeed within the takeover bound, keep every
//                   entry the state had, and leave no protocol leftovers.
//   no-silent-reset a corrupt registry is refused or backed up, never
//                   replaced.
//
//   CrashChecker checker(program, history, origin_ns, limits);
//   std::vector<Finding> f = checker.CheckOffline(state);
//   Recovery r = RecoverState(argv_template, state_dir, ...);

#ifndef LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_CHECKS_H_
#define LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_CHECKS_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lockharness/harness/check.h"
#include "lockharness/harness/checkers/operations.h"
#include "src/crash/persistence_model.h"

namespace lockharness::harness::crash {

inline constexpr char kAtomicity[] = "crash-atomicity";
inline constexpr char kDurability[] = "crash-durability";
inline constexpr char kRecovery[] = "crash-recovery";
inline constexpr char kNoSilentReset[] = "crash-no-silent-reset";

struct Finding {
  std::string checker;  // one of the names above
  Verdict verdict = Verdict::kInvalid;
  std::string summary;  // one line
};

class CrashChecker {
 public:
  // REQUIRES: `program` and `history` outlive the checker.
  CrashChecker(const CrashProgram& program, const std::vector<Event>& history, int64_t origin_ns,
               std::string registry_name, CheckLimits limits);
  ~CrashChecker();

  // Atomicity and durability, without running anything. Empty: both hold.
  // They depend on the crash point and the registry's bytes alone, so the
  // findings are remembered per registry content at the current crash
  // point (states of one point mostly differ in other files).
  std::vector<Finding> CheckOffline(const CrashState& state);

  // Whether the state's registry is present but not a registry document.
  bool RegistryCorrupt(const CrashState& state) const;

 private:
  struct Cut;
  const Cut& CutAt(int crash_after);

  const CrashProgram& program_;
  const std::vector<Event>& history_;
  int64_t origin_ns_;
  std::string registry_name_;
  CheckLimits limits_;
  std::unique_ptr<Cut> cut_;
  // CheckOffline's findings at crash point `judged_point_`, by registry
  // content ("\x01" + bytes: a file; "\x02": a directory; "": absent).
  int judged_point_ = -1;
  std::unordered_map<std::string, std::vector<Finding>> judged_;
  std::vector<Finding> Judge(const CrashState& state);
};

// Runs `argv_prefix` + {"register", probe} then `argv_prefix` + {"list"} on
// the registry `registry` (in a materialised state directory) and returns
// the findings (recovery, no-silent-reset). `corrupt_bytes` is the state's
// registry if it was not a registry document. `state_names` are the
// entries of the state's registry. `persistent_names` are files the
// implementation keeps beside the registry by design (those the recorded,
// crash-free run left there: a flock lock file): not leftovers.
// REQUIRES: argv_prefix non-empty.
std::vector<Finding> RecoverState(const std::vector<std::string>& argv_prefix,
                                  const std::filesystem::path& registry, const std::string& probe,
                                  const std::optional<std::string>& corrupt_bytes,
                                  const std::vector<std::string>& state_names,
                                  const std::vector<std::string>& extra_env,
                                  const std::vector<std::string>& persistent_names,
                                  int64_t takeover_bound_ms, std::string* log);

}  // namespace lockharness::harness::crash

#endif  // LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_CHECKS_H_
