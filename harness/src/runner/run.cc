// One harness run (see run.h).

#include "lockharness/harness/runner/run.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <thread>

#include "lockharness/harness/check.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/signals.h"
#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {
namespace {

namespace fs = std::filesystem;

std::string UtcNowIso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Creates DIR, DIR/registry and DIR/logs. DIR must be absent or empty.
bool PrepareRunDirectory(const fs::path& dir, std::string* error) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      *error = "output path exists and is not a directory: " + dir.string();
      return false;
    }
    if (!fs::is_empty(dir, ec)) {
      *error = "output directory is not empty: " + dir.string();
      return false;
    }
  }
  for (const fs::path& d : {dir, dir / "registry", dir / "logs"}) {
    fs::create_directories(d, ec);
    if (ec) {
      *error = "cannot create " + d.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

bool WriteFile(const fs::path& path, const std::string& contents, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) {
    *error = "cannot write " + path.string();
    return false;
  }
  return true;
}

RunOutcome Failed(RunOutcome::Status status, std::string reason) {
  RunOutcome outcome;
  outcome.status = status;
  outcome.reason = std::move(reason);
  return outcome;
}

ReaderStats Sum(const std::vector<ReaderStats>& all) {
  ReaderStats total;
  for (const ReaderStats& s : all) {
    total.samples += s.samples;
    total.missing += s.missing;
    total.invalid += s.invalid;
    total.recorded += s.recorded;
  }
  return total;
}

}  // namespace

std::string_view ModeName(Mode mode) {
  return mode == Mode::kWorker ? "worker" : "per-op";
}

nlohmann::json RunOutcome::ToJson() const {
  static const char* const kNames[] = {"completed", "not-runnable", "interrupted",
                                       "harness-error"};
  nlohmann::json j;
  j["status"] = kNames[static_cast<int>(status)];
  if (!reason.empty()) j["reason"] = reason;
  j["planned_ops"] = planned_ops;
  j["completed_ops"] = completed_ops;
  j["elapsed_seconds"] = elapsed_seconds;
  j["reader_samples"] = readers.samples;
  j["reader_samples_missing"] = readers.missing;
  j["reader_samples_invalid"] = readers.invalid;
  j["reader_events_recorded"] = readers.recorded;
  return j;
}

nlohmann::json RunConfigJson(const RunOptions& options, const std::string& started_at) {
  nlohmann::ordered_json j;
  j["seed"] = options.seed;
  j["impl"] = options.impl;
  j["mode"] = ModeName(options.mode);
  j["writers"] = options.writers;
  j["ops"] = options.ops_per_writer;
  j["readers"] = options.readers;
  j["op_timeout_ms"] = options.op_timeout_ms;
  j["takeover_bound_ms"] = options.takeover_bound_ms;
  j["registry"] = "registry/sandboxes.json";
  j["started_at"] = started_at;
  j["mix"] = FormatOpMix(options.mix);
  j["value_bytes"] = options.value_bytes;
  j["reader_interval_us"] = options.reader_interval_us;
  return j;
}

RunOutcome ExecuteRun(const RunOptions& options) {
  // A worker that dies while we write its request must give EPIPE, not
  // kill the harness. Children get the default disposition back at spawn.
  ::signal(SIGPIPE, SIG_IGN);
  const auto started = std::chrono::steady_clock::now();
  std::string error;
  std::error_code ec;
  const fs::path launch_dir = fs::current_path(ec);
  const fs::path dir = fs::absolute(options.out_dir, ec).lexically_normal();
  if (!PrepareRunDirectory(dir, &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  const fs::path registry = dir / "registry" / "sandboxes.json";
  if (!WriteFile(dir / "run.json", RunConfigJson(options, UtcNowIso()).dump(2) + "\n",
                 &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  std::unique_ptr<Recorder> recorder = Recorder::Open(dir / "history.jsonl", &error);
  if (!recorder) return Failed(RunOutcome::Status::kHarnessError, error);

  const auto words = SplitCommandTemplate(options.impl, &error);
  if (!words) return Failed(RunOutcome::Status::kHarnessError, "bad --impl: " + error);
  RunContext context;
  context.argv = InstantiateCommand(*words, registry.string(), launch_dir);
  if (auto problem = CheckRunnable(context.argv)) {
    return Failed(RunOutcome::Status::kNotRunnable,
                  "implementation not runnable: " + *problem);
  }

  WorkloadOptions workload;
  workload.seed = options.seed;
  workload.writers = options.writers;
  workload.ops_per_writer = options.ops_per_writer;
  workload.mix = options.mix;
  workload.value_bytes = options.value_bytes;
  const std::vector<std::vector<PlannedOp>> plan = GenerateWorkload(workload);
  const int64_t total = static_cast<int64_t>(options.writers) * options.ops_per_writer;

  RunHealth health(std::min<int64_t>(3, total));
  context.options = &options;
  context.run_dir = dir;
  context.registry = registry;
  context.recorder = recorder.get();
  context.health = &health;
  context.validate = [](std::string_view bytes, std::string* why) {
    std::optional<std::string> problem = ValidateRegistryDocument(bytes);
    if (!problem) return true;
    *why = std::move(*problem);
    return false;
  };

  std::atomic<int> writers_running{options.writers};
  std::vector<std::thread> writers;
  writers.reserve(options.writers);
  for (int w = 0; w < options.writers; ++w) {
    writers.emplace_back([&, w] {
      if (options.mode == Mode::kWorker) {
        RunWorkerWriter(&context, w, plan[w]);
      } else {
        RunPerOpWriter(&context, w, plan[w]);
      }
      writers_running.fetch_sub(1);
    });
  }
  std::vector<ReaderStats> reader_stats(options.readers);
  std::vector<std::thread> readers;
  for (int r = 0; r < options.readers; ++r) {
    readers.emplace_back([&, r] { reader_stats[r] = RunReader(&context, r); });
  }
  while (writers_running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (options.progress) options.progress(context.completed.load(), total);
  }
  for (std::thread& t : writers) t.join();
  context.writers_done.store(true);
  for (std::thread& t : readers) t.join();
  recorder->Flush();

  RunOutcome outcome;
  outcome.planned_ops = total;
  outcome.completed_ops = context.completed.load();
  outcome.readers = Sum(reader_stats);
  outcome.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (Interrupted()) {
    outcome.status = RunOutcome::Status::kInterrupted;
    outcome.reason = "interrupted by signal " + std::to_string(InterruptSignal()) +
                     "; all implementation processes were killed";
  } else if (std::string why = health.NotRunnableReason(); !why.empty()) {
    outcome.status = RunOutcome::Status::kNotRunnable;
    outcome.reason = "implementation not runnable: " + why + " (see " +
                     (dir / "logs").string() + ")";
  } else if (std::string write_error = recorder->error(); !write_error.empty()) {
    outcome.status = RunOutcome::Status::kHarnessError;
    outcome.reason = write_error;
  }
  return outcome;
}

}  // namespace lockharness::harness::runner
