// Per-op mode: one implementation process per operation.

#include <nlohmann/json.hpp>

#include "lockharness/harness/runner/signals.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {
namespace {

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' ||
                           text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

bool IsRead(OpKind kind) { return kind == OpKind::kGet || kind == OpKind::kList; }

// Optional extension of per-op mode (docs/adapter-contract.md): a mutating
// operation may print one JSON object line with the absolute
// CLOCK_MONOTONIC times it held the lock, as workers do. Anything else on
// stdout is ignored.
void AddLockSpan(const RunContext& context, const std::string& out, Event* event) {
  const std::string last_line = [&] {
    std::string text = Trim(out);
    const size_t newline = text.rfind('\n');
    return newline == std::string::npos ? text : text.substr(newline + 1);
  }();
  if (last_line.empty() || last_line[0] != '{') return;
  const nlohmann::json span = nlohmann::json::parse(last_line, nullptr, false);
  if (!span.is_object()) return;
  auto acquired = span.find("lock_acquired_ns");
  auto released = span.find("lock_released_ns");
  if (acquired == span.end() || released == span.end() ||
      !acquired->is_number_integer() || !released->is_number_integer()) {
    return;
  }
  event->lock_acquired = context.clock.FromAbsolute(acquired->get<int64_t>());
  event->lock_released = context.clock.FromAbsolute(released->get<int64_t>());
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

  std::string error;
  std::optional<Child> child = Child::Spawn(spawn, &error);
  if (!child) {
    context->health->RecordStartupFailure(error);
    // posix_spawn failing means exec never happened: nothing took effect.
    return CompletionEvent(*context, op, 0, EventType::kFail,
                           "not runnable: " + error);
  }
  const int pid = child->pid();
  context->live->Started(writer, pid);
  const auto timeout = std::chrono::milliseconds(context->options->op_timeout_ms);
  const Deadline deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  const ReadStatus read = child->ReadAllStdout(deadline, &out);
  const ExitStatus status =
      read == ReadStatus::kTimedOut ? (child->Kill(), ExitStatus{ExitStatus::Kind::kTimedOut, 0})
                                    : child->Wait(deadline);
  context->live->Ended(writer, pid);

  if (status.kind == ExitStatus::Kind::kTimedOut) {
    return CompletionEvent(*context, op, pid, EventType::kInfo,
                           "timed out after " +
                               std::to_string(context->options->op_timeout_ms) +
                               " ms; process group killed");
  }
  if (status.kind == ExitStatus::Kind::kSignaled) {
    context->RecordInterposerKill(writer, pid, status);
    // A crash counts against runnability only if nothing ever worked, and
    // never when fault injection caused it.
    if (!Interrupted() && !context->InjectedDeath(pid, status)) {
      context->health->RecordStartupFailure(spawn.argv[0] + " " + status.Describe());
    }
    return CompletionEvent(*context, op, pid, EventType::kInfo,
                           Interrupted() ? "interrupted; " + status.Describe()
                                         : status.Describe());
  }
  if (status.code == 126 || status.code == 127) {
    context->health->RecordStartupFailure(
        spawn.argv[0] + " exited " + std::to_string(status.code) +
        " (command not found or not executable)");
    return CompletionEvent(*context, op, pid, EventType::kInfo, status.Describe());
  }
  if (status.code == 1) {
    context->health->RecordDefinite();
    return CompletionEvent(*context, op, pid, EventType::kFail, "refused (exit status 1)");
  }
  if (status.code != 0) {
    // E.g. a usage error on every call (a wrong template): counts against
    // runnability only while no operation has got a definite answer.
    context->health->RecordStartupFailure(spawn.argv[0] + " " + status.Describe());
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

void RunPerOpWriter(RunContext* context, int writer,
                    const std::vector<PlannedOp>& ops) {
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
