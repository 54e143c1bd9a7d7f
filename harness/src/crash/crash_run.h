// crash_run.h: `lockharness crash`, power-loss testing of an
// implementation (docs/crash-consistency.md).
//
// Runs a fault-free workload of the implementation under the interposer's
// crash-recording mode, lowers the record to the persistence model's
// operations, generates the crash states the model permits after each
// recorded call (or a seeded sample of the calls), and checks each state
// for atomicity and durability, and a seeded sample of the distinct states
// for recovery by the implementation itself. Writes results.json,
// report.txt, junit.xml and timeline.html into the output directory (which
// must be absent or empty), and the first violating states (as generated,
// and after the recovery attempt; see kept_violations) under violations/.
//
//   CrashOptions o; o.impl = "lockreg --file {registry}"; o.out_dir = "runs/c";
//   int exit_code = CrashCommand(o);   // 0 valid, 1 invalid, 2 unknown
//
// A crash scenario (docs/scenarios.md) runs the same code through
// ExecuteCrash(), which returns the verdict instead of printing it.

#ifndef LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_
#define LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/check.h"
#include "src/crash/persistence_model.h"

namespace lockharness::harness::crash {

// Bounds of the options, shared by the command line and crash scenarios.
inline constexpr int kMaxCrashWriters = 64;
inline constexpr int64_t kMaxCrashStates = 100000000;
inline constexpr int64_t kMaxRecoverStates = 1000000;

struct CrashOptions {
  std::string impl;  // per-op command template (command.h)
  PersistenceModel model = PersistenceModel::kPosix;
  int writers = 3;         // REQUIRES: 1..kMaxCrashWriters
  int ops_per_writer = 5;  // REQUIRES: >= 1
  int64_t states = 2000;   // state budget of the whole run
  uint64_t seed = 1;
  std::filesystem::path out_dir;  // REQUIRES: absent or empty
  // Distinct states on which the implementation's recovery is run (a
  // seeded sample when there are more); 0: recovery is not checked.
  int64_t recover_states = 50;
  int64_t takeover_bound_ms = 5000;
  // LOCKHARNESS_STALE_MS for the recorded workload: the ownerless grace
  // after which a lock directory without an owner record is broken. The
  // recovery after the modelled reboot runs with 0 (the reboot outlasts
  // any grace; docs/crash-consistency.md).
  int64_t stale_ms = 500;
  // Threads generating and checking crash points, and states recovered at
  // once; 0: one per core. The results do not depend on it.
  int jobs = 0;
  int64_t max_record_bytes = 64ll << 20;
  // Limits of the recorded workload (runner::RunOptions'); 0 keeps the
  // runner's default.
  int64_t op_timeout_ms = 0;
  int64_t run_timeout_ms = 0;
  // Re-judge the recorded run of an earlier `crash` output directory
  // instead of running a workload (the states follow from the record and
  // the seed alone).
  std::filesystem::path from;
  // Only this crash point (a call index), e.g. from a replay line.
  std::optional<int> crash_point;
  // Violating states written out in full under violations/: up to this
  // many for offline findings, and as many again for recovery findings
  // (with the directory after the recovery attempt).
  int kept_violations = 20;
};

// What a crash run found; its files are in options.out_dir.
struct CrashResult {
  bool judged = false;  // false: refused, not runnable, or unknown before any state
  Verdict verdict = Verdict::kUnknown;
  std::string reason;  // why not judged, or why unknown
  std::vector<CheckerReport> findings;
  std::string report_text;  // report.txt's contents
  std::string replay;       // re-judges the recorded run: `lockharness crash --from ...`
  // One line for a suite: "posix: 3 of 412 crash states invalid, 20 recovered".
  std::string summary;
  int exit_code = 2;  // 0 valid, 1 invalid, 2 unknown or not judged
};

// Performs the crash run and writes its files; prints nothing but harness
// errors (on stderr).
CrashResult ExecuteCrash(const CrashOptions& options);

// ExecuteCrash(), then prints the report; returns the exit code.
int CrashCommand(const CrashOptions& options);

}  // namespace lockharness::harness::crash

#endif  // LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_
