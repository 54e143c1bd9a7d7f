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
// runs again in per-op mode, in DIR/<scenario name>.per-op/: contention
// and a killed or paused holder do not need a long-lived process, so a
// per-op-only program is judged on them too. The outcome says so
// (`substitution`), on the scenario's line and in its JUnit properties.
// When the caller already knows that the implementation has no worker mode
// (`no_worker_mode`, e.g. an adapter whose catalog entry has no worker
// template), such scenarios go straight to per-op mode, with the same
// substitution note. Only a scenario whose interposer faults count the
// calls of one process (PerProcessFaultChain) needs the long-lived process:
// it is N/A instead.
//
// A scenario that names its adapter (`adapter`) runs that catalog entry
// when no implementation is given (scenario_adapter.h); every file is
// loaded and resolved before the first run.
//
// A crash scenario (a [crash] table) runs through crash::ExecuteCrash(),
// the code behind `lockharness crash`, in DIR/<scenario name>/; its line
// adds the states' summary, and, unless it passed, the replay line.
//
// A scenario that means nothing for the implementation's lock convention
// (scenario::NotApplicableReason: a forged mkdir-layout lock against a
// flock implementation, a mkdir-lock mixed fleet, steal-lock against a
// kernel lock) is not run: its status is N/A with the reason, on its line,
// in JUnit (a skipped case) and in the conformance matrix; it never fails
// the suite. The convention is the declared one (SuiteRunOptions::
// lock_convention: the catalog's or --lock-convention) or, when none is
// declared and a scenario depends on it, the first acquisition observed in
// a short probe run in DIR/lock-convention-probe/ (once per suite). A
// probe that observes no lock decides nothing: every scenario then runs.
// A declared convention is passed to every run (RunOptions::
// lock_convention): setup steps forge their locks in it, and the
// lock-convention checker reports a trace that contradicts it.
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

enum class ScenarioStatus { kPass, kFail, kUnknown, kNotApplicable };
// "PASS" | "FAIL" | "UNKNOWN" | "N/A"
const char* ScenarioStatusName(ScenarioStatus status);

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
  // kNotApplicable: why ("the scenario applies to mkdir locks, not to
  // flock (lock convention from the catalog)"); the scenario did not run.
  std::string not_applicable;
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
  // The implementation's lock convention (runner/lock_convention.h names),
  // and where it comes from ("the catalog", "--lock-convention"); empty:
  // detected when a scenario depends on it.
  std::string lock_convention;
  std::string lock_convention_source;
  // Placed writers run under an init (runner::RunOptions::placement_init):
  // the catalog's or --placement-init.
  bool placement_init = false;
  // When no convention is declared: detect it with a probe run when a
  // scenario depends on it (false: run every scenario, as for lockreg's
  // mutants, whose convention is the reference's).
  bool detect_lock_convention = true;
  // --registry-dir: scenario S keeps its registry in registry_dir/S/
  // (created) instead of its run directory. REQUIRES: empty or
  // RefusedRegistryDir() == "".
  std::filesystem::path registry_dir;
  bool print = true;  // one line per scenario on stdout
  // Stop after a scenario for which this returns true (e.g. first catch).
  std::function<bool(const ScenarioOutcome&)> stop_after;
};

struct SuiteOutcome {
  std::vector<ScenarioOutcome> scenarios;
  std::string error;  // a scenario file that would not load, or the out dir
  int passed = 0, failed = 0, unknown = 0, not_applicable = 0;
  // The convention scenarios were chosen by, and where it came from
  // ("" if none was declared or detected).
  std::string lock_convention;
  std::string lock_convention_source;
  double seconds = 0;
};

SuiteOutcome RunScenarios(const SuiteRunOptions& options);

// 0 all passed, 1 some failed, 2 an error or only unknowns besides passes.
int SuiteExitCode(const SuiteOutcome& outcome);

// One <testsuite> per scenario: a case per checker plus a case
// "expectation" that fails when the verdict differs from the expected one;
// for an N/A scenario one skipped case "expectation" with the reason.
std::string SuiteJunitXml(const SuiteOutcome& outcome, const std::string& suite_name);

// The one JUnit case of a scenario that was not run (not applicable, or
// its adapter not runnable): "expectation", skipped, with `message`.
report::JunitCase SkippedExpectation(const std::string& classname, const std::string& message);

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

// The convention the first acquisition of a short fault-free per-op run of
// `impl` shows (2 writers x 3 operations, observed, in `out_dir`), and
// where it was seen ("detected: first acquisition flock (...), trace line
// 12"); nullopt with *why when the run was not observed or shows no lock.
std::optional<runner::LockConvention> DetectLockConvention(const std::string& impl,
                                                           const std::filesystem::path& out_dir,
                                                           std::string* source, std::string* why);

// True when `result` is a worker-mode run that found no worker mode: the
// implementation's first worker exited without answering (or before it
// read the request).
bool FoundNoWorkerMode(const RunResult& result);

// The fault specs of `faults` (LOCKHARNESS_FAULTS text) that count calls
// within one process (`once`, `every:N`), as "lh/rename/registry once;
// lh/rename/registry every:4"; empty when there are none. Such a chain
// means something else in per-op mode, where each operation is a new
// process (`once` fires on every operation, `every:4` on none), so a
// worker-mode scenario with one is N/A for an implementation without a
// worker mode rather than run in per-op mode.
std::string PerProcessFaultChain(const std::string& faults);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_SUITE_RUNNER_H_
