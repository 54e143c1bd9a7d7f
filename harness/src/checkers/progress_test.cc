#include "lockharness/harness/checkers/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::kPending;
using testing_util::TestHistory;

// TestHistory::Run limits: op timeout 1000, slack 100, takeover bound 500.
CheckerReport Check(const TestHistory& h) {
  RunArtifacts run = h.Run(std::nullopt);
  return CheckProgress(run, IndexOperations(run.history));
}

TEST(Progress, TimelyOperationsAreValidWithStats) {
  TestHistory h;
  h.Register("a", {}, 0, 100);
  h.Update("a", {{"model", "x"}}, 200, 400, EventType::kFail);
  h.Update("a", {{"model", "y"}}, 500, 1550, EventType::kInfo);  // within slack
  CheckerReport r = Check(h);
  EXPECT_EQ(r.checker, "progress");
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["ok"], 1);
  EXPECT_EQ(r.details["fail"], 1);
  EXPECT_EQ(r.details["info"], 1);
  EXPECT_DOUBLE_EQ(r.details["latency"]["max_ms"].get<double>(), 1050 / 1e6);
  EXPECT_DOUBLE_EQ(r.details["latency"]["p50_ms"].get<double>(), 200 / 1e6);
}

TEST(Progress, OperationThatNeverCompletedIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 100);
  int64_t lost = h.Update("a", {{"model", "x"}}, 200, kPending);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("1 operations never completed; first: op " +
                                   std::to_string(lost) + " update a"));
}

TEST(Progress, OverrunIsInvalid) {
  TestHistory h;
  int64_t slow = h.Register("a", {}, 0, 1101);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("overran the timeout; first: op " +
                                   std::to_string(slow)));
}

TEST(Progress, MalformedPairingIsInvalid) {
  TestHistory h;
  Event orphan;
  orphan.type = EventType::kOk;
  orphan.id = 99;
  orphan.t = 5;
  h.AddRaw(orphan);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("malformed history"));
  EXPECT_THAT(r.summary, HasSubstr("operation id 99 has no invoke"));
}

TEST(Progress, KilledHolderTakenOverInTime) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 100, EventType::kInfo, 4242, "killed");
  h.Fault(4242, 50);
  h.Update("z", {{"model", "slow"}}, 60, 900);  // slow, but another is quick
  h.Register("b", {}, 70, 400);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["holder_kills"], 1);
  EXPECT_DOUBLE_EQ(r.details["takeover_ms"][0].get<double>(), 350 / 1e6);
}

TEST(Progress, KilledHolderNotTakenOverInTimeIsInvalid) {
  TestHistory h;
  h.Fault(4242, 50);
  h.Register("b", {}, 60, 100, EventType::kInfo);  // gave up: not a takeover
  int64_t next = h.Register("c", {}, 70, 600);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("lock of killed holder pid 4242"));
  EXPECT_THAT(r.summary, HasSubstr("op " + std::to_string(next)));
}

TEST(Progress, OtherFaultsAreNotTakeovers) {
  TestHistory h;
  h.Fault(4242, 50, "sigkill", "random writer");
  h.Fault(4243, 50, "sigstop", "lock holder");
  h.Register("c", {}, 70, 900);
  EXPECT_EQ(Check(h).verdict, Verdict::kValid);
}

TEST(Progress, TheFaultsKindDecidesNotItsTargetText) {
  // A kill-writer that happened to hit the holder is not a holder kill;
  // a kill-holder is, whatever its target says.
  TestHistory h;
  h.Fault(4242, 50, "sigkill", "kill-writer: random writer, the lock holder", "kill-writer");
  h.Register("c", {}, 70, 900);
  CheckerReport writer = Check(h);
  EXPECT_EQ(writer.verdict, Verdict::kValid);
  EXPECT_EQ(writer.details["holder_kills"], 0);
  TestHistory killed;
  killed.Fault(4242, 50, "sigkill", "kill-holder: writer 1", "kill-holder");
  killed.Register("c", {}, 70, 400);
  CheckerReport holder = Check(killed);
  EXPECT_EQ(holder.verdict, Verdict::kValid) << holder.summary;
  EXPECT_EQ(holder.details["holder_kills"], 1);
}

TEST(Progress, TakeoverWithNoLaterWriteIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Fault(4242, 50);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_THAT(r.summary, HasSubstr("takeover unmeasured"));
}

TEST(Progress, ForgedLockIsATakeover) {
  TestHistory h;
  h.Fault(0, 0, "forged-lock", "dead-owner-lock: lock left by a dead holder");
  h.Register("a", {}, 10, 300);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["holder_kills"], 1);
}

TEST(Progress, LockNeverTakenOverWhileWritersTriedIsInvalid) {
  TestHistory h;
  h.Fault(0, 0, "forged-lock", "recycled-pid-lock: lock of a dead holder");
  h.Register("a", {}, 10, 60, EventType::kFail);
  h.Update("a", {{"model", "x"}}, 20, 80, EventType::kFail);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("lock never taken over"));
  EXPECT_THAT(r.summary, HasSubstr("2 mutating operations were invoked after it"));
}

}  // namespace
}  // namespace lockharness::harness
