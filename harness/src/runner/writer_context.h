// writer_context.h (private): what writer and reader threads of one run
// share, and how an operation's outcome is classified.

#ifndef LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_
#define LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
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
// Timeouts do not count: a slow implementation is not a broken command. After a few such failures and no definite answer the run stops
// early instead of burning every operation's timeout.
class RunHealth {
 public:
  explicit RunHealth(int64_t abort_threshold) : abort_threshold_(abort_threshold) {}
  void RecordDefinite() { definite_.fetch_add(1); }
  void RecordStartupFailure(const std::string& reason);
  bool ShouldAbort() const;
  // Non-empty when the run looks not runnable: the first failure's reason.
  std::string NotRunnableReason() const;

 private:
  const int64_t abort_threshold_;
  std::atomic<int64_t> definite_{0};
  std::atomic<int64_t> startup_failures_{0};
  mutable std::mutex mu_;
  std::string first_reason_;
};

struct RunContext {
  const RunOptions* options = nullptr;
  std::vector<std::string> argv;      // the instantiated command template
  std::filesystem::path run_dir;      // absolute
  std::filesystem::path registry;     // absolute path of the registry file
  RunClock clock;
  Recorder* recorder = nullptr;
  RunHealth* health = nullptr;
  // Judges one sample of the registry file: true if it is a valid registry
  // document, else false with a reason (the checkers' schema validation).
  std::function<bool(std::string_view bytes, std::string* error)> validate;
  std::atomic<int64_t> completed{0};
  std::atomic<bool> writers_done{false};

  bool ShouldStop() const;
  std::vector<std::string> Environment(int writer) const;
  std::filesystem::path StderrLog(int writer) const;
};

// The invoke event for `op`, stamped now.
Event InvokeEvent(const RunContext& context, const PlannedOp& op, int pid);

// A completion event for `op` of the given type, stamped now.
Event CompletionEvent(const RunContext& context, const PlannedOp& op, int pid,
                      EventType type, std::string error);

// Writer loops; each records an invoke and exactly one completion for every
// operation it starts, and bumps context->completed.
void RunPerOpWriter(RunContext* context, int writer,
                    const std::vector<PlannedOp>& ops);
void RunWorkerWriter(RunContext* context, int writer,
                     const std::vector<PlannedOp>& ops);

// Samples the registry file until context->writers_done (or a stop).
ReaderStats RunReader(RunContext* context, int reader_index);

}  // namespace lockharness::harness::runner

#endif  // LOCKHARNESS_HARNESS_SRC_RUNNER_WRITER_CONTEXT_H_
