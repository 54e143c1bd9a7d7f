// Per-op mode: one implementation process per operation.

#include <nlohmann/json.hpp>

#include "lockharness/harness/completion_errors.h"
#include "lockharness/harness/runner/answers.h"
#include "lockharness/harness/runner/signals.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {
namespace {

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

bool IsRead(OpKind kind) { return kind == OpKind::kGet || kind == OpKind::kList; }

// Optional extension of per-op mode (docs/adapter-contract.md): a mutating
// operation may print, as its last line, one JSON object with the absolute
// CLOCK_MONOTONIC times it held the lock, as workers do. Other output is
// ignored; a malformed span line is an implementation error on the event.
void AddLockSpan(const RunContext& context, const std::string& out, Event* event) {
  const SpanReading reading = ParsePerOpSpan(out);
  if (!reading.error.empty()) {
    MarkMalformedSpan(reading.error, &event->error);
    return;
  }
  if (!reading.span) return;
  event->lock_acquired = context.clock.FromAbsolute(reading.span->acquired_ns);
  event->lock_released = context.clock.FromAbsolute(reading.span->released_ns);
}

// Runs one operation to completion and returns its completion event.
Event RunOneOperation(RunContext* context, int writer, const PlannedOp& op) {
  std::vector<std::string> argv = context->ArgvFor(writer);
  for (std::string& arg : OperationArguments(op)) argv.push_back(std::move(arg));
  SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.cwd = context->run_dir;
  spawn.extra_env = context->Environment(writer);
  spawn.extra_env.push_back("LOCKHARNESS_OP_ID=" + std::to_string(op.id));
  spawn.stderr_path = context->StderrLog(writer);
  spawn.pipe_stdout = true;
  spawn.run_id = context->run_id;

  std::string error;
  std::optional<Child> child = Child::Spawn(spawn, &error);
  if (!child) {
    context->health->RecordStartupFailure(error);
    // posix_spawn failing means exec never happened: nothing took effect.
    return CompletionEvent(*context, op, 0, EventType::kFail, "not runnable: " + error);
  }
  const int pid = child->pid();
  context->live->Started(writer, pid);
  const auto timeout = std::chrono::milliseconds(context->options->op_timeout_ms);
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  const ReadStatus read = child->ReadAllStdout(deadline, &out);
  const ExitStatus status = read == ReadStatus::kTimedOut
                                ? (child->Kill(), ExitStatus{ExitStatus::Kind::kTimedOut, 0})
                                : child->Wait(deadline);
  context->live->Ended(writer, pid);

  if (status.kind == ExitStatus::Kind::kTimedOut) {
    return CompletionEvent(*context, op, pid, EventType::kInfo,
                           TimedOutError(context->options->op_timeout_ms, "process group killed"));
  }
  if (status.kind == ExitStatus::Kind::kSignaled) {
    context->RecordInterposerKill(writer, pid, status);
    // A crash counts against runnability only if nothing ever worked, and
    // never when fault injection caused it.
    if (!Interrupted() && !context->InjectedDeath(pid, status)) {
      context->health->RecordStartupFailure(spawn.argv[0] + " " + status.Describe());
    }
    return CompletionEvent(*context, op, pid, EventType::kInfo,
                           Interrupted() ? "interrupted; " + status.Describe() : status.Describe());
  }
  if (status.code == 126 || status.code == 127) {
    context->health->RecordStartupFailure(spawn.argv[0] + " exited " + std::to_string(status.code) +
                                          " (command not found or not executable)");
    return CompletionEvent(*context, op, pid, EventType::kInfo, status.Describe());
  }
  if (status.code == 1) {
    context->health->RecordDefinite();
    return CompletionEvent(*context, op, pid, EventType::kFail, "refused (exit status 1)");
  }
  if (status.code != 0) {
    // E.g. a usage error on every call (a wrong template): counts against
    // runnability only while no operation has got a definite answer, and
    // not once a nemesis has killed or stopped a holder: then every writer
    // may give up waiting for the lock it left (exit 3), which is an answer
    // to judge, not a broken command.
    if (!context->live->AnySignalled()) {
      context->health->RecordStartupFailure(spawn.argv[0] + " " + status.Describe());
    }
    return CompletionEvent(*context, op, pid, EventType::kInfo, status.Describe());
  }
  context->health->RecordDefinite();
  Event ok = CompletionEvent(*context, op, pid, EventType::kOk, "");
  if (!IsRead(op.kind)) {
    AddLockSpan(*context, out, &ok);
  } else {
    std::string value = Trim(std::move(out));
    if (!nlohmann::json::accept(value)) {
      ok.type = EventType::kInfo;
      ok.error = "read printed no valid JSON";
    }
    ok.value = std::move(value);
  }
  return ok;
}

}  // namespace

void RunPerOpWriter(RunContext* context, int writer, const std::vector<PlannedOp>& ops) {
  for (const PlannedOp& op : ops) {
    if (context->ShouldStop()) break;
    // The invoke is on record before the process can have any effect.
    context->recorder->Record(InvokeEvent(*context, op, 0));
    const Event completion = RunOneOperation(context, writer, op);
    context->recorder->Record(completion);
    context->completed.fetch_add(1);
  }
}

}  // namespace lockharness::harness::runner
