// suite_runner.h: runs scenario files against one implementation and
// compares each verdict with the scenario's expectation.
//
// A scenario passes when its verdict is the one it expects ("valid" unless
// the file says otherwise), for `expect_checker = "C"` checker C is among
// those that found it invalid, and, for `expect_lint = "clean"`, the
// protocol lint found nothing. It fails when a checker reached the other definite
// verdict, and is unknown when the run could not be judged or a checker
// could not decide. Each scenario runs in DIR/<scenario name>/. What counts
// as lint findings, or as no lint at all, is the checkers' OverallWithLint()
// (checkers/protocol_lint.h).
//
// A worker-mode scenario against an implementation without a worker mode
// (its first worker exits without answering, or before reading the
// request: the run is "not runnable")
// runs again in per-op mode, in DIR/<scenario name>.per-op/: none of the
// scenarios needs a long-lived process for what it tests (contention, a
// killed or paused holder), so a per-op-only program is judged on them
// too. The outcome says so (`substitution`), on the scenario's line and in
// its JUnit properties. When the caller already knows that the
// implementation has no worker mode (`no_worker_mode`, e.g. an adapter
// whose catalog entry has no worker template), such scenarios go straight
// to per-op mode, with the same substitution note.
//
// A scenario that names its adapter (`adapter`) runs that catalog entry
// when no implementation is given (scenario_adapter.h); every file is
// loaded and resolved before the first run.
//
// A crash scenario (a [crash] table) runs through crash::ExecuteCrash(),
// the code behind `lockharness crash`, in DIR/<scenario name>/; its line
// adds the states' summary, and, unless it passed, the replay line.
//
// Usage:
//   SuiteRunOptions o{.files = files, .impl = "...", .out_dir = "runs/s1"};
//   SuiteOutcome outcome = RunScenarios(o);
//   WriteFile(o.out_dir / "junit.xml", SuiteJunitXml(outcome, "smoke"));

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_SUITE_RUNNER_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_SUITE_RUNNER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/report/junit.h"
#include "lockharness/harness/scenario/scenario.h"
#include "src/cli/run_once.h"

namespace lockharness::harness::cli {

enum class ScenarioStatus { kPass, kFail, kUnknown };
const char* ScenarioStatusName(ScenarioStatus status);  // "PASS" | "FAIL" | "UNKNOWN"

struct ScenarioOutcome {
  std::string name;
  std::filesystem::path file;
  std::string expected;          // "valid" | "invalid"
  std::string expected_checker;  // empty, or the checker that must find it invalid
  bool expect_lint_clean = false;
  uint64_t seed = 0;
  std::string impl;  // the command template the scenario ran
  std::filesystem::path run_dir;
  RunResult result;
  bool lint_clean = true;  // no protocol-lint finding (or no trace)
  // Non-empty when the scenario ran in another mode than its file says,
  // and why: "per-op mode: the implementation has no worker mode (...)".
  std::string substitution;
  ScenarioStatus status = ScenarioStatus::kUnknown;
  // Checkers that reported invalid, plus "protocol-lint" when a clean lint
  // was expected and findings appeared: what caught a broken implementation.
  std::vector<std::string> caught_by;
};

struct SuiteRunOptions {
  std::vector<std::filesystem::path> files;  // scenario files, in order
  std::string impl;                          // command template; empty: each scenario's adapter
  std::filesystem::path catalog;             // where scenarios' adapters are looked up
  std::filesystem::path out_dir;             // REQUIRES: absent or empty
  std::optional<uint64_t> seed;              // overrides every file's seed
  // Non-empty: the implementation has no worker mode, and why; worker-mode
  // scenarios run in per-op mode without trying the worker mode first.
  std::string no_worker_mode;
  bool print = true;  // one line per scenario on stdout
  // Stop after a scenario for which this returns true (e.g. first catch).
  std::function<bool(const ScenarioOutcome&)> stop_after;
};

struct SuiteOutcome {
  std::vector<ScenarioOutcome> scenarios;
  std::string error;  // a scenario file that would not load, or the out dir
  int passed = 0, failed = 0, unknown = 0;
  double seconds = 0;
};

SuiteOutcome RunScenarios(const SuiteRunOptions& options);

// 0 all passed, 1 some failed, 2 an error or only unknowns besides passes.
int SuiteExitCode(const SuiteOutcome& outcome);

// One <testsuite> per scenario: a case per checker plus a case
// "expectation" that fails when the verdict differs from the expected one.
std::string SuiteJunitXml(const SuiteOutcome& outcome, const std::string& suite_name);

// The <testsuite> of one scenario, named `suite_name`, its cases in class
// `classname` (SuiteJunitXml: "SUITE/SCENARIO", "lockharness.scenarios.SCENARIO").
report::JunitSuite ScenarioJunitSuite(const ScenarioOutcome& outcome, const std::string& suite_name,
                                      const std::string& classname);

// The scenario's line as the suite prints it (status, verdict, seconds,
// seed, what caught it, a substitution, the reason of a non-pass).
std::string ScenarioLine(const ScenarioOutcome& outcome);

// Applies the command line's implementation (and "{impl}" in the fleet),
// seed and output directory to a loaded scenario.
void ApplyCommandLine(const std::string& impl, const std::optional<uint64_t>& seed,
                      const std::filesystem::path& out_dir, scenario::Scenario* scenario);

// Performs the scenario: its run, or for a crash scenario its crash run.
// REQUIRES: ApplyCommandLine() was applied.
RunResult ExecuteScenario(const scenario::Scenario& scenario, Progress* progress);

// Judges a finished scenario run against its expectation.
ScenarioOutcome JudgeScenario(const scenario::Scenario& scenario, RunResult result);

// True when `result` is a worker-mode run that found no worker mode: the
// implementation's first worker exited without answering (or before it
// read the request).
bool FoundNoWorkerMode(const RunResult& result);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_SUITE_RUNNER_H_
