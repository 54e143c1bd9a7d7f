// One harness run (see run.h).

#include "lockharness/harness/runner/run.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>

#include "lockharness/harness/check.h"
#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/install/interposer_library.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/command.h"
#include "lockharness/harness/runner/lock_convention.h"
#include "lockharness/harness/runner/run_config.h"
#include "lockharness/harness/runner/run_namespace.h"
#include "lockharness/harness/runner/safe_files.h"
#include "lockharness/harness/runner/signals.h"
#include "lockharness/interposer/environment.h"
#include "lockharness/interposer/interpose_check.h"
#include "src/runner/forge.h"
#include "src/runner/nemesis_runner.h"
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

// The registry's directory --registry-dir names, absolute; "" if none.
fs::path RegistryDirOf(const RunOptions& options) {
  if (options.registry_dir.empty()) return {};
  std::error_code ec;
  return fs::absolute(options.registry_dir, ec).lexically_normal();
}

// Creates DIR, DIR/registry (unless the registry lives elsewhere) and
// DIR/logs. DIR must be absent or empty.
bool PrepareRunDirectory(const fs::path& dir, bool own_registry_dir, std::string* error) {
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
  for (const fs::path& d : {dir, dir / run_files::kRegistryDir, dir / run_files::kLogsDir}) {
    if (!own_registry_dir && d == dir / run_files::kRegistryDir) continue;
    fs::create_directories(d, ec);
    if (ec) {
      *error = "cannot create " + d.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

bool WriteFile(const fs::path& path, const std::string& contents, std::string* error) {
  return WriteFileNoFollow(path, contents, error);
}

// "No space left on device (N bytes free in DIR)" when the file system
// holding `dir` has less than kMinFreeBytes left, else "".
std::string FullFileSystem(const fs::path& dir) {
  constexpr uint64_t kMinFreeBytes = 1u << 20;
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0) return "";
  const uint64_t free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  if (free_bytes >= kMinFreeBytes) return "";
  return "No space left on device (" + std::to_string(free_bytes) + " bytes free in " +
         dir.string() + " after the run)";
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

// Splits and instantiates one command template; nullopt with *error if it
// is malformed or its program cannot run.
std::optional<std::vector<std::string>> PrepareCommand(const std::string& label,
                                                       const std::string& impl,
                                                       const fs::path& registry,
                                                       const fs::path& launch_dir,
                                                       std::string* error, bool* not_runnable) {
  const auto words = SplitCommandTemplate(impl, error);
  if (!words) {
    *error = "bad " + label + ": " + *error;
    return std::nullopt;
  }
  std::vector<std::string> argv = InstantiateCommand(*words, registry.string(), launch_dir);
  if (auto problem = CheckRunnable(argv)) {
    *error = "implementation not runnable: " + *problem;
    *not_runnable = true;
    return std::nullopt;
  }
  return argv;
}

// The environment every implementation process shares: the stale threshold,
// the scenario's variables and the interposer's settings.
bool SharedEnvironment(const RunOptions& options, const fs::path& dir, const fs::path& registry,
                       bool record_trace, const std::string& lock_path,
                       std::vector<std::string>* env, std::string* error) {
  if (options.stale_ms > 0) {
    env->push_back("LOCKHARNESS_STALE_MS=" + std::to_string(options.stale_ms));
  }
  env->insert(env->end(), options.env.begin(), options.env.end());
  if (options.interposer_faults.empty() && !record_trace) return true;
  interposer::InterposerSettings settings;
  settings.library = install::ThisHarnessData().interposer.string();
  settings.registry = registry.string();
  settings.faults = options.interposer_faults;
  settings.lock_path = lock_path;
  if (record_trace) settings.trace = (dir / run_files::kTrace).string();
  auto preload = interposer::InterposerEnvironment(settings, error);
  if (!preload) {
    *error = "interposer: " + *error;
    return false;
  }
  env->insert(env->end(), preload->begin(), preload->end());
  if (record_trace && options.placement != Placement::kSame) {
    // A placed writer is PID 1 of its namespace, as every other one: the
    // trace names its processes by their PIDs here instead, read from our
    // /proc, which its placer bind-mounts over this directory.
    const fs::path view = dir / run_files::kTraceProcDir;
    std::error_code ec;
    fs::create_directories(view, ec);
    if (ec) {
      *error = "cannot create " + view.string() + ": " + ec.message();
      return false;
    }
    env->push_back("LOCKHARNESS_TRACE_PROC=" + view.string());
  }
  return true;
}

}  // namespace

std::string RefusedRegistryDir(const fs::path& dir) {
  const std::string quoted = "--registry-dir " + dir.string();
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return quoted + ": " + std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return quoted + " is not a directory";
  std::error_code ec;
  fs::directory_iterator entries(dir, ec);
  if (ec) return quoted + ": cannot list it: " + ec.message();
  if (entries != fs::directory_iterator()) {
    return quoted + " is not empty (it holds " + entries->path().filename().string() +
           "); give an empty directory: the run judges everything in it";
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return quoted + " is not writable: " + std::strerror(errno);
  }
  struct statvfs fs_st;
  if (::statvfs(dir.c_str(), &fs_st) == 0 && (fs_st.f_flag & ST_RDONLY) != 0) {
    return quoted + " is not writable: it is on a read-only file system";
  }
  return "";
}

nlohmann::json RunOutcome::ToJson() const {
  static const char* const kNames[] = {"completed", "not-runnable", "interrupted", "harness-error"};
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
  nlohmann::ordered_json j = ToJson(options);
  const fs::path registry_dir = RegistryDirOf(options);
  if (registry_dir.empty()) {
    j["registry"] = run_files::RegistryRelativePath();
  } else {
    // Absolute, so that the run directory still names it after a move.
    j["registry_dir"] = registry_dir.string();
    j["registry"] = (registry_dir / run_files::kRegistryName).string();
  }
  j["started_at"] = started_at;
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
  // Before anything is created: a refused --registry-dir is left as it was.
  const fs::path registry_dir = RegistryDirOf(options);
  if (!registry_dir.empty()) {
    if (std::string why = RefusedRegistryDir(registry_dir); !why.empty()) {
      return Failed(RunOutcome::Status::kHarnessError, why);
    }
    const auto within = [](const fs::path& inner, const fs::path& outer) {
      const fs::path rest = inner.lexically_relative(outer);
      return !rest.empty() && *rest.begin() != "..";
    };
    if (within(registry_dir, dir) || within(dir, registry_dir)) {
      return Failed(RunOutcome::Status::kHarnessError,
                    "--registry-dir " + registry_dir.string() + " and the run directory " +
                        dir.string() + " must not contain one another");
    }
  }
  if (!PrepareRunDirectory(dir, registry_dir.empty(), &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  const fs::path registry = (registry_dir.empty() ? dir / run_files::kRegistryDir : registry_dir) /
                            run_files::kRegistryName;
  std::unique_ptr<Recorder> recorder = Recorder::Open(dir / run_files::kHistory, &error);
  if (!recorder) return Failed(RunOutcome::Status::kHarnessError, error);

  RunContext context;
  nlohmann::json config = RunConfigJson(options, UtcNowIso());
  // The run clock's origin as an absolute CLOCK_MONOTONIC reading, so that
  // file-system traces (absolute times) line up with the history.
  config["monotonic_origin_ns"] = context.clock.start_ns();
  if (!WriteFile(dir / run_files::kRunConfig, config.dump(2) + "\n", &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  bool not_runnable = false;
  auto argv = PrepareCommand("--impl", options.impl, registry, launch_dir, &error, &not_runnable);
  if (!argv) {
    return Failed(
        not_runnable ? RunOutcome::Status::kNotRunnable : RunOutcome::Status::kHarnessError, error);
  }
  context.argv = std::move(*argv);
  for (const std::string& written : options.fleet) {
    // "harness/adapters/..." names the same adapter from any directory,
    // in a checkout and in an installed tree.
    const std::string member = install::ResolveDataTemplate(install::ThisHarnessData(), written);
    auto fleet_argv = PrepareCommand("fleet member '" + member + "'", member, registry, launch_dir,
                                     &error, &not_runnable);
    if (!fleet_argv) {
      return Failed(
          not_runnable ? RunOutcome::Status::kNotRunnable : RunOutcome::Status::kHarnessError,
          "fleet member: " + error);
    }
    context.fleet_argv.push_back(std::move(*fleet_argv));
  }
  const std::optional<fs::path> lock_path = ResolveLockPath(options.lock_path, registry, &error);
  if (!lock_path) return Failed(RunOutcome::Status::kHarnessError, error);
  // Observation is the default: every run of a program the preload library
  // can see into records the trace. Faults and --trace need it; without
  // them a program it cannot see into runs unobserved, and run.json says so.
  const bool interposer_required = !options.interposer_faults.empty() || options.trace;
  std::string not_interposable;
  // ld.so only warns about a preload it cannot load: nothing would be seen.
  if (const std::string& problem = install::ThisInterposerProblem(); !problem.empty()) {
    if (interposer_required) {
      return Failed(RunOutcome::Status::kNotRunnable, "not runnable: " + problem);
    }
    not_interposable = problem;
  }
  if ((interposer_required || options.observe) && not_interposable.empty()) {
    std::vector<const std::vector<std::string>*> commands = {&context.argv};
    for (const auto& member : context.fleet_argv) commands.push_back(&member);
    for (const auto* command : commands) {
      const interposer::InterposeCheck check = interposer::CheckInterposable((*command)[0]);
      if (!check.interposable) {
        not_interposable = "cannot interpose " + check.program + ": " + check.reason;
        break;
      }
    }
  }
  if (interposer_required && !not_interposable.empty()) {
    // A program the preload library cannot see into would give a clean
    // pass from a run in which no fault could fire: say so instead.
    return Failed(
        RunOutcome::Status::kNotRunnable,
        not_interposable + " (interposer faults or --trace need a dynamically linked program)");
  }
  const bool record_trace = options.trace || (options.observe && not_interposable.empty());
  nlohmann::json observation = {{"recorded", record_trace}, {"lock_path", lock_path->string()}};
  if (!record_trace) {
    observation["reason"] =
        !options.observe ? "observation switched off (--no-observe)" : not_interposable;
  }
  config["observation"] = observation;
  const RunNamespace& run_namespace = RunNamespaceState();
  nlohmann::json owned = {{"owned", run_namespace.owned}};
  if (run_namespace.owned) owned["user_namespace"] = run_namespace.user_namespace;
  if (!run_namespace.owned) owned["reason"] = run_namespace.reason;
  config["run_namespace"] = owned;
  if (!WriteFile(dir / run_files::kRunConfig, config.dump(2) + "\n", &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  if (!SharedEnvironment(options, dir, registry, record_trace,
                         options.lock_path.empty() ? "" : lock_path->string(), &context.shared_env,
                         &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  context.interposer_kills = options.interposer_faults.find("kill") != std::string::npos;
  context.lock_path = *lock_path;
  if (record_trace) context.trace_path = dir / run_files::kTrace;

  WorkloadOptions workload;
  workload.seed = options.seed;
  workload.writers = options.writers;
  workload.ops_per_writer = options.ops_per_writer;
  workload.mix = options.mix;
  workload.value_bytes = options.value_bytes;
  const std::vector<std::vector<PlannedOp>> plan = GenerateWorkload(workload);
  const int64_t total = static_cast<int64_t>(options.writers) * options.ops_per_writer;

  // Against forged state an implementation may fail every operation with an
  // exit status other than 1 (a correct one against a corrupt registry; a
  // PID-only one waiting out a recycled PID's lock): that is the answer to
  // judge, not a sign of a broken command, so the run is not cut short.
  const bool expect_refusals = !options.setup.empty();
  RunHealth health(expect_refusals ? INT64_MAX : std::min<int64_t>(3, total));
  LiveProcesses live(options.writers);
  context.live = &live;
  context.run_id = NewRunId();
  context.options = &options;
  context.run_dir = dir;
  context.registry = registry;
  context.recorder = recorder.get();
  context.health = &health;
  if (options.placement != Placement::kSame) {
    // Before any writer starts: a placement the machine cannot provide is
    // "not runnable", with the placer's reason.
    const fs::path hosts = dir / "hosts";
    if (std::string why = PlacementUnavailableReason(options.placement, hosts); !why.empty()) {
      return Failed(RunOutcome::Status::kNotRunnable, why);
    }
    // Built apart and set at once: ArgvFor() reads placed_argv as soon as
    // it is not empty.
    std::vector<std::vector<std::string>> placed_argv;
    for (int w = 0; w < options.writers; ++w) {
      std::vector<std::string> placed;
      if (!PlacementPrefix(options.placement, options.placement_init, w, options.seed, hosts,
                           &placed, &error)) {
        return Failed(RunOutcome::Status::kHarnessError, error);
      }
      const std::vector<std::string>& command = context.ArgvFor(w);
      placed.insert(placed.end(), command.begin(), command.end());
      placed_argv.push_back(std::move(placed));
    }
    context.placed_argv = std::move(placed_argv);
  }
  // A forged lock or a nemesis that means nothing for the declared
  // convention (a mkdir-layout lock against a flock implementation) would
  // give a verdict on nothing: not applicable, before anything is forged.
  if (auto convention = ParseLockConvention(options.lock_convention)) {
    if (auto why = NotApplicableFaults(options.nemeses, options.setup, *convention)) {
      return Failed(RunOutcome::Status::kNotRunnable, "not applicable: " + *why);
    }
  }
  ForgedState forged;
  if (!ForgeSetup(options.setup, &context, &forged, &error)) {
    return Failed(RunOutcome::Status::kHarnessError, error);
  }
  context.validate = [&forged](std::string_view bytes, std::string* why) {
    // A forged corrupt registry that is still there, untouched, is what a
    // correct implementation leaves: it refuses to work on it.
    if (forged.corrupt_registry && bytes == *forged.corrupt_registry) return true;
    std::optional<std::string> problem = ValidateRegistryDocument(bytes);
    if (!problem) return true;
    *why = std::move(*problem);
    return false;
  };

  // The supervising loop below wakes every 100 ms (progress, run timeout)
  // or as soon as the last writer is done, so a run ends when its writers
  // do, not at the next tick.
  int writers_running = options.writers;
  std::mutex writers_mu;
  std::condition_variable writers_done;
  std::vector<std::thread> writers;
  writers.reserve(options.writers);
  for (int w = 0; w < options.writers; ++w) {
    writers.emplace_back([&, w] {
      if (options.mode == Mode::kWorker) {
        RunWorkerWriter(&context, w, plan[w]);
      } else {
        RunPerOpWriter(&context, w, plan[w]);
      }
      std::lock_guard<std::mutex> lock(writers_mu);
      if (--writers_running == 0) writers_done.notify_all();
    });
  }
  std::vector<ReaderStats> reader_stats(options.readers);
  std::vector<std::thread> readers;
  for (int r = 0; r < options.readers; ++r) {
    readers.emplace_back([&, r] { reader_stats[r] = RunReader(&context, r); });
  }
  NemesisRunner nemeses(&context, options.seed);
  nemeses.Start(options.nemeses);
  bool run_timed_out = false;
  for (bool done = false; !done;) {
    {
      std::unique_lock<std::mutex> lock(writers_mu);
      done = writers_done.wait_for(lock, std::chrono::milliseconds(100),
                                   [&] { return writers_running == 0; });
    }
    if (options.progress) options.progress(context.completed.load(), total);
    if (!done && !run_timed_out && options.run_timeout_ms > 0 &&
        std::chrono::steady_clock::now() - started >
            std::chrono::milliseconds(options.run_timeout_ms)) {
      // Stop starting operations, then kill whatever this run runs (and
      // nothing of another run beside it): its operations are recorded as
      // info by their writers.
      run_timed_out = true;
      context.run_timed_out.store(true);
      KillRunGroups(context.run_id);
    }
  }
  for (std::thread& t : writers) t.join();
  context.writers_done.store(true);
  nemeses.Stop();
  for (std::thread& t : readers) t.join();
  recorder->Flush();

  RunOutcome outcome;
  outcome.planned_ops = total;
  outcome.completed_ops = context.completed.load();
  outcome.readers = Sum(reader_stats);
  outcome.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (run_timed_out) {
    outcome.status = RunOutcome::Status::kInterrupted;
    outcome.reason = "run timeout of " + std::to_string(options.run_timeout_ms) +
                     " ms reached; all implementation processes were killed";
  } else if (Interrupted()) {
    outcome.status = RunOutcome::Status::kInterrupted;
    outcome.reason = "interrupted by signal " + std::to_string(InterruptSignal()) +
                     "; all implementation processes were killed";
  } else if (std::string why = health.NotRunnableReason(); !why.empty() && !expect_refusals) {
    outcome.status = RunOutcome::Status::kNotRunnable;
    outcome.reason = "implementation not runnable: " + why + " (see " +
                     (dir / run_files::kLogsDir).string() + ")";
    outcome.no_worker_mode = health.NotRunnableForLackOfWorkerMode();
  } else if (std::string write_error = recorder->error(); !write_error.empty()) {
    outcome.status = RunOutcome::Status::kHarnessError;
    outcome.reason = write_error;
  } else if (std::string full = FullFileSystem(dir); options.trace && !full.empty()) {
    // The interposer cannot report a trace line it failed to write: a full
    // file system after the run means the trace may have gaps.
    outcome.status = RunOutcome::Status::kHarnessError;
    outcome.reason = "write trace: " + full + "; the trace may be incomplete, not judged";
  }
  return outcome;
}

}  // namespace lockharness::harness::runner
