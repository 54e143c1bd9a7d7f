// writer_context.h (private): what writer and reader threads of one run
// share, and how an operation's outcome is classified.

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lockharness/harness/history.h"
#include "lockharness/harness/runner/process.h"
#include "lockharness/harness/runner/recorder.h"
#include "lockharness/harness/runner/run.h"
#include "lockharness/harness/runner/workload.h"

namespace lockharness::harness::runner {

// Tells a broken command ("not runnable") from a buggy implementation: an
// implementation is not runnable when nothing it ever did was a definite
// answer and its processes failed to start, exited with a status other than
// 0 and 1 (126/127: not found), died of a signal, or answered garbage.
// Timeouts do not count: a slow implementation is not a broken command. After a few such failures
// and no definite answer the run stops early instead of burning every operation's timeout.
class RunHealth {
 public:
  explicit RunHealth(int64_t abort_threshold) : abort_threshold_(abort_threshold) {}
  void RecordDefinite() { definite_.fetch_add(1); }
  // `worker_exited`: a worker process that ran exited before it answered,
  // the sign of a program without a worker mode.
  void RecordStartupFailure(const std::string& reason, bool worker_exited = false);
  bool ShouldAbort() const;
  // Non-empty when the run looks not runnable: the first failure's reason.
  std::string NotRunnableReason() const;
  // True when the run looks not runnable and its first failure was a
  // worker that exited before answering.
  bool NotRunnableForLackOfWorkerMode() const;

 private:
  const int64_t abort_threshold_;
  std::atomic<int64_t> definite_{0};
  std::atomic<int64_t> startup_failures_{0};
  mutable std::mutex mu_;
  std::string first_reason_;
  bool first_was_worker_exit_ = false;
};

// Which process each writer is running right now, and which processes the
// harness itself signalled (so their deaths are not blamed on the
// implementation). Writers call Started() after a spawn and Ended() right
// after the child is reaped; the nemeses read it to find their targets.
// A pid stays listed for the microseconds between reaping and Ended(); pids
// are allocated incrementally, so it cannot be reused by another process in
// that window in practice.
class LiveProcesses {
 public:
  explicit LiveProcesses(int writers) : by_writer_(writers, 0) {}
  void Started(int writer, pid_t pid);
  void Ended(int writer, pid_t pid);
  // (writer, pid) of every writer that has a process now.
  std::vector<std::pair<int, pid_t>> Snapshot() const;
  // The writer whose process is `pid`, or nullopt.
  std::optional<int> WriterOf(pid_t pid) const;
  // Sends `signal` to the process group of writer process `pid` if it is
  // still listed, and remembers that the harness did so. False if not listed.
  bool Signal(pid_t pid, int signal);
  bool WasSignalled(pid_t pid) const;
  // True once the harness has signalled any writer process (a holder-directed
  // nemesis acted): failures after that may answer the fault.
  bool AnySignalled() const;

 private:
  mutable std::mutex mu_;
  std::vector<pid_t> by_writer_;
  std::unordered_set<pid_t> signalled_;
};

struct RunContext {
  const RunOptions* options = nullptr;
  std::vector<std::string> argv;  // the instantiated command template
  // Mixed fleet: writer w runs fleet_argv[w % size] when not empty.
  std::vector<std::vector<std::string>> fleet_argv;
  // Placement (placement.h): when not empty, writer w runs placed_argv[w],
  // its command behind the placer.
  std::vector<std::vector<std::string>> placed_argv;
  // Environment every implementation process gets on top of the per-writer
  // variables: stale threshold, scenario env, interposer settings.
  std::vector<std::string> shared_env;
  // True when the interposer may kill processes (a `kill` action).
  bool interposer_kills = false;
  LiveProcesses* live = nullptr;
  // Every process the run starts is spawned with this id: its run timeout
  // kills them and no other run's (process.h, KillRunGroups).
  uint64_t run_id = 0;
  std::filesystem::path run_dir;     // absolute
  std::filesystem::path registry;    // absolute path of the registry file
  std::filesystem::path lock_path;   // absolute; the lock the trace watches
  std::filesystem::path trace_path;  // trace.jsonl if recorded, else empty
  RunClock clock;
  Recorder* recorder = nullptr;
  RunHealth* health = nullptr;
  // Judges one sample of the registry file: true if it is a valid registry
  // document, else false with a reason (the checkers' schema validation).
  std::function<bool(std::string_view bytes, std::string* error)> validate;
  std::atomic<int64_t> completed{0};
  std::atomic<bool> writers_done{false};
  std::atomic<bool> run_timed_out{false};

  bool ShouldStop() const;
  const std::vector<std::string>& ArgvFor(int writer) const;
  std::vector<std::string> Environment(int writer) const;
  // True if the death of `pid` with `status` was caused by fault injection
  // (a nemesis signal, an interposer kill point) rather than by the
  // implementation: such deaths never count against runnability.
  bool InjectedDeath(pid_t pid, const ExitStatus& status) const;
  // Records a `fault` event for a process an interposer kill point killed
  // (the harness learns of it only from the exit status), so the report
  // shows the fault before the operation's `info`. No-op otherwise.
  void RecordInterposerKill(int writer, pid_t pid, const ExitStatus& status) const;
  std::filesystem::path StderrLog(int writer) const;
};

// The invoke event for `op`, stamped now.
Event InvokeEvent(const RunContext& context, const PlannedOp& op, int pid);

// A completion event for `op` of the given type, stamped now.
Event CompletionEvent(const RunContext& context, const PlannedOp& op, int pid, EventType type,
                      std::string error);

// A `fault` event: what the harness did (`fault`, e.g. "sigkill"), on
// behalf of which configured fault (`kind`: the nemesis or setup kind, or
// "interposer"), to whom (`pid`, `writer`; 0 and -1 when nobody in
// particular) and `target`, a description for people that starts with the
// kind. `t` < 0 stamps it now.
Event FaultEvent(const RunContext& context, pid_t pid, int writer, std::string fault,
                 std::string kind, std::string target, int64_t t = -1);

// Writer loops; each records an invoke and exactly one completion for every
// operation it starts, and bumps context->completed.
void RunPerOpWriter(RunContext* context, int writer, const std::vector<PlannedOp>& ops);
void RunWorkerWriter(RunContext* context, int writer, const std::vector<PlannedOp>& ops);

// Samples the registry file until context->writers_done (or a stop).
ReaderStats RunReader(RunContext* context, int reader_index);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_
