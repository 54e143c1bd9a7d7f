// Worker mode: one long-lived implementation process per writer, talking
// JSON lines (docs/adapter-contract.md).

#include <nlohmann/json.hpp>

#include "lockharness/harness/completion_errors.h"
#include "lockharness/harness/runner/answers.h"
#include "lockharness/harness/runner/signals.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {
namespace {

constexpr int kMaxConsecutiveWorkerFailures = 3;

std::string Excerpt(const std::string& text) {
  constexpr size_t kMax = 120;
  return text.size() <= kMax ? text : text.substr(0, kMax) + "...";
}

// One writer's worker process and the bookkeeping to restart it.
class WorkerSession {
 public:
  WorkerSession(RunContext* context, int writer) : context_(context), writer_(writer) {}

  // True if the writer should give up (too many failures in a row).
  bool GaveUp() const { return consecutive_failures_ >= kMaxConsecutiveWorkerFailures; }

  void Run(const PlannedOp& op) {
    if (!EnsureStarted(op)) return;
    context_->recorder->Record(InvokeEvent(*context_, op, child_->pid()));
    Event completion = Exchange(op);
    context_->recorder->Record(completion);
    context_->completed.fetch_add(1);
  }

  void Finish() {
    if (!child_) return;
    child_->CloseStdin();  // a worker exits on EOF
    child_->Wait(std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(context_->options->op_timeout_ms));
    EndChild();
  }

 private:
  // Starts the worker if none is running. If that fails, records the
  // operation as invoked and failed (exec never happened) and returns false.
  bool EnsureStarted(const PlannedOp& op) {
    if (child_) return true;
    SpawnOptions spawn;
    spawn.argv = context_->ArgvFor(writer_);
    spawn.argv.push_back("worker");
    spawn.cwd = context_->run_dir;
    spawn.extra_env = context_->Environment(writer_);
    spawn.stderr_path = context_->StderrLog(writer_);
    spawn.pipe_stdin = true;
    spawn.pipe_stdout = true;
    spawn.run_id = context_->run_id;
    std::string error;
    child_ = Child::Spawn(spawn, &error);
    answered_since_start_ = false;
    if (child_) {
      context_->live->Started(writer_, child_->pid());
      return true;
    }
    context_->recorder->Record(InvokeEvent(*context_, op, 0));
    context_->health->RecordStartupFailure(error);
    ++consecutive_failures_;
    context_->recorder->Record(
        CompletionEvent(*context_, op, 0, EventType::kFail, "not runnable: " + error));
    context_->completed.fetch_add(1);
    return false;
  }

  // Kills the worker after a failure; `reason` becomes the info error.
  Event Abandon(const PlannedOp& op, std::string reason, bool startup_failure) {
    const int pid = child_->pid();
    child_->Kill();
    EndChild();
    ++consecutive_failures_;
    if (startup_failure) context_->health->RecordStartupFailure(reason);
    if (Interrupted()) reason = "interrupted; " + reason;
    return CompletionEvent(*context_, op, pid, EventType::kInfo, std::move(reason));
  }

  Event Exchange(const PlannedOp& op) {
    const int64_t timeout_ms = context_->options->op_timeout_ms;
    const Deadline deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    // Even if the request cannot be written (the worker exited), read what
    // it printed: a worker that prints garbage and exits is reported as such.
    const bool sent = child_->WriteStdin(WorkerRequestLine(op) + "\n");
    std::string line;
    const ReadStatus read = child_->ReadLine(deadline, &line);
    if (!sent && read == ReadStatus::kOk &&
        nlohmann::json::parse(line, nullptr, false).is_discarded()) {
      return Abandon(op, "worker printed a non-JSON line: " + Excerpt(line), true);
    }
    if (!sent) return WorkerDied(op, deadline, "worker exited before reading the request");
    if (read == ReadStatus::kTimedOut) {
      return Abandon(op, TimedOutError(timeout_ms, "no answer; worker killed"), false);
    }
    if (read != ReadStatus::kOk) return WorkerDied(op, deadline, "worker exited without answering");
    return Interpret(op, line);
  }

  Event WorkerDied(const PlannedOp& op, Deadline deadline, const std::string& what) {
    const int pid = child_->pid();
    const ExitStatus status = child_->Wait(deadline);
    EndChild();
    std::string reason = what + " (" + status.Describe() + ")";
    if (context_->InjectedDeath(pid, status)) {
      context_->RecordInterposerKill(writer_, pid, status);
      // Killed by fault injection: the worker is restarted for the next
      // operation, and this is no sign of a broken implementation.
      return CompletionEvent(*context_, op, pid, EventType::kInfo,
                             "killed by fault injection; " + reason);
    }
    ++consecutive_failures_;
    const bool never_ran =
        status.kind == ExitStatus::Kind::kExited && (status.code == 126 || status.code == 127);
    // A worker that exits after a nemesis killed or stopped a holder may be
    // answering that fault (per_op_writer.cc); a command that never ran is
    // broken whatever happened.
    if (never_ran || (!answered_since_start_ && !context_->live->AnySignalled())) {
      context_->health->RecordStartupFailure(reason, /*worker_exited=*/true);
    }
    if (Interrupted()) reason = "interrupted; " + reason;
    return CompletionEvent(*context_, op, pid, EventType::kInfo, reason);
  }

  Event Interpret(const PlannedOp& op, const std::string& line) {
    std::string malformed;
    const std::optional<WorkerAnswer> answer = ParseWorkerAnswer(line, op.id, &malformed);
    if (!answer) return Abandon(op, std::move(malformed), true);
    answered_since_start_ = true;
    consecutive_failures_ = 0;
    const int pid = child_->pid();
    if (answer->unknown) {
      return CompletionEvent(*context_, op, pid, EventType::kInfo,
                             "worker: outcome unknown: " + answer->error);
    }
    context_->health->RecordDefinite();
    if (!answer->ok) {
      Event event = CompletionEvent(*context_, op, pid, EventType::kFail,
                                    answer->error.empty() ? "refused" : answer->error);
      // A refusal's span is not recorded (as before), but a malformed one
      // is still reported.
      if (!answer->span.error.empty()) AddSpan(answer->span, &event);
      return event;
    }
    Event event = CompletionEvent(*context_, op, pid, EventType::kOk, "");
    if (answer->value) event.value = *answer->value;
    AddSpan(answer->span, &event);
    return event;
  }

  // A malformed span marks the event's error (keeping the worker's own
  // text): it is the implementation's error, reported by the
  // mutual-exclusion checker.
  void AddSpan(const SpanReading& reading, Event* event) const {
    if (!reading.error.empty()) {
      MarkMalformedSpan(reading.error, &event->error);
      return;
    }
    if (!reading.span) return;
    event->lock_acquired = context_->clock.FromAbsolute(reading.span->acquired_ns);
    event->lock_released = context_->clock.FromAbsolute(reading.span->released_ns);
  }

  void EndChild() {
    context_->live->Ended(writer_, child_->pid());
    child_.reset();
  }

  RunContext* context_;
  int writer_;
  std::optional<Child> child_;
  bool answered_since_start_ = false;
  int consecutive_failures_ = 0;
};

}  // namespace

void RunWorkerWriter(RunContext* context, int writer, const std::vector<PlannedOp>& ops) {
  WorkerSession session(context, writer);
  for (const PlannedOp& op : ops) {
    if (context->ShouldStop() || session.GaveUp()) break;
    session.Run(op);
  }
  session.Finish();
}

}  // namespace lockharness::harness::runner
