#include "lockharness/harness/report/run_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lockharness/harness/install/build_info.h"
#include "lockharness/harness/runner/command.h"

namespace lockharness::harness::runner {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Event Make(EventType type, int64_t id, int64_t t_ms, OpKind op = OpKind::kUpdate) {
  Event e;
  e.type = type;
  e.id = id;
  e.t = t_ms * 1'000'000;
  if (type == EventType::kInvoke) e.op = op;
  return e;
}

nlohmann::json Config() {
  return {{"seed", 42},
          {"impl", "lockreg --file {registry}"},
          {"mode", "worker"},
          {"writers", 2},
          {"ops", 3},
          {"readers", 1},
          {"op_timeout_ms", 500},
          {"takeover_bound_ms", 900},
          {"mix", "40,35,10,15,0"},
          {"value_bytes", 0}};
}

TEST(OperationStatsTest, CountsOutcomesAndLatencies) {
  const std::vector<Event> history = {
      Make(EventType::kInvoke, 1, 0, OpKind::kRegister),
      Make(EventType::kInvoke, 2, 1),
      Make(EventType::kOk, 1, 10),
      Make(EventType::kFail, 2, 3),
      Make(EventType::kInvoke, 3, 20, OpKind::kRemove),
      Make(EventType::kInfo, 3, 120),
      Make(EventType::kRead, -1, 50),
      Make(EventType::kInvoke, 4, 130),  // never completed
  };
  const nlohmann::json stats = OperationStats(history);
  EXPECT_EQ(stats["invoked"], 4);
  EXPECT_EQ(stats["ok"], 1);
  EXPECT_EQ(stats["fail"], 1);
  EXPECT_EQ(stats["info"], 1);
  EXPECT_EQ(stats["never_completed"], 1);
  EXPECT_EQ(stats["by_op"]["register"]["ok"], 1);
  EXPECT_EQ(stats["by_op"]["update"]["fail"], 1);
  EXPECT_EQ(stats["by_op"]["remove"]["info"], 1);
  EXPECT_DOUBLE_EQ(stats["latency_ms"]["max"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(stats["latency_ms"]["p50"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(stats["duration_s"].get<double>(), 0.12);
  EXPECT_DOUBLE_EQ(stats["throughput_ops_per_s"].get<double>(), 25.0);
}

TEST(BuildReportTest, CarriesVerdictsEvidenceSeedAndReplay) {
  CheckerReport lost;
  lost.checker = "lost-update";
  lost.verdict = Verdict::kInvalid;
  lost.summary = "entry w1-0 is missing";
  lost.evidence = {"op 25 register w1-0", "  {\"type\":\"invoke\"}"};
  CheckerReport leftovers;
  leftovers.checker = "leftovers";
  leftovers.verdict = Verdict::kValid;
  leftovers.summary = "nothing left";
  const nlohmann::json report =
      BuildReport(Config(), {}, {lost, leftovers}, Verdict::kInvalid, {{"status", "completed"}});
  EXPECT_EQ(report["verdict"], "invalid");
  EXPECT_EQ(report["seed"], 42);
  ASSERT_EQ(report["checkers"].size(), 2u);
  EXPECT_EQ(report["checkers"][0]["checker"], "lost-update");
  EXPECT_EQ(report["checkers"][0]["verdict"], "invalid");
  EXPECT_EQ(report["checkers"][0]["evidence"][0], "op 25 register w1-0");
  EXPECT_EQ(report["run"]["status"], "completed");

  const std::string text = FormatReportText(report);
  EXPECT_THAT(text, HasSubstr("verdict: INVALID"));
  EXPECT_THAT(text, HasSubstr("lost-update       invalid  entry w1-0 is missing"));
  EXPECT_THAT(text, HasSubstr("      op 25 register w1-0"));
  EXPECT_THAT(text, HasSubstr("seed: 42"));
  EXPECT_THAT(text, HasSubstr("replay: lockharness run --impl 'lockreg --file {registry}'"));
}

TEST(BuildReportTest, WarningsFollowTheEvidence) {
  CheckerReport lint;
  lint.checker = "protocol-lint";
  lint.verdict = Verdict::kValid;
  lint.summary = "1 registry renames linted: 1 findings (dir-not-fsynced 1)";
  lint.warnings = {"dir-not-fsynced: pid 7 renamed onto the registry and went on",
                   "  trace line 9: pid 7 rename a -> b: ok at 1.000 ms"};
  CheckerReport plain;
  plain.checker = "leftovers";
  plain.verdict = Verdict::kValid;
  const nlohmann::json report = BuildReport(Config(), {}, {lint, plain}, Verdict::kValid, nullptr);
  EXPECT_EQ(report["checkers"][0]["warnings"][1],
            "  trace line 9: pid 7 rename a -> b: ok at 1.000 ms");
  EXPECT_FALSE(report["checkers"][1].contains("warnings"));
  EXPECT_THAT(FormatReportText(report),
              HasSubstr("      warning: dir-not-fsynced: pid 7 renamed onto the registry and "
                        "went on\n      warning:   trace line 9:"));
}

// report.txt shows 12 lines of evidence and of warnings per checker, then
// how many more results.json has.
TEST(BuildReportTest, TextShowsTwelveLinesOfEvidenceAndOfWarnings) {
  CheckerReport lint;
  lint.checker = "protocol-lint";
  lint.verdict = Verdict::kValid;
  for (int i = 1; i <= 14; ++i) lint.evidence.push_back("evidence " + std::to_string(i));
  for (int i = 1; i <= 13; ++i) lint.warnings.push_back("finding " + std::to_string(i));
  const std::string text =
      FormatReportText(BuildReport(Config(), {}, {lint}, Verdict::kValid, nullptr));
  EXPECT_THAT(text, HasSubstr("      evidence 12\n      ... (2 more lines in results.json)\n"
                              "      warning: finding 1\n"));
  EXPECT_THAT(text, HasSubstr("      warning: finding 12\n"
                              "      ... (1 more warning lines in results.json)\n"));
  EXPECT_THAT(text, Not(HasSubstr("evidence 13")));
  EXPECT_THAT(text, Not(HasSubstr("finding 13")));
}

TEST(BuildReportTest, UnjudgedReportIsUnknownWithReason) {
  const nlohmann::json report = BuildUnjudgedReport(Config(), {{"status", "not-runnable"}},
                                                    "implementation not runnable: no such file: x");
  EXPECT_EQ(report["verdict"], "unknown");
  EXPECT_TRUE(report["checkers"].empty());
  EXPECT_THAT(FormatReportText(report),
              HasSubstr("reason: implementation not runnable: no such file: x"));
}

TEST(ReplayCommandTest, ReproducesEveryWorkloadFlag) {
  const std::string replay = ReplayCommand(Config());
  EXPECT_EQ(replay,
            "lockharness run --impl 'lockreg --file {registry}' --mode worker --writers 2 "
            "--ops 3 --readers 1 --op-timeout-ms 500 --takeover-bound-ms 900 "
            "--mix 40,35,10,15,0 --seed 42");
  // The quoted template splits back into the original.
  std::string error;
  auto words = SplitCommandTemplate(replay, &error);
  ASSERT_TRUE(words) << error;
  EXPECT_EQ((*words)[3], "lockreg --file {registry}");
}

CheckerReport Finding(std::string checker, Verdict verdict, std::string summary,
                      std::vector<std::string> evidence = {}) {
  CheckerReport report;
  report.checker = std::move(checker);
  report.verdict = verdict;
  report.summary = std::move(summary);
  report.evidence = std::move(evidence);
  return report;
}

TEST(JunitSuiteForTest, OneCasePerCheckerNamedAfterTheRun) {
  const nlohmann::json report = BuildReport(
      Config(), {},
      {Finding("lost-update", Verdict::kInvalid, "entry w1-0 is missing", {"op 25", "op 26"}),
       Finding("leftovers", Verdict::kValid, "nothing left"),
       Finding("progress", Verdict::kUnknown, "no completions")},
      Verdict::kInvalid, nullptr);
  const report::JunitSuite suite = JunitSuiteFor(report);
  EXPECT_EQ(suite.name, "lockreg --file {registry} seed 42");
  ASSERT_EQ(suite.cases.size(), 3u);
  EXPECT_EQ(suite.cases[0].name, "lost-update");
  EXPECT_EQ(suite.cases[0].classname, "lockharness.checkers");
  EXPECT_EQ(suite.cases[0].result, report::JunitResult::kFailure);
  EXPECT_EQ(suite.cases[0].message, "entry w1-0 is missing");
  EXPECT_EQ(suite.cases[0].text, "op 25\nop 26\n");
  EXPECT_EQ(suite.cases[1].result, report::JunitResult::kPass);
  EXPECT_EQ(suite.cases[2].result, report::JunitResult::kError);
}

TEST(JunitSuiteForTest, AnUnjudgedRunIsAnErrorNotAnEmptySuite) {
  const report::JunitSuite suite = JunitSuiteFor(
      BuildUnjudgedReport(Config(), nullptr, "implementation not runnable: no such file: x"));
  ASSERT_EQ(suite.cases.size(), 1u);
  EXPECT_EQ(suite.cases[0].name, "run");
  EXPECT_EQ(suite.cases[0].result, report::JunitResult::kError);
  EXPECT_EQ(suite.cases[0].message, "implementation not runnable: no such file: x");
}

class WriteReportFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("report_files_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Slurp(const char* name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::filesystem::path dir_;
};

TEST_F(WriteReportFilesTest, WritesResultsReportJunitAndTimeline) {
  const std::vector<Event> history = {Make(EventType::kInvoke, 1, 0), Make(EventType::kOk, 1, 5)};
  const nlohmann::json report =
      BuildReport(Config(), history, {Finding("leftovers", Verdict::kValid, "nothing left")},
                  Verdict::kValid, nullptr);
  std::string error;
  ASSERT_TRUE(WriteReportFiles(dir_, report, &history, &error)) << error;
  EXPECT_EQ(nlohmann::json::parse(Slurp("results.json"))["verdict"], "valid");
  EXPECT_EQ(nlohmann::json::parse(Slurp("results.json"))["lockharness_version"],
            std::string(install::Version()) + " (" + install::Commit() + ")");
  EXPECT_THAT(Slurp("report.txt"), HasSubstr("verdict: VALID"));
  EXPECT_THAT(Slurp("junit.xml"), HasSubstr("<testcase classname=\"lockharness.checkers\" "
                                            "name=\"leftovers\""));
  EXPECT_THAT(Slurp("timeline.html"), HasSubstr("\"total_ops\":1"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "report.json"));
}

TEST_F(WriteReportFilesTest, TimelineMarksACrashRunsViolationPoints) {
  const std::vector<Event> history = {Make(EventType::kInvoke, 1, 0), Make(EventType::kOk, 1, 5)};
  nlohmann::json report = BuildReport(
      Config(), history, {Finding("crash-durability", Verdict::kInvalid, "1 of 9 crash states")},
      Verdict::kInvalid, nullptr);
  report["crash"] = {{"model", "posix"},
                     {"violation_points",
                      {{{"state", "state-4"},
                        {"call", 6},
                        {"t_ns", 3000},
                        {"detail", "after #6 rename(t -> sandboxes.json)"}},
                       {{"state", "no time"}},  // malformed: skipped
                       "not an object"}}};
  std::string error;
  ASSERT_TRUE(WriteReportFiles(dir_, report, &history, &error)) << error;
  const std::string page = Slurp("timeline.html");
  EXPECT_THAT(page, HasSubstr("\"crash_points\":[[3.0,\"state-4\",\"after #6 rename(t -> "
                              "sandboxes.json)\"]]"));
  EXPECT_THAT(page, HasSubstr("\"total_crash_points\":1"));
}

TEST_F(WriteReportFilesTest, ReadsTheHistoryFileWhenNotGivenOne) {
  std::ofstream(dir_ / "history.jsonl") << FormatEvent(Make(EventType::kInvoke, 1, 0)) << "\n"
                                        << FormatEvent(Make(EventType::kInvoke, 2, 1)) << "\n";
  std::string error;
  ASSERT_TRUE(WriteReportFiles(dir_, BuildUnjudgedReport(Config(), nullptr, "x"), nullptr, &error))
      << error;
  EXPECT_THAT(Slurp("timeline.html"), HasSubstr("\"total_ops\":2"));
}

TEST_F(WriteReportFilesTest, TimelineSaysWhyWithoutAHistory) {
  std::string error;
  ASSERT_TRUE(WriteReportFiles(dir_, BuildUnjudgedReport(Config(), nullptr, "x"), nullptr, &error))
      << error;
  EXPECT_THAT(Slurp("timeline.html"), HasSubstr("history not available: "));
  EXPECT_THAT(Slurp("junit.xml"), HasSubstr("<error message=\"unknown: x\""));
}

TEST_F(WriteReportFilesTest, NamesTheFileItCannotWrite) {
  std::filesystem::create_directory(dir_ / "results.json");  // not writable as a file
  std::string error;
  EXPECT_FALSE(
      WriteReportFiles(dir_, BuildUnjudgedReport(Config(), nullptr, "x"), nullptr, &error));
  EXPECT_EQ(error, "cannot write " + (dir_ / "results.json").string() + ": Is a directory");
}

}  // namespace
}  // namespace lockharness::harness::runner
