#include "src/cli/suite_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lockharness/harness/checkers/protocol_lint.h"

namespace lockharness::harness::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CheckerReport Finding(std::string checker, Verdict verdict, std::string summary = "s",
                      std::vector<std::string> warnings = {}) {
  CheckerReport report;
  report.checker = std::move(checker);
  report.verdict = verdict;
  report.summary = std::move(summary);
  report.warnings = std::move(warnings);
  return report;
}

RunResult Judged(std::vector<CheckerReport> findings) {
  RunResult result;
  result.judged = true;
  result.findings = std::move(findings);
  result.verdict = Overall(result.findings);
  return result;
}

scenario::Scenario Expecting(scenario::Scenario::Expect expect, bool lint_clean = false) {
  scenario::Scenario s;
  s.name = "kill holder";
  s.file = "scenarios/smoke/kill holder.toml";
  s.expect = expect;
  s.expect_lint_clean = lint_clean;
  s.run.seed = 42;
  s.run.impl = "lockreg --file {registry}";
  s.run.out_dir = "runs/x/kill holder";
  return s;
}

constexpr auto kValid = scenario::Scenario::Expect::kValid;
constexpr auto kInvalid = scenario::Scenario::Expect::kInvalid;

TEST(JudgeScenario, PassesWhenTheVerdictIsTheExpectedOne) {
  const ScenarioOutcome o =
      JudgeScenario(Expecting(kValid), Judged({Finding("lost-update", Verdict::kValid)}));
  EXPECT_EQ(o.status, ScenarioStatus::kPass);
  EXPECT_EQ(o.expected, "valid");
  EXPECT_EQ(o.seed, 42u);
  EXPECT_TRUE(o.caught_by.empty());

  const ScenarioOutcome caught = JudgeScenario(
      Expecting(kInvalid),
      Judged({Finding("lost-update", Verdict::kInvalid), Finding("leftovers", Verdict::kValid)}));
  EXPECT_EQ(caught.status, ScenarioStatus::kPass);
  EXPECT_THAT(caught.caught_by, ElementsAre("lost-update"));
}

TEST(JudgeScenario, FailsOnTheOtherDefiniteVerdict) {
  const ScenarioOutcome o =
      JudgeScenario(Expecting(kValid), Judged({Finding("mutual-exclusion", Verdict::kInvalid)}));
  EXPECT_EQ(o.status, ScenarioStatus::kFail);
  EXPECT_THAT(o.caught_by, ElementsAre("mutual-exclusion"));
  EXPECT_EQ(JudgeScenario(Expecting(kInvalid), Judged({Finding("x", Verdict::kValid)})).status,
            ScenarioStatus::kFail);
}

TEST(JudgeScenario, ANamedCheckerMustBeAmongThoseFindingItInvalid) {
  scenario::Scenario s = Expecting(kInvalid);
  s.expect_checker = "lost-update";
  const ScenarioOutcome caught =
      JudgeScenario(s, Judged({Finding("lost-update", Verdict::kInvalid),
                               Finding("json-validity", Verdict::kInvalid)}));
  EXPECT_EQ(caught.status, ScenarioStatus::kPass);
  EXPECT_EQ(caught.expected_checker, "lost-update");

  const ScenarioOutcome other = JudgeScenario(s, Judged({Finding("lost-update", Verdict::kValid),
                                                         Finding("leftovers", Verdict::kInvalid)}));
  EXPECT_EQ(other.status, ScenarioStatus::kFail);
  EXPECT_THAT(other.caught_by, ElementsAre("leftovers"));
  EXPECT_EQ(other.result.reason, "expected lost-update to find it invalid; it did not");

  EXPECT_EQ(JudgeScenario(s, Judged({Finding("lost-update", Verdict::kValid)})).status,
            ScenarioStatus::kFail);
  // An undecided run stays unknown: nothing was found either way.
  EXPECT_EQ(JudgeScenario(s, Judged({Finding("lost-update", Verdict::kUnknown)})).status,
            ScenarioStatus::kUnknown);
}

TEST(JudgeScenario, UnknownWhenNotJudgedOrUndecided) {
  RunResult not_judged;
  not_judged.reason = "not runnable";
  EXPECT_EQ(JudgeScenario(Expecting(kValid), not_judged).status, ScenarioStatus::kUnknown);
  EXPECT_EQ(JudgeScenario(Expecting(kValid),
                          Judged({Finding("a", Verdict::kValid), Finding("b", Verdict::kUnknown)}))
                .status,
            ScenarioStatus::kUnknown);
  // An unknown run stays unknown even with lint findings.
  EXPECT_EQ(
      JudgeScenario(Expecting(kValid, true), Judged({Finding("b", Verdict::kUnknown),
                                                     Finding(kProtocolLintChecker, Verdict::kValid,
                                                             "1 finding", {"temp-not-fsynced"})}))
          .status,
      ScenarioStatus::kUnknown);
}

TEST(JudgeScenario, CleanLintExpectation) {
  const CheckerReport clean = Finding(kProtocolLintChecker, Verdict::kValid, "clean");
  const CheckerReport dirty =
      Finding(kProtocolLintChecker, Verdict::kValid, "1 finding", {"temp-not-fsynced: pid 7"});
  const CheckerReport valid = Finding("lost-update", Verdict::kValid);

  EXPECT_EQ(JudgeScenario(Expecting(kValid, true), Judged({valid, clean})).status,
            ScenarioStatus::kPass);

  const ScenarioOutcome failed = JudgeScenario(Expecting(kValid, true), Judged({valid, dirty}));
  EXPECT_EQ(failed.status, ScenarioStatus::kFail);
  EXPECT_FALSE(failed.lint_clean);
  EXPECT_THAT(failed.caught_by, ElementsAre("protocol-lint"));

  // Lint is advice unless the scenario asks for a clean one.
  const ScenarioOutcome advice = JudgeScenario(Expecting(kValid), Judged({valid, dirty}));
  EXPECT_EQ(advice.status, ScenarioStatus::kPass);
  EXPECT_FALSE(advice.lint_clean);
  EXPECT_TRUE(advice.caught_by.empty());

  const ScenarioOutcome no_trace = JudgeScenario(Expecting(kValid, true), Judged({valid}));
  EXPECT_EQ(no_trace.status, ScenarioStatus::kUnknown);
  EXPECT_EQ(no_trace.result.reason, "a clean protocol lint was expected but the run has no trace");
}

TEST(SuiteJunitXml, OneSuitePerScenarioWithAnExpectationCase) {
  SuiteOutcome outcome;
  outcome.scenarios.push_back(JudgeScenario(
      Expecting(kInvalid), Judged({Finding("lost-update", Verdict::kInvalid, "entry <a> lost"),
                                   Finding("leftovers", Verdict::kValid)})));
  ScenarioOutcome unexpected = JudgeScenario(
      Expecting(kValid), Judged({Finding("mutual-exclusion", Verdict::kInvalid, "two holders")}));
  unexpected.name = "steal";
  outcome.scenarios.push_back(unexpected);
  RunResult not_judged;
  not_judged.reason = "not runnable: no such file";
  ScenarioOutcome unjudged = JudgeScenario(Expecting(kValid), not_judged);
  unjudged.name = "missing";
  outcome.scenarios.push_back(unjudged);

  const std::string xml = SuiteJunitXml(outcome, "smoke");
  EXPECT_THAT(xml, HasSubstr("<testsuite name=\"smoke/kill holder\""));
  EXPECT_THAT(xml, HasSubstr("name=\"seed\" value=\"42\""));
  EXPECT_THAT(xml, HasSubstr("name=\"file\" value=\"scenarios/smoke/kill holder.toml\""));
  EXPECT_THAT(xml, HasSubstr("name=\"expected\" value=\"invalid\""));
  // The expected violation passes; its summary is escaped.
  EXPECT_THAT(xml, HasSubstr("<testcase classname=\"lockharness.scenarios.kill holder\" "
                             "name=\"expectation\" time=\"0.000\"/>"));
  EXPECT_THAT(xml, ::testing::Not(HasSubstr("entry <a> lost")));
  // An unexpected violation is a failure of both the checker and the expectation.
  EXPECT_THAT(xml, HasSubstr("verdict invalid, expected valid"));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"two holders\""));
  // Not judged: an error, with the reason.
  EXPECT_THAT(xml, HasSubstr("verdict not judged, expected valid: not runnable: no such file"));
  EXPECT_THAT(xml, HasSubstr("<error"));
  outcome.passed = outcome.failed = outcome.unknown = 1;
  EXPECT_EQ(SuiteExitCode(outcome), kExitInvalid);
}

TEST(SuiteJunitXml, CrashScenarioCarriesItsSummaryAndReplay) {
  SuiteOutcome outcome;
  RunResult crashed = Judged({Finding("crash-durability", Verdict::kInvalid, "3 of 40 states")});
  crashed.crash_summary = "posix: 3 of 40 crash states invalid, 6 recovered";
  crashed.replay = "lockharness crash --from /r/crash-posix --model posix --seed 1";
  ScenarioOutcome o = JudgeScenario(Expecting(kValid), crashed);
  EXPECT_EQ(o.status, ScenarioStatus::kFail);
  EXPECT_THAT(o.caught_by, ElementsAre("crash-durability"));
  outcome.scenarios.push_back(o);
  const std::string xml = SuiteJunitXml(outcome, "smoke");
  EXPECT_THAT(xml, HasSubstr("name=\"crash\" value=\"posix: 3 of 40 crash states invalid, 6 "
                             "recovered\""));
  EXPECT_THAT(xml, HasSubstr("name=\"replay\" value=\"lockharness crash --from "
                             "/r/crash-posix --model posix --seed 1\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"3 of 40 states\""));
  // An ordinary run has neither property.
  SuiteOutcome plain;
  plain.scenarios.push_back(JudgeScenario(Expecting(kValid), Judged({})));
  EXPECT_THAT(SuiteJunitXml(plain, "smoke"), ::testing::Not(HasSubstr("name=\"replay\"")));
}

// A scenario that does not apply to the declared convention is not run:
// N/A with the reason, a skipped JUnit case, and no failure of the suite.
TEST(RunScenarios, NotApplicableToTheDeclaredConventionIsNotRun) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("lockharness-suite-na-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "fleet.toml") << "conventions = [\"mkdir\"]\n";
  std::ofstream(dir / "steal.toml") << "[[nemesis]]\nkind = \"steal-lock\"\n";
  SuiteRunOptions options;
  options.files = {dir / "fleet.toml", dir / "steal.toml"};
  options.impl = "/nonexistent/program --file {registry}";  // never started
  options.out_dir = dir / "runs";
  options.print = false;
  options.lock_convention = "flock";
  options.lock_convention_source = "the catalog";
  const SuiteOutcome outcome = RunScenarios(options);
  ASSERT_TRUE(outcome.error.empty()) << outcome.error;
  ASSERT_EQ(outcome.scenarios.size(), 2u);
  EXPECT_EQ(outcome.not_applicable, 2);
  EXPECT_EQ(outcome.scenarios[0].status, ScenarioStatus::kNotApplicable);
  EXPECT_EQ(outcome.scenarios[0].not_applicable,
            "the scenario applies to mkdir locks, not to flock (lock convention flock, the "
            "catalog)");
  EXPECT_THAT(outcome.scenarios[1].not_applicable, HasSubstr("nemesis steal-lock"));
  EXPECT_FALSE(std::filesystem::exists(dir / "runs" / "fleet"));
  EXPECT_EQ(SuiteExitCode(outcome), kExitValid);
  const std::string xml = SuiteJunitXml(outcome, "smoke");
  EXPECT_THAT(xml, HasSubstr("<skipped message=\"not applicable: the scenario applies to mkdir"));
  EXPECT_THAT(xml, HasSubstr("name=\"not_applicable\""));
  EXPECT_THAT(xml, ::testing::Not(HasSubstr("<failure")));

  options.lock_convention = "fcntl";
  EXPECT_THAT(RunScenarios(options).error, HasSubstr("unknown lock convention 'fcntl'"));
  std::filesystem::remove_all(dir);
}

// The run says whether its worker exited before answering (or before it
// read the request): the flag decides, not the wording of the reason.
TEST(FoundNoWorkerMode, TheRunSaysSo) {
  RunResult result;
  result.reason = "implementation not runnable: worker exited without answering (exit status 2)";
  EXPECT_FALSE(FoundNoWorkerMode(result));
  result.no_worker_mode = true;
  EXPECT_TRUE(FoundNoWorkerMode(result));
  result.judged = true;  // a judged run is never substituted
  EXPECT_FALSE(FoundNoWorkerMode(result));
}

// Per-process counting modifiers make the chain; a probability or a plain
// spec counts nothing.
TEST(PerProcessFaultChain, NamesTheCountedSpecs) {
  EXPECT_EQ(PerProcessFaultChain(""), "");
  EXPECT_EQ(PerProcessFaultChain("lh/rename/registry=errno:EIO"), "");
  EXPECT_EQ(PerProcessFaultChain("lh/rename/registry=errno:EIO,prob:0.5"), "");
  EXPECT_EQ(PerProcessFaultChain("lh/mkdir/lock=errno:EACCES,once"), "lh/mkdir/lock once");
  EXPECT_EQ(
      PerProcessFaultChain("lh/rename/registry=errno:EIO,once;lh/rename/registry=kill,every:4"),
      "lh/rename/registry once; lh/rename/registry every:4");
  EXPECT_EQ(PerProcessFaultChain("lh/fsync/temp=errno:EIO,once,every:3"),
            "lh/fsync/temp once,every:3");
}

// A worker-mode scenario whose faults count within one process is N/A for
// an implementation without a worker mode, never run in per-op mode (where
// `once` would fail every operation); one without such a chain is run.
TEST(RunScenarios, PerProcessFaultChainsNeedAWorkerMode) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("lockharness-suite-chain-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "once.toml")
      << "[workload]\nmode = \"worker\"\n"
         "[interposer]\nfaults = \"lh/mkdir/lock=errno:EACCES,once\"\n";
  SuiteRunOptions options;
  options.files = {dir / "once.toml"};
  options.impl = "/nonexistent/program --file {registry}";  // never started
  options.out_dir = dir / "runs";
  options.print = false;
  options.no_worker_mode = "the catalog gives no worker template";
  const SuiteOutcome outcome = RunScenarios(options);
  ASSERT_TRUE(outcome.error.empty()) << outcome.error;
  ASSERT_EQ(outcome.scenarios.size(), 1u);
  EXPECT_EQ(outcome.scenarios[0].status, ScenarioStatus::kNotApplicable);
  EXPECT_EQ(outcome.scenarios[0].not_applicable,
            "needs a long-lived process: its fault chain (lh/mkdir/lock once) counts the calls "
            "of one process, and the implementation has no worker mode (the catalog gives no "
            "worker template)");
  EXPECT_TRUE(outcome.scenarios[0].substitution.empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "runs" / "once.per-op"));
  EXPECT_EQ(SuiteExitCode(outcome), kExitValid);
  std::filesystem::remove_all(dir);
}

TEST(SuiteExitCode, ErrorsAndUnknownsAreTwo) {
  SuiteOutcome outcome;
  EXPECT_EQ(SuiteExitCode(outcome), kExitValid);
  outcome.unknown = 1;
  EXPECT_EQ(SuiteExitCode(outcome), kExitUnknown);
  outcome.failed = 1;
  EXPECT_EQ(SuiteExitCode(outcome), kExitInvalid);
  outcome.error = "x.toml: bad";
  EXPECT_EQ(SuiteExitCode(outcome), kExitUnknown);
}

}  // namespace
}  // namespace lockharness::harness::cli
