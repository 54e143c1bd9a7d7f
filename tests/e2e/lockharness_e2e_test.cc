// End-to-end tests: the built `lockharness` judging real implementations.
//
// Each test runs the harness binary in a fresh temporary directory and reads
// the exit code, stderr and DIR/results.json. Workloads are small enough for
// a loaded 2-core machine; tests that need a race to happen (a mutant being
// caught) retry with a larger workload instead of relying on timing.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "lockharness/harness/runner/process.h"

namespace {

namespace fs = std::filesystem;
using lockharness::harness::runner::Child;
using lockharness::harness::runner::ExitStatus;
using lockharness::harness::runner::SpawnOptions;
using ::testing::HasSubstr;

const std::string kLockreg = LOCKREG_BIN;
const std::string kPythonAdapter = PYTHON_ADAPTER;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct HarnessResult {
  int exit_code = -1;  // -1 if killed by a signal or timed out
  std::string stdout_text;
  std::string stderr_text;
  nlohmann::json report;  // DIR/results.json, null if absent
  fs::path dir;
};

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lockharness-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    scratch_ = dir_template;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(scratch_);
  }

  SpawnOptions HarnessCommand(const std::vector<std::string>& args, const fs::path& dir) {
    SpawnOptions options;
    options.argv = {LOCKHARNESS_BIN};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    if (args[0] == "run") {
      options.argv.push_back("--out");
      options.argv.push_back(dir.string());
    }
    options.cwd = scratch_;
    options.stderr_path = scratch_ / ("stderr-" + dir.filename().string());
    return options;
  }

  HarnessResult Finish(Child& child, const SpawnOptions& options, const fs::path& dir) {
    HarnessResult result;
    result.dir = dir;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    child.ReadAllStdout(deadline, &result.stdout_text);
    const ExitStatus status = child.Wait(deadline);
    if (status.kind == ExitStatus::Kind::kExited) result.exit_code = status.code;
    result.stderr_text = Slurp(options.stderr_path);
    if (fs::exists(dir / "results.json")) {
      result.report = nlohmann::json::parse(Slurp(dir / "results.json"), nullptr, false);
    }
    return result;
  }

  // Runs `lockharness ARGS --out <fresh dir>` (for run) and waits for it.
  HarnessResult Harness(const std::vector<std::string>& args) {
    const fs::path dir = scratch_ / ("run-" + std::to_string(++runs_));
    SpawnOptions options = HarnessCommand(args, dir);
    std::string error;
    std::optional<Child> child = Child::Spawn(options, &error);
    EXPECT_TRUE(child) << error;
    if (!child) return {};
    return Finish(*child, options, dir);
  }

  // Writes an executable shell script into the scratch directory.
  fs::path Script(const std::string& name, const std::string& body) {
    const fs::path path = scratch_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  std::vector<pid_t> RecordedPids(const fs::path& file) {
    std::vector<pid_t> pids;
    std::ifstream in(file);
    pid_t pid;
    while (in >> pid) pids.push_back(pid);
    return pids;
  }

  fs::path scratch_;
  int runs_ = 0;
};

// The live processes (not zombies) of the run whose registry is `registry`:
// every implementation process has LOCKHARNESS_REGISTRY in its environment,
// and its children inherit it. Found by environment, not by PID: PIDs that
// processes report about themselves are those of the harness's namespace.
std::vector<pid_t> ProcessesOfRun(const fs::path& registry) {
  const std::string marker = "LOCKHARNESS_REGISTRY=" + registry.string();
  std::vector<pid_t> found;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const size_t paren = line.rfind(')');
    const char state = paren + 2 < line.size() ? line[paren + 2] : '?';
    if (state == 'Z' || state == 'X') continue;
    std::stringstream environ(Slurp(entry.path() / "environ"));
    for (std::string variable; std::getline(environ, variable, '\0');) {
      if (variable == marker) {
        found.push_back(std::stoi(name));
        break;
      }
    }
  }
  return found;
}

std::string Describe(const HarnessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.stdout_text + "\nstderr:\n" +
         r.stderr_text;
}

std::string CheckerVerdict(const HarnessResult& r, const std::string& checker) {
  if (!r.report.is_object() || !r.report.contains("checkers")) return "no report";
  for (const auto& c : r.report["checkers"]) {
    if (c.value("checker", "") == checker) return c.value("verdict", "");
  }
  return "absent";
}

// A correct implementation: every checker valid, except mutual-exclusion,
// which can only be judged when the implementation reports lock spans
// (worker mode); without them it is "unknown" and the run exits 2.
void ExpectCorrect(const HarnessResult& r, bool expect_lock_spans) {
  for (const char* checker : {"lost-update", "json-validity", "leftovers", "progress"}) {
    EXPECT_EQ(CheckerVerdict(r, checker), "valid") << checker << "\n" << Describe(r);
  }
  if (expect_lock_spans) {
    EXPECT_EQ(CheckerVerdict(r, "mutual-exclusion"), "valid") << Describe(r);
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(r.report.value("verdict", ""), "valid");
  } else {
    EXPECT_NE(CheckerVerdict(r, "mutual-exclusion"), "invalid") << Describe(r);
    EXPECT_NE(r.exit_code, 1) << Describe(r);
  }
  EXPECT_THAT(r.stdout_text, HasSubstr("replay: lockharness run"));
  EXPECT_EQ(r.report["operations"].value("info", -1), 0) << Describe(r);
}

std::vector<std::string> LockregRun(const std::string& mode, const std::string& extra_impl,
                                    int writers, int ops, int readers = 1) {
  return {"run",
          "--impl",
          kLockreg + " --file {registry}" + extra_impl,
          "--mode",
          mode,
          "--writers",
          std::to_string(writers),
          "--ops",
          std::to_string(ops),
          "--readers",
          std::to_string(readers),
          "--seed",
          "20261128"};
}

TEST_F(E2eTest, ReferenceClientPassesInPerOpMode) {
  // lockreg prints its lock span under the harness, so per-op runs are
  // judged by the mutual-exclusion checker too.
  ExpectCorrect(Harness(LockregRun("per-op", "", 8, 25)), /*expect_lock_spans=*/true);
}

TEST_F(E2eTest, ReferenceClientPassesInWorkerMode) {
  const HarnessResult r = Harness(LockregRun("worker", "", 8, 25));
  ExpectCorrect(r, /*expect_lock_spans=*/true);
  EXPECT_EQ(r.report["operations"].value("invoked", 0), 200);
}

TEST_F(E2eTest, ReferenceClientSustains64Workers) {
  // 64 writers queue for one lock: generous lock and op timeouts, so that
  // a slow (sanitized, loaded) machine does not turn waiting into `info`.
  std::vector<std::string> args = LockregRun("worker", " --timeout-ms 100000", 64, 4);
  args.insert(args.end(), {"--op-timeout-ms", "110000"});
  const HarnessResult r = Harness(args);
  ExpectCorrect(r, /*expect_lock_spans=*/true);
  EXPECT_EQ(r.report["operations"].value("invoked", 0), 256);
}

TEST_F(E2eTest, CheckRejudgesSavedRunAndSeesTampering) {
  const HarnessResult r = Harness(LockregRun("worker", "", 4, 20));
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  // Every run directory has these; `check` writes them again.
  const char* const kFiles[] = {"history.jsonl", "results.json", "report.txt", "junit.xml",
                                "timeline.html"};
  for (const char* name : kFiles) EXPECT_TRUE(fs::is_regular_file(r.dir / name)) << name;
  EXPECT_FALSE(fs::exists(r.dir / "report.json"));
  for (const char* name : {"results.json", "junit.xml", "timeline.html"}) fs::remove(r.dir / name);
  HarnessResult again = Harness({"check", r.dir.string()});
  for (const char* name : kFiles) EXPECT_TRUE(fs::is_regular_file(r.dir / name)) << name;
  EXPECT_THAT(Slurp(r.dir / "junit.xml"),
              HasSubstr("<testsuite name=\"" + kLockreg + " --file {registry} seed 20261128\""));
  EXPECT_THAT(Slurp(r.dir / "timeline.html"), HasSubstr("\"total_ops\":80"));
  again.report = nlohmann::json::parse(Slurp(r.dir / "results.json"));
  EXPECT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(again.report.value("verdict", ""), "valid");
  // Lose every entry: acknowledged registers are now missing.
  std::ofstream(r.dir / "registry" / "sandboxes.json")
      << R"({"sandboxes":{},"defaultSandbox":null})";
  HarnessResult tampered = Harness({"check", r.dir.string()});
  tampered.report = nlohmann::json::parse(Slurp(r.dir / "results.json"));
  EXPECT_EQ(tampered.exit_code, 1) << Describe(tampered);
  EXPECT_EQ(CheckerVerdict(tampered, "lost-update"), "invalid");
  EXPECT_THAT(Slurp(r.dir / "junit.xml"),
              HasSubstr("name=\"lost-update\" time=\"0.000\">\n      <failure message="));
}

TEST_F(E2eTest, NoLockMutantIsCaughtByLostUpdate) {
  // Lost updates need overlapping read-modify-writes; retry larger if a
  // run happens to serialise.
  HarnessResult r;
  for (int ops : {25, 60, 120}) {
    r = Harness(LockregRun("worker", " --mutant no-lock", 8, ops));
    if (r.exit_code == 1) break;
  }
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "lost-update"), "invalid") << Describe(r);
  EXPECT_THAT(r.stdout_text, HasSubstr("verdict: INVALID"));
}

TEST_F(E2eTest, NoLockMutantIsCaughtInPerOpModeToo) {
  HarnessResult r;
  for (int ops : {25, 60}) {
    r = Harness(LockregRun("per-op", " --mutant no-lock", 8, ops));
    if (r.exit_code == 1) break;
  }
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "lost-update"), "invalid") << Describe(r);
}

TEST_F(E2eTest, DirectWriteMutantIsCaughtByJsonValidity) {
  // Readers must land inside an in-place write; big values make every write
  // long, and more operations give more chances.
  HarnessResult r;
  for (int ops : {25, 60, 150}) {
    std::vector<std::string> args =
        LockregRun("worker", " --mutant direct-write", 8, ops, /*readers=*/1);
    args.insert(args.end(), {"--value-bytes", "500"});
    r = Harness(args);
    if (CheckerVerdict(r, "json-validity") == "invalid") break;
  }
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "json-validity"), "invalid") << Describe(r);
}

TEST_F(E2eTest, DeleteThenWriteIsCaughtByReaders) {
  // Removes the file and writes it again a little later: readers in between
  // find no registry at all.
  const fs::path script =
      Script("delete-then-write.sh",
             "f=\"$LOCKHARNESS_REGISTRY\"\n"
             "printf '{\"sandboxes\":{},\"defaultSandbox\":null}' > \"$f.new.$$\"\n"
             "rm -f \"$f\"\nsleep 0.02\nmv \"$f.new.$$\" \"$f\"\n");
  const HarnessResult r = Harness({"run", "--impl", script.string(), "--writers", "2", "--ops",
                                   "10", "--readers", "1", "--reader-interval-us", "0"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "json-validity"), "invalid") << Describe(r);
  EXPECT_THAT(Slurp(r.dir / "history.jsonl"),
              HasSubstr("registry file missing after it had existed"));
}

// Not tested: `--mutant shared-tmp`. Under a working lock only one process
// writes the shared temp name at a time, and a holder killed mid-write is
// dead before the next holder truncates and renames the same name, so a
// fault-free run cannot tell it from the reference. It shows only when a
// lock is broken under a live holder, which needs fault injection.

TEST_F(E2eTest, PythonAdapterPassesInPerOpMode) {
  ExpectCorrect(
      Harness({"run", "--impl", "/usr/bin/python3 " + kPythonAdapter + " --file {registry}",
               "--writers", "4", "--ops", "10", "--readers", "1", "--seed", "3"}),
      /*expect_lock_spans=*/true);  // it prints them under the harness
}

TEST_F(E2eTest, PythonAdapterPassesInWorkerMode) {
  ExpectCorrect(
      Harness({"run", "--impl", "/usr/bin/python3 " + kPythonAdapter + " --file {registry}",
               "--mode", "worker", "--writers", "6", "--ops", "30", "--readers", "1", "--seed",
               "4"}),
      /*expect_lock_spans=*/true);
}

// Runs the Python adapter directly (not under the harness).
int RunAdapter(const fs::path& registry, const std::vector<std::string>& args,
               std::string* out = nullptr) {
  SpawnOptions options;
  options.argv = {"/usr/bin/python3", kPythonAdapter, "--file", registry.string()};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  std::string error;
  std::optional<Child> child = Child::Spawn(options, &error);
  EXPECT_TRUE(child) << error;
  if (!child) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string ignored;
  child->ReadAllStdout(deadline, out ? out : &ignored);
  const ExitStatus status = child->Wait(deadline);
  return status.kind == ExitStatus::Kind::kExited ? status.code : -1;
}

TEST_F(E2eTest, PythonAdapterReapsOnlyDeadOwners) {
  const fs::path registry = scratch_ / "sandboxes.json";
  const fs::path lock = scratch_ / "sandboxes.json.lock";
  // A lock left by a process that is gone: reaped, the write goes through.
  SpawnOptions gone;
  gone.argv = {"/bin/true"};
  std::string error;
  std::optional<Child> dead = Child::Spawn(gone, &error);
  ASSERT_TRUE(dead) << error;
  const pid_t dead_pid = dead->pid();
  dead->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  fs::create_directory(lock);
  std::ofstream(lock / "owner") << dead_pid << "\n";
  EXPECT_EQ(RunAdapter(registry, {"register", "a", "model=m1"}), 0);
  EXPECT_FALSE(fs::exists(lock));
  std::string out;
  EXPECT_EQ(RunAdapter(registry, {"get", "a"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["model"], "m1");

  // A lock held by a live process (this test): never broken; the adapter
  // gives up with exit 3 and changes nothing.
  fs::create_directory(lock);
  std::ofstream(lock / "owner") << ::getpid() << "\n";
  EXPECT_EQ(RunAdapter(registry, {"--timeout-ms", "300", "update", "a", "model=m2"}), 3);
  EXPECT_TRUE(fs::exists(lock / "owner"));
  out.clear();
  EXPECT_EQ(RunAdapter(registry, {"get", "a"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["model"], "m1");
  fs::remove_all(lock);

  // Refusals and the default-sandbox rule.
  EXPECT_EQ(RunAdapter(registry, {"update", "nobody", "model=x"}), 1);
  EXPECT_EQ(RunAdapter(registry, {"update", "a", "name=b"}), 1);
  EXPECT_EQ(RunAdapter(registry, {"register", "b"}), 0);
  EXPECT_EQ(RunAdapter(registry, {"remove", "a"}), 0);
  out.clear();
  EXPECT_EQ(RunAdapter(registry, {"list"}, &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["defaultSandbox"], "b");
  // Nothing but the registry file is left behind.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(scratch_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("sandboxes.json"));
}

TEST_F(E2eTest, NonexistentImplementationIsNotRunnable) {
  const HarnessResult r = Harness(
      {"run", "--impl", "/nonexistent/registry-cli {registry}", "--writers", "2", "--ops", "2"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.stderr_text, HasSubstr("not runnable"));
  EXPECT_THAT(r.stderr_text, HasSubstr("/nonexistent/registry-cli"));
}

TEST_F(E2eTest, CommandNotFoundInsideImplementationIsNotRunnable) {
  const fs::path script = Script("wrapper.sh", "exec missing-interpreter-lh \"$@\"\n");
  const HarnessResult r =
      Harness({"run", "--impl", script.string(), "--writers", "2", "--ops", "50"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.stderr_text, HasSubstr("not runnable"));
  EXPECT_THAT(r.stderr_text, HasSubstr("127"));
  // Stopped early instead of running all 100 operations.
  EXPECT_LT(r.report["run"].value("completed_ops", 1000), 100);
}

TEST_F(E2eTest, GarbagePrintingWorkerIsNotRunnable) {
  const fs::path script = Script("garbage.sh", "while read line; do echo 'hello there'; done\n");
  const HarnessResult r = Harness(
      {"run", "--impl", script.string(), "--mode", "worker", "--writers", "2", "--ops", "5"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.stderr_text,
              HasSubstr("not runnable: worker printed a non-JSON line: hello there"));
}

TEST_F(E2eTest, BadFlagsAreAHarnessError) {
  HarnessResult r = Harness({"run", "--impl", kLockreg, "--writers", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_text, HasSubstr("--writers"));
  r = Harness({"check", (scratch_ / "no-such-run").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.stderr_text, HasSubstr("no-such-run"));
}

// A program that never finishes is a stuck lock as far as anyone waiting
// for it can tell: each operation is killed at the op timeout, recorded as
// info, and the progress checker calls the run invalid.
TEST_F(E2eTest, HangingImplementationIsTimedOutAndInvalid) {
  const fs::path pids = scratch_ / "pids";
  const fs::path script = Script("hang.sh", "sleep 60 & echo $! >> " + pids.string() +
                                                "\necho $$ >> " + pids.string() + "\nwait\n");
  const auto before = std::chrono::steady_clock::now();
  const HarnessResult r = Harness(
      {"run", "--impl", script.string(), "--writers", "2", "--ops", "2", "--op-timeout-ms", "300"});
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "progress"), "invalid") << Describe(r);
  EXPECT_THAT(Slurp(r.dir / "report.txt"),
              HasSubstr("4 operations stuck until the harness killed them"))
      << Describe(r);
  EXPECT_EQ(r.report["operations"].value("info", 0), 4) << Describe(r);
  const std::string history = Slurp(r.dir / "history.jsonl");
  EXPECT_THAT(history, HasSubstr("\"type\":\"info\""));
  EXPECT_THAT(history, HasSubstr("timed out after 300 ms"));
  const std::vector<pid_t> recorded = RecordedPids(pids);
  EXPECT_EQ(recorded.size(), 8u);  // 4 scripts, each with one sleep
  // (PIDs of the harness's namespace, when it has one: found by environment.)
  EXPECT_THAT(ProcessesOfRun(r.dir / "registry" / "sandboxes.json"), ::testing::IsEmpty());
}

// A per-op program that prints a malformed lock span line: the operation
// keeps its outcome and the span is reported as the implementation's error.
TEST_F(E2eTest, MalformedPerOpSpanLineIsReported) {
  const fs::path script = Script("bad-span.sh",
                                 "[ \"$1\" = get ] || [ \"$1\" = list ] && { echo '{}'; exit 0; }\n"
                                 "echo '{\"lock_acquired_ns\": \"abc\"}'\n");
  const HarnessResult r =
      Harness({"run", "--impl", script.string(), "--writers", "1", "--ops", "2"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(CheckerVerdict(r, "mutual-exclusion"), "invalid") << Describe(r);
  const std::string history = Slurp(r.dir / "history.jsonl");
  EXPECT_THAT(history, HasSubstr("implementation error: malformed lock span: "
                                 "lock_released_ns missing"));
}

TEST_F(E2eTest, SigintKillsEveryImplementationProcess) {
  const fs::path pids = scratch_ / "pids";
  const fs::path script = Script("hang.sh", "sleep 60 & echo $! >> " + pids.string() +
                                                "\necho $$ >> " + pids.string() + "\nwait\n");
  const fs::path dir = scratch_ / "interrupted";
  SpawnOptions options =
      HarnessCommand({"run", "--impl", script.string(), "--writers", "3", "--ops", "5",
                      "--op-timeout-ms", "60000", "--mode", "per-op"},
                     dir);
  std::string error;
  std::optional<Child> harness = Child::Spawn(options, &error);
  ASSERT_TRUE(harness) << error;
  // Wait until all three writers have their hanging process running.
  for (int i = 0; i < 1000 && RecordedPids(pids).size() < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(RecordedPids(pids).size(), 6u);
  // The recorded PIDs are those of the harness's PID namespace, when it has
  // one: the processes are found by their environment instead.
  const fs::path registry = dir / "registry" / "sandboxes.json";
  ASSERT_EQ(ProcessesOfRun(registry).size(), 6u);
  ASSERT_EQ(::kill(harness->pid(), SIGINT), 0);
  const HarnessResult r = Finish(*harness, options, dir);
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_THAT(r.stderr_text, HasSubstr("interrupted"));
  for (int i = 0; i < 100 && !ProcessesOfRun(registry).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(ProcessesOfRun(registry), ::testing::IsEmpty()) << "survived the interrupt";
  // The interrupted operations are on record as info, not left open.
  EXPECT_EQ(r.report["operations"].value("never_completed", -1), 0) << Describe(r);
  EXPECT_EQ(r.report["operations"].value("info", 0), 3) << Describe(r);
}

// A SIGKILLed harness cannot clean up: its writers, and their children, die
// with the PID namespace it owns (docs/adapter-contract.md, "No orphans").
// Placed writers too: the placer's namespaces nest in the run's.
void ExpectNoSurvivorsOfSigkill(const fs::path& scratch, const std::string& placement) {
  const fs::path script = scratch / "hang-children.sh";
  std::ofstream(script) << "#!/bin/sh\nsleep 60 &\nsleep 60 &\nwait\n";
  fs::permissions(script, fs::perms::owner_all);
  const fs::path dir = scratch / ("killed-" + placement);
  SpawnOptions options;
  options.argv = {LOCKHARNESS_BIN, "run",     "--impl", script.string(), "--writers",       "3",
                  "--ops",         "5",       "--mode", "per-op",        "--op-timeout-ms", "60000",
                  "--placement",   placement, "--out",  dir.string()};
  options.cwd = scratch;
  options.stderr_path = scratch / ("stderr-killed-" + placement);
  std::string error;
  std::optional<Child> harness = Child::Spawn(options, &error);
  ASSERT_TRUE(harness) << error;
  const fs::path registry = dir / "registry" / "sandboxes.json";
  // Each writer: its shell and two sleeps, under the placer's two processes
  // when placed (those have the variable too).
  for (int i = 0; i < 1000 && ProcessesOfRun(registry).size() < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string stderr_text = Slurp(options.stderr_path);
  if (ProcessesOfRun(registry).size() < 9 &&
      stderr_text.find("not available on this machine") != std::string::npos) {
    GTEST_SKIP() << stderr_text;
  }
  ASSERT_GE(ProcessesOfRun(registry).size(), 9u) << stderr_text;
  const auto config = nlohmann::json::parse(Slurp(dir / "run.json"), nullptr, false);
  ASSERT_TRUE(config.contains("run_namespace")) << config.dump();
  if (!config["run_namespace"].value("owned", false)) {
    harness->Kill();
    GTEST_SKIP() << "the harness could not make its PID namespace here: "
                 << config["run_namespace"].dump();
  }
  ASSERT_EQ(::kill(harness->pid(), SIGKILL), 0);
  const ExitStatus status =
      harness->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  EXPECT_EQ(status.kind, ExitStatus::Kind::kSignaled) << status.Describe();
  for (int i = 0; i < 200 && !ProcessesOfRun(registry).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(ProcessesOfRun(registry), ::testing::IsEmpty()) << "survived the harness";
}

TEST_F(E2eTest, SigkilledHarnessLeavesNoWriterBehind) {
  ExpectNoSurvivorsOfSigkill(scratch_, "same");
}

TEST_F(E2eTest, SigkilledHarnessLeavesNoPlacedWriterBehind) {
  ExpectNoSurvivorsOfSigkill(scratch_, "mixed");
}

// A per-op-only implementation (it refuses the `worker` operation) is
// judged on a worker-mode scenario in per-op mode, and the suite says so.
TEST_F(E2eTest, WorkerScenarioRunsPerOpForAnImplementationWithoutWorkerMode) {
  const fs::path suite = scratch_ / "suite";
  fs::create_directories(suite);
  std::ofstream(suite / "contention-worker.toml")
      << "expect = \"valid\"\n[workload]\nmode = \"worker\"\nwriters = 3\nops = 5\n"
         "seed = 7\n[limits]\nrun_timeout_ms = 60000\n";
  const fs::path per_op_only =
      Script("per-op-only.sh",
             "[ \"$2\" = worker ] && { echo 'no worker mode' >&2; exit 2; }\n"
             "reg=\"$1\"; shift\nexec " +
                 kLockreg + " --file \"$reg\" \"$@\"\n");
  const HarnessResult r =
      Harness({"suite", suite.string(), "--impl", per_op_only.string() + " {registry}", "--out",
               (scratch_ / "suite-runs").string()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_THAT(r.stdout_text, HasSubstr("PASS    contention-worker"));
  EXPECT_THAT(r.stdout_text,
              HasSubstr("ran in per-op mode: the implementation has no worker mode"));
  EXPECT_TRUE(fs::exists(scratch_ / "suite-runs" / "contention-worker.per-op" / "results.json"));
  EXPECT_THAT(Slurp(scratch_ / "suite-runs" / "junit.xml"), HasSubstr("name=\"substitution\""));
}

TEST_F(E2eTest, RefusesNonEmptyOutputDirectory) {
  const fs::path dir = scratch_ / "busy";
  fs::create_directories(dir);
  std::ofstream(dir / "keep.txt") << "x";
  SpawnOptions options;
  options.argv = {LOCKHARNESS_BIN, "run",       "--impl", kLockreg + " --file {registry}",
                  "--out",         dir.string()};
  options.stderr_path = scratch_ / "busy.stderr";
  std::string error;
  std::optional<Child> child = Child::Spawn(options, &error);
  ASSERT_TRUE(child) << error;
  std::string out;
  child->ReadAllStdout(std::chrono::steady_clock::now() + std::chrono::seconds(30), &out);
  EXPECT_EQ(child->Wait(std::chrono::steady_clock::now() + std::chrono::seconds(30)).code, 2);
  EXPECT_THAT(Slurp(options.stderr_path), HasSubstr("not empty"));
  EXPECT_EQ(Slurp(dir / "keep.txt"), "x");
  EXPECT_FALSE(fs::exists(dir / "history.jsonl"));
}

// --- The replay line replays ------------------------------------------------

// The fault events of a run directory's history, in order.
std::vector<nlohmann::json> FaultEvents(const fs::path& dir) {
  std::vector<nlohmann::json> faults;
  std::ifstream in(dir / "history.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.value("type", "") == "fault") faults.push_back(event);
  }
  return faults;
}

// The replay line of results.json as argv (after the program name), split
// as a shell would: words separated by spaces, '...' quoting with '\''.
std::vector<std::string> ReplayArgs(const std::string& replay) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < replay.size(); ++i) {
    const char c = replay[i];
    if (c == '\'') {
      const size_t end = replay.find('\'', i + 1);
      word += replay.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '\\' && i + 1 < replay.size()) {
      word += replay[++i];
      in_word = true;
    } else if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  EXPECT_FALSE(words.empty());
  if (!words.empty()) words.erase(words.begin());  // "lockharness"
  return words;
}

// Runs SCENARIO, then the replay line its report prints, and compares the
// two runs: the same verdict and the same nemesis schedule. A nemesis acts
// no earlier than its seeded schedule and then waits for a lock holder (2 ms
// polls), so the i-th action of the two runs agree within the jitter the
// seed fixes plus the waits; `slack_ms` bounds those waits generously for a
// loaded machine. Holder-directed nemeses hit whichever writer holds the
// lock at that instant, which the seed does not fix: their writer indices
// are compared only as valid writers. `interposer_faults`: the faults are
// the interposer's (every:N counts a process's own calls), and how many
// calls a writer makes depends on the interleaving (an update of a name
// another writer has not registered yet fails without a rename), so only
// the kinds of fault that fired are compared, not their counts or times.
// Nemeses stop once 90% of the operations are done, so a run that ends
// sooner (a slower machine, a sanitizer build) performs fewer actions: the
// actions both runs performed are compared, in order.
void ExpectReplaySameSchedule(E2eTest* test, const HarnessResult& first,
                              const HarnessResult& replayed, int writers, int64_t jitter_ms,
                              bool interposer_faults) {
  ASSERT_TRUE(first.report.is_object()) << Describe(first);
  ASSERT_TRUE(replayed.report.is_object()) << Describe(replayed);
  EXPECT_EQ(replayed.report.value("verdict", "?"), first.report.value("verdict", "?"))
      << Describe(first) << Describe(replayed);
  // The replayed run's own replay line is the same line.
  EXPECT_EQ(replayed.report.value("replay", "?"), first.report.value("replay", "!"));
  const auto a = FaultEvents(first.dir);
  const auto b = FaultEvents(replayed.dir);
  ASSERT_FALSE(a.empty()) << Describe(first);
  ASSERT_FALSE(b.empty()) << Describe(replayed);
  std::map<std::string, int> kinds_a, kinds_b;
  const size_t common = std::min(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (interposer_faults || i < common) {
      ++kinds_a[a[i].value("kind", "") + "/" + a[i].value("fault", "")];
    }
  }
  for (size_t i = 0; i < b.size(); ++i) {
    if (interposer_faults || i < common) {
      ++kinds_b[b[i].value("kind", "") + "/" + b[i].value("fault", "")];
    }
  }
  if (interposer_faults) {
    std::set<std::string> fired_a, fired_b;
    for (const auto& [kind, count] : kinds_a) fired_a.insert(kind);
    for (const auto& [kind, count] : kinds_b) fired_b.insert(kind);
    EXPECT_EQ(fired_a, fired_b);
  } else {
    EXPECT_EQ(kinds_a, kinds_b);
  }
  for (const auto* events : {&a, &b}) {
    for (const auto& e : *events) {
      EXPECT_GE(e.value("writer", -2), e.value("kind", "") == "backdate-lock" ? -1 : 0) << e;
      EXPECT_LT(e.value("writer", writers), writers) << e;
    }
  }
  if (interposer_faults) return;  // their time is the writer's, not a schedule
  const int64_t slack_ms = 1000;
  for (size_t i = 0; i < common; ++i) {
    const int64_t ta = a[i].value("t", int64_t{0}) / 1'000'000;
    const int64_t tb = b[i].value("t", int64_t{0}) / 1'000'000;
    EXPECT_LE(std::abs(ta - tb), jitter_ms + slack_ms * static_cast<int64_t>(i + 1))
        << "fault #" << i << " at " << ta << " ms vs " << tb << " ms";
  }
  (void)test;
}

class ReplayTest : public E2eTest {
 protected:
  // Runs the scenario file, then its replay line.
  std::pair<HarnessResult, HarnessResult> RunAndReplay(const std::string& scenario) {
    const std::string file = std::string(LOCKHARNESS_SOURCE_DIR) + "/scenarios/" + scenario;
    HarnessResult first = Harness({"run", file, "--impl", kLockreg + " --file {registry}"});
    EXPECT_EQ(first.exit_code, 0) << Describe(first);
    const std::string replay = first.report.value("replay", "");
    EXPECT_THAT(replay, HasSubstr("--seed "));
    HarnessResult replayed = Harness(ReplayArgs(replay));
    return {std::move(first), std::move(replayed)};
  }
};

TEST_F(ReplayTest, KillHolderReplaysItsSchedule) {
  auto [first, replayed] = RunAndReplay("smoke/kill-holder.toml");
  EXPECT_THAT(first.report.value("replay", ""),
              HasSubstr("--nemesis kill-holder:count=5,interval_ms=100,jitter_ms=0,start_ms=20"));
  EXPECT_THAT(first.report.value("replay", ""), HasSubstr("--stale-ms 1000"));
  EXPECT_THAT(first.report.value("replay", ""), HasSubstr("--run-timeout-ms 40000"));
  ExpectReplaySameSchedule(this, first, replayed, 8, 0, false);
}

TEST_F(ReplayTest, PauseHolderReplaysItsSchedule) {
  auto [first, replayed] = RunAndReplay("full/pause-holder-per-op.toml");
  EXPECT_THAT(first.report.value("replay", ""), HasSubstr("--nemesis pause-holder:"));
  ExpectReplaySameSchedule(this, first, replayed, 8, 500, false);
}

TEST_F(ReplayTest, StealLockReplaysItsSchedule) {
  auto [first, replayed] = RunAndReplay("smoke/steal-lock.toml");
  EXPECT_THAT(first.report.value("replay", ""), HasSubstr("--nemesis steal-lock:"));
  ExpectReplaySameSchedule(this, first, replayed, 8, 50, false);
}

TEST_F(ReplayTest, InterposerFaultsReplay) {
  auto [first, replayed] = RunAndReplay("full/fault-eio-then-kill.toml");
  EXPECT_THAT(first.report.value("replay", ""),
              HasSubstr("--faults 'lh/rename/registry=errno:EIO,once;lh/rename/registry=kill,"
                        "every:4'"));
  ExpectReplaySameSchedule(this, first, replayed, 4, 0, true);
}

}  // namespace
