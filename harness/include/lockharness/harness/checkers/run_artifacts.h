// run_artifacts.h: what a finished run leaves for the checkers: its history
// (history.h), the final registry file and the other names in its
// directory, the limits it ran under and, if it was traced, its system-call
// trace. LoadRunDirectory() (run_dir/load_run.h) reads them back from a run
// directory.

#ifndef LOCKHARNESS_HARNESS_CHECKERS_RUN_ARTIFACTS_H_
#define LOCKHARNESS_HARNESS_CHECKERS_RUN_ARTIFACTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/history.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/interposer/trace.h"

namespace lockharness::harness {

struct CheckLimits {
  int64_t op_timeout_ns = 0;
  int64_t takeover_bound_ns = 0;
  // How much later than invoke + op_timeout a completion may be recorded
  // before the progress checker calls it a hang: the harness needs time to
  // notice the timeout, kill the process and write the event on a loaded
  // machine.
  int64_t timeout_slack_ns = 2'000'000'000;
};

struct RunArtifacts {
  std::vector<Event> history;
  // Bytes of registry/sandboxes.json at the end; nullopt if it was absent.
  std::optional<std::string> final_registry;
  std::string registry_basename = run_files::kRegistryName;
  // Names in registry/ other than the registry file, at the end of the run.
  std::vector<std::string> directory_entries;
  CheckLimits limits;
  // Bytes of a corrupt registry the harness forged before the run
  // (DIR/setup/corrupt-registry.bytes), and the names in the registry
  // directory (the registry file included) that hold exactly those bytes at
  // the end: a correct implementation refuses to work on such a file and
  // never destroys it (it may back it up and start afresh).
  std::optional<std::string> forged_corrupt_registry;
  std::vector<std::string> corrupt_copies;
  // Nemesis and setup kinds of the run (run.json "nemeses" and "setup").
  std::vector<std::string> configured_faults;
  // The interposer's system-call trace (DIR/trace.jsonl), if the run has
  // one: the trace checkers run only then.
  std::optional<interposer::Trace> trace;
  // The run asked for the trace (run.json "trace": true, or faults). When
  // false, the trace is default observation: a trace checker that cannot
  // decide is left out of the reports (mutual-exclusion still says
  // unknown if nothing else decided it).
  bool trace_requested = true;
  // run.json "observation": {"recorded": true}: the harness recorded the
  // trace, so a missing trace.jsonl means observation is incomplete.
  bool trace_recorded = false;
  // CLOCK_MONOTONIC ns at the run's start (history time 0; run.json's
  // "monotonic_origin_ns"), to show trace times on the history's scale.
  std::optional<int64_t> monotonic_origin_ns;
  // run.json "placement" (placement.h) put some writers in PID namespaces of
  // their own, where every writer process is PID 1: names that carry a
  // PID (temp files) then carry 1, not the PID the history knows.
  bool writers_in_own_pid_namespaces = false;
  // run.json "lock_convention": how the implementation declares it locks
  // ("" if it does not), checked against the trace (lock-convention).
  std::string declared_lock_convention;
  // The name of the run's lock path in the registry directory
  // ("sandboxes.json.lock" unless run.json's lock_path names another).
  std::string lock_path_name;
  // Some writers ran another program than the implementation (a mixed
  // fleet): the trace's locks are not all the implementation's.
  bool mixed_fleet = false;
};

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_RUN_ARTIFACTS_H_
