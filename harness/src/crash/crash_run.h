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

#ifndef LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_
#define LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "src/crash/persistence_model.h"

namespace lockharness::harness::crash {

struct CrashOptions {
  std::string impl;  // per-op command template (command.h)
  PersistenceModel model = PersistenceModel::kPosix;
  int writers = 3;         // REQUIRES: 1..64
  int ops_per_writer = 5;  // REQUIRES: >= 1
  int64_t states = 2000;   // state budget of the whole run
  uint64_t seed = 1;
  std::filesystem::path out_dir;  // REQUIRES: absent or empty
  // Distinct states on which the implementation's recovery is run (a
  // seeded sample when there are more); 0: recovery is not checked.
  int64_t recover_states = 50;
  int64_t takeover_bound_ms = 5000;
  // LOCKHARNESS_STALE_MS for the workload and the recovery: the ownerless
  // grace after which a lock directory without an owner record is broken.
  int64_t stale_ms = 500;
  int64_t max_record_bytes = 64ll << 20;
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

// Performs the crash run; prints the report and returns the exit code.
int CrashCommand(const CrashOptions& options);

}  // namespace lockharness::harness::crash

#endif  // LOCKHARNESS_HARNESS_SRC_CRASH_CRASH_RUN_H_
