// run.h: one harness run, from an empty run directory to a full history.
//
// ExecuteRun() creates the run directory layout (run.json, registry/,
// logs/, history.jsonl), generates the seeded workload, drives the writers
// (per-op mode: one process per operation; worker mode: one long-lived
// process per writer speaking JSON lines), samples the registry file with
// reader threads, and records every event. It does not judge the history:
// the caller runs the checkers on the directory afterwards (the same code
// path as `lockharness check DIR`).
//
// Children run without a shell, in their own process groups, with the run
// directory as cwd; an operation that outlives the op timeout is SIGKILLed
// with its group and recorded as `info`. In worker mode a worker that dies,
// times out or prints garbage is killed, its operation recorded as `info`,
// and the writer's remaining operations run in a restarted worker; after
// three consecutive worker failures without any answer in between the
// writer gives up (its remaining operations are not run).
//
// Usage:
//   RunOptions options; options.impl = "lockreg --file {registry}"; ...
//   RunOutcome outcome = ExecuteRun(options);
//   if (outcome.status != RunOutcome::Status::kCompleted) ...exit 2...

#ifndef LOCKHARNESS_HARNESS_RUNNER_RUN_H_
#define LOCKHARNESS_HARNESS_RUNNER_RUN_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lockharness/harness/runner/nemesis.h"
#include "lockharness/harness/runner/placement.h"
#include "lockharness/harness/runner/workload.h"

namespace lockharness::harness::runner {

enum class Mode { kPerOp, kWorker };
std::string_view ModeName(Mode mode);  // "per-op" | "worker"

// The lock path `lock_path` (RunOptions::lock_path) names for `registry`.
// Returns nullopt with *error when it is not a file directly in the
// registry's directory.
std::optional<std::filesystem::path> ResolveLockPath(const std::string& lock_path,
                                                     const std::filesystem::path& registry,
                                                     std::string* error);

struct RunOptions {
  std::string impl;  // command template, see command.h
  Mode mode = Mode::kPerOp;
  int writers = 8;           // REQUIRES: 1..1024
  int ops_per_writer = 100;  // REQUIRES: >= 1
  int readers = 1;           // >= 0
  uint64_t seed = 1;
  std::filesystem::path out_dir;  // REQUIRES: absent or an empty directory
  int64_t op_timeout_ms = 10000;
  int64_t takeover_bound_ms = 5000;
  OpMix mix;
  int value_bytes = 0;
  // Pause between two reader samples; a reader also rests at least as long
  // as its last sample took, so it stays below about half a core.
  int reader_interval_us = 100;

  // Fault injection (nemesis.h). Empty: a fault-free run.
  std::vector<NemesisSpec> nemeses;
  std::vector<SetupSpec> setup;
  // Mixed fleet: when not empty, writer w runs fleet[w % fleet.size()]
  // instead of `impl` (each a command template like `impl`).
  std::vector<std::string> fleet;
  // Where the writers run (placement.h): same, pid-namespace, host, mixed.
  Placement placement = Placement::kSame;
  // Placed writers run under a minimal init, as its child (PID 2), instead
  // of as PID 1 of their namespace (placer.cc --init): for implementations
  // that refuse to run as PID 1 or as PID 1's child. From the adapter
  // catalog's `placement_init` or --placement-init.
  bool placement_init = false;
  // Extra environment for the implementation's processes, "KEY=VALUE".
  std::vector<std::string> env;
  // Passed to the implementation as LOCKHARNESS_STALE_MS when > 0: the age
  // after which an implementation that reaps locks by age may break one.
  int64_t stale_ms = 0;
  // Interposer (docs/interposer.md): fault specs in LOCKHARNESS_FAULTS
  // syntax, and whether to record a file-system trace (trace.jsonl).
  std::string interposer_faults;
  bool trace = false;
  // Observation (docs/checkers.md): record the trace in every run of an
  // implementation that can be interposed, not only when `trace` asks for
  // it (and then requires it). false: only when `trace` or faults need it.
  bool observe = true;
  // The implementation's lock path: "{registry}" stands for the registry
  // file; a relative path is taken in the registry's directory, and the
  // result must lie directly in that directory. Empty: "{registry}.lock".
  std::string lock_path;
  // How the implementation locks (lock_convention.h): "mkdir", "flock", ...
  // Set from the adapter catalog or --lock-convention; empty: not declared
  // (a suite detects it from the first observed acquisition). Setup steps
  // forge their lock in it, and the lock-convention checker reports a trace
  // that contradicts it.
  std::string lock_convention;
  // The registry's directory (--registry-dir), e.g. on a network file
  // system. REQUIRES: empty, or an existing, empty, writable directory.
  // Empty: the run directory's registry/.
  std::string registry_dir;
  // Stop the run (killing every process) after this long; 0: no limit.
  int64_t run_timeout_ms = 0;
  // Called about every 100 ms from the calling thread with the number of
  // completed operations and the total planned.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ReaderStats {
  int64_t samples = 0;   // every read of the file
  int64_t missing = 0;   // ENOENT (fine only before the file first exists)
  int64_t invalid = 0;   // samples the validator rejected
  int64_t recorded = 0;  // read events written to the history
};

struct RunOutcome {
  enum class Status { kCompleted, kNotRunnable, kInterrupted, kHarnessError };
  Status status = Status::kCompleted;
  std::string reason;  // one line, for anything but kCompleted
  // kNotRunnable because the first worker exited before it answered (or
  // before it read the request): the program has no worker mode.
  bool no_worker_mode = false;
  int64_t planned_ops = 0;
  int64_t completed_ops = 0;
  double elapsed_seconds = 0;
  ReaderStats readers;
  nlohmann::json ToJson() const;
};

// "" if `dir` may hold a run's registry (--registry-dir): an existing,
// empty, writable directory, since the run judges everything in it and must
// not mix in or clobber anything else. Else the reason, one line. Only
// looks at `dir`.
std::string RefusedRegistryDir(const std::filesystem::path& dir);

// Performs the run described by `options`. Never throws for problems of the
// implementation; those end up in the history or in the outcome's status.
// Sets SIGPIPE to be ignored in this process (a dying worker must not kill
// the harness); children start with the default disposition.
RunOutcome ExecuteRun(const RunOptions& options);

// The run.json document for `options` (also used to print replay commands).
nlohmann::json RunConfigJson(const RunOptions& options, const std::string& started_at);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_RUNNER_RUN_H_
