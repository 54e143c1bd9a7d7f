#include "lockharness/harness/checkers/mutual_exclusion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;

CheckerReport Check(const TestHistory& h) {
  RunArtifacts run = h.Run(std::nullopt);
  return CheckMutualExclusion(IndexOperations(run.history));
}

TEST(MutualExclusion, NoSpansIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.checker, "mutual-exclusion");
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_EQ(r.summary, "no lock spans reported (the implementation does not report them)");
}

TEST(MutualExclusion, NoEffectAtAllIsValid) {
  TestHistory h;
  h.Register("a", {}, 0, 10, EventType::kFail);
  h.Update("a", {{"model", "x"}}, 5, 20, EventType::kFail);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid);
  EXPECT_THAT(r.summary, HasSubstr("nothing can overlap"));
}

TEST(MutualExclusion, InDoubtWriteWithoutSpansIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10, EventType::kInfo);
  EXPECT_EQ(Check(h).verdict, Verdict::kUnknown);
}

TEST(MutualExclusion, SpanOfStealVictimIsLeftOut) {
  TestHistory h;
  const int64_t victim = h.Register("a", {}, 0, 100);
  h.LockSpan(victim, 10, 90);
  const int64_t next = h.Register("b", {}, 20, 80);
  h.LockSpan(next, 40, 60);
  // The harness renamed the victim's lock away at t=30 (pid 1000 + id).
  h.Fault(static_cast<int>(1000 + victim), 30, "steal-lock", "steal-lock: lock of live holder");
  RunArtifacts run = h.Run(std::nullopt);
  CheckerReport r = CheckMutualExclusion(IndexOperations(run.history), run.history);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("1 spans of holders whose lock the harness stole left out"));
  // Without the steal the same spans overlap.
  EXPECT_EQ(CheckMutualExclusion(IndexOperations(run.history)).verdict, Verdict::kInvalid);
}

TEST(MutualExclusion, StealOfAnotherProcessExcusesNothing) {
  TestHistory h;
  const int64_t a = h.Register("a", {}, 0, 100);
  h.LockSpan(a, 10, 90);
  const int64_t b = h.Register("b", {}, 20, 80);
  h.LockSpan(b, 40, 60);
  h.Fault(4242, 30, "steal-lock", "steal-lock: lock of live holder");
  RunArtifacts run = h.Run(std::nullopt);
  EXPECT_EQ(CheckMutualExclusion(IndexOperations(run.history), run.history).verdict,
            Verdict::kInvalid);
}

TEST(MutualExclusion, DisjointAndTouchingSpansAreValid) {
  TestHistory h;
  h.LockSpan(h.Register("a", {}, 0, 100), 10, 20);
  h.LockSpan(h.Update("a", {{"model", "x"}}, 0, 100), 20, 30);  // touching
  h.LockSpan(h.Update("a", {{"model", "y"}}, 0, 100, EventType::kFail), 40, 50);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["spans"], 3);
}

TEST(MutualExclusion, OverlapNamesBothOperations) {
  TestHistory h;
  int64_t a = h.Register("a", {}, 0, 100);
  int64_t b = h.Register("b", {}, 0, 100);
  int64_t c = h.Register("c", {}, 0, 100);
  h.LockSpan(a, 10, 50);
  h.LockSpan(b, 60, 70);
  h.LockSpan(c, 40, 45);  // inside a's span
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary,
              HasSubstr("op " + std::to_string(a) + " and op " + std::to_string(c) + " overlap"));
  EXPECT_EQ(r.details["overlaps"], 1);
  ASSERT_FALSE(r.evidence.empty());
  EXPECT_THAT(r.evidence[0], HasSubstr("held: op " + std::to_string(a)));
}

TEST(MutualExclusion, SpanContainedInAnEarlierLongSpanIsCaught) {
  TestHistory h;
  int64_t a = h.Register("a", {}, 0, 100);
  int64_t b = h.Register("b", {}, 0, 100);
  int64_t c = h.Register("c", {}, 0, 100);
  h.LockSpan(a, 10, 90);
  h.LockSpan(b, 10, 20);  // overlaps a
  h.LockSpan(c, 80, 85);  // after b but inside a
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["overlaps"], 2);
}

TEST(MutualExclusion, ReversedSpanIsInvalid) {
  TestHistory h;
  int64_t a = h.Register("a", {}, 0, 100);
  h.LockSpan(a, 50, 40);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("ends before it starts"));
}

TEST(MutualExclusion, MalformedSpanIsAnImplementationError) {
  TestHistory h;
  int64_t a = h.Register("a", {}, 0, 10);
  h.LockSpan(a, 2, 8);
  int64_t bad = h.Op(OpKind::kRegister, "b", {}, 20, 30, EventType::kOk, 0,
                     "implementation error: malformed lock span: "
                     "lock_acquired_ns is not an integer: \"abc\"");
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("1 operations reported a malformed lock span; first: op " +
                                   std::to_string(bad)));
  EXPECT_THAT(r.summary, HasSubstr("lock_acquired_ns is not an integer"));
  ASSERT_GE(r.evidence.size(), 2u);
  EXPECT_THAT(r.evidence[0], HasSubstr("op " + std::to_string(bad) + " register b"));
}

TEST(MutualExclusion, OtherErrorsOnACompletionAreNoSpanProblem) {
  TestHistory h;
  int64_t a = h.Op(OpKind::kRegister, "a", {}, 0, 10, EventType::kFail, 0, "refused");
  h.LockSpan(a, 2, 8);
  EXPECT_EQ(Check(h).verdict, Verdict::kValid);
}

}  // namespace
}  // namespace lockharness::harness
