#include "lockharness/harness/checkers/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"
#include "test_trace.h"

namespace lockharness::harness {
namespace {

using ::testing::HasSubstr;
using testing_util::kPending;
using testing_util::TestHistory;
using testing_util::TestTrace;

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
  EXPECT_THAT(r.summary, HasSubstr("overran the timeout; first: op " + std::to_string(slow)));
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

// A chain of kills: each new holder is killed as soon as the nemesis finds
// it, so no write completes until the chain ends. Each kill's lock was
// taken over when the nemesis found the next holder.
TEST(Progress, AChainOfKilledHoldersIsTakenOverAtEachNewHolder) {
  TestHistory h;
  h.Fault(4242, 50, "sigkill", "kill-holder: lock holder", "kill-holder");
  h.Fault(4243, 400, "sigkill", "kill-holder: lock holder", "kill-holder");
  h.Fault(4244, 750, "sigkill", "kill-holder: lock holder", "kill-holder");
  h.Register("c", {}, 60, 1100);   // waited through the chain
  h.Register("d", {}, 800, 1100);  // the first write after the last kill
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  ASSERT_EQ(r.details["takeover_ms"].size(), 3u);
  EXPECT_DOUBLE_EQ(r.details["takeover_ms"][0].get<double>(), 350 / 1e6);
  EXPECT_DOUBLE_EQ(r.details["takeover_ms"][2].get<double>(), 350 / 1e6);
}

TEST(Progress, ANewHolderFoundTooLateIsInvalid) {
  TestHistory h;
  h.Fault(4242, 50, "sigkill", "kill-holder: lock holder", "kill-holder");
  h.Fault(4243, 700, "sigkill", "kill-holder: lock holder", "kill-holder");  // 650 > bound 500
  h.Register("c", {}, 60, 800);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("lock of killed holder pid 4242"));
  EXPECT_THAT(r.summary, HasSubstr("the next holder a nemesis found held it"));
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

// An interposer kill point that killed a process holding the lock (the
// trace shows its mkdir and no rmdir before its last line): its lock must
// be taken over like a nemesis-killed holder's. The same kill of a process
// that had released its lock is no takeover.
TEST(Progress, AnInterposerKillOfAHolderMustBeTakenOver) {
  TestHistory h;
  h.Fault(1, 50, "sigkill", "interposer: killed at a kill point of LOCKHARNESS_FAULTS",
          "interposer");
  h.Op(OpKind::kRegister, "a", {}, 60, 100, EventType::kInfo, 5, "exit status 3");
  h.Update("a", {{"model", "x"}}, 110, 150, EventType::kInfo);
  TestTrace held;
  held.Hello(1, 1).Mkdir(1, 10).WriteTemp(1, 11, TestTrace::Temp(1));
  held.Rename(1, 20, TestTrace::Temp(1));
  held.Injected("kill");
  RunArtifacts run = h.Run(std::nullopt);
  run.trace = held.ToTrace();
  CheckerReport r = CheckProgress(run, IndexOperations(run.history));
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.summary;
  EXPECT_THAT(r.summary, HasSubstr("lock never taken over after sigkill (interposer"));
  EXPECT_EQ(r.details["holder_kills"], 1);

  TestTrace released;
  released.Hello(1, 1).LockedPublish(1, 10);
  released.Call(1, 30, "unlink", "unlink", "temp", TestTrace::Temp(1)).result = 0;
  released.Injected("kill");
  run.trace = released.ToTrace();
  CheckerReport after = CheckProgress(run, IndexOperations(run.history));
  EXPECT_EQ(after.details["holder_kills"], 0);
  EXPECT_EQ(after.verdict, Verdict::kValid) << after.summary;
}

// The takeover of an interposer-killed holder's lock is read from the
// trace: another writer's acquisition after the victim's last call counts
// even when its operation was refused (no ok write follows the kill).
TEST(Progress, AnInterposerKilledHoldersTakeoverIsTheTracesNextAcquisition) {
  TestHistory h;
  h.Fault(1, 50, "sigkill", "interposer: killed at a kill point of LOCKHARNESS_FAULTS",
          "interposer");
  h.Op(OpKind::kUpdate, "ghost", {{"model", "x"}}, 60, 100, EventType::kFail, 2,
       "refused (exit status 1)");
  TestTrace t;
  t.Hello(1, 1).Mkdir(1, 10).WriteTemp(1, 11, TestTrace::Temp(1));
  t.Rename(1, 20, TestTrace::Temp(1));
  t.Injected("kill");
  t.Hello(2, 30).Mkdir(2, 40).Rmdir(2, 45);
  RunArtifacts run = h.Run(std::nullopt);
  run.trace = t.ToTrace();
  run.limits.takeover_bound_ns = 5;
  CheckerReport late = CheckProgress(run, IndexOperations(run.history));
  EXPECT_EQ(late.verdict, Verdict::kInvalid) << late.summary;
  EXPECT_THAT(late.summary, HasSubstr("not taken over within"));
  run.limits.takeover_bound_ns = 1000;
  CheckerReport in_time = CheckProgress(run, IndexOperations(run.history));
  EXPECT_EQ(in_time.verdict, Verdict::kValid) << in_time.summary;
  EXPECT_EQ(in_time.details["holder_kills"], 1);
  EXPECT_EQ(in_time.details["takeover_ms"].size(), 1u);

  // Killed on the run's last write: nothing after it to judge, and no
  // verdict hangs on that (a kill point fires anywhere).
  TestHistory last;
  last.Register("a", {}, 0, 10);
  last.Fault(1, 50, "sigkill", "interposer: killed at a kill point of LOCKHARNESS_FAULTS",
             "interposer");
  TestTrace alone;
  alone.Hello(1, 1).Mkdir(1, 10).WriteTemp(1, 11, TestTrace::Temp(1));
  alone.Rename(1, 20, TestTrace::Temp(1));
  alone.Injected("kill");
  RunArtifacts end = last.Run(std::nullopt);
  end.trace = alone.ToTrace();
  CheckerReport nothing_after = CheckProgress(end, IndexOperations(end.history));
  EXPECT_EQ(nothing_after.verdict, Verdict::kValid) << nothing_after.summary;
  EXPECT_EQ(nothing_after.details["holder_kills_with_nothing_after"], 1);
}

// An operation the harness killed at its op timeout (1000 here).
int64_t TimedOut(TestHistory* h, const std::string& name, int64_t start, int pid) {
  return h->Op(OpKind::kRegister, name, {}, start, start + 1010, EventType::kInfo, pid,
               "timed out after 1 ms; process group killed");
}

TEST(Progress, OperationKilledAtTheTimeoutIsStuck) {
  TestHistory h;
  h.Register("a", {}, 0, 100);
  int64_t stuck = TimedOut(&h, "b", 200, 4242);
  TimedOut(&h, "c", 300, 4243);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("2 operations stuck until the harness killed them"));
  EXPECT_THAT(r.summary, HasSubstr("first: op " + std::to_string(stuck) + " register b"));
  EXPECT_EQ(r.details["timed_out"], 2);
  ASSERT_GE(r.evidence.size(), 3u);
  EXPECT_THAT(r.evidence[0], HasSubstr("stuck: killed at the op timeout"));
  EXPECT_THAT(r.evidence[2], HasSubstr("\"error\":\"timed out after 1 ms"));
}

TEST(Progress, OtherInfoOutcomesAreNotStuck) {
  TestHistory h;
  h.Op(OpKind::kRegister, "a", {}, 0, 1010, EventType::kInfo, 4242, "killed by SIGKILL");
  h.Op(OpKind::kRegister, "b", {}, 0, 1010, EventType::kInfo, 4243,
       "interrupted; timed out after 1 ms; no answer; worker killed");
  h.Op(OpKind::kRegister, "c", {}, 0, 1010, EventType::kInfo, 4244,
       "worker: outcome unknown: fsync failed");
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["timed_out"], 0);
}

TEST(Progress, TimeoutWhileTheHolderIsStoppedIsExcused) {
  TestHistory h;
  h.Fault(4000, 100, "sigstop", "pause-holder: lock holder, writer 0, for 2000 ms");
  TimedOut(&h, "b", 200, 4242);  // deadline 1200, holder stopped until 2100
  h.Fault(4000, 2100, "sigcont", "pause-holder: resumed writer 0");
  h.Register("c", {}, 2200, 2300);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.summary;
  EXPECT_EQ(r.details["timed_out_excused"], 1);
  EXPECT_THAT(r.summary, HasSubstr("1 killed at the op timeout while a nemesis stopped"));
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_THAT(r.evidence[0], HasSubstr("pid 4000 was stopped by a nemesis from"));
}

TEST(Progress, TimeoutWhileTheOperationsOwnProcessIsStoppedIsExcused) {
  TestHistory h;
  h.Fault(4242, 500, "sigstop", "pause-holder: lock holder, writer 2, for 5000 ms");
  TimedOut(&h, "b", 200, 4242);  // never resumed before the run ended
  EXPECT_EQ(Check(h).verdict, Verdict::kValid);
}

TEST(Progress, TimeoutLongAfterTheHolderResumedIsStuck) {
  TestHistory h;
  h.Fault(4000, 10, "sigstop", "pause-holder: lock holder, writer 0, for 100 ms");
  h.Fault(4000, 110, "sigcont", "pause-holder: resumed writer 0");
  // Deadline 3200: the holder resumed 3090 earlier, beyond the takeover
  // bound (500): the lock had time to come free.
  int64_t stuck = TimedOut(&h, "b", 2200, 4242);
  CheckerReport r = Check(h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_THAT(r.summary, HasSubstr("op " + std::to_string(stuck)));
}

TEST(Progress, TimeoutBeforeAnyStopIsStuck) {
  TestHistory h;
  TimedOut(&h, "b", 0, 4242);  // killed at 1010
  h.Fault(4000, 1500, "sigstop", "pause-holder: lock holder, writer 0, for 100 ms");
  h.Fault(4000, 1600, "sigcont", "pause-holder: resumed writer 0");
  EXPECT_EQ(Check(h).verdict, Verdict::kInvalid);
}

}  // namespace
}  // namespace lockharness::harness
