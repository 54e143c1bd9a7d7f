// End-to-end: real concurrent lockreg processes, a history recorded here,
// judged by the checkers. The reference client must pass; its no-lock
// mutant must be caught losing updates.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/check.h"

extern char** environ;

namespace lockharness::harness {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kWriters = 6;
constexpr int kOpsPerKind = 8;

// Runs lockreg operations from several threads and records them as a
// history, the way the harness's per-op mode does.
class Driver {
 public:
  Driver(const fs::path& dir, std::string mutant)
      : registry_(dir / "sandboxes.json"), mutant_(std::move(mutant)),
        start_(std::chrono::steady_clock::now()) {}

  void Run(int writer, OpKind kind, const std::string& name, const Fields& fields) {
    std::vector<std::string> args = {LOCKREG_PATH, "--file", registry_.string()};
    if (!mutant_.empty()) {
      args.push_back("--mutant");
      args.push_back(mutant_);
    }
    args.push_back(std::string(OpKindName(kind)));
    args.push_back(name);
    for (const auto& [k, v] : fields) args.push_back(k + "=" + v);

    Event invoke;
    invoke.type = EventType::kInvoke;
    invoke.process = writer;
    invoke.writer = writer;
    invoke.op = kind;
    invoke.name = name;
    invoke.fields = fields;
    {
      std::lock_guard<std::mutex> lock(mu_);
      invoke.id = next_id_++;
      invoke.t = Now();
      events_.push_back(invoke);
    }
    int status = 0;
    pid_t pid = Spawn(args);
    if (pid > 0) waitpid(pid, &status, 0);
    Event done;
    done.id = invoke.id;
    done.process = writer;
    done.writer = writer;
    done.pid = pid;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    done.type = pid <= 0    ? EventType::kInfo
                : code == 0 ? EventType::kOk
                : code == 1 ? EventType::kFail
                            : EventType::kInfo;
    if (done.type != EventType::kOk) done.error = "exit " + std::to_string(code);
    std::lock_guard<std::mutex> lock(mu_);
    done.t = Now();
    events_.push_back(done);
  }

  RunArtifacts Artifacts() const {
    RunArtifacts run;
    run.history = events_;
    if (fs::exists(registry_)) {
      std::ifstream in(registry_, std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      run.final_registry = bytes.str();
    }
    for (const auto& entry : fs::directory_iterator(registry_.parent_path())) {
      std::string name = entry.path().filename().string();
      if (name != run.registry_basename) run.directory_entries.push_back(name);
    }
    run.limits.op_timeout_ns = 60'000'000'000;
    run.limits.takeover_bound_ns = 60'000'000'000;
    return run;
  }

 private:
  int64_t Now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                start_)
        .count();
  }

  static pid_t Spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      pid = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    return pid;
  }

  fs::path registry_;
  std::string mutant_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::vector<Event> events_;
  int64_t next_id_ = 0;
};

// Every writer registers its own names and updates one shared entry.
std::vector<CheckerReport> RunWorkload(const std::string& mutant) {
  fs::path dir =
      fs::temp_directory_path() / ("lockreg_e2e_" + std::to_string(::getpid()) + "_" + mutant);
  fs::remove_all(dir);
  fs::create_directories(dir);
  Driver driver(dir, mutant);
  driver.Run(0, OpKind::kRegister, "shared", {{"model", "initial"}});
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&driver, w] {
      for (int i = 0; i < kOpsPerKind; ++i) {
        std::string tag = "w" + std::to_string(w) + "-" + std::to_string(i);
        driver.Run(w, OpKind::kRegister, tag, {{"model", "m-" + tag}});
        driver.Run(w, OpKind::kUpdate, "shared", {{"model", "u-" + tag}});
      }
    });
  }
  for (std::thread& t : writers) t.join();
  std::vector<CheckerReport> reports = CheckAll(driver.Artifacts());
  fs::remove_all(dir);
  return reports;
}

const CheckerReport& Find(const std::vector<CheckerReport>& reports, const std::string& checker) {
  for (const CheckerReport& r : reports) {
    if (r.checker == checker) return r;
  }
  ADD_FAILURE() << "no report from " << checker;
  static CheckerReport none;
  return none;
}

TEST(LockregEndToEnd, ReferenceClientPasses) {
  std::vector<CheckerReport> reports = RunWorkload("");
  for (const char* checker : {"lost-update", "json-validity", "leftovers", "progress"}) {
    const CheckerReport& r = Find(reports, checker);
    EXPECT_EQ(r.verdict, Verdict::kValid) << checker << ": " << r.summary << "\n"
                                          << (r.evidence.empty() ? "" : r.evidence.front());
  }
  EXPECT_EQ(Find(reports, "mutual-exclusion").verdict, Verdict::kUnknown);
}

TEST(LockregEndToEnd, NoLockMutantLosesUpdates) {
  // Losing an update needs two writers to interleave; with 6 concurrent
  // writers that is near certain, but retry so a quiet scheduler cannot
  // make the test flaky.
  CheckerReport lost;
  for (int attempt = 0; attempt < 5; ++attempt) {
    lost = Find(RunWorkload("no-lock"), "lost-update");
    if (lost.verdict == Verdict::kInvalid) break;
  }
  ASSERT_EQ(lost.verdict, Verdict::kInvalid) << lost.summary;
  EXPECT_THAT(lost.summary, ::testing::AnyOf(HasSubstr("missing"), HasSubstr("no operation")));
  ASSERT_FALSE(lost.evidence.empty());
}

}  // namespace
}  // namespace lockharness::harness
