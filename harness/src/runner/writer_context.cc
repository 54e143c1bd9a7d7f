// Shared run state and outcome classification (see writer_context.h).

#include "src/runner/writer_context.h"

#include "lockharness/harness/runner/signals.h"

namespace lockharness::harness::runner {

void RunHealth::RecordStartupFailure(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_reason_.empty()) first_reason_ = reason;
  }
  startup_failures_.fetch_add(1);
}

bool RunHealth::ShouldAbort() const {
  return definite_.load() == 0 && startup_failures_.load() >= abort_threshold_;
}

std::string RunHealth::NotRunnableReason() const {
  if (definite_.load() != 0 || startup_failures_.load() == 0) return "";
  std::lock_guard<std::mutex> lock(mu_);
  return first_reason_;
}

bool RunContext::ShouldStop() const {
  return Interrupted() || health->ShouldAbort();
}

std::vector<std::string> RunContext::Environment(int writer) const {
  return {"LOCKHARNESS_RUN_DIR=" + run_dir.string(),
          "LOCKHARNESS_REGISTRY=" + registry.string(),
          "LOCKHARNESS_WRITER=" + std::to_string(writer),
          "LOCKHARNESS_MODE=" + std::string(ModeName(options->mode))};
}

std::filesystem::path RunContext::StderrLog(int writer) const {
  return run_dir / "logs" / ("writer-" + std::to_string(writer) + ".stderr");
}

Event InvokeEvent(const RunContext& context, const PlannedOp& op, int pid) {
  Event event;
  event.type = EventType::kInvoke;
  event.id = op.id;
  event.process = op.writer;
  event.writer = op.writer;
  event.pid = pid;
  event.op = op.kind;
  event.name = op.name;
  event.fields = op.fields;
  event.t = context.clock.Now();
  return event;
}

Event CompletionEvent(const RunContext& context, const PlannedOp& op, int pid,
                      EventType type, std::string error) {
  Event event;
  event.type = type;
  event.id = op.id;
  event.process = op.writer;
  event.writer = op.writer;
  event.pid = pid;
  event.op = op.kind;
  event.name = op.name;
  event.error = std::move(error);
  event.t = context.clock.Now();
  return event;
}

}  // namespace lockharness::harness::runner
