// End-to-end: real lockreg processes under the interposer, their trace
// judged by the trace checkers. The reference client must be mutually
// exclusive and lint clean, also with injected faults and a killed holder;
// the shared-tmp mutant must be linted for its shared temp name.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/checkers/protocol_lint.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "lockharness/interposer/environment.h"
#include "lockharness/interposer/trace_reader.h"

extern char** environ;

namespace lockharness::harness {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A scratch registry directory and trace file; runs lockreg under the
// interposer against them.
class TracedLockreg {
 public:
  TracedLockreg() {
    dir_ = fs::temp_directory_path() /
           ("trace_e2e_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "registry");
    registry_ = dir_ / "registry" / "sandboxes.json";
    trace_ = dir_ / "trace.jsonl";
  }
  ~TracedLockreg() { fs::remove_all(dir_); }

  // Starts `lockreg [--mutant M] OP ARGS...` with `faults` injected and
  // `extra_env` added; returns its pid (-1 if it could not start).
  pid_t Start(const std::vector<std::string>& op, const std::string& mutant = "",
              const std::string& faults = "",
              const std::vector<std::string>& extra_env = {}) const {
    std::vector<std::string> args = {LOCKREG_PATH, "--file", registry_.string()};
    if (!mutant.empty()) args.insert(args.end(), {"--mutant", mutant});
    args.insert(args.end(), op.begin(), op.end());
    std::vector<std::string> env = Environment(faults);
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> argv, envp;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  // Start() and wait; returns the wait status.
  int Run(const std::vector<std::string>& op, const std::string& mutant = "",
          const std::string& faults = "", const std::vector<std::string>& extra_env = {}) const {
    const pid_t pid = Start(op, mutant, faults, extra_env);
    int status = -1;
    if (pid > 0) waitpid(pid, &status, 0);
    return status;
  }

  // Runs `ops_each` registrations from each of `writers` threads at once;
  // returns how many exited 0.
  int RunConcurrently(int writers, int ops_each, const std::string& mutant = "") const {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < ops_each; ++i) {
          const std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
          if (Run({"register", name, "model=m-" + name}, mutant) == 0) ++ok;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    return ok.load();
  }

  interposer::Trace ReadTrace() const {
    std::string error;
    std::optional<interposer::Trace> trace = interposer::ReadTraceFile(trace_.string(), &error);
    EXPECT_TRUE(trace) << error;
    return trace ? std::move(*trace) : interposer::Trace();
  }

 private:
  std::vector<std::string> Environment(const std::string& faults) const {
    std::vector<std::string> env;
    std::string asan_options = "ASAN_OPTIONS=";
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      if (entry.rfind("ASAN_OPTIONS=", 0) == 0) {
        asan_options = entry + ":";
      } else if (entry.rfind("LD_PRELOAD=", 0) != 0 && entry.rfind("LOCKHARNESS_", 0) != 0 &&
                 entry.rfind("LOCKREG_", 0) != 0) {
        env.push_back(entry);
      }
    }
    interposer::InterposerSettings settings;
    settings.library = interposer::InterposeLibraryPath();
    settings.registry = registry_.string();
    settings.trace = trace_.string();
    settings.faults = faults;
    std::string error;
    std::optional<std::vector<std::string>> vars =
        interposer::InterposerEnvironment(settings, &error);
    EXPECT_TRUE(vars) << error;
    if (vars) env.insert(env.end(), vars->begin(), vars->end());
    // In the sanitizer build lockreg carries ASan, whose runtime would
    // refuse to start behind a preloaded library.
    env.push_back(asan_options + "verify_asan_link_order=0");
    return env;
  }

  fs::path dir_, registry_, trace_;
};

std::string Lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

TEST(TraceLockregEndToEnd, ReferenceIsExclusiveAndLintClean) {
  TracedLockreg lockreg;
  const int ok = lockreg.RunConcurrently(5, 4);
  ASSERT_EQ(ok, 20);
  const interposer::Trace trace = lockreg.ReadTrace();
  const TraceTimeline timeline = BuildTraceTimeline(trace, std::nullopt);
  EXPECT_EQ(timeline.hello_lines, 20u);

  const CheckerReport exclusion = CheckTraceMutualExclusion(timeline);
  EXPECT_EQ(exclusion.verdict, Verdict::kValid) << exclusion.summary << "\n"
                                                << Lines(exclusion.evidence);
  EXPECT_EQ(exclusion.details["registry_renames"], 20);
  EXPECT_EQ(exclusion.details["violations"], 0);

  const CheckerReport lint = CheckProtocolLint(timeline);
  EXPECT_EQ(lint.verdict, Verdict::kValid) << lint.summary;
  EXPECT_TRUE(lint.warnings.empty()) << Lines(lint.warnings);
  EXPECT_EQ(lint.summary, "20 registry renames linted: clean");
}

TEST(TraceLockregEndToEnd, SharedTmpMutantIsLinted) {
  TracedLockreg lockreg;
  EXPECT_EQ(lockreg.RunConcurrently(3, 2, "shared-tmp"), 6);
  const interposer::Trace trace = lockreg.ReadTrace();
  const TraceTimeline timeline = BuildTraceTimeline(trace, std::nullopt);
  const std::vector<LintFinding> findings = LintTrace(timeline);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].rule, "temp-name-shared");
  EXPECT_THAT(findings[0].message, HasSubstr("sandboxes.json.tmp used by 6 writers"));
  // It still takes the lock: the temp name is its only defect.
  EXPECT_EQ(CheckTraceMutualExclusion(timeline).verdict, Verdict::kValid);
}

TEST(TraceLockregEndToEnd, InjectedRenameFailureIsNeitherARenameNorALeak) {
  TracedLockreg lockreg;
  ASSERT_EQ(ExitCode(lockreg.Run({"register", "a"})), 0);
  // Exit 4: I/O error, the failed rename reported.
  ASSERT_EQ(ExitCode(lockreg.Run({"register", "b"}, "", "lh/rename/registry=errno:EIO")), 4);
  ASSERT_EQ(ExitCode(lockreg.Run({"register", "c"})), 0);
  const interposer::Trace trace = lockreg.ReadTrace();
  const TraceTimeline timeline = BuildTraceTimeline(trace, std::nullopt);
  const CheckerReport exclusion = CheckTraceMutualExclusion(timeline);
  EXPECT_EQ(exclusion.verdict, Verdict::kValid) << exclusion.summary;
  EXPECT_EQ(exclusion.details["registry_renames"], 2);
  const std::vector<LintFinding> findings = LintTrace(timeline);
  EXPECT_TRUE(findings.empty()) << findings.front().rule << ": " << findings.front().message;
}

TEST(TraceLockregEndToEnd, DeadHolderBrokenByReferenceWaiterIsValid) {
  TracedLockreg lockreg;
  // Killed just before its rename, holding the lock.
  const int killed = lockreg.Run({"register", "a"}, "", "lh/rename/registry=kill");
  ASSERT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL) << killed;
  ASSERT_EQ(ExitCode(lockreg.Run({"register", "b"})), 0);
  const interposer::Trace trace = lockreg.ReadTrace();
  const TraceTimeline timeline = BuildTraceTimeline(trace, std::nullopt);
  const CheckerReport exclusion = CheckTraceMutualExclusion(timeline);
  EXPECT_EQ(exclusion.verdict, Verdict::kValid) << exclusion.summary << "\n"
                                                << Lines(exclusion.evidence);
  // The reference moves the dead lock aside with a raw renameat2 system
  // call, which the interposer cannot see: the lock then "vanishes",
  // proven by the waiter's successful mkdir.
  EXPECT_EQ(exclusion.details["breaks"].get<int>() + exclusion.details["vanished"].get<int>(), 1);
  EXPECT_EQ(exclusion.details["registry_renames"], 1);
  const CheckerReport lint = CheckProtocolLint(timeline);
  EXPECT_TRUE(lint.warnings.empty()) << Lines(lint.warnings);
}

TEST(TraceLockregEndToEnd, AgeReapMutantHolderOverwritesAfterItsLockWasBroken) {
  TracedLockreg lockreg;
  const std::vector<std::string> stale = {"LOCKHARNESS_STALE_MS=100"};
  // The holder stops while closing its temp file, holding the lock. (Not
  // at the rename itself: the close, stamped after the break, is what
  // proves that the rename came after it.)
  const pid_t holder = lockreg.Start({"register", "a"}, "age-reap", "lh/close/temp=stop", stale);
  ASSERT_GT(holder, 0);
  int status = 0;
  ASSERT_EQ(waitpid(holder, &status, WUNTRACED), holder);
  ASSERT_TRUE(WIFSTOPPED(status)) << status;
  // ...a waiter finds the lock older than the stale age and deletes it...
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ExitCode(lockreg.Run({"register", "b"}, "age-reap", "", stale)), 0);
  // ...and the holder, continued, renames over the waiter's write.
  ASSERT_EQ(kill(holder, SIGCONT), 0);
  ASSERT_EQ(waitpid(holder, &status, 0), holder);
  const interposer::Trace trace = lockreg.ReadTrace();
  const TraceTimeline timeline = BuildTraceTimeline(trace, std::nullopt);
  const CheckerReport exclusion = CheckTraceMutualExclusion(timeline);
  ASSERT_EQ(exclusion.verdict, Verdict::kInvalid) << exclusion.summary;
  EXPECT_EQ(exclusion.details["violation_list"][0]["kind"], "rename-after-lock-broken");
  EXPECT_EQ(exclusion.details["violation_list"][0]["pid"], holder);
  EXPECT_THAT(exclusion.summary,
              HasSubstr("pid " + std::to_string(holder) + " renamed onto the registry"));
  EXPECT_THAT(Lines(exclusion.evidence), HasSubstr("its last lock: pid " + std::to_string(holder) +
                                                   " took the lock by mkdir, broken by pid "));
}

}  // namespace
}  // namespace lockharness::harness
