// Shared run state and outcome classification (see writer_context.h).

#include "src/runner/writer_context.h"

#include <signal.h>

#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/signals.h"

namespace lockharness::harness::runner {

void RunHealth::RecordStartupFailure(const std::string& reason, bool worker_exited) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_reason_.empty()) {
      first_reason_ = reason;
      first_was_worker_exit_ = worker_exited;
    }
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

bool RunHealth::NotRunnableForLackOfWorkerMode() const {
  if (definite_.load() != 0 || startup_failures_.load() == 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return first_was_worker_exit_;
}

bool RunContext::ShouldStop() const {
  return Interrupted() || health->ShouldAbort() || run_timed_out.load();
}

void LiveProcesses::Started(int writer, pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  by_writer_[writer] = pid;
}

void LiveProcesses::Ended(int writer, pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (by_writer_[writer] == pid) by_writer_[writer] = 0;
}

std::vector<std::pair<int, pid_t>> LiveProcesses::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<int, pid_t>> live;
  for (size_t w = 0; w < by_writer_.size(); ++w) {
    if (by_writer_[w] > 0) live.emplace_back(static_cast<int>(w), by_writer_[w]);
  }
  return live;
}

std::optional<int> LiveProcesses::WriterOf(pid_t pid) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t w = 0; w < by_writer_.size(); ++w) {
    if (pid > 0 && by_writer_[w] == pid) return static_cast<int>(w);
  }
  return std::nullopt;
}

bool LiveProcesses::Signal(pid_t pid, int signal) {
  std::lock_guard<std::mutex> lock(mu_);
  bool listed = false;
  for (pid_t p : by_writer_) listed = listed || (pid > 0 && p == pid);
  if (!listed) return false;
  signalled_.insert(pid);
  // Each writer process leads its own group: the signal reaches anything
  // the implementation started too.
  return ::kill(-pid, signal) == 0;
}

bool LiveProcesses::AnySignalled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !signalled_.empty();
}

bool LiveProcesses::WasSignalled(pid_t pid) const {
  std::lock_guard<std::mutex> lock(mu_);
  return signalled_.count(pid) > 0;
}

const std::vector<std::string>& RunContext::ArgvFor(int writer) const {
  if (!placed_argv.empty()) return placed_argv[static_cast<size_t>(writer)];
  if (fleet_argv.empty()) return argv;
  return fleet_argv[static_cast<size_t>(writer) % fleet_argv.size()];
}

std::vector<std::string> RunContext::Environment(int writer) const {
  std::vector<std::string> env = {"LOCKHARNESS_RUN_DIR=" + run_dir.string(),
                                  "LOCKHARNESS_REGISTRY=" + registry.string(),
                                  "LOCKHARNESS_WRITER=" + std::to_string(writer),
                                  "LOCKHARNESS_MODE=" + std::string(ModeName(options->mode))};
  env.insert(env.end(), shared_env.begin(), shared_env.end());
  return env;
}

Event FaultEvent(const RunContext& context, pid_t pid, int writer, std::string fault,
                 std::string kind, std::string target, int64_t t) {
  Event event;
  event.type = EventType::kFault;
  event.pid = pid;
  event.writer = writer;
  event.process = writer;
  event.fault = std::move(fault);
  event.kind = std::move(kind);
  event.target = std::move(target);
  event.t = t >= 0 ? t : context.clock.Now();
  return event;
}

void RunContext::RecordInterposerKill(int writer, pid_t pid, const ExitStatus& status) const {
  if (!interposer_kills || status.kind != ExitStatus::Kind::kSignaled || status.code != SIGKILL ||
      (live != nullptr && live->WasSignalled(pid))) {
    return;
  }
  recorder->Record(FaultEvent(*this, pid, writer, "sigkill", "interposer",
                              "interposer: killed at a kill point of LOCKHARNESS_FAULTS"));
}

bool RunContext::InjectedDeath(pid_t pid, const ExitStatus& status) const {
  if (status.kind != ExitStatus::Kind::kSignaled) return false;
  if (live != nullptr && live->WasSignalled(pid)) return true;
  return interposer_kills && status.code == SIGKILL;
}

std::filesystem::path RunContext::StderrLog(int writer) const {
  return run_dir / run_files::kLogsDir / ("writer-" + std::to_string(writer) + ".stderr");
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

Event CompletionEvent(const RunContext& context, const PlannedOp& op, int pid, EventType type,
                      std::string error) {
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
