// contention_run.h: N processes doing locked read-modify-write cycles of one
// registry file for a fixed time, and what they achieved.
//
//   ContentionConfig c{.kind = LockKind::kOurs, .processes = 8,
//                      .duration = std::chrono::milliseconds(1000), .dir = "/dev/shm"};
//   StatusOr<ContentionResult> r = RunContention(c);
//   if (r.ok()) use(r->ops_per_s, r->latency.p99_ns, r->shares.min_share);
//
// The calling process forks `processes` children (separate processes, not
// threads). Each builds its lock strategy, reports ready, and blocks on a
// pipe; when all are ready the parent fixes the start time and closes the
// pipe, releasing every child at once. Each child then loops: time
// Acquire(), BumpCounter() (registry_cycle.h), Release(), until the window
// ends; an acquisition already waiting when it ends is allowed to finish.
// Children report through shared memory (counts and acquire latencies);
// nothing they do touches the parent's heap.
//
// Throughput counts only cycles that completed inside the window, divided by
// its length. Latency covers every acquisition, late ones included. After the
// run the file's counter is compared with the number of cycles: a difference
// means the lock let two writers in (a lost update).
//
// Runs in a fresh directory under `dir`, removed afterwards. The calling
// process must be single-threaded (it forks).

#ifndef LOCKHARNESS_BENCH_CONTENTION_RUN_H_
#define LOCKHARNESS_BENCH_CONTENTION_RUN_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "lockharness/bench/latency_summary.h"
#include "lockharness/bench/lock_strategy.h"
#include "lockharness/bench/write_methods.h"
#include "lockharness/protocol/status.h"

namespace lockharness::bench {

using protocol::StatusOr;

struct ContentionConfig {
  LockKind kind = LockKind::kOurs;
  int processes = 1;
  std::chrono::milliseconds duration{1000};
  std::string dir = "/dev/shm";
  WriteMethod write = WriteMethod::kTempFsyncRenameDirSync;
  int sandboxes = 20;  // size of the registry: about 300 bytes per entry
  // Children still running this long after the window are killed and the
  // run fails (a hung lock must not hang the benchmark).
  std::chrono::milliseconds grace{30000};
};

struct ContentionResult {
  std::vector<int64_t> ops_per_process;  // cycles completed inside the window
  int64_t ops = 0;                       // their sum
  int64_t late_ops = 0;                  // cycles completed after the window
  int64_t failures = 0;                  // acquisitions or cycles that failed
  int64_t final_counter = 0;             // the file's counter afterwards
  int64_t lost_updates = 0;              // ops + late_ops - final_counter
  double window_s = 0;
  double ops_per_s = 0;
  // Time inside the critical section (from Acquire() returning to calling
  // Release(), so the cycle but not the release) per cycle inside the
  // window, and the share of the window some process was inside it. These
  // intervals are exclusive, so busy_fraction <= 1. Well below 1 with
  // waiters present means the lock sat free (or was being taken and given
  // back) while processes waited; near 1 with low throughput means the
  // holders themselves were slow.
  int64_t mean_hold_ns = 0;
  double busy_fraction = 0;
  int64_t mean_release_ns = 0;  // time in Release() per cycle inside the window
  LatencySummary latency;       // acquire latency over all processes
  ShareSummary shares;          // from ops_per_process
  std::string first_error;      // of the first failure, "" if none
};

// Errors (kIoError, or kInvalidArgument for processes < 1): the run could not
// be set up, a child could not be started, or children hung past `grace`.
// Failures inside children are results, not errors: see `failures`.
StatusOr<ContentionResult> RunContention(const ContentionConfig& config);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_CONTENTION_RUN_H_
