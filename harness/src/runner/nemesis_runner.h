// nemesis_runner.h (private): executes the nemeses of a run (nemesis.h).
//
// One thread per NemesisSpec waits for its start time, then acts every
// interval (plus seeded jitter) until it has acted `count` times or Stop()
// is called. Holder-directed nemeses look for the lock holder every 2 ms
// until they find one (the live holder oracle: kernel locks, the owner
// record or the live trace); an action that finds no target is not
// counted. steal-lock does not act on a kernel lock (flock, fcntl): there is
// nothing to rename away, and the fault-coverage checker says it never acted.
// Nemeses stop acting once 90% of the planned operations have completed.
// Every action is recorded as a `fault` event whose target starts with the
// nemesis kind ("kill-holder: lock holder, writer 3"), so the fault-coverage
// checker can tell a nemesis that never fired from one that did.
//
// Usage:
//   NemesisRunner nemeses(&context, options.seed);
//   nemeses.Start(options.nemeses);
//   ...writers run...
//   nemeses.Stop();   // joins; resumes any process still paused

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_NEMESIS_RUNNER_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_NEMESIS_RUNNER_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "lockharness/harness/runner/nemesis.h"
#include "src/runner/holder_oracle.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {

class NemesisRunner {
 public:
  NemesisRunner(RunContext* context, uint64_t seed) : context_(context), seed_(seed) {}
  ~NemesisRunner() { Stop(); }
  NemesisRunner(const NemesisRunner&) = delete;
  NemesisRunner& operator=(const NemesisRunner&) = delete;

  void Start(const std::vector<NemesisSpec>& specs);
  void Stop();

 private:
  void Loop(const NemesisSpec& spec, uint64_t stream);
  // Sleeps until `deadline_ns` (run clock) or Stop(); false if stopped.
  bool SleepUntil(int64_t deadline_ns);
  // True once 90% of the planned operations completed: the last stretch of
  // the workload is left undisturbed, so that every fault is followed by
  // operations that show its aftermath (a kill in the run's last moments
  // would leave the takeover unmeasured).
  bool InFinalStretch() const;
  // One action; false if it found no target.
  bool Act(const NemesisSpec& spec, std::mt19937_64* rng);
  bool KillHolder();
  bool PauseHolder(const NemesisSpec& spec);
  bool KillWriter(std::mt19937_64* rng);
  bool StealLock();
  bool BackdateLock(const NemesisSpec& spec);
  // The holder now, from the live holder oracle (holder_oracle.h).
  std::optional<OracleHolder> FindHolder();
  // `t`: the run-clock time of the action; -1 for now.
  // `kind` is the nemesis that acted; `target` starts with its name.
  void RecordFault(NemesisKind kind, pid_t pid, int writer, const std::string& fault,
                   const std::string& target, int64_t t = -1);

  RunContext* context_;
  uint64_t seed_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  int steal_counter_ = 0;
  // steal-lock found a kernel lock's holder and said once that it does not
  // apply (a "not-applicable" fault event, which fault-coverage reports).
  bool steal_not_applicable_recorded_ = false;
  std::mutex oracle_mu_;
  std::optional<HolderOracle> oracle_;  // made on first use
};

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_NEMESIS_RUNNER_H_
