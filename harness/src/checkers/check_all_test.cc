#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/check.h"
#include "test_history.h"
#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;
using testing_util::TestTrace;

CheckerReport Report(Verdict v) {
  CheckerReport r;
  r.checker = "x";
  r.verdict = v;
  return r;
}

TEST(Overall, InvalidBeatsUnknownBeatsValid) {
  EXPECT_EQ(Overall({}), Verdict::kUnknown);
  EXPECT_EQ(Overall({Report(Verdict::kValid)}), Verdict::kValid);
  EXPECT_EQ(Overall({Report(Verdict::kValid), Report(Verdict::kUnknown)}), Verdict::kUnknown);
  EXPECT_EQ(Overall({Report(Verdict::kUnknown), Report(Verdict::kInvalid)}), Verdict::kInvalid);
  EXPECT_EQ(VerdictName(Verdict::kInvalid), "invalid");
}

TEST(Overall, UnknownVerdictReasonNamesTheUndecidedCheckers) {
  CheckerReport spans = Report(Verdict::kUnknown);
  spans.checker = "mutual-exclusion";
  spans.summary = "no lock spans";
  CheckerReport trace = Report(Verdict::kUnknown);
  trace.checker = "observation";
  trace.summary = "trace missing";
  EXPECT_EQ(UnknownVerdictReason({Report(Verdict::kValid), spans, trace}),
            "verdict unknown: mutual-exclusion: no lock spans; observation: trace missing");
  EXPECT_EQ(UnknownVerdictReason({Report(Verdict::kValid)}), "verdict unknown");
}

TEST(CheckAll, RunsEveryCheckerInOrder) {
  TestHistory h;
  h.LockSpan(h.Register("a", {}, 0, 100), 10, 20);
  h.Read(50, true);
  std::vector<CheckerReport> reports =
      CheckAll(h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})"));
  ASSERT_EQ(reports.size(), 5u);
  EXPECT_EQ(reports[0].checker, "lost-update");
  EXPECT_EQ(reports[1].checker, "json-validity");
  EXPECT_EQ(reports[2].checker, "leftovers");
  EXPECT_EQ(reports[3].checker, "mutual-exclusion");
  EXPECT_EQ(reports[4].checker, "progress");
  for (const CheckerReport& r : reports) {
    EXPECT_EQ(r.verdict, Verdict::kValid) << r.checker << ": " << r.summary;
  }
  EXPECT_EQ(Overall(reports), Verdict::kValid);
}

TEST(CheckAll, ARecordedTraceThatIsMissingMakesTheRunUnknown) {
  TestHistory h;
  h.LockSpan(h.Register("a", {}, 0, 100), 10, 20);
  const std::string final_file = R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})";
  RunArtifacts run = h.Run(final_file);
  run.trace_recorded = true;
  std::vector<CheckerReport> reports = CheckAll(run);
  ASSERT_EQ(reports.size(), 6u);
  EXPECT_EQ(reports.back().checker, "observation");
  EXPECT_EQ(reports.back().verdict, Verdict::kUnknown);
  EXPECT_THAT(reports.back().summary, HasSubstr("observation incomplete"));
  EXPECT_EQ(Overall(reports), Verdict::kUnknown);
  // Not recorded (e.g. --no-observe): nothing to miss.
  EXPECT_EQ(Overall(CheckAll(h.Run(final_file))), Verdict::kValid);
}

TEST(CheckAll, LostRegisterMakesTheRunInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 100);
  h.Register("b", {}, 200, 300);
  std::vector<CheckerReport> reports =
      CheckAll(h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})"));
  EXPECT_EQ(reports[0].verdict, Verdict::kInvalid);
  EXPECT_EQ(Overall(reports), Verdict::kInvalid);
}

RunArtifacts ValidRun() {
  TestHistory h;
  h.LockSpan(h.Register("a", {}, 0, 100), 10, 20);
  return h.Run(R"({"sandboxes":{"a":{"name":"a"}},"defaultSandbox":"a"})");
}

// ValidRun's operation is pid 1001's, with a reported span at 10..20 ns.
constexpr int kValidRunPid = 1001;

TEST(CheckAll, WithATraceAddsTheTraceCheckers) {
  TestTrace t;
  t.Hello(kValidRunPid, 1).LockedPublish(kValidRunPid, 10);
  RunArtifacts run = ValidRun();
  run.trace = t.ToTrace();
  std::vector<CheckerReport> reports = CheckAll(run);
  ASSERT_EQ(reports.size(), 8u);
  EXPECT_EQ(reports[5].checker, "trace-mutual-exclusion");
  EXPECT_EQ(reports[6].checker, "protocol-lint");
  EXPECT_EQ(reports[7].checker, "claimed-lock-spans");
  EXPECT_EQ(reports[5].verdict, Verdict::kValid) << reports[5].summary;
  EXPECT_EQ(reports[6].verdict, Verdict::kValid) << reports[6].summary;
  EXPECT_EQ(reports[7].verdict, Verdict::kValid) << reports[7].summary;
}

TEST(CheckAll, TornTraceLinesAreSaidWithTheirLinesAndPids) {
  TestTrace t;
  t.Hello(kValidRunPid, 1).LockedPublish(kValidRunPid, 10);
  RunArtifacts run = ValidRun();
  run.trace = t.ToTrace();
  run.trace->AddTornLine({7, 74});
  run.trace->AddTornLine({9, 0});
  std::vector<CheckerReport> reports = CheckAll(run);
  ASSERT_EQ(reports.size(), 9u);
  EXPECT_EQ(reports[8].checker, "observation");
  EXPECT_EQ(reports[8].verdict, Verdict::kValid);  // said, not judged
  EXPECT_THAT(reports[8].summary, HasSubstr("2 trace lines torn by the kill"));
  EXPECT_THAT(reports[8].evidence,
              ::testing::ElementsAre(HasSubstr("trace line 7: the start of a line of pid 74"),
                                     HasSubstr("trace line 9: the start of a line of a process")));
  EXPECT_EQ(Overall(reports), Verdict::kValid);
}

TEST(CheckAll, ASpanClaimedByAProcessTheTraceDoesNotShowIsNotCalledUnheld) {
  TestTrace t;
  t.Hello(1, 1).LockedPublish(1, 10);  // another process; pid 1001 untraced
  RunArtifacts run = ValidRun();
  run.trace = t.ToTrace();
  std::vector<CheckerReport> reports = CheckAll(run);
  ASSERT_EQ(reports.size(), 8u);
  EXPECT_EQ(reports[7].checker, "claimed-lock-spans");
  EXPECT_EQ(reports[7].verdict, Verdict::kUnknown) << reports[7].summary;
  EXPECT_EQ(reports[7].details["claims_of_untraced_processes"], 1);
}

TEST(CheckAll, TraceViolationIsInvalidButLintIsAdvice) {
  TestTrace broken;
  broken.Hello(1, 1).Hello(2, 2).LockedPublish(1, 10).Publish(2, 100);
  RunArtifacts run = ValidRun();
  run.trace = broken.ToTrace();
  std::vector<CheckerReport> reports = CheckAll(run);
  EXPECT_EQ(reports[5].verdict, Verdict::kInvalid);
  EXPECT_EQ(Overall(reports), Verdict::kInvalid);

  TestTrace unsynced;
  unsynced.Hello(kValidRunPid, 1).Mkdir(kValidRunPid, 10);
  unsynced.WriteTemp(kValidRunPid, 11, TestTrace::Temp(kValidRunPid), /*fsync=*/false);
  unsynced.Rename(kValidRunPid, 15, TestTrace::Temp(kValidRunPid));
  unsynced.SyncDir(kValidRunPid, 16).Rmdir(kValidRunPid, 20);
  run.trace = unsynced.ToTrace();
  reports = CheckAll(run);
  EXPECT_EQ(reports[6].verdict, Verdict::kValid);
  EXPECT_FALSE(reports[6].warnings.empty());
  EXPECT_EQ(Overall(reports), Verdict::kValid);
}

}  // namespace
}  // namespace lockharness::harness
