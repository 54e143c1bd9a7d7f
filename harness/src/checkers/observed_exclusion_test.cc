#include "lockharness/harness/checkers/observed_exclusion.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/checkers/mutual_exclusion.h"
#include "test_history.h"
#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::TestHistory;
using testing_util::TestTrace;

CheckerReport NoSpansReported() {
  TestHistory h;
  h.Register("a", {}, 10, 20);
  const std::vector<Event> events = h.Events();
  return CheckMutualExclusion(IndexOperations(events), events);
}

CheckerReport Observed(Verdict verdict) {
  CheckerReport r;
  r.checker = "trace-mutual-exclusion";
  r.verdict = verdict;
  r.summary = "observed summary";
  r.evidence = {"span line"};
  return r;
}

TEST(AdoptObservedExclusion, NoReportedSpansTakeTheObservedVerdict) {
  for (Verdict v : {Verdict::kValid, Verdict::kInvalid}) {
    CheckerReport me = NoSpansReported();
    ASSERT_EQ(me.verdict, Verdict::kUnknown);
    EXPECT_TRUE(AdoptObservedExclusion(Observed(v), &me));
    EXPECT_EQ(me.verdict, v);
    EXPECT_EQ(me.checker, "mutual-exclusion");
    EXPECT_THAT(me.summary, HasSubstr("from observed lock spans (the implementation reports "
                                      "none): observed summary"));
    EXPECT_EQ(me.evidence, std::vector<std::string>{"span line"});
    EXPECT_EQ(me.details["source"], "observed");
  }
}

TEST(AdoptObservedExclusion, AVerdictWithoutAnyLockSaysSo) {
  CheckerReport me = NoSpansReported();
  CheckerReport observed = Observed(Verdict::kInvalid);
  observed.details["no_lock"] = true;
  EXPECT_TRUE(AdoptObservedExclusion(observed, &me));
  EXPECT_EQ(me.verdict, Verdict::kInvalid);
  EXPECT_EQ(me.summary,
            "from observation (the implementation reports no spans, and no lock was seen): "
            "observed summary");
}

TEST(AdoptObservedExclusion, UndecidedObservationLeavesUnknown) {
  CheckerReport me = NoSpansReported();
  EXPECT_FALSE(AdoptObservedExclusion(Observed(Verdict::kUnknown), &me));
  EXPECT_EQ(me.verdict, Verdict::kUnknown);
  EXPECT_THAT(me.summary, HasSubstr("no lock spans reported"));
}

TEST(AdoptObservedExclusion, ReportedSpansKeepTheirOwnVerdict) {
  TestHistory h;
  int64_t a = h.Register("a", {}, 10, 20);
  h.LockSpan(a, 12, 18);
  const std::vector<Event> events = h.Events();
  CheckerReport me = CheckMutualExclusion(IndexOperations(events), events);
  ASSERT_EQ(me.verdict, Verdict::kValid);
  EXPECT_FALSE(AdoptObservedExclusion(Observed(Verdict::kInvalid), &me));
  EXPECT_EQ(me.verdict, Verdict::kValid);
}

// Op of pid `pid` claiming [from, to] (history time; the trace's origin is 0).
struct Claims {
  TestHistory h;
  void Claim(int pid, int64_t from, int64_t to) {
    int64_t id = h.Op(OpKind::kRegister, "n" + std::to_string(from), {}, from - 5, to + 5,
                      EventType::kOk, pid);
    h.LockSpan(id, from, to);
  }
  CheckerReport Check(const TestTrace& t) {
    events = h.Events();
    index = IndexOperations(events);
    timeline = t.Timeline(0);
    return CheckClaimedSpans(index, ObservedLockSpans(timeline), timeline.origin);
  }
  std::vector<Event> events;
  OperationIndex index;
  TraceTimeline timeline;
};

TEST(ClaimedSpans, ClaimsInsideObservedSpansAreValid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);  // 100 .. 111
  t.KernelLock(2, 200, "flock", "exclusive").Publish(2, 201);
  t.KernelLock(2, 230, "flock", "unlock");
  Claims c;
  c.Claim(1, 101, 110);
  c.Claim(2, 205, 225);
  const CheckerReport r = c.Check(t);
  EXPECT_EQ(r.checker, "claimed-lock-spans");
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["claimed_spans"], 2);
}

TEST(ClaimedSpans, ClaimWithoutAnObservedLockIsInvalid) {
  TestTrace t;
  t.Hello(1, 1).Hello(2, 2);
  t.LockedPublish(1, 100);
  t.Publish(2, 300);  // pid 2 never locks, but says it did
  Claims c;
  c.Claim(1, 101, 110);
  c.Claim(2, 300, 310);
  const CheckerReport r = c.Check(t);
  ASSERT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("reports holding the lock"));
  EXPECT_THAT(r.summary, HasSubstr("the trace shows pid 2 holding no lock then"));
  EXPECT_EQ(r.details["claimed_without_observed_lock"], 1);
}

TEST(ClaimedSpans, ClaimOutsideItsOwnObservedSpansIsInvalid) {
  TestTrace t;
  t.Hello(1, 1);
  t.LockedPublish(1, 100);  // holds 100 .. 111
  Claims c;
  c.Claim(1, 500, 600);  // long after it released
  const CheckerReport r = c.Check(t);
  ASSERT_EQ(r.verdict, Verdict::kInvalid);
  std::string evidence;
  for (const std::string& line : r.evidence) evidence += line + "\n";
  EXPECT_THAT(evidence, HasSubstr("observed span of pid 1: mkdir from trace line"));
}

TEST(ClaimedSpans, UnknownWithoutObservedSpans) {
  TestTrace t;
  t.Hello(1, 1);
  t.Publish(1, 100);
  Claims c;
  c.Claim(1, 100, 110);
  const CheckerReport r = c.Check(t);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("the trace shows no lock span"));
}

}  // namespace
}  // namespace lockharness::harness
